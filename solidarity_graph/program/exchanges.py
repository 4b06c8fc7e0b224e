"""Exchanges and delegations as records of their own: who traveled and who hosted, when, where, the
itinerary (meetings, rallies, press conferences, visits), what was produced, the commitments made and
the follow-ups.

A record is made by hand (``create_exchange``, confirmed at once) or proposed from the extracted
events (``propose_from_documents``, run after every ingest; see :mod:`exchange_proposals`) for a
curator to confirm or reject. Every hand change is one transaction and one row of the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from solidarity_graph.accounts import records
from solidarity_graph.accounts.visibility import EVERYTHING, Visibility
from solidarity_graph.curation import log_change
from solidarity_graph.errors import InputError
from solidarity_graph.program.commitments import list_commitments
from solidarity_graph.program.entity_refs import check_date, entity_ref, names_of, now
from solidarity_graph.program.exchange_proposals import propose_from_documents
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["KINDS", "STATUSES", "ROLES", "ITEM_KINDS", "create_exchange", "update_exchange", "set_status",
           "add_member", "remove_member", "add_item", "set_item_status", "remove_item", "list_exchanges",
           "get_exchange", "propose_from_documents"]

KINDS = ("delegation", "exchange")
STATUSES = ("proposed", "confirmed", "done", "rejected")  # done: it took place and its follow-ups are closed
ROLES = ("traveler", "host", "organizer", "participant")
ITEM_KINDS = ("meeting", "rally", "press_conference", "visit", "follow_up", "other")
ITEM_STATUSES = ("open", "done")
MEMBER_TYPES = ("organization", "person")
FIELDS = ("kind", "title", "date_start", "date_end", "place", "produced", "notes")


# ---- reading --------------------------------------------------------------------------------------

def list_exchanges(store: Store, *, status: str | None = None, kind: str | None = None,
                   entity_id: int | None = None, visible: Visibility = EVERYTHING) -> list[dict[str, Any]]:
    """Exchanges, newest first, with their travelers, hosts, place and counts of items and commitments
    (those ``visible`` lets through: not one proposed from a hidden event, no hidden member)."""
    if status is not None and status not in STATUSES:
        raise InputError(f"status is one of {', '.join(STATUSES)}", field="status")
    if kind is not None and kind not in KINDS:
        raise InputError(f"kind is one of {', '.join(KINDS)}", field="kind")
    q = select(t.exchanges)
    if status:
        q = q.where(t.exchanges.c.status == status)
    if kind:
        q = q.where(t.exchanges.c.kind == kind)
    if entity_id is not None:
        q = q.where(or_(t.exchanges.c.id.in_(select(t.exchange_members.c.exchange_id).where(t.exchange_members.c.entity_id == entity_id)),
                        t.exchanges.c.place_id == entity_id))
    with store.connect() as conn:
        rows = [r for r in conn.execute(q.order_by(t.exchanges.c.date_start.desc(), t.exchanges.c.id.desc()))
                if records.exchange_ok(conn, visible, r)]
        ids = [r.id for r in rows]
        members = _members(conn, ids, visible)
        items: dict[int, int] = dict(conn.execute(select(t.exchange_items.c.exchange_id, func.count()).where(t.exchange_items.c.exchange_id.in_(ids))
                                  .group_by(t.exchange_items.c.exchange_id)).all())
        commitments: dict[int, int] = dict(conn.execute(select(t.commitments.c.exchange_id, func.count()).where(t.commitments.c.exchange_id.in_(ids))
                                        .group_by(t.commitments.c.exchange_id)).all())
        places = records.shown(visible, names_of(conn, {r.place_id for r in rows if r.place_id}))
        docs = {e: (visible.event_source(e) or {"document": d})["document"] for e, d in conn.execute(
            select(t.events.c.id, t.events.c.document_id).where(t.events.c.id.in_([r.event_id for r in rows if r.event_id])))}
    return [{**_head(r, places), "travelers": [m for m in members.get(r.id, []) if m["role"] == "traveler"],
             "hosts": [m for m in members.get(r.id, []) if m["role"] == "host"],
             "members": members.get(r.id, []), "items": items.get(r.id, 0), "commitments": commitments.get(r.id, 0),
             "document": docs.get(r.event_id)} for r in rows]


def get_exchange(store: Store, exchange_id: int, *, visible: Visibility = EVERYTHING) -> dict[str, Any]:
    """One exchange with its members, itinerary, follow-ups, linked commitments, the source events and
    their quotes, and its audit trail; KeyError when there is none (or ``visible`` hides it)."""
    with store.connect() as conn:
        r = conn.execute(select(t.exchanges).where(t.exchanges.c.id == exchange_id)).first()
        if r is None or not records.exchange_ok(conn, visible, r):
            raise KeyError(exchange_id)
        items = [i for i in conn.execute(select(t.exchange_items).where(t.exchange_items.c.exchange_id == exchange_id)
                                         .order_by(t.exchange_items.c.date, t.exchange_items.c.id)) if visible.event_ok(i.event_id)]
        event_ids = ([r.event_id] if r.event_id else []) + [i.event_id for i in items if i.event_id]
        events = _events(conn, event_ids, visible)
        places = records.shown(visible, names_of(conn, {r.place_id} | {i.place_id for i in items}))
        members = _members(conn, [exchange_id], visible).get(exchange_id, [])
        history = [dict(h._mapping) for h in conn.execute(
            select(t.curations).where(or_(t.curations.c.target == f"exchange {exchange_id}",
                                          t.curations.c.target.like(f"exchange {exchange_id} %"))).order_by(t.curations.c.id))]
    history = [h for h in history if records.curation_ok(store, visible, h)]
    itinerary = [{"id": i.id, "kind": i.kind, "date": i.date, "place": places.get(i.place_id), "description": i.description,
                  "status": i.status, "event": events.get(i.event_id)} for i in items]
    sources = [events[e] for e in dict.fromkeys(event_ids) if e in events]
    return {**_head(r, places), "members": members,
            "travelers": [m for m in members if m["role"] == "traveler"], "hosts": [m for m in members if m["role"] == "host"],
            "itinerary": [i for i in itinerary if i["kind"] != "follow_up"],
            "follow_ups": [i for i in itinerary if i["kind"] == "follow_up"],
            "commitments": list_commitments(store, exchange_id=exchange_id, visible=visible),
            "event": events.get(r.event_id), "sources": sources, "history": history}


def _head(r: Any, places: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return {"id": r.id, "kind": r.kind, "title": r.title, "status": r.status, "date_start": r.date_start, "date_end": r.date_end,
            "place": places.get(r.place_id), "produced": r.produced, "notes": r.notes, "created_at": r.created_at,
            "created_by": r.created_by, "proposed": r.event_fingerprint is not None}


def _members(conn: Connection, ids: list[int], visible: Visibility = EVERYTHING) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    rows = conn.execute(select(t.exchange_members.c.exchange_id, t.exchange_members.c.role, t.entities.c.id, t.entities.c.name,
                               t.entities.c.type, t.entities.c.country)
                        .join(t.entities, t.entities.c.id == t.exchange_members.c.entity_id)
                        .where(t.exchange_members.c.exchange_id.in_(ids)).order_by(t.entities.c.name))
    order = {r: i for i, r in enumerate(ROLES)}
    for m in rows:
        if visible.entity_ok(m.id):
            out.setdefault(m.exchange_id, []).append({"id": m.id, "name": visible.name(m.id, m.name), "type": m.type,
                                                      "country": m.country, "role": m.role})
    for v in out.values():
        v.sort(key=lambda m: order.get(m["role"], 9))
    return out


def _events(conn: Connection, ids: list[int], visible: Visibility = EVERYTHING) -> dict[int, dict[str, Any]]:
    """Events with their quotes and sources (the sentence in each document that tells them), as ``visible`` lets them be told."""
    ids = [i for i in ids if visible.event_ok(i)]
    if not ids:
        return {}
    out: dict[int, dict[str, Any]] = {}
    for e in conn.execute(select(t.events).where(t.events.c.id.in_(ids))):
        out[e.id] = visible.rehome_event({"id": e.id, "type": e.type, "status": e.status, "date": e.date, "date_end": e.date_end,
                                          "review": e.review, "quote": e.quote, "document": e.document_id,
                                          "span": [e.start, e.end], "evidence": []})
    docs = {d.id: d.title for d in conn.execute(select(t.documents.c.id, t.documents.c.title)
                                                .where(t.documents.c.id.in_(sorted({x["document"] for x in out.values()}))))}
    for x in out.values():
        x["document_title"] = docs.get(x["document"])
    for s in conn.execute(select(t.event_sources).where(t.event_sources.c.event_id.in_(ids)).order_by(t.event_sources.c.id)):
        if visible.document_ok(s.document_id):
            out[s.event_id]["evidence"].append({"quote": s.quote, "document": s.document_id, "span": [s.start, s.end]})
    return out


# ---- changes --------------------------------------------------------------------------------------

def create_exchange(store: Store, *, kind: str, title: str, who: str, date_start: str | None = None, date_end: str | None = None,
                    place: str | int | None = None, travelers: Sequence[str | int] = (), hosts: Sequence[str | int] = (), organizers: Sequence[str | int] = (),
                    produced: str | None = None, notes: str | None = None, note: str | None = None) -> dict[str, Any]:
    """An exchange or delegation recorded by hand (confirmed: a curator made it).

    Travelers, hosts, organizers and the place are entity ids or names; a name the graph does not know
    becomes a new entity (an organization, or a place), named in the audit log.
    """
    values = _checked({"kind": kind, "title": title, "date_start": date_start, "date_end": date_end,
                       "produced": produced, "notes": notes})
    created: list[int] = []
    with store.engine.begin() as conn:
        if place is not None and str(place).strip():
            values["place_id"] = _ref(conn, place, ("place",), "place", who, created)
        key = conn.execute(insert(t.exchanges).values(**values, status="confirmed", created_at=now(), created_by=who)).inserted_primary_key
        assert key is not None
        xid = int(key[0])
        seen: set[tuple[int, str]] = set()
        for role, refs in (("traveler", travelers), ("host", hosts), ("organizer", organizers)):
            for ref in refs:
                eid = _ref(conn, ref, MEMBER_TYPES, role, who, created)
                if (eid, role) not in seen:
                    seen.add((eid, role))
                    conn.execute(insert(t.exchange_members).values(exchange_id=xid, entity_id=eid, role=role))
        cid = log_change(conn, who, "add_exchange", f"exchange {xid}", None,
                         {**values, "travelers": list(travelers), "hosts": list(hosts), "organizers": list(organizers),
                          "created_entities": created}, note)
    if created:
        store.forget_index()
    return {"curation": cid, "exchange": get_exchange(store, xid)}


def update_exchange(store: Store, exchange_id: int, *, who: str, note: str | None = None, **changes: Any) -> dict[str, Any]:
    """Change an exchange's kind, title, dates, place, what it produced or its notes."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise InputError(f"cannot change {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    created: list[int] = []
    with store.engine.begin() as conn:
        row = _row(conn, exchange_id)
        values = _checked({k: v for k, v in changes.items() if k != "place"}, partial=True)
        if "place" in changes:
            p = changes["place"]
            values["place_id"] = _ref(conn, p, ("place",), "place", who, created) if p is not None and str(p).strip() else None
        start = values.get("date_start", row.date_start)
        end = values.get("date_end", row.date_end)
        if start and end and end < start:
            raise InputError("the end date is before the start date", field="date_end")
        before = {k: getattr(row, k) for k in values}
        conn.execute(update(t.exchanges).where(t.exchanges.c.id == exchange_id).values(**values))
        cid = log_change(conn, who, "edit_exchange", f"exchange {exchange_id}", before, {**values, "created_entities": created}, note)
    if created:
        store.forget_index()
    return {"curation": cid, "exchange": get_exchange(store, exchange_id)}


