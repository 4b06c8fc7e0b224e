"""Backup and restore: dump, restore into an empty store, dump again: the same file (issue 7)."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Text, cast, func, insert, null, select, text, update

from solidarity_graph.cli import main
from solidarity_graph.curation import add_fact, merge_entities, review_fact
from solidarity_graph.errors import InputError, StoreError
from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t
from solidarity_graph.store.dump import dump, dump_file, restore
from solidarity_graph.store.search import search_documents, search_names

pytestmark = pytest.mark.issue(7)

DATA = Path(__file__).resolve().parents[2] / "solidarity_graph" / "data"
SAMPLES = [DATA / "sample", DATA / "sample_ko"]
# floats that print differently from their neighbours: repr must bring each back bit for bit
FLOATS = [0.1 + 0.2, 5e-324, 1.7976931348623157e308, 1 / 3]
NOW = "2025-01-02T03:04:05+00:00"


def _curate(store: Store) -> None:
    """A merge, a rejected event and a hand-made fact: the audit log gets rows."""
    with store.connect() as conn:
        people = [r[0] for r in conn.execute(select(t.entities.c.id).where(t.entities.c.type == "person").order_by(t.entities.c.id).limit(2))]
        orgs = [r[0] for r in conn.execute(select(t.entities.c.id).where(t.entities.c.type == "organization").order_by(t.entities.c.id).limit(2))]
        event = conn.execute(select(func.min(t.events.c.id))).scalar_one()
    merge_entities(store, people[0], people[1], who="tester", note="same person")
    review_fact(store, "event", event, "rejected", who="tester", note="not an event")
    add_fact(store, orgs[0], "ally_of", orgs[1], who="tester", note="told at the 2024 meeting")


def _program_rows(store: Store) -> None:
    """Rows in program tables, a parent that comes after its child, SQL NULL in JSON, awkward floats."""
    with store.engine.begin() as conn:
        first, last = conn.execute(select(func.min(t.entities.c.id), func.max(t.entities.c.id))).one()
        conn.execute(update(t.entities).where(t.entities.c.id == first).values(parent_id=last))
        fund = conn.execute(insert(t.funds).values(name="UE-FAT Solidarity Fund", currency="USD", created_at=NOW)).inserted_primary_key[0]
        entry = {"fund_id": fund, "date": "2024-05-01", "currency": "USD", "created_at": NOW, "created_by": "tester"}
        conn.execute(insert(t.ledger_entries).values(**entry, kind="contribution", amount="1250.00", from_name="UE Local 506", balance_after="1250.00"))
        grant = conn.execute(insert(t.ledger_entries).values(**entry, kind="grant", amount="300.10", to_name="FAT", balance_after="949.90")).inserted_primary_key[0]
        conn.execute(insert(t.ledger_entries).values(**entry, kind="reversal", amount="300.10", reverses=grant, balance_after="1250.00"))
        watch = conn.execute(insert(t.watches).values(entity_id=last, event_types=["strike", "repression"], who="tester", created_at=NOW)).inserted_primary_key[0]
        ev = conn.execute(select(t.events.c.id, t.events.c.fingerprint).order_by(t.events.c.id).limit(1)).one()
        conn.execute(insert(t.alerts).values(watch_id=watch, event_id=ev.id, event_fingerprint=ev.fingerprint or "fp",
                                             snapshot={"type": "strike", "quote": "“Solidarność” 민주노총"}, created_at=NOW))
        conn.execute(insert(t.settings).values(key="smtp", value={"host": "127.0.0.1", "port": 25}))
        doc = conn.execute(select(func.min(t.documents.c.id))).scalar_one()
        conn.execute(update(t.documents).where(t.documents.c.id == doc).values(meta=null()))
        ids = [r[0] for r in conn.execute(select(t.mentions.c.id).order_by(t.mentions.c.id).limit(len(FLOATS)))]
        for mid, value in zip(ids, FLOATS, strict=True):
            conn.execute(update(t.mentions).where(t.mentions.c.id == mid).values(confidence=value))


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The bundled samples, curated, with program rows."""
    store = Store.open(str(tmp_path_factory.mktemp("dump") / "source.db"))
    summary = ingest_paths(SAMPLES, store)
    assert summary.new > 0 and not summary.failed
    _curate(store)
    _program_rows(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def dumped(source: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dumpfile") / "source.jsonl"
    dump_file(source, path)
    return path


@pytest.fixture
def target(store: Store) -> Store:
    """The empty store a dump is restored into (SQLite; parametrize over engines with ``store_any``)."""
    return store


def _split(text_: str) -> tuple[dict[str, Any], list[str]]:
    """The header without its time and engine, and the row lines."""
    lines = text_.splitlines()
    head = json.loads(lines[0])
    head.pop("created_at")
    head.pop("engine")
    return head, lines[1:]


def _dump_text(store: Store) -> str:
    out = io.StringIO()
    dump(store, out)
    return out.getvalue()


# what must read back the same after a restore: SQL NULL and JSON null apart, floats bit for bit,
# decimal text, a parent that came after its child
KEPT = {
    "confidences": select(t.mentions.c.confidence).order_by(t.mentions.c.id),
    "sql null": select(func.count()).where(t.documents.c.meta.is_(None)),
    "json null": select(func.count()).where(cast(t.entities.c.attributes, Text) == "null"),
    "no delivery": select(func.count()).where(t.alerts.c.delivered.is_(None)),
    "ledger": select(t.ledger_entries.c.amount, t.ledger_entries.c.balance_after, t.ledger_entries.c.reverses).order_by(t.ledger_entries.c.id),
    "parents": select(t.entities.c.id, t.entities.c.parent_id).where(t.entities.c.parent_id.is_not(None)).order_by(t.entities.c.id),
}


def _rows(store: Store, query: Any) -> list[tuple[Any, ...]]:
    with store.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def test_dump_restore_dump_is_identical(source: Store, dumped: Path, target: Store) -> None:
    counts = restore(target, dumped)
    head, rows = _split(dumped.read_text(encoding="utf-8"))
    again = _dump_text(target)
    assert _split(again) == (head, rows)
    assert json.loads(again.split("\n", 1)[0])["engine"] == target.engine.dialect.name
    assert len(rows) == sum(counts.values()) == sum(x["rows"] for x in head["tables"])
    for name in ("documents", "mentions", "curations", "fact_reviews", "funds", "ledger_entries", "watches", "alerts", "settings"):
        assert counts[name] > 0, name
    assert head["format"] == "solidarity-dump"
    assert [x["name"] for x in head["tables"]] == [tb.name for tb in t.metadata.sorted_tables]


def test_dump_rows_are_in_key_order(dumped: Path) -> None:
    _, rows = _split(dumped.read_text(encoding="utf-8"))
    ids = [json.loads(r)["row"]["id"] for r in rows if r.startswith('{"table":"mentions"')]
    assert ids == sorted(ids) and len(ids) > 100


@pytest.mark.parametrize("what", sorted(KEPT))
def test_restore_keeps_values_exactly(source: Store, dumped: Path, target: Store, what: str) -> None:
    restore(target, dumped)
    assert _rows(target, KEPT[what]) == _rows(source, KEPT[what])


def test_restore_edge_values(dumped: Path, target: Store) -> None:
    restore(target, dumped)
    assert _rows(target, KEPT["sql null"]) == [(1,)] and _rows(target, KEPT["json null"])[0][0] > 0
    assert _rows(target, KEPT["ledger"]) == [("1250.00", "1250.00", None), ("300.10", "949.90", None), ("300.10", "1250.00", 2)]
    with target.connect() as conn:
        got = [r[0] for r in conn.execute(select(t.mentions.c.confidence).order_by(t.mentions.c.id).limit(len(FLOATS)))]
        assert got == FLOATS
        assert conn.execute(select(t.watches.c.event_types)).scalar_one() == ["strike", "repression"]
        assert conn.execute(select(t.alerts.c.snapshot)).scalar_one()["quote"] == "“Solidarność” 민주노총"


@pytest.mark.parametrize("query", ["KCTU", "민주노총", "solidarity fund", "Myanmar"])
def test_restore_search_works(source: Store, dumped: Path, target: Store, query: str) -> None:
    restore(target, dumped)
    with source.connect() as a, target.connect() as b:
        same = a.dialect.name == b.dialect.name  # the engines' ranking functions may order near ties apart
        order = (lambda rows: rows) if same else (lambda rows: sorted(rows, key=repr))
        assert order(search_names(b, query)) == order(search_names(a, query))
        assert order([d["id"] for d in search_documents(b, query)]) == order([d["id"] for d in search_documents(a, query)])
        assert search_names(b, query) or search_documents(b, query)
        if b.dialect.name == "sqlite":
            for fts in ("documents_fts", "aliases_fts"):  # the index agrees with its content table
                b.execute(text(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)"))


def test_ingest_after_restore(dumped: Path, target: Store, tmp_path: Path) -> None:
    restore(target, dumped)
    before = target.counts()
    again = ingest_paths(SAMPLES, target)
    assert again.new == 0 and again.unchanged > 0 and target.counts() == before
    (tmp_path / "new.txt").write_text("Lana Payne, the National President of Unifor, met the Korean Confederation of "
                                      "Trade Unions (KCTU) in Toronto on March 3, 2025.", encoding="utf-8")
    top = _rows(target, select(func.max(t.mentions.c.id)))[0][0]
    assert ingest_paths([tmp_path / "new.txt"], target).new == 1  # new ids follow the restored ones
    new = select(func.min(t.mentions.c.id)).join(t.documents).where(t.documents.c.source.endswith("new.txt"))
    assert _rows(target, new)[0][0] > top


def test_restore_refuses_a_store_with_rows(dumped: Path, target: Store) -> None:
    restore(target, dumped)
    with pytest.raises(StoreError, match="not empty"):
        restore(target, dumped)


def _replace_line(lines: list[str], n: int, new: str | None) -> list[str]:
    """Line ``n`` (1-based) replaced, or dropped when ``new`` is None."""
    return lines[: n - 1] + ([new] if new is not None else []) + lines[n:]


def _first(lines: list[str], table: str) -> int:
    return next(i for i, x in enumerate(lines, start=1) if x.startswith(f'{{"table":"{table}"'))


BROKEN: dict[str, Any] = {
    # name: (how to break the lines -> the broken line's number, what the error says)
    "not json": (lambda ls: (n := _first(ls, "mentions") + 3, _replace_line(ls, n, ls[n - 1][:-7])), "not JSON"),
    "unknown table": (lambda ls: (n := _first(ls, "events"), _replace_line(ls, n, ls[n - 1].replace('"events"', '"evnts"'))), "unknown table"),
    "unknown column": (lambda ls: (n := _first(ls, "aliases") + 1, _replace_line(ls, n, ls[n - 1].replace('"norm"', '"nrm"'))), "columns differ"),
    "orphan row": (lambda ls: (n := _first(ls, "mentions") + 2, _replace_line(ls, n, ls[n - 1].replace('"document_id":"', '"document_id":"x'))), "refuses"),
    "duplicate key": (lambda ls: (n := _first(ls, "aliases") + 1, _replace_line(ls, n, ls[n - 2])), "refuses"),
    "table split": (lambda ls: (len(ls) + 1, ls + [ls[_first(ls, "documents") - 1]]), "again after"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_restore_broken_line_is_named_and_nothing_stays(dumped: Path, target: Store, tmp_path: Path, case: str) -> None:
    breaker, message = BROKEN[case]
    n, lines = breaker(dumped.read_text(encoding="utf-8").splitlines())
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        restore(target, bad)
    assert err.value.line == n and f"line {n}" in str(err.value) and str(bad) in str(err.value)
    assert _empty(target)


def _empty(store: Store) -> bool:
    with store.connect() as conn:
        return all(conn.execute(select(func.count()).select_from(tb)).scalar_one() == 0 for tb in t.metadata.sorted_tables)


@pytest.mark.parametrize(("packed", "says"), [(False, "cut short"), (True, "unreadable after line")])
def test_restore_cut_short_is_refused(dumped: Path, target: Store, tmp_path: Path, packed: bool, says: str) -> None:
    data = dumped.read_bytes()
    short = tmp_path / "short.jsonl"
    if packed:  # a gzip file whose end is missing
        packed_data = gzip.compress(data)
        short.write_bytes(packed_data[: len(packed_data) * 2 // 3])
    else:  # the last rows are missing, at a line's end
        short.write_bytes(b"".join(data.splitlines(keepends=True)[:-5]))
    with pytest.raises(InputError, match=says):
        restore(target, short)
    assert _empty(target)


@pytest.mark.parametrize(("revision", "advice"), [("0003", "open that store with this version"), ("9999", "upgrade solidarity")])
def test_restore_other_revision_says_what_to_do(dumped: Path, target: Store, tmp_path: Path, revision: str, advice: str) -> None:
    lines = dumped.read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[0])
    head["revision"] = revision
    old = tmp_path / "old.jsonl"
    old.write_text("\n".join([json.dumps(head), *lines[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=advice) as err:
        restore(target, old)
    assert err.value.line == 1 and revision in str(err.value)
    assert _empty(target)


def test_restore_not_a_dump(target: Store, tmp_path: Path) -> None:
    other = tmp_path / "export.jsonl"
    other.write_text('{"type": "entity", "id": 1}\n', encoding="utf-8")
    with pytest.raises(InputError, match="not a Solidarity Graph dump"):
        restore(target, other)


class _WriteDuring(io.StringIO):
    """An output that stores a document through another connection once the dump has begun."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store, self.done = store, False

    def write(self, s: str) -> int:
        if not self.done:
            self.done = True
            with self.store.engine.begin() as conn:
                conn.execute(insert(t.documents).values(id="late", content_hash="late", source="late.txt", text="late",
                                                        language="en", ingested_at=NOW))
        return super().write(s)


def test_dump_is_one_snapshot(dumped: Path, target: Store) -> None:
    restore(target, dumped)
    out = _WriteDuring(target)
    counts = dump(target, out)
    assert out.done and target.has_id("late")
    head, rows = _split(out.getvalue())
    assert not any('"id":"late"' in r for r in rows)
    assert len(rows) == sum(counts.values()) == sum(x["rows"] for x in head["tables"])


def test_cli_dump_restore_round_trip(source: Store, tmp_path: Path) -> None:
    db = source.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    res = runner.invoke(main, ["dump", "--db", db, "--out", str(tmp_path / "backup.jsonl.gz")])
    assert res.exit_code == 0, res.output
    assert not (tmp_path / "backup.jsonl.gz.partial").exists()
    res = runner.invoke(main, ["restore", str(tmp_path / "backup.jsonl.gz"), "--db", str(tmp_path / "new.db")])
    assert res.exit_code == 0, res.output
    assert "restored" in res.output
    res = runner.invoke(main, ["dump", "--db", str(tmp_path / "new.db")])
    assert res.exit_code == 0
    backup = gzip.decompress((tmp_path / "backup.jsonl.gz").read_bytes()).decode("utf-8")
    assert _split(res.stdout) == _split(backup)
    res = runner.invoke(main, ["restore", str(tmp_path / "backup.jsonl.gz"), "--db", str(tmp_path / "new.db")])
    assert res.exit_code == 1 and "not empty" in res.output and "Traceback" not in res.output


def test_dump_file_that_cannot_be_written_leaves_nothing(source: Store, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot write the dump"):
        dump_file(source, tmp_path / "missing" / "backup.jsonl")
    assert not (tmp_path / "missing").exists()
