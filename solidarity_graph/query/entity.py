"""An entity's page: names, kind, country, parent, roles, relations and events, each with its quote."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select, union

from solidarity_graph.accounts.visibility import EVERYTHING, Visibility
from solidarity_graph.query import batch
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


def entity_page(store: Store, entity_id: int, *, reveal_protected: bool = False, visible: Visibility = EVERYTHING,
                per_page: int | None = None, events_page: int = 1, relations_page: int = 1) -> dict[str, Any]:
    """What the graph knows of one entity, every fact with its quote and document (protected people redacted).

    Relations and events come newest first: all of them, or with ``per_page`` the ``events_page``-th and
    ``relations_page``-th page of that many (from 1; ``per_page=0``: none, only the counts), with the totals in
    ``events_paging`` and ``relations_paging``. Only what ``visible`` lets through: an entity only hidden
    documents speak of is not there (KeyError).
    """
    from solidarity_graph.program.protect import redact_entity_page

    if not visible.entity_ok(entity_id):
        raise KeyError(entity_id)
    with store.connect() as conn:
        e = conn.execute(select(t.entities).where(t.entities.c.id == entity_id)).first()
        if e is None:
            raise KeyError(entity_id)
        name = visible.name(entity_id, e.name)
        aliases = sorted(set(visible.aliases(entity_id, [r[0] for r in conn.execute(
            select(t.aliases.c.name).where(t.aliases.c.entity_id == entity_id))])) - {name, e.name})
        rel_ids, rel_paging = _page(_relation_ids(conn, entity_id, visible), per_page, relations_page)
        ev_ids, ev_paging = _page(_event_ids(conn, entity_id, visible), per_page, events_page)
        rels, events = _relations(conn, rel_ids, visible), _events(conn, ev_ids, visible)
        decisions = [dict(r._mapping) for r in conn.execute(select(t.decisions.c.mention, t.decisions.c.rule, t.decisions.c.score, t.decisions.c.document_id).where(
            t.decisions.c.entity_id == entity_id, visible.documents_clause(t.decisions.c.document_id, hand_made=True)).order_by(t.decisions.c.id).limit(50))]
        hierarchy = _hierarchy(conn, e, visible)
        parent = batch.names(conn, [e.parent_id], visible).get(e.parent_id) if e.parent_id else None
        n_mentions = conn.execute(select(func.count()).select_from(t.mentions).where(
            t.mentions.c.entity_id == entity_id, visible.documents_clause(t.mentions.c.document_id))).scalar_one()
        children = _children(conn, entity_id, visible)
    page = {"id": e.id, "type": e.type, "name": name, "aliases": aliases, "kind": e.kind, "country": e.country,
            "parent": parent, "attributes": e.attributes or {},
            "mentions": n_mentions, "relations": rels, "events": events, "decisions": decisions,
            "hierarchy": hierarchy, "children": children, "relations_paging": rel_paging, "events_paging": ev_paging}
    return redact_entity_page(store, page, reveal=reveal_protected)


def _page(ids: list[int], per_page: int | None, page: int) -> tuple[list[int], dict[str, Any]]:
    """One page of ``ids`` (all of them when ``per_page`` is None), and where it stands: page, pages, per_page, total."""
    total, page = len(ids), max(1, page)
    if per_page is None:
        return ids, {"page": 1, "pages": 1, "per_page": None, "total": total}
    pages = max(1, -(-total // per_page)) if per_page > 0 else 1
    return ids[(page - 1) * per_page:page * per_page], {"page": page, "pages": pages, "per_page": per_page, "total": total}


def _relation_ids(conn: Any, entity_id: int, visible: Visibility) -> list[int]:
    """The ids of the entity's relations that no curator rejected and ``visible`` lets through, newest first."""
    r = t.relations
    rows = conn.execute(select(r.c.id, r.c.document_id, r.c.subject_id, r.c.object_id).where(
        or_(r.c.subject_id == entity_id, r.c.object_id == entity_id), or_(r.c.review.is_(None), r.c.review != "rejected"))
        .order_by(r.c.id.desc())).all()
    return [x.id for x in rows if not visible.active or visible.relation_ok(x.document_id, x.subject_id, x.object_id)]


