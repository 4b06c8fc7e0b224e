"""The query commands over a store built from the sample corpus."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from solidarity_graph.cli import main
from tests.engines import ENGINES, database


@pytest.fixture(scope="module", params=ENGINES)
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample corpus ingested once per engine: an SQLite file, then a PostgreSQL database."""
    with database(request, request.param, tmp_path_factory.mktemp("cli")) as path:
        sample = Path(__file__).resolve().parent.parent / "solidarity_graph" / "data" / "sample"
        res = CliRunner().invoke(main, ["ingest", "--db", path, "-q", str(sample)])
        assert res.exit_code == 0, res.output
        yield path


def test_cli_search_finds_names_and_documents(db: str) -> None:
    res = CliRunner().invoke(main, ["search", "--db", db, "KCTU"])
    assert res.exit_code == 0
    assert "Korean Confederation of Trade Unions" in res.output
    assert "Documents:" in res.output


def test_cli_show_prints_quotes(db: str) -> None:
    res = CliRunner().invoke(main, ["show", "--db", db, "KCTU"])
    assert res.exit_code == 0, res.output
    assert "Korean Confederation of Trade Unions" in res.output
    assert "“" in res.output  # every fact comes with its sentence


def test_cli_show_unknown_name_fails(db: str) -> None:
    res = CliRunner().invoke(main, ["show", "--db", db, "No Such Union Anywhere"])
    assert res.exit_code == 1
    assert "no entity named" in res.output


@pytest.mark.parametrize("args", [["--type", "strike"], ["--since", "2020"], ["--entity", "KCTU"]])
def test_cli_events_filters(db: str, args: list[str]) -> None:
    res = CliRunner().invoke(main, ["events", "--db", db, *args])
    assert res.exit_code == 0, res.output
    assert "“" in res.output


def test_cli_events_unknown_type(db: str) -> None:
    res = CliRunner().invoke(main, ["events", "--db", db, "--type", "picnic"])
    assert res.exit_code == 1
    assert "unknown event type" in res.output


def test_cli_export_jsonl_contract(db: str, tmp_path: Path) -> None:
    out = tmp_path / "e.jsonl"
    res = CliRunner().invoke(main, ["export", "--db", db, "--format", "jsonl", "--out", str(out)])
    assert res.exit_code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    need = {
        "entity": {"kind", "id", "type", "name", "aliases", "attributes"},
        "event": {"kind", "id", "type", "status", "date", "date_end", "place", "participants", "size", "quote", "document"},
        "relation": {"kind", "subject", "predicate", "object", "attributes", "quote", "document"},
        "quantity": {"kind", "value", "of", "hedge", "quote", "document"},
    }
    kinds = {r["kind"] for r in rows}
    assert kinds == set(need)
    for r in rows:
        assert need[r["kind"]] <= set(r), r
    names = {r["name"] for r in rows if r["kind"] == "entity"}
    for r in rows:
        if r["kind"] == "relation":
            assert r["subject"] in names and r["object"] in names
            assert r["quote"]


@pytest.mark.parametrize("fmt", ["csv", "graphml"])
def test_cli_export_other_formats(db: str, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"e.{fmt}"
    res = CliRunner().invoke(main, ["export", "--db", db, "--format", fmt, "--out", str(out)])
    assert res.exit_code == 0
    text = out.read_text(encoding="utf-8")
    if fmt == "graphml":
        root = ET.fromstring(text)
        ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
        assert root.findall(".//g:node", ns) and root.findall(".//g:edge", ns)
    else:
        assert text.splitlines()[0].startswith("kind,id,type,name")
