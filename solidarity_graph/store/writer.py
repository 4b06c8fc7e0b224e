"""Writing one extracted document into the store, resolving its mentions to entities."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from solidarity_graph.model import Document, EventFact, Mention, RelationFact
from solidarity_graph.resolve import EntityIndex, Resolver, fold_name
from solidarity_graph.schema import load_schema
from solidarity_graph.store import tables as t

__all__ = ["write_document"]

NAMED = ("organization", "person", "place")


class _Writer:
    def __init__(self, conn: Connection, doc: Document, resolver: Resolver, index: EntityIndex, now: str) -> None:
        self.conn, self.doc, self.resolver, self.index, self.now = conn, doc, resolver, index, now
        self.cache: dict[tuple[str, str, str | None], int] = {}
        self.by_mention: dict[int, int] = {}
        self.added = {"entities": 0, "events": 0, "relations": 0, "quantities": 0, "mentions": 0}
        from solidarity_graph.extract.entities import surname_key

        self.surname_key = surname_key

    def entity(self, m: Mention) -> int:
        if id(m) in self.by_mention:
            return self.by_mention[id(m)]
        name = m.canonical or m.text
        country = m.attrs.get("country") if m.type == "place" else None
        ckey = (m.type, name, m.key or country)
        if ckey in self.cache:
            eid = self.cache[ckey]
        else:
            res = self.resolver.resolve(m.type, name, m.key, country)
            if res.entity_id is None:
                eid = self._create(m, res.new or {"type": m.type, "name": name}, res.aliases)
            else:
                eid = res.entity_id
                if res.rule not in ("gazetteer", "exact_name"):
                    self._decision(eid, m.text, res.rule, res.score)
            self.cache[ckey] = eid
        self._alias(eid, m.type, m.text, "mention")
        if name != m.text:
            self._alias(eid, m.type, name, "canonical")
        self.by_mention[id(m)] = eid
        return eid

    def _create(self, m: Mention, new: dict[str, Any], aliases: list[str]) -> int:
        attrs: dict[str, Any] = dict(new.get("attributes") or {})
        kind = new.get("kind") or m.attrs.get("kind") or m.attrs.get("place_kind")
        country = new.get("country") or m.attrs.get("country")
        for k in ("lat", "lon", "in", "acronym"):
            if m.attrs.get(k) is not None:
                attrs[k] = m.attrs[k]
        parent_id = None
        pkey = attrs.get("parent_key")
        if pkey and pkey in self.index.by_gaz:
            parent_id = self.index.by_gaz[pkey]
        eid = _new_id(self.conn.execute(insert(t.entities).values(
            type=new["type"], name=new["name"], kind=kind, country=country, parent_id=parent_id,
            gazetteer_key=new.get("gazetteer_key"), attributes=attrs or None, created_at=self.now,
        )))
        self.added["entities"] += 1
        names = [new["name"], *aliases]
        for n in names:
            self._alias(eid, new["type"], n, "gazetteer" if new.get("gazetteer_key") else "canonical")
        self.index.add(eid, new["type"], names, new.get("gazetteer_key"), self.surname_key, country)
        gkey = new.get("gazetteer_key")
        if gkey:  # children already stored now find their parent
            kids = [e.id for e in self.resolver.gazetteer.entries.values() if e.parent == gkey]
            if kids:
                self.conn.execute(update(t.entities).where(t.entities.c.gazetteer_key.in_(kids), t.entities.c.parent_id.is_(None)).values(parent_id=eid))
        self._decision(eid, m.text, "new" if not gkey else "gazetteer", 1.0)
        return eid

    def _alias(self, eid: int, type_: str, name: str, source: str) -> None:
        norm = fold_name(name)
        if not norm or eid in self.index.by_norm.get((type_, norm), set()):
            return
        self.conn.execute(insert(t.aliases).values(entity_id=eid, name=name.strip(), norm=norm[:300], source=source))
        self.index.add(eid, type_, [name], None, self.surname_key)

    def _decision(self, eid: int, text: str, rule: str, score: float) -> None:
        self.conn.execute(insert(t.decisions).values(
            entity_id=eid, document_id=self.doc.id, mention=text, rule=rule, score=score, created_at=self.now))

    def quote(self, start: int, end: int) -> str:
        return self.doc.quote(start, end)


def write_document(conn: Connection, doc: Document, resolver: Resolver, index: EntityIndex, now: str) -> dict[str, int]:
    """Insert ``doc`` and all its facts on ``conn`` (the caller holds the transaction)."""
    schema = load_schema()
    conn.execute(insert(t.documents).values(
        id=doc.id, content_hash=doc.hash, source=doc.source, title=doc.title, published=doc.published,
        language=doc.language, text=doc.text, meta={k: v for k, v in doc.meta.items() if k not in ("countries", "_near", "country_counts")} or None,
        ingested_at=now,
    ))
    w = _Writer(conn, doc, resolver, index, now)
    # curators' verdicts on facts of this document, kept by fingerprint across re-extraction
    wanted = [_event_fp(doc, ev) for ev in doc.events] + [_relation_fp(doc, r) for r in doc.relations]
    reviews = {r.fingerprint: r.status for r in conn.execute(
        select(t.fact_reviews).where(t.fact_reviews.c.fingerprint.in_(wanted)))} if wanted else {}
    rows = []
    for m in doc.mentions:
        if m.type not in NAMED:
            continue
        eid = w.entity(m)
        sent = doc.sentence_of(m.start)
        rows.append(dict(document_id=doc.id, entity_id=eid, start=m.start, end=m.end, text=m.text,
                         sent_start=sent.start, sent_end=sent.end, extractor=m.extractor, confidence=m.confidence))
        parent = m.attrs.get("parent_mention")
        if isinstance(parent, Mention):
            pid = w.entity(parent)
            conn.execute(update(t.entities).where(t.entities.c.id == eid, t.entities.c.parent_id.is_(None)).values(parent_id=pid))
    if rows:
        conn.execute(insert(t.mentions), rows)
        w.added["mentions"] += len(rows)
    for ev in doc.events:
        place_id = w.entity(ev.place) if ev.place is not None else None
        roles = {w.entity(p): "participant" for p in ev.participants}
        for m in ev.targets:
            roles.setdefault(w.entity(m), "target")
        key = (ev.type, place_id or 0, (ev.date or "")[:4])
        same = _same_event(conn, doc.id, ev, place_id, set(roles)) if key in index.event_keys else None
        if same is not None:
            # the same event told by another document: one event, one more source (issue 3)
            for s, e in [(ev.start, ev.end), *ev.attrs.get("evidence", [])]:
                conn.execute(insert(t.event_sources).values(event_id=same, document_id=doc.id, start=s, end=e, quote=w.quote(s, e)))
            have = {r[0] for r in conn.execute(select(t.event_participants.c.entity_id).where(t.event_participants.c.event_id == same))}
            new_roles = [dict(event_id=same, entity_id=e, role=r) for e, r in roles.items() if e not in have]
            if new_roles:
                conn.execute(insert(t.event_participants), new_roles)
            w.added["event_sources"] = w.added.get("event_sources", 0) + 1
            continue
        attrs = {k: v for k, v in ev.attrs.items() if k != "evidence"}
        fp = _event_fp(doc, ev)
        evid = _new_id(conn.execute(insert(t.events).values(
            fingerprint=fp, review=reviews.get(fp),
            document_id=doc.id, type=ev.type, status=ev.status, date=ev.date, date_end=ev.date_end,
            date_precision=ev.date_precision, date_source=ev.date_source, place_id=place_id, size=ev.size,
            size_hedge=ev.size_hedge, trigger=ev.trigger, start=ev.start, end=ev.end, quote=w.quote(ev.start, ev.end),
            extractor=ev.extractor, confidence=ev.confidence, attributes=attrs or None,
        )))
        w.added["events"] += 1
        if ev.date_source == "text" and place_id is not None:
            index.event_keys.add(key)
        if roles:
            conn.execute(insert(t.event_participants), [dict(event_id=evid, entity_id=e, role=r) for e, r in roles.items()])
        for s, e in ev.attrs.get("evidence", []):
            conn.execute(insert(t.event_sources).values(event_id=evid, document_id=doc.id, start=s, end=e, quote=w.quote(s, e)))
    seen: set[tuple[int, str, int]] = set()
    rel_rows = []
    for r in doc.relations:
        rtype = schema.relation_types.get(r.predicate)
        if rtype is None or r.subject.type not in rtype.subject or r.object.type not in rtype.object:
            continue
        sid, oid = w.entity(r.subject), w.entity(r.object)
        if sid == oid or (sid, r.predicate, oid) in seen:
            continue
        seen.add((sid, r.predicate, oid))
        fp = _relation_fp(doc, r)
        rel_rows.append(dict(
            fingerprint=fp, review=reviews.get(fp),
            document_id=doc.id, subject_id=sid, predicate=r.predicate, object_id=oid, attributes=r.attrs or None,
            start=r.start, end=r.end, quote=w.quote(r.start, r.end), extractor=r.extractor, confidence=r.confidence,
        ))
    if rel_rows:
        conn.execute(insert(t.relations), rel_rows)
        w.added["relations"] += len(rel_rows)
    q_rows = [dict(
        document_id=doc.id, value=q.value, of=q.of, hedge=q.hedge, unit=q.unit, start=q.start, end=q.end,
        quote=w.quote(*_sentence(doc, q.start, q.end)), extractor=q.extractor, confidence=q.confidence,
        attributes=q.attrs or None,
    ) for q in doc.quantities]
    if q_rows:
        conn.execute(insert(t.quantities), q_rows)
        w.added["quantities"] += len(q_rows)
    return w.added


def fingerprint(*parts: object) -> str:
    """A fact's identity that survives re-extraction: document, kind, type and span."""
    import hashlib

    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()


