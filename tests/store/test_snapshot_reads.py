"""A query sees one state of the store, whatever an ingest commits meanwhile (issue 7).

The load test (tests/web/test_load.py) met this: the timeline read the entities' names, an ingest
committed a new event with a new participant, then the timeline read that event and found a name it
did not have (a KeyError, a 500). Here another connection commits exactly between a query's
statements, on both engines.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, select

from solidarity_graph import query
from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

pytestmark = pytest.mark.issue(7)

SAMPLE = Path(__file__).resolve().parents[2] / "solidarity_graph" / "data" / "sample"
NOW = "2025-01-01T00:00:00+00:00"


def _commit_new_fact(store: Store) -> None:
    """What an ingest commits: a document, a new entity, an event and a relation naming it."""
    with store.engine.begin() as conn:
        conn.execute(insert(t.documents).values(id="late", content_hash="late", source="late.txt", language="en",
                                                text="The Late Workers' Union struck.", ingested_at=NOW))
        eid = conn.execute(insert(t.entities).values(type="organization", name="Late Workers' Union", created_at=NOW)
                           .returning(t.entities.c.id)).scalar_one()
        kctu = conn.execute(select(t.entities.c.id).where(t.entities.c.gazetteer_key == "kctu")).scalar_one()
        evid = conn.execute(insert(t.events).values(
            document_id="late", type="strike", status="happened", date="1999-01-01", trigger="struck", start=0, end=31,
            quote="The Late Workers' Union struck.", extractor="test", confidence=1.0).returning(t.events.c.id)).scalar_one()
        conn.execute(insert(t.event_participants), [{"event_id": evid, "entity_id": eid, "role": "participant"},
                                                    {"event_id": evid, "entity_id": kctu, "role": "participant"}])
        conn.execute(insert(t.mentions).values(document_id="late", entity_id=eid, start=4, end=23, text="Late Workers' Union",
                                               sent_start=0, sent_end=31, extractor="test", confidence=1.0))
        conn.execute(insert(t.relations).values(document_id="late", subject_id=eid, predicate="affiliated_with", object_id=kctu,
                                                start=0, end=31, quote="The Late Workers' Union struck.", extractor="test",
                                                confidence=1.0))


def _kctu(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(t.entities.c.id).where(t.entities.c.gazetteer_key == "kctu")).scalar_one())


# (the query, the table whose read comes after the names were read)
QUERIES: list[tuple[str, Callable[[Store, int], Any], str]] = [
    # (the timeline now reads its events first and then only their participants and names, so a commit
    # between its statements cannot reach it; the entity page and the graph still read in several steps)
    ("entity page", lambda store, kctu: query.entity_page(store, kctu), "FROM relations"),
    ("graph", lambda store, kctu: query.neighborhood(store, kctu, depth=2), "FROM relations"),
]


@pytest.mark.parametrize(("name", "run", "marker"), QUERIES, ids=[q[0] for q in QUERIES])
def test_snapshot_reads_a_query_does_not_see_a_commit_made_while_it_runs(store_any: Store, name: str, run: Any,
                                                                         marker: str) -> None:
    store = store_any
    ingest_paths([SAMPLE], store)
    kctu = _kctu(store)
    fired: list[str] = []
    reads: list[str] = []

    def commit_between(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # the commit lands just before the query's first read of ``marker`` that is not its first statement
        # (the snapshot begins with the first statement, so a commit before it is simply earlier)
        if fired or "SELECT" not in statement:
            return
        reads.append(statement)
        if marker in statement and len(reads) > 1:
            fired.append(statement)  # first, so the writer's own statements pass
            _commit_new_fact(store)

    event.listen(store.engine, "before_cursor_execute", commit_between)
    try:
        out = run(store, kctu)
    finally:
        event.remove(store.engine, "before_cursor_execute", commit_between)
    assert fired, f"{name}: no statement reads {marker}"
    assert "Late Workers' Union" not in str(out)  # the commit came after the query's snapshot
    assert "Late Workers' Union" in str(run(store, kctu))  # and the next query sees it