def set_status(store: Store, exchange_id: int, status: str, *, who: str, note: str | None = None) -> dict[str, Any]:
    """Confirm or reject a proposed exchange, mark a confirmed one done, or bring one back to proposed."""
    if status not in STATUSES:
        raise InputError(f"status is one of {', '.join(STATUSES)}", field="status")
    with store.engine.begin() as conn:
        row = _row(conn, exchange_id)
        conn.execute(update(t.exchanges).where(t.exchanges.c.id == exchange_id).values(status=status))
        action = {"confirmed": "confirm_exchange", "rejected": "reject_exchange", "done": "close_exchange"}.get(status, "reopen_exchange")
        cid = log_change(conn, who, action, f"exchange {exchange_id}", {"status": row.status}, {"status": status}, note)
    return {"curation": cid, "exchange": get_exchange(store, exchange_id)}


def add_member(store: Store, exchange_id: int, entity: str | int, role: str, *, who: str, note: str | None = None) -> dict[str, Any]:
    """Add a traveler, host, organizer or participant; an entity already there takes the new role."""
    if role not in ROLES:
        raise InputError(f"role is one of {', '.join(ROLES)}", field="role")
    created: list[int] = []
    with store.engine.begin() as conn:
        _row(conn, exchange_id)
        eid = _ref(conn, entity, MEMBER_TYPES, "entity", who, created)
        old = [r.role for r in conn.execute(select(t.exchange_members.c.role).where(
            t.exchange_members.c.exchange_id == exchange_id, t.exchange_members.c.entity_id == eid))]
        conn.execute(delete(t.exchange_members).where(t.exchange_members.c.exchange_id == exchange_id,
                                                      t.exchange_members.c.entity_id == eid))
        conn.execute(insert(t.exchange_members).values(exchange_id=exchange_id, entity_id=eid, role=role))
        cid = log_change(conn, who, "exchange_member", f"exchange {exchange_id} member {eid}", {"roles": old},
                         {"role": role, "created_entities": created}, note)
    if created:
        store.forget_index()
    return {"curation": cid, "exchange": get_exchange(store, exchange_id)}