def _event_fp(doc: Document, ev: EventFact) -> str:
    return fingerprint(doc.id, "event", ev.type, ev.start, ev.end, ev.trigger)


def _relation_fp(doc: Document, r: RelationFact) -> str:
    return fingerprint(doc.id, "relation", r.predicate, fold_name(r.subject.canonical or r.subject.text),
                       fold_name(r.object.canonical or r.object.text), r.start, r.end)


def _same_event(conn: Connection, doc_id: str, ev: EventFact, place_id: int | None, entity_ids: set[int]) -> int | None:
    """An event of another document with the same type, overlapping dates, the same place and a shared participant."""
    if ev.date_source != "text" or not ev.date or place_id is None or not entity_ids:
        return None
    rows = conn.execute(select(t.events.c.id, t.events.c.date, t.events.c.date_end).where(
        t.events.c.type == ev.type, t.events.c.place_id == place_id, t.events.c.date_source == "text",
        t.events.c.document_id != doc_id, t.events.c.date.startswith(ev.date[:4], autoescape=True)).order_by(t.events.c.id))
    for row in rows:
        if not _overlap(ev.date, ev.date_end, row.date, row.date_end):
            continue
        shared = conn.execute(select(t.event_participants.c.entity_id).where(
            t.event_participants.c.event_id == row.id, t.event_participants.c.entity_id.in_(entity_ids)).limit(1)).first()
        if shared is not None:
            return int(row.id)
    return None


def _overlap(a: str, a_end: str | None, b: str, b_end: str | None) -> bool:
    """Dates at any precision overlap: "2024-05" overlaps "2024-05-01"; ranges by their ends."""
    lo1, hi1, lo2, hi2 = a, a_end or a, b, b_end or b
    return (lo1 <= hi2 or hi2.startswith(lo1) or lo1.startswith(hi2)) and (lo2 <= hi1 or hi1.startswith(lo2) or lo2.startswith(hi1))


def _new_id(result: Any) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _sentence(doc: Document, start: int, end: int) -> tuple[int, int]:
    s = doc.sentence_of(start)
    return (s.start, s.end) if s.end > s.start else (start, end)