def _event_ids(conn: Any, entity_id: int, visible: Visibility) -> list[int]:
    """The ids of the events the entity took part in or was the place of, that no curator rejected and a visible
    document says so, newest first (undated last)."""
    ev, ep = t.events, t.event_participants
    kept = or_(ev.c.review.is_(None), ev.c.review != "rejected")
    both = union(select(ev.c.id, ev.c.date).join(ep, ep.c.event_id == ev.c.id).where(ep.c.entity_id == entity_id, kept),
                 select(ev.c.id, ev.c.date).where(ev.c.place_id == entity_id, kept)).subquery()  # each by its index
    ids: list[int] = list(conn.execute(select(both.c.id).order_by(both.c.date.desc().nulls_last(), both.c.id.desc())).scalars())
    return [i for i in ids if visible.event_ok(i) and visible.participant_ok(i, entity_id)] if visible.active else ids


def _relations(conn: Any, ids: list[int], visible: Visibility) -> list[dict[str, Any]]:
    """The relations ``ids``, in that order, with their ends by visible name."""
    r = t.relations
    rows = {x.id: x for part in batch.chunks(ids) for x in conn.execute(select(r).where(r.c.id.in_(part)))}
    named = batch.names(conn, [e for x in rows.values() for e in (x.subject_id, x.object_id)], visible)
    return [{"id": x.id, "review": x.review, "subject": named[x.subject_id], "predicate": x.predicate, "object": named[x.object_id],
             "attributes": x.attributes or {}, "quote": x.quote, "document": x.document_id, "span": [x.start, x.end],
             "confidence": x.confidence} for x in (rows[i] for i in ids)]


def _events(conn: Any, ids: list[int], visible: Visibility) -> list[dict[str, Any]]:
    """The events ``ids``, in that order, with place and participants by visible name."""
    ev = t.events
    rows = {x.id: x for part in batch.chunks(ids) for x in conn.execute(select(ev).where(ev.c.id.in_(part)))}
    parts = batch.participants(conn, ids, visible)
    named = batch.page_names(conn, list(rows.values()), parts, visible)
    return [batch.event_record(rows[i], parts, named, visible, review=rows[i].review) for i in ids]


def _hierarchy(conn: Any, e: Any, visible: Visibility) -> list[dict[str, Any]]:
    """Its place in the union hierarchy (local -> union -> federation -> global union federation), nearest first,
    as far as ``visible`` lets it be followed."""
    ent = t.entities
    hierarchy: list[dict[str, Any]] = []
    seen, cur = {e.id}, e.parent_id
    while cur and cur not in seen:
        row = conn.execute(select(ent.c.id, ent.c.name, ent.c.kind, ent.c.parent_id).where(ent.c.id == cur)).first()
        if row is None or not visible.entity_ok(row.id):
            break
        hierarchy.append({"id": row.id, "name": visible.name(row.id, row.name), "kind": row.kind})
        seen.add(row.id)
        cur = row.parent_id
    return hierarchy


def _children(conn: Any, entity_id: int, visible: Visibility) -> list[dict[str, Any]]:
    """The entities it includes that ``visible`` lets through, by name (sorted here, not in SQL: a PostgreSQL
    server's collation may order names unlike SQLite's bytes)."""
    ent = t.entities
    rows = conn.execute(select(ent.c.id, ent.c.name, ent.c.kind).where(ent.c.parent_id == entity_id))
    return sorted(({"id": r.id, "name": visible.name(r.id, r.name), "kind": r.kind} for r in rows if visible.entity_ok(r.id)),
                  key=lambda c: (c["name"], c["id"]))
