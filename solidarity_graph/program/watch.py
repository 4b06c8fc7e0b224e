"""Watchlists and alerts: an alert when newly ingested text tells of an event that a user cares about.

A watch names an entity (a union, a federation, an employer) and the event types to look for
(repression, furlough, layoff, strike, lockout by default). After each ingest,
:func:`check_documents` looks at the events of the new documents: one that involves the watched
entity, one of its parents (ancestors) or one of its locals (descendants) raises an alert, once per
watch and event. The same happening told by several reports is one alert, whether the writer merged
the reports into one event row or kept two rows (same type, overlapping dates, a shared participant).
Events a curator rejected raise nothing. New alerts are delivered at once (e-mail, webhooks; see
:mod:`solidarity_graph.program.alert_delivery`).

>>> add_watch(store, "UNITE HERE", who="ana")            # doctest: +SKIP
>>> check_documents(store, ["7278f2d507d5fff1"])          # doctest: +SKIP
{'alerts': 1, 'ids': [1], 'delivered': {'email': 1, 'webhook': 1}}
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from solidarity_graph.accounts import records
from solidarity_graph.accounts.visibility import EVERYTHING, Visibility
from solidarity_graph.curation import log_change
from solidarity_graph.errors import InputError
from solidarity_graph.resolve import fold_name
from solidarity_graph.schema import load_schema
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t
from solidarity_graph.store.writer import _overlap as dates_overlap

__all__ = [
    "DEFAULT_TYPES", "add_watch", "remove_watch", "list_watches", "find_watch_entity", "check_types", "default_who",
    "related_entities",
    "check_documents", "list_alerts", "mark_read", "alert_record",
]

DEFAULT_TYPES = ("repression", "furlough", "layoff", "strike", "lockout")
HIERARCHY = ("part_of", "affiliated_with")  # relations that put a union under another
MAX_DEPTH = 12  # local -> union -> federation -> confederation -> global union federation, with room


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def default_who() -> str:
    """The user running the command ($USER)."""
    return getpass.getuser()


# ---- watches ------------------------------------------------------------------------------------
def find_watch_entity(conn: Connection, name: str) -> Any:
    """The one entity called ``name`` (its name or an alias, case and accents folded) or numbered so."""
    if name.strip().isdigit():
        row = conn.execute(select(t.entities).where(t.entities.c.id == int(name))).first()
        if row is None:
            raise InputError(f"no entity {name}", field="entity")
        return row
    ids = [r[0] for r in conn.execute(select(t.aliases.c.entity_id).where(t.aliases.c.norm == fold_name(name)).distinct())]
    rows = list(conn.execute(select(t.entities).where(t.entities.c.id.in_(ids)).order_by(t.entities.c.id))) if ids else []
    if not rows:
        raise InputError(f"no entity named {name!r} (search for it, or give its number)", field="entity")
    if len(rows) > 1:
        which = "; ".join(f"[{r.id}] {r.name} ({r.type})" for r in rows[:8])
        raise InputError(f"{name!r} names several entities: {which}; give the number", field="entity")
    return rows[0]


def check_types(types: Iterable[str] | None) -> list[str]:
    """Event types checked against the codebook (events.yaml); the default set when none given."""
    wanted = [x.strip() for x in (types or DEFAULT_TYPES) if x.strip()]
    known = load_schema().event_types
    bad = [x for x in wanted if x not in known]
    if bad:
        raise InputError(f"unknown event type {', '.join(map(repr, bad))} (see schema/events.yaml)", field="types")
    if not wanted:
        raise InputError("a watch needs at least one event type", field="types")
    return sorted(set(wanted))


def add_watch(store: Store, name: str, *, types: Iterable[str] | None = None, who: str | None = None) -> dict[str, Any]:
    """Watch an entity (by name, alias or number) for events of ``types``; again for the same user updates the types."""
    who = who or default_who()
    event_types = check_types(types)
    with store.engine.begin() as conn:
        e = find_watch_entity(conn, name)
        old = conn.execute(select(t.watches).where(t.watches.c.entity_id == e.id, t.watches.c.who == who)).first()
        if old is None:
            key = conn.execute(insert(t.watches).values(entity_id=e.id, event_types=event_types, who=who,
                                                        created_at=_now())).inserted_primary_key
            assert key is not None
            wid = int(key[0])
        else:
            wid = int(old.id)
            conn.execute(update(t.watches).where(t.watches.c.id == wid).values(event_types=event_types))
        log_change(conn, who, "watch", f"entity {e.id}", {"event_types": old.event_types} if old else None,
                   {"watch": wid, "event_types": event_types}, None)
    return {"watch": wid, "entity": {"id": e.id, "name": e.name}, "event_types": event_types, "who": who}


def remove_watch(store: Store, name_or_id: str | int, *, who: str | None = None, by_watch_id: bool = False) -> dict[str, Any]:
    """Stop watching: by watch number (``by_watch_id``), else the user's watch of the named entity."""
    who = who or default_who()
    with store.engine.begin() as conn:
        if by_watch_id:
            row = conn.execute(select(t.watches).where(t.watches.c.id == int(name_or_id))).first()
        else:
            e = find_watch_entity(conn, str(name_or_id))
            row = conn.execute(select(t.watches).where(t.watches.c.entity_id == e.id, t.watches.c.who == who)).first()
        if row is None:
            raise InputError(f"no watch {name_or_id!r}" + ("" if by_watch_id else f" for {who}"), field="watch")
        conn.execute(delete(t.watches).where(t.watches.c.id == row.id))
        log_change(conn, who, "unwatch", f"entity {row.entity_id}", {"watch": row.id, "event_types": row.event_types}, None, None)
    return {"watch": int(row.id), "removed": True}