def remove_member(store: Store, exchange_id: int, entity_id: int, *, who: str, note: str | None = None) -> dict[str, Any]:
    """Take an organization or person off an exchange."""
    with store.engine.begin() as conn:
        _row(conn, exchange_id)
        old = [r.role for r in conn.execute(select(t.exchange_members.c.role).where(
            t.exchange_members.c.exchange_id == exchange_id, t.exchange_members.c.entity_id == entity_id))]
        if not old:
            raise InputError(f"entity {entity_id} is no member of exchange {exchange_id}", field="entity")
        conn.execute(delete(t.exchange_members).where(t.exchange_members.c.exchange_id == exchange_id,
                                                      t.exchange_members.c.entity_id == entity_id))
        cid = log_change(conn, who, "exchange_member", f"exchange {exchange_id} member {entity_id}", {"roles": old}, None, note)
    return {"curation": cid, "exchange": get_exchange(store, exchange_id)}


def add_item(store: Store, exchange_id: int, kind: str, description: str, *, who: str, date: str | None = None,
             place: str | int | None = None, status: str | None = None, note: str | None = None) -> dict[str, Any]:
    """Add an itinerary item (meeting, rally, press_conference, visit, other) or a follow-up (open unless told)."""
    if kind not in ITEM_KINDS:
        raise InputError(f"kind is one of {', '.join(ITEM_KINDS)}", field="kind")
    if not description or not description.strip():
        raise InputError("say what happened or what is to follow", field="description")
    if status is not None and status not in ITEM_STATUSES:
        raise InputError(f"status is one of {', '.join(ITEM_STATUSES)}", field="status")
    if kind == "follow_up":
        status = status or "open"
    date = check_date(date, "date")
    created: list[int] = []
    with store.engine.begin() as conn:
        _row(conn, exchange_id)
        place_id = _ref(conn, place, ("place",), "place", who, created) if place is not None and str(place).strip() else None
        key = conn.execute(insert(t.exchange_items).values(exchange_id=exchange_id, kind=kind, date=date, place_id=place_id,
                                                            description=description.strip(), status=status)).inserted_primary_key
        assert key is not None
        iid = int(key[0])
        cid = log_change(conn, who, "exchange_item", f"exchange {exchange_id} item {iid}", None,
                         {"kind": kind, "date": date, "place": place_id, "description": description.strip(), "status": status,
                          "created_entities": created}, note)
    if created:
        store.forget_index()
    return {"curation": cid, "item": iid, "exchange": get_exchange(store, exchange_id)}


