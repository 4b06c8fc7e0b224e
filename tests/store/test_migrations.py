"""The migrations build exactly the schema tables.py declares, on both engines (nothing left to drift)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from solidarity_graph.store import Store
from solidarity_graph.store import tables as t


def _search_only(diff: Any) -> bool:
    """What the full-text migrations add outside tables.py: FTS5 tables, tsvector columns, their indexes."""
    text = repr(diff).lower()
    return any(word in text for word in ("_fts", "'fts'", "tsvector", "search", "trgm"))


def test_migrations_match_tables_py(store_any: Store) -> None:
    with store_any.engine.connect() as conn:
        diffs = [d for d in compare_metadata(MigrationContext.configure(conn), t.metadata) if not _search_only(d)]
    assert diffs == []