def list_watches(store: Store, who: str | None = None, *, visible: Visibility = EVERYTHING) -> list[dict[str, Any]]:
    """Every watch (or one user's), with the entity's name (none of an entity ``visible`` hides)."""
    q = select(t.watches, t.entities.c.name, t.entities.c.type).join(t.entities, t.entities.c.id == t.watches.c.entity_id)
    if who:
        q = q.where(t.watches.c.who == who)
    with store.connect() as conn:
        return [{"id": r.id, "entity_id": r.entity_id, "entity": visible.name(r.entity_id, r.name), "entity_type": r.type,
                 "event_types": list(r.event_types), "who": r.who, "created_at": r.created_at}
                for r in conn.execute(q.order_by(t.watches.c.id)) if visible.entity_ok(r.entity_id)]


# ---- the union hierarchy -------------------------------------------------------------------------
def _step(conn: Connection, frontier: set[int], up: bool) -> set[int]:
    """Entities one step above (parents) or below (locals) ``frontier``: parent_id and part_of / affiliated_with."""
    live = or_(t.relations.c.review.is_(None), t.relations.c.review != "rejected")
    rel = t.relations.c
    if up:
        found = {r[0] for r in conn.execute(select(t.entities.c.parent_id).where(t.entities.c.id.in_(frontier), t.entities.c.parent_id.is_not(None)))}
        found |= {r[0] for r in conn.execute(select(rel.object_id).where(rel.subject_id.in_(frontier), rel.predicate.in_(HIERARCHY), live))}
    else:
        found = {r[0] for r in conn.execute(select(t.entities.c.id).where(t.entities.c.parent_id.in_(frontier)))}
        found |= {r[0] for r in conn.execute(select(rel.subject_id).where(rel.object_id.in_(frontier), rel.predicate.in_(HIERARCHY), live))}
    return found


def related_entities(conn: Connection, entity_id: int) -> dict[int, str]:
    """The watched entity, its parents and its locals: entity id -> "watched", "parent" or "local"."""
    out = {entity_id: "watched"}
    for up, label in ((True, "parent"), (False, "local")):
        frontier = {entity_id}
        for _ in range(MAX_DEPTH):
            frontier = _step(conn, frontier, up) - set(out)
            if not frontier:
                break
            out.update(dict.fromkeys(frontier, label))
    return out


# ---- raising alerts ------------------------------------------------------------------------------
def _candidate_events(conn: Connection, document_ids: list[str], types: set[str]) -> list[Any]:
    """Events told by the documents (as their own rows or as one more source of an older event), not rejected."""
    merged = select(t.event_sources.c.event_id).where(t.event_sources.c.document_id.in_(document_ids))
    return list(conn.execute(select(t.events).where(
        or_(t.events.c.document_id.in_(document_ids), t.events.c.id.in_(merged)),
        t.events.c.type.in_(types), or_(t.events.c.review.is_(None), t.events.c.review != "rejected"),
    ).order_by(t.events.c.id)))


