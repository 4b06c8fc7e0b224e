"""Full-text search: FTS5 on SQLite, tsvector on PostgreSQL. The only module that writes dialect-specific SQL.

Both engines answer the same question the same way: every word of the query must appear (the last
one as a prefix, so a half-typed word finds), best matches first, a title counting 2.5 times the
text; case and accents do not matter. Scripts written without spaces between words (Korean,
Japanese, Chinese, Thai...) have no word boundaries an index can use ("민주노총은" is one token), so a
query in one of them is a substring search instead, in portable SQL that gives the same answer on
both engines (PostgreSQL backs it with trigram indexes, migration 0005).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Integer, and_, cast, func, literal_column, or_, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from solidarity_graph.store import tables as t

__all__ = ["search_documents", "search_names", "fts_query", "ts_query", "is_unspaced"]

CONFIG = "solidarity_search"  # the PostgreSQL text search configuration of migration 0005
TITLE_WEIGHT = 2.5  # ts_rank's default weights give A (title) 1.0 and B (text) 0.4
INDEXED_CHARS = 250_000  # as much of a text as PostgreSQL indexes (migration 0005)
# Hangul, kana, CJK ideographs, Thai, Lao, Myanmar, Khmer: scripts without spaces between words.
UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3040-\u30ff\u3130-\u318f"
                      "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]")
HEADLINE = "StartSel=[, StopSel=], MaxWords=14, MinWords=6, ShortWord=2, MaxFragments=1, FragmentDelimiter=\" … \""


def _words(q: str) -> list[str]:
    return re.findall(r"\w+", q)


def is_unspaced(q: str) -> bool:
    """True when ``q`` is written (partly) in a script without spaces between words: searched as substrings."""
    return UNSPACED.search(q) is not None


def fts_query(q: str) -> str:
    """A user's words as an FTS5 query: every word must appear (prefix match on the last)."""
    words = _words(q)
    if not words:
        return ""
    parts = [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']
    return " AND ".join(parts)


def ts_query(q: str) -> str:
    """The same query for PostgreSQL's ``to_tsquery``: ``'kctu' & 'seoul':*`` (words are quoted lexemes)."""
    words = _words(q)
    if not words:
        return ""
    return " & ".join([f"'{w}'" for w in words[:-1]] + [f"'{words[-1]}':*"])


def search_documents(conn: Connection, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Documents matching ``q``, best first, with a snippet that marks the match in [brackets]."""
    words = _words(q)
    if not words:
        return []
    dialect = conn.dialect.name
    if is_unspaced(q) or dialect not in ("sqlite", "postgresql"):
        return _substring_documents(conn, words, limit)
    if dialect == "sqlite":
        rows = conn.execute(text(
            "SELECT d.id, d.title, d.source, d.published, snippet(documents_fts, 1, '[', ']', ' … ', 12) AS snippet "
            "FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid "
            f"WHERE documents_fts MATCH :q ORDER BY bm25(documents_fts, {TITLE_WEIGHT}, 1.0), d.id LIMIT :n"),
            {"q": fts_query(q), "n": limit})
    else:
        # rank and cut first, then build snippets for the few rows kept (ts_headline reads the whole text)
        rows = conn.execute(text(
            f"WITH q AS (SELECT to_tsquery('{CONFIG}', :q) AS query), "
            "hits AS (SELECT d.id, ts_rank(d.fts, q.query, 1) AS rank FROM documents d, q "
            "WHERE d.fts @@ q.query ORDER BY rank DESC, d.id LIMIT :n) "
            f"SELECT d.id, d.title, d.source, d.published, ts_headline('{CONFIG}', left(d.text, {INDEXED_CHARS}), "
            "q.query, :opts) AS snippet FROM hits JOIN documents d ON d.id = hits.id, q ORDER BY hits.rank DESC, d.id"),
            {"q": ts_query(q), "n": limit, "opts": HEADLINE})
    return [dict(r._mapping) for r in rows]


def _has(col: Any, word: str) -> ColumnElement[bool]:
    """``col`` contains ``word``, ignoring case; a word without case (Hangul, kana, Han) uses plain LIKE,
    which PostgreSQL runs much faster than ILIKE on non-ASCII text and can answer from a trigram index."""
    if word.lower() == word.upper():
        return col.contains(word, autoescape=True)  # type: ignore[no-any-return]
    return col.icontains(word, autoescape=True)  # type: ignore[no-any-return]


def _occurrences(col: Any, word: str) -> ColumnElement[Any]:
    """Characters of ``col`` taken by ``word`` (its occurrences times its length), in portable SQL."""
    return cast(func.length(col) - func.length(func.replace(col, word, "")), Integer)


def _substring_documents(conn: Connection, words: list[str], limit: int) -> list[dict[str, Any]]:
    d = t.documents
    title = func.coalesce(d.c.title, "")
    found = [or_(_has(d.c.text, w), _has(d.c.title, w)) for w in words]
    # the title weighs 2.5 times the text (5:2 in whole numbers, so both engines sort the same)
    score = sum((_occurrences(title, w) * 5 + _occurrences(d.c.text, w) * 2 for w in words), literal_column("0"))
    rows = conn.execute(select(d.c.id, d.c.title, d.c.source, d.c.published, d.c.text)
                        .where(and_(*found)).order_by(score.desc(), d.c.id).limit(limit))
    return [{"id": r.id, "title": r.title, "source": r.source, "published": r.published,
             "snippet": _snippet(r.text, words)} for r in rows]


def _snippet(body: str, words: list[str], width: int = 40) -> str:
    """The text around the first word found, the word in [brackets]."""
    for w in words:
        m = re.search(re.escape(w), body, re.IGNORECASE)
        if m is not None:
            start, end = max(0, m.start() - width), min(len(body), m.end() + width)
            head = ("… " if start else "") + body[start:m.start()]
            tail = body[m.end():end] + (" …" if end < len(body) else "")
            return " ".join(f"{head}[{m.group(0)}]{tail}".split())
    return ""


def search_names(conn: Connection, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Entities with a name or alias matching ``q``, most mentioned first, with their mention counts."""
    words = _words(q)
    if not words:
        return []
    a = t.aliases
    dialect = conn.dialect.name
    if is_unspaced(q) or dialect not in ("sqlite", "postgresql"):
        found = select(a.c.entity_id).where(and_(*[_has(a.c.name, w) for w in words]))
        ids = [r[0] for r in conn.execute(found.distinct().order_by(a.c.entity_id).limit(500))]
    elif dialect == "sqlite":
        ids = [r[0] for r in conn.execute(text(
            "SELECT DISTINCT a.entity_id FROM aliases_fts JOIN aliases a ON a.id = aliases_fts.rowid "
            "WHERE aliases_fts MATCH :q ORDER BY a.entity_id LIMIT 500"), {"q": fts_query(q)})]
    else:
        ids = [r[0] for r in conn.execute(text(
            f"SELECT DISTINCT entity_id FROM aliases WHERE fts @@ to_tsquery('{CONFIG}', :q) "
            "ORDER BY entity_id LIMIT 500"), {"q": ts_query(q)})]
    if not ids:
        return []
    counts = (select(t.mentions.c.entity_id, func.count().label("n")).where(t.mentions.c.entity_id.in_(ids))
              .group_by(t.mentions.c.entity_id).subquery())
    mentions = func.coalesce(counts.c.n, 0)
    rows = conn.execute(
        select(t.entities.c.id, t.entities.c.type, t.entities.c.name, t.entities.c.kind, t.entities.c.country,
               mentions.label("mentions"))
        .outerjoin(counts, counts.c.entity_id == t.entities.c.id)
        .where(t.entities.c.id.in_(ids)).order_by(mentions.desc(), t.entities.c.id).limit(limit))
    return [dict(r._mapping) for r in rows]
