"""An entity's page: names, kind, country, parent, roles, relations and events, each with its quote."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from solidarity_graph.accounts.visibility import EVERYTHING, Visibility
from solidarity_graph.resolve import fold_name
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["find_entity", "entity_page"]


def find_entity(store: Store, name: str) -> list[dict[str, Any]]:
    """Entities whose name or alias is ``name`` (folded), most mentioned first; else a prefix match."""
    norm = fold_name(name)
    counts = select(t.mentions.c.entity_id, func.count().label("n")).group_by(t.mentions.c.entity_id).subquery()
    with store.connect() as conn:
        ids = [r[0] for r in conn.execute(select(t.aliases.c.entity_id).where(t.aliases.c.norm == norm).distinct())]
        if not ids:
            ids = [r[0] for r in conn.execute(select(t.aliases.c.entity_id).where(t.aliases.c.norm.startswith(norm, autoescape=True))
                                               .distinct().order_by(t.aliases.c.entity_id).limit(20))]
        if not ids and name.isdigit():
            ids = [int(name)]
        rows = conn.execute(select(t.entities, func.coalesce(counts.c.n, 0).label("mentions"))
                            .outerjoin(counts, counts.c.entity_id == t.entities.c.id)
                            .where(t.entities.c.id.in_(ids)).order_by(func.coalesce(counts.c.n, 0).desc(), t.entities.c.id))
        return [dict(r._mapping) for r in rows]


def entity_page(store: Store, entity_id: int, *, reveal_protected: bool = False, visible: Visibility = EVERYTHING) -> dict[str, Any]:
    """Everything the graph knows of one entity, every fact with its quote and document (protected people redacted).

    Only what ``visible`` lets through: an entity only hidden documents speak of is not there (KeyError).
    """
    from solidarity_graph.program.protect import redact_entity_page

    if not visible.entity_ok(entity_id):
        raise KeyError(entity_id)
    with store.connect() as conn:
        e = conn.execute(select(t.entities).where(t.entities.c.id == entity_id)).first()
        if e is None:
            raise KeyError(entity_id)
        names = visible.names(conn.execute(select(t.entities.c.id, t.entities.c.name)))
        name = names[entity_id]
        aliases = sorted(set(visible.aliases(entity_id, [r[0] for r in conn.execute(
            select(t.aliases.c.name).where(t.aliases.c.entity_id == entity_id))])) - {name, e.name})
        rels = []
        for r in conn.execute(select(t.relations).where(or_(t.relations.c.subject_id == entity_id, t.relations.c.object_id == entity_id),
                                                        or_(t.relations.c.review.is_(None), t.relations.c.review != "rejected")).order_by(t.relations.c.id)):
            if not visible.relation_ok(r.document_id, r.subject_id, r.object_id):
                continue
            rels.append({"id": r.id, "review": r.review, "subject": names[r.subject_id], "predicate": r.predicate, "object": names[r.object_id],
                         "attributes": r.attributes or {}, "quote": r.quote, "document": r.document_id, "span": [r.start, r.end],
                         "confidence": r.confidence})
        ev_ids = [r[0] for r in conn.execute(select(t.event_participants.c.event_id).where(t.event_participants.c.entity_id == entity_id))]
        ev_ids += [r[0] for r in conn.execute(select(t.events.c.id).where(t.events.c.place_id == entity_id))]
        events = []
        for ev in conn.execute(select(t.events).where(t.events.c.id.in_(ev_ids), or_(t.events.c.review.is_(None), t.events.c.review != "rejected")).order_by(t.events.c.date.asc().nulls_first(), t.events.c.id)):
            if not visible.event_ok(ev.id) or not visible.participant_ok(ev.id, entity_id):
                continue
            parts = [names[r[0]] for r in conn.execute(select(t.event_participants.c.entity_id).where(t.event_participants.c.event_id == ev.id)
                                                         .order_by(t.event_participants.c.entity_id)) if visible.participant_ok(ev.id, r[0])]
            place = names.get(ev.place_id) if ev.place_id and visible.participant_ok(ev.id, ev.place_id) else None
            events.append(visible.rehome_event({"id": ev.id, "review": ev.review, "type": ev.type, "status": ev.status, "date": ev.date,
                                                "date_end": ev.date_end, "place": place, "participants": parts,
                                                "size": ev.size, "quote": ev.quote, "document": ev.document_id, "span": [ev.start, ev.end]}))
        decisions = [dict(r._mapping) for r in conn.execute(select(t.decisions.c.mention, t.decisions.c.rule, t.decisions.c.score, t.decisions.c.document_id).where(
            t.decisions.c.entity_id == entity_id, visible.documents_clause(t.decisions.c.document_id, hand_made=True)).order_by(t.decisions.c.id).limit(50))]
        # its place in the union hierarchy: local -> union -> federation -> global union federation
        hierarchy, seen, cur = [], {e.id}, e.parent_id
        while cur and cur not in seen:
            row = conn.execute(select(t.entities.c.id, t.entities.c.name, t.entities.c.kind, t.entities.c.parent_id).where(t.entities.c.id == cur)).first()
            if row is None or not visible.entity_ok(row.id):
                break
            hierarchy.append({"id": row.id, "name": names[row.id], "kind": row.kind})
            seen.add(row.id)
            cur = row.parent_id
        # sorted here, not in SQL: a PostgreSQL server's collation may order names unlike SQLite's bytes
        children = sorted(({"id": r.id, "name": names[r.id], "kind": r.kind} for r in conn.execute(
            select(t.entities.c.id, t.entities.c.name, t.entities.c.kind).where(t.entities.c.parent_id == entity_id)) if r.id in names),
            key=lambda c: (c["name"], c["id"]))
        n_mentions = conn.execute(select(func.count()).select_from(t.mentions).where(
            t.mentions.c.entity_id == entity_id, visible.documents_clause(t.mentions.c.document_id))).scalar_one()
    page = {"id": e.id, "type": e.type, "name": name, "aliases": aliases, "kind": e.kind, "country": e.country,
            "parent": names.get(e.parent_id) if e.parent_id else None, "attributes": e.attributes or {},
            "mentions": n_mentions, "relations": rels, "events": events, "decisions": decisions,
            "hierarchy": hierarchy, "children": children}
    return redact_entity_page(store, page, reveal=reveal_protected)