def _participants(conn: Connection, event_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    rows = conn.execute(select(t.event_participants.c.event_id, t.event_participants.c.entity_id)
                        .where(t.event_participants.c.event_id.in_(event_ids)).order_by(t.event_participants.c.entity_id))
    for r in rows:
        out.setdefault(r.event_id, []).append(r.entity_id)
    return out


def _same_happening(conn: Connection, watch_id: int, ev: Any, parts: list[int]) -> bool:
    """True when this watch already alerted on another event row telling the same happening.

    The writer's own test (issue 3) asks for a place and dates from the text before it merges
    two reports; here any dates will do: same type, overlapping dates, no conflicting places, a
    shared participant.
    """
    if not ev.date or not parts:
        return False
    rows = conn.execute(select(t.events.c.id, t.events.c.date, t.events.c.date_end, t.events.c.place_id)
                        .join(t.alerts, t.alerts.c.event_id == t.events.c.id)
                        .where(t.alerts.c.watch_id == watch_id, t.events.c.type == ev.type, t.events.c.id != ev.id,
                               t.events.c.date.like(ev.date[:4] + "%")))
    for r in rows:
        if not dates_overlap(ev.date, ev.date_end, r.date, r.date_end):
            continue
        if ev.place_id and r.place_id and ev.place_id != r.place_id:
            continue
        shared = conn.execute(select(t.event_participants.c.entity_id).where(
            t.event_participants.c.event_id == r.id, t.event_participants.c.entity_id.in_(parts))).first()
        if shared is not None:
            return True
    return False


def _best_quote(conn: Connection, ev: Any, matched: int, document_ids: list[str]) -> tuple[str, str, int, int]:
    """The sentence to show: one that names the matched entity, from the new documents first, else the event's own.

    An event's first sentence may be a headline ("Hotel workers strike in Los Angeles"); a reader
    of the alert wants the sentence that says who.
    """
    told = [(ev.quote, ev.document_id, ev.start, ev.end)] + [(r.quote, r.document_id, r.start, r.end) for r in conn.execute(
        select(t.event_sources).where(t.event_sources.c.event_id == ev.id).order_by(t.event_sources.c.id))]
    names = {r[0].casefold() for r in conn.execute(select(t.aliases.c.name).where(t.aliases.c.entity_id == matched))}
    names |= {r[0].casefold() for r in conn.execute(select(t.entities.c.name).where(t.entities.c.id == matched))}
    naming = [q for q in told if any(len(n) > 2 and n in q[0].casefold() for n in names)]
    naming.sort(key=lambda q: q[1] not in document_ids)  # stable: the new documents' sentences first
    return naming[0] if naming else told[0]


def _snapshot(conn: Connection, ev: Any, matched: int, via: str, watched: int, document_ids: list[str]) -> dict[str, Any]:
    """What an alert tells, kept with it so it reads the same after re-extraction or a merge."""
    ids = {matched, watched} | ({ev.place_id} if ev.place_id else set())
    names = {r.id: r.name for r in conn.execute(select(t.entities.c.id, t.entities.c.name).where(t.entities.c.id.in_(ids)))}
    quote, doc_id, start, end = _best_quote(conn, ev, matched, document_ids)
    doc = conn.execute(select(t.documents.c.source, t.documents.c.title).where(t.documents.c.id == doc_id)).first()
    return {"type": ev.type, "status": ev.status, "date": ev.date, "date_end": ev.date_end,
            "place": names.get(ev.place_id) if ev.place_id else None, "quote": quote, "span": [start, end],
            "document": doc_id, "source": doc.source if doc else None, "title": doc.title if doc else None,
            "entity": names.get(matched), "watched": names.get(watched), "via": via, "size": ev.size}


_PREFER = {"watched": 0, "local": 1, "parent": 2}


def _raise_alerts(conn: Connection, watch: Any, events: list[Any], parts: dict[int, list[int]], document_ids: list[str]) -> list[int]:
    """Alerts of one watch over candidate events; returns the new alerts' ids."""
    related = related_entities(conn, watch.entity_id)
    new: list[int] = []
    for ev in events:
        if ev.type not in watch.event_types:
            continue
        hits = sorted((_PREFER[related[e]], e) for e in parts.get(ev.id, []) if e in related)
        if not hits:
            continue
        old = conn.execute(select(t.alerts.c.id, t.alerts.c.event_id).where(t.alerts.c.watch_id == watch.id, or_(
            t.alerts.c.event_id == ev.id, t.alerts.c.event_fingerprint == ev.fingerprint))).first()
        if old is not None:  # known: after re-extraction the event row is new, the alert is not
            if old.event_id is None:
                conn.execute(update(t.alerts).where(t.alerts.c.id == old.id).values(event_id=ev.id))
            continue
        if _same_happening(conn, watch.id, ev, parts.get(ev.id, [])):
            continue
        matched = hits[0][1]
        key = conn.execute(insert(t.alerts).values(
            watch_id=watch.id, event_id=ev.id, event_fingerprint=ev.fingerprint or f"event {ev.id}", entity_id=matched,
            snapshot=_snapshot(conn, ev, matched, related[matched], watch.entity_id, document_ids), created_at=_now(), delivered={},
        )).inserted_primary_key
        assert key is not None
        new.append(int(key[0]))
    return new


def check_documents(store: Store, document_ids: list[str]) -> dict[str, Any]:
    """Raise alerts for watched entities in newly stored documents, then deliver them (the ingest hook).

    Returns ``{"alerts": n, "ids": [...], "delivered": {channel: alerts sent}}``. A channel that
    fails is recorded on the alert (``solidarity alerts deliver`` tries again) and breaks nothing.
    """
    from solidarity_graph.program.alert_delivery import deliver

    if not document_ids:
        return {"alerts": 0, "ids": []}
    with store.engine.begin() as conn:
        watches = list(conn.execute(select(t.watches).order_by(t.watches.c.id)))
        types = {x for w in watches for x in w.event_types}
        events = _candidate_events(conn, document_ids, types) if watches else []
        parts = _participants(conn, [ev.id for ev in events]) if events else {}
        new = [a for w in watches for a in _raise_alerts(conn, w, events, parts, document_ids)] if events else []
    out: dict[str, Any] = {"alerts": len(new), "ids": new}
    if new:
        out["delivered"] = deliver(store, new)
    return out


# ---- reading alerts ------------------------------------------------------------------------------
def alert_record(row: Any) -> dict[str, Any]:
    """One alert as a flat record (the JSON Lines, API and webhook shape)."""
    s = row.snapshot
    return {"id": row.id, "event_type": s["type"], "status": s["status"], "entity": s["entity"], "watched": s["watched"],
            "via": s["via"], "date": s["date"], "date_end": s.get("date_end"), "place": s["place"], "quote": s["quote"],
            "span": s.get("span"), "document": s["document"], "source": s["source"], "title": s["title"], "size": s.get("size"),
            "event_id": row.event_id, "fingerprint": row.event_fingerprint, "entity_id": row.entity_id,
            "watched_id": row.watched_id, "watch": row.watch_id, "who": row.who, "created_at": row.created_at,
            "read": row.read_at is not None, "delivered": row.delivered or {}}


def _alerts_query(unread: bool, who: str | None) -> Any:
    ev = t.events
    q = (select(t.alerts, t.watches.c.who, t.watches.c.entity_id.label("watched_id")).join(t.watches, t.watches.c.id == t.alerts.c.watch_id)
         .outerjoin(ev, ev.c.id == t.alerts.c.event_id)
         .where(or_(ev.c.review.is_(None), ev.c.review != "rejected")))  # a curator's rejection withdraws the alert
    if unread:
        q = q.where(t.alerts.c.read_at.is_(None))
    if who:
        q = q.where(t.watches.c.who == who)
    return q


def list_alerts(store: Store, *, unread: bool = False, who: str | None = None, limit: int | None = None,
                ids: list[int] | None = None, reveal_protected: bool = False, visible: Visibility = EVERYTHING) -> list[dict[str, Any]]:
    """Alerts, newest first (``unread``: not yet marked read; ``who``: one user's watches), those ``visible`` lets through.

    Protected people's names are replaced (in quotes, titles, names) unless ``reveal_protected``:
    alerts leave the system by e-mail, webhooks and the Atom feed.
    """
    from solidarity_graph.program.protect import Redactor

    q = _alerts_query(unread, who)
    if ids is not None:
        q = q.where(t.alerts.c.id.in_(ids))
    q = q.order_by(t.alerts.c.id.desc())
    if limit and not visible.active:
        q = q.limit(limit)
    with store.connect() as conn:
        redactor = Redactor.load(conn, reveal=reveal_protected)
        rows = [r for r in conn.execute(q) if records.alert_ok(visible, r)][:limit or None]
        return [redactor.walk(alert_record(r)) for r in rows]


def mark_read(store: Store, ids: list[int] | None = None, *, who: str | None = None) -> int:
    """Mark alerts read (``ids``, else every unread one of ``who`` or of everyone); returns how many."""
    cond = [t.alerts.c.read_at.is_(None)]
    if ids is not None:
        cond.append(t.alerts.c.id.in_(ids))
    if who:
        cond.append(t.alerts.c.watch_id.in_(select(t.watches.c.id).where(t.watches.c.who == who)))
    with store.engine.begin() as conn:
        return int(conn.execute(update(t.alerts).where(and_(*cond)).values(read_at=_now())).rowcount)