def set_item_status(store: Store, item_id: int, status: str, *, who: str, note: str | None = None) -> dict[str, Any]:
    """Mark a follow-up open or done."""
    if status not in ITEM_STATUSES:
        raise InputError(f"status is one of {', '.join(ITEM_STATUSES)}", field="status")
    with store.engine.begin() as conn:
        item = _item(conn, item_id)
        conn.execute(update(t.exchange_items).where(t.exchange_items.c.id == item_id).values(status=status))
        cid = log_change(conn, who, "exchange_item_status", f"exchange {item.exchange_id} item {item_id}",
                         {"status": item.status}, {"status": status}, note)
    return {"curation": cid, "exchange": get_exchange(store, item.exchange_id)}


def remove_item(store: Store, item_id: int, *, who: str, note: str | None = None) -> dict[str, Any]:
    """Take an item off an exchange's itinerary (wrongly attached, or a duplicate)."""
    with store.engine.begin() as conn:
        item = _item(conn, item_id)
        conn.execute(delete(t.exchange_items).where(t.exchange_items.c.id == item_id))
        cid = log_change(conn, who, "remove_exchange_item", f"exchange {item.exchange_id} item {item_id}",
                         {"kind": item.kind, "date": item.date, "description": item.description, "event": item.event_id}, None, note)
    return {"curation": cid, "exchange": get_exchange(store, item.exchange_id)}


