"""A protected person is named nowhere by default: not on the program's pages and API (they go through
the app's redacting response and templates), not in what any command prints."""

from __future__ import annotations

import warnings
from pathlib import Path

from click.testing import CliRunner

from solidarity_graph.cli import main
from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.program.commitments import add_commitment
from solidarity_graph.program.exchanges import add_member, create_exchange
from solidarity_graph.program.protect import protect_person
from solidarity_graph.store import Store
from solidarity_graph.web.app import create_app

with warnings.catch_warnings():  # starlette's notice about httpx, at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TEXT = ("UE General President Carl Rosen met leaders of the Korean Metal Workers' Union (KMWU) in Seoul on May 1, 2024. "
        "KMWU organizer Park Jin-ho said the unions would meet again.")


def _filled(tmp_path: Path) -> tuple[Store, str]:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text(TEXT, encoding="utf-8")
    db = str(tmp_path / "r.db")
    store = Store.open(db)
    ingest_paths([tmp_path / "docs"], store, published="2024-05-02")
    add_commitment(store, "commitment", "Park Jin-ho to host the next exchange", who="t", note="hand", subject="KMWU")
    ex = create_exchange(store, kind="exchange", title="Visit with Park Jin-ho", who="t")
    add_member(store, int(ex["exchange"]["id"]), "Park Jin-ho", "host", who="t")
    protect_person(store, "Park Jin-ho", who="t", note="at risk")
    return store, db


def test_program_pages_and_api_never_name_a_protected_person(tmp_path: Path) -> None:
    store, _ = _filled(tmp_path)
    client = TestClient(create_app(store=store))
    for url in ("/commitments", "/commitments.json", "/api/v1/commitments", "/exchanges", "/exchanges.json",
                "/api/v1/exchanges", "/exchanges/1", "/exchanges/1.json", "/search?q=Park", "/search.json?q=Park"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert "Park Jin-ho" not in r.text, url
    assert "[protected person]" in client.get("/commitments.json").text


def test_commands_never_print_a_protected_person(tmp_path: Path) -> None:
    _, db = _filled(tmp_path)
    runner = CliRunner()
    for args in (["search", "Park"], ["show", "KMWU"], ["commitments"], ["exchanges"], ["events"]):
        r = runner.invoke(main, [*args, "--db", db])
        assert r.exit_code == 0, (args, r.output)
        assert "Park Jin-ho" not in r.output, args
    revealed = runner.invoke(main, ["export", "--db", db, "--reveal-protected"])
    assert "Park Jin-ho" in revealed.output  # asked for by name, it is there
