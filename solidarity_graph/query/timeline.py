"""Timelines: events filtered by entity, type and date, oldest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, union

from solidarity_graph.accounts.visibility import EVERYTHING, Visibility
from solidarity_graph.query import batch
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["timeline", "events_by_place"]


def timeline(store: Store, *, entity_ids: list[int] | None = None, type_: str | None = None,
             since: str | None = None, country: str | None = None, limit: int = 1000, newest_first: bool = False,
             reveal_protected: bool = False, visible: Visibility = EVERYTHING) -> list[dict[str, Any]]:
    """Events as dicts with place, participants, quote and document (protected people redacted unless revealed),
    oldest first, or the ``limit`` latest first with ``newest_first`` (the home page's).

    Only events a document ``visible`` lets through tells, each from such a document, with the participants it names.
    """
    from solidarity_graph.program.protect import Redactor

    ev = t.events
    q = select(ev).where(or_(ev.c.review.is_(None), ev.c.review != "rejected"))
    if type_:
        q = q.where(ev.c.type == type_)
    if since:
        q = q.where(ev.c.date >= since)
    if country:
        q = q.where(ev.c.place_id.in_(select(t.entities.c.id).where(t.entities.c.country == country.upper())))
    if entity_ids is not None:
        took_part = select(t.event_participants.c.event_id).where(t.event_participants.c.entity_id.in_(entity_ids))
        q = q.where(ev.c.id.in_(union(took_part, select(ev.c.id).where(ev.c.place_id.in_(entity_ids)))))  # each by its index
    q = q.where(visible.events_clause(ev.c.id))
    with store.connect() as conn:
        rows = _newest(conn, q, limit) if newest_first else _oldest(conn, q, limit)
        if entity_ids is not None:  # not those where only a hidden document says the entity was there
            rows = [r for r in rows if any(visible.participant_ok(r.id, e) for e in entity_ids)]
        parts = batch.participants(conn, [r.id for r in rows], visible)
        named = batch.page_names(conn, rows, parts, visible)
    out = [batch.event_record(r, parts, named, visible, size_hedge=r.size_hedge, confidence=r.confidence) for r in rows]
    redacted: list[dict[str, Any]] = Redactor.load(store, reveal=reveal_protected).walk(out)
    return redacted


def _oldest(conn: Any, q: Any, limit: int) -> list[Any]:
    """The first ``limit`` rows of ``q`` by date, oldest first (then by id), undated first."""
    return list(conn.execute(q.order_by(t.events.c.date.asc().nulls_first(), t.events.c.id).limit(limit)))


def _newest(conn: Any, q: Any, limit: int) -> list[Any]:
    """The first ``limit`` rows of ``q`` by date, newest first (then by id), undated last: read backwards along
    the date index, the undated only when the dated are too few."""
    ev = t.events
    rows = list(conn.execute(q.where(ev.c.date.is_not(None)).order_by(ev.c.date.desc(), ev.c.id.desc()).limit(limit)))
    if len(rows) < limit:
        rows += conn.execute(q.where(ev.c.date.is_(None)).order_by(ev.c.id.desc()).limit(limit - len(rows)))
    return rows


def events_by_place(store: Store, *, visible: Visibility = EVERYTHING) -> dict[str, Any]:
    """Event counts per country and per place (with coordinates where the place has them), of the events
    ``visible`` lets through, at the places their visible documents name."""
    from sqlalchemy import func

    from solidarity_graph.store.tables import entities, events

    with store.connect() as conn:
        where = [or_(events.c.review.is_(None), events.c.review != "rejected")]
        where.append(visible.events_clause(events.c.id))
        if visible.active:  # counted event by event: a place only a hidden source gives does not count
            found: dict[int, int] = {}
            for ev in conn.execute(select(events.c.id, events.c.place_id).where(events.c.place_id.is_not(None), *where)):
                if visible.participant_ok(ev.id, ev.place_id):
                    found[ev.place_id] = found.get(ev.place_id, 0) + 1
            rows = [(*r, found[r[0]]) for r in conn.execute(select(entities.c.id, entities.c.name, entities.c.country, entities.c.attributes)
                                                           .where(entities.c.id.in_(sorted(found))))]
            rows.sort(key=lambda r: (-r[4], r[0]))
        else:
            rows = list(conn.execute(select(entities.c.id, entities.c.name, entities.c.country, entities.c.attributes, func.count(events.c.id))
                                     .join(events, events.c.place_id == entities.c.id).where(*where)
                                     .group_by(entities.c.id).order_by(func.count(events.c.id).desc(), entities.c.id)))
        places = [{"id": r[0], "name": visible.name(r[0], r[1]), "country": r[2], "lat": (r[3] or {}).get("lat"),
                   "lon": (r[3] or {}).get("lon"), "events": r[4]} for r in rows]
    countries: dict[str, int] = {}
    for p in places:
        if p["country"]:
            countries[p["country"]] = countries.get(p["country"], 0) + p["events"]
    return {"countries": countries, "places": places}