def _checked(values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Field values checked, named by field where one is wrong."""
    out = dict(values)
    if "kind" in out and out["kind"] not in KINDS:
        raise InputError(f"kind is one of {', '.join(KINDS)}", field="kind")
    if "title" in out:
        if not out["title"] or not str(out["title"]).strip():
            raise InputError("an exchange needs a title", field="title")
        out["title"] = str(out["title"]).strip()
    for f in ("date_start", "date_end"):
        if f in out:
            out[f] = check_date(out[f], f)
    if not partial and out.get("date_start") and out.get("date_end") and out["date_end"] < out["date_start"]:
        raise InputError("the end date is before the start date", field="date_end")
    for f in ("produced", "notes"):
        if f in out:
            out[f] = str(out[f]).strip() or None if out[f] is not None else None
    return out


def _ref(conn: Connection, ref: str | int, types: tuple[str, ...], field: str, who: str, created: list[int]) -> int:
    eid, new = entity_ref(conn, ref, types, field=field, create=True, who=who)
    if new:
        created.append(eid)
    return eid


def _row(conn: Connection, exchange_id: int) -> Any:
    row = conn.execute(select(t.exchanges).where(t.exchanges.c.id == exchange_id)).first()
    if row is None:
        raise InputError(f"no exchange {exchange_id}", field="id")
    return row


def _item(conn: Connection, item_id: int) -> Any:
    row = conn.execute(select(t.exchange_items).where(t.exchange_items.c.id == item_id)).first()
    if row is None:
        raise InputError(f"no exchange item {item_id}", field="item")
    return row
