"""Full-text search: FTS5 on SQLite. The only module that writes dialect-specific SQL.

On other engines it falls back to a portable LIKE search until their own indexes land.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.engine import Connection

from solidarity_graph.store import tables as t

__all__ = ["search_documents", "search_names", "fts_query"]


def fts_query(q: str) -> str:
    """A user's words as an FTS5 query: every word must appear (prefix match on the last)."""
    words = re.findall(r"\w+", q)
    if not words:
        return ""
    parts = [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']
    return " AND ".join(parts)


def search_documents(conn: Connection, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Documents matching ``q``, best first, with a highlighted snippet."""
    if conn.dialect.name == "sqlite":
        fq = fts_query(q)
        if not fq:
            return []
        rows = conn.execute(text(
            "SELECT d.id, d.title, d.source, d.published, snippet(documents_fts, 1, '[', ']', ' … ', 12) AS snippet "
            "FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid "
            "WHERE documents_fts MATCH :q ORDER BY bm25(documents_fts) LIMIT :n"), {"q": fq, "n": limit})
        return [dict(r._mapping) for r in rows]
    like = f"%{q}%"
    rows = conn.execute(select(t.documents.c.id, t.documents.c.title, t.documents.c.source, t.documents.c.published)
                        .where(or_(t.documents.c.text.ilike(like), t.documents.c.title.ilike(like))).limit(limit))
    return [dict(r._mapping, snippet="") for r in rows]


def search_names(conn: Connection, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Entities with a name or alias matching ``q``, with their mention counts."""
    counts = (select(t.mentions.c.entity_id, func.count().label("n")).group_by(t.mentions.c.entity_id).subquery())
    if conn.dialect.name == "sqlite":
        fq = fts_query(q)
        if not fq:
            return []
        ids = [r[0] for r in conn.execute(text(
            "SELECT DISTINCT a.entity_id FROM aliases_fts JOIN aliases a ON a.id = aliases_fts.rowid "
            "WHERE aliases_fts MATCH :q LIMIT 500"), {"q": fq})]
    else:
        ids = [r[0] for r in conn.execute(select(t.aliases.c.entity_id).where(t.aliases.c.name.ilike(f"%{q}%")).distinct().limit(500))]
    if not ids:
        return []
    rows = conn.execute(
        select(t.entities.c.id, t.entities.c.type, t.entities.c.name, t.entities.c.kind, t.entities.c.country,
               func.coalesce(counts.c.n, 0).label("mentions"))
        .outerjoin(counts, counts.c.entity_id == t.entities.c.id)
        .where(t.entities.c.id.in_(ids)).order_by(func.coalesce(counts.c.n, 0).desc()).limit(limit))
    return [dict(r._mapping) for r in rows]
