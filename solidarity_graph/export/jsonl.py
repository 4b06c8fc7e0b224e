"""The JSON Lines export: one object per entity, event, relation and quantity (a contract).

Names are canonical entity names. Fields may be added, never removed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import or_, select

from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["iter_records", "export_jsonl"]


def iter_records(store: Store, *, reveal_protected: bool = False) -> Iterator[dict[str, Any]]:
    """Every fact as a dict in the export's shape, entities first; protected people redacted unless revealed."""
    from solidarity_graph.program.protect import Redactor

    redactor = Redactor.load(store, reveal=reveal_protected)
    for rec in _records(store):
        yield redactor.record(rec)


def _records(store: Store) -> Iterator[dict[str, Any]]:
    with store.connect() as conn:
        ents = {r.id: r for r in conn.execute(select(t.entities).order_by(t.entities.c.id))}
        aliases: dict[int, list[str]] = {}
        for r in conn.execute(select(t.aliases.c.entity_id, t.aliases.c.name).order_by(t.aliases.c.id)):
            aliases.setdefault(r.entity_id, []).append(r.name)
        mentioned = {r[0] for r in conn.execute(select(t.mentions.c.entity_id).distinct())}
        mentioned |= {r[0] for r in conn.execute(select(t.event_participants.c.entity_id).distinct())}
        mentioned |= {r[0] for r in conn.execute(select(t.events.c.place_id).distinct()) if r[0]}
        for col in (t.relations.c.subject_id, t.relations.c.object_id):
            mentioned |= {r[0] for r in conn.execute(select(col).distinct())}
        for eid, e in ents.items():
            if eid not in mentioned:
                continue
            attrs = {k: v for k, v in (e.attributes or {}).items() if v is not None and k != "parent_key"}
            if e.kind:
                attrs["kind"] = e.kind
            if e.country:
                attrs["country"] = e.country
            if e.parent_id and e.parent_id in ents:
                attrs["parent"] = ents[e.parent_id].name
            yield {"kind": "entity", "id": f"e{eid}", "type": e.type, "name": e.name,
                   "aliases": sorted({a for a in aliases.get(eid, []) if a != e.name}), "attributes": attrs}
        parts: dict[int, list[str]] = {}
        targets: dict[int, list[str]] = {}
        part_ids: dict[int, list[str]] = {}  # the participants' ids, so two namesakes stay apart (GraphML)
        for r in conn.execute(select(t.event_participants).order_by(t.event_participants.c.event_id, t.event_participants.c.entity_id)):
            (targets if r.role == "target" else parts).setdefault(r.event_id, []).append(ents[r.entity_id].name)
            if r.role != "target":
                part_ids.setdefault(r.event_id, []).append(f"e{r.entity_id}")
        sources: dict[int, list[dict[str, str]]] = {}
        for s in conn.execute(select(t.event_sources).order_by(t.event_sources.c.id)):
            sources.setdefault(s.event_id, []).append({"document": s.document_id, "quote": s.quote})
        for ev in conn.execute(select(t.events).where(_not_rejected(t.events)).order_by(t.events.c.id)):
            yield {"kind": "event", "id": f"v{ev.id}", "type": ev.type, "status": ev.status, "date": ev.date,
                   "date_end": ev.date_end, "date_precision": ev.date_precision, "date_source": ev.date_source,
                   "place": ents[ev.place_id].name if ev.place_id else None,
                   "participants": parts.get(ev.id, []), "participant_ids": part_ids.get(ev.id, []), "targets": targets.get(ev.id, []),
                   "crowd": (ev.attributes or {}).get("crowd"), "size": ev.size, "size_hedge": ev.size_hedge,
                   "trigger": ev.trigger, "quote": ev.quote, "document": ev.document_id,
                   "span": [ev.start, ev.end], "confidence": ev.confidence, "extractor": ev.extractor,
                   "sources": [{"document": ev.document_id, "quote": ev.quote}, *sources.get(ev.id, [])]}
        for r in conn.execute(select(t.relations).where(_not_rejected(t.relations)).order_by(t.relations.c.id)):
            yield {"kind": "relation", "subject": ents[r.subject_id].name, "predicate": r.predicate,
                   "object": ents[r.object_id].name, "subject_id": f"e{r.subject_id}", "object_id": f"e{r.object_id}",
                   "attributes": r.attributes or {}, "quote": r.quote,
                   "document": r.document_id, "span": [r.start, r.end], "confidence": r.confidence,
                   "extractor": r.extractor}
        for q in conn.execute(select(t.quantities).order_by(t.quantities.c.id)):
            yield {"kind": "quantity", "value": q.value, "of": q.of, "hedge": q.hedge, "unit": q.unit,
                   "quote": q.quote, "document": q.document_id, "span": [q.start, q.end],
                   "confidence": q.confidence}


def _not_rejected(table: Any) -> Any:
    """Facts a curator rejected leave every export."""
    return or_(table.c.review.is_(None), table.c.review != "rejected")


def export_jsonl(store: Store, out: IO[str], *, reveal_protected: bool = False) -> int:
    """Write the export to ``out``; returns the number of lines."""
    n = 0
    for rec in iter_records(store, reveal_protected=reveal_protected):
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n
