"""Screenshots of the main pages into docs/screenshots/ (Debian's Chromium through Playwright).

    .venv/bin/python scripts/screenshots.py

Builds a store from the bundled sample corpus (and the Korean test document), serves it on a free
port of 127.0.0.1 and photographs home, search, an entity, its graph, a document and the timeline.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from solidarity_graph.pipeline import ingest_paths  # noqa: E402
from solidarity_graph.query import find_entity  # noqa: E402
from solidarity_graph.store import Store  # noqa: E402
from solidarity_graph.web.app import create_app  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(str(Path(tmp) / "shots.db"))
        ingest_paths([ROOT / "solidarity_graph" / "data" / "sample", ROOT / "tests" / "data" / "browser"], store)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(store=store), host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        kctu = find_entity(store, "KCTU")[0]["id"]
        doc = next(d for d in store.stored_documents() if d.title and "Seoul" in d.title)
        pages = {"home": "/", "search": "/search?q=union", "entity": f"/entity/{kctu}", "graph": f"/graph/{kctu}",
                 "document": f"/document/{doc.id}", "timeline": "/events", "map": "/map"}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            for name, path in pages.items():
                page.goto(base + path)
                page.wait_for_timeout(2500 if name == "graph" else 300)
                page.screenshot(path=str(OUT / f"{name}.png"))
                print(f"wrote {OUT / (name + '.png')}")
            browser.close()
        server.should_exit = True


if __name__ == "__main__":
    main()
