"""One transaction per document: a failure half-way leaves nothing of that document behind."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.store import Store

GOOD = "UE General President Carl Rosen met leaders of the Korean Confederation of Trade Unions (KCTU) in Seoul on May 1, 2024."
BAD = "Lana Payne, the National President of Unifor, spoke with Carl Rosen in Toronto on March 3, 2025."


# a real database error half-way through a document: relations cannot be written
REFUSE = {
    "sqlite": ["CREATE TRIGGER no_rel BEFORE INSERT ON relations BEGIN SELECT RAISE(ABORT, 'disk says no'); END"],
    "postgresql": ["CREATE FUNCTION no_rel() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk says no'; END $$",
                   "CREATE TRIGGER no_rel BEFORE INSERT ON relations FOR EACH ROW EXECUTE FUNCTION no_rel()"],
}
ALLOW = {"sqlite": ["DROP TRIGGER no_rel"], "postgresql": ["DROP TRIGGER no_rel ON relations", "DROP FUNCTION no_rel()"]}


def test_store_failure_mid_document_leaves_nothing(store_any: Store, tmp_path: Path) -> None:
    store = store_any
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    assert ingest_paths([tmp_path / "a.txt"], store).new == 1
    before = store.counts()
    with store.engine.begin() as conn:
        for sql in REFUSE[store.engine.dialect.name]:
            conn.execute(text(sql))
    (tmp_path / "b.txt").write_text(BAD, encoding="utf-8")
    summary = ingest_paths([tmp_path / "b.txt"], store)
    assert summary.new == 0
    assert len(summary.failed) == 1 and "disk says no" in summary.failed[0][1]
    assert store.counts() == before  # no document, mention, entity or event of b.txt stayed
    with store.engine.begin() as conn:
        for sql in ALLOW[store.engine.dialect.name]:
            conn.execute(text(sql))
    # and the same file goes in cleanly afterwards
    assert ingest_paths([tmp_path / "b.txt"], store).new == 1
    assert store.counts()["relations"] > before["relations"]
