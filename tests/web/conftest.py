"""Web test plumbing shared by every browser test: a live server on loopback and Debian's Chromium."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from solidarity_graph.store import Store

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(store: Store) -> Iterator[str]:
    """The web app over ``store``, served by uvicorn on a free loopback port; yields its base URL."""
    import uvicorn

    from solidarity_graph.web.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store=store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright (skips, saying why, where it is not installed)."""
    if not HAVE_CHROMIUM:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@contextmanager
def new_page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh page that fails the test if it ever asks another host for anything."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    seen: list[str] = []
    p.on("request", lambda r: seen.append(r.url))
    try:
        yield p
    finally:
        hosts = {u.split("/")[2] for u in seen if u.startswith("http")}
        context.close()
    assert hosts <= {base_url.split("/")[2]}, hosts  # nothing from another host, ever
