"""Exchanges and delegations on the web: ``/exchanges`` and ``/exchanges/{id}`` (each also ``.json``), and
``/api/v1/exchanges``: list, one, record by hand, edit, confirm or reject, members, itinerary, follow-ups.

Changes are JSON-only and same-origin, like curation; each is written to the audit log.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from solidarity_graph.program import exchanges as lib
from solidarity_graph.program.entity_refs import find_ref
from solidarity_graph.web.app import not_found
from solidarity_graph.web.auth import visibility
from solidarity_graph.web.common import render as _render
from solidarity_graph.web.common import run_change as _run
from solidarity_graph.web.common import store_of as _store
from solidarity_graph.web.curate import _guard

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(_guard)])


def exchanges_data(request: Request, status: str | None, kind: str | None, entity: str | None) -> dict[str, Any]:
    """The exchanges a filter picks, with the filter and the choices."""
    store = _store(request)
    eid = None
    if entity:
        with store.connect() as conn:
            eid = find_ref(conn, entity, ("organization", "person", "place"))
        if eid is None or not visibility(request).entity_ok(eid):
            raise not_found(f"entity {entity}")
    rows = _run(lambda: {"exchanges": lib.list_exchanges(store, status=status or None, kind=kind or None, entity_id=eid,
                                                         visible=visibility(request))})
    return {**rows, "status": status, "kind": kind, "entity": entity, "statuses": lib.STATUSES, "kinds": lib.KINDS}


def exchange_data(request: Request, exchange_id: int) -> dict[str, Any]:
    """One exchange, everything about it."""
    try:
        return {"ok": True, **lib.get_exchange(_store(request), exchange_id, visible=visibility(request)),
                "roles": lib.ROLES, "item_kinds": [k for k in lib.ITEM_KINDS if k != "follow_up"], "kinds": lib.KINDS}
    except KeyError as e:
        raise not_found(f"exchange {exchange_id}") from e


# ---- pages ---------------------------------------------------------------------------------------
@router.get("/exchanges.json", include_in_schema=False)
def exchanges_json(request: Request, status: str | None = None, kind: str | None = None, entity: str | None = None) -> dict[str, Any]:
    return exchanges_data(request, status, kind, entity)


@router.get("/exchanges", response_class=HTMLResponse, include_in_schema=False)
def exchanges_page(request: Request, status: str | None = None, kind: str | None = None, entity: str | None = None) -> HTMLResponse:
    return _render(request, "exchanges.html", exchanges_data(request, status, kind, entity))


@router.get("/exchanges/{exchange_id}.json", include_in_schema=False)
def exchange_json(request: Request, exchange_id: int) -> dict[str, Any]:
    return exchange_data(request, exchange_id)


@router.get("/exchanges/{exchange_id}", response_class=HTMLResponse, include_in_schema=False)
def exchange_page(request: Request, exchange_id: int) -> HTMLResponse:
    return _render(request, "exchange.html", exchange_data(request, exchange_id))


# ---- API -----------------------------------------------------------------------------------------
class Change(BaseModel):
    """Who makes a change and why."""

    who: str = Field("web", min_length=1, max_length=120)
    note: str | None = Field(None, max_length=2000)


class NewExchange(Change):
    kind: str
    title: str = Field(..., max_length=500)
    date_start: str | None = Field(None, max_length=10)
    date_end: str | None = Field(None, max_length=10)
    place: str | None = Field(None, max_length=300)
    travelers: list[str] = Field(default_factory=list, max_length=100)
    hosts: list[str] = Field(default_factory=list, max_length=100)
    organizers: list[str] = Field(default_factory=list, max_length=100)
    produced: str | None = Field(None, max_length=5000)
    notes: str | None = Field(None, max_length=5000)


class Edit(Change):
    kind: str | None = None
    title: str | None = Field(None, max_length=500)
    date_start: str | None = Field(None, max_length=10)
    date_end: str | None = Field(None, max_length=10)
    place: str | None = Field(None, max_length=300)
    produced: str | None = Field(None, max_length=5000)
    notes: str | None = Field(None, max_length=5000)


class Status(Change):
    status: str


class Member(Change):
    entity: str = Field(..., max_length=300)
    role: str


class Item(Change):
    kind: str
    description: str = Field(..., max_length=5000)
    date: str | None = Field(None, max_length=10)
    place: str | None = Field(None, max_length=300)
    status: str | None = None


@router.get("/api/v1/exchanges", tags=["exchanges"])
def api_exchanges(request: Request, status: str | None = None, kind: str | None = None,
                  entity: str | None = Query(None, max_length=300)) -> dict[str, Any]:
    """Exchanges and delegations, newest first (filter by status, kind, or an entity taking part)."""
    data = exchanges_data(request, status, kind, entity)
    return {"ok": True, "exchanges": data["exchanges"]}


@router.get("/api/v1/exchanges/{exchange_id}", tags=["exchanges"])
def api_exchange(request: Request, exchange_id: int) -> dict[str, Any]:
    """One exchange: members, itinerary, follow-ups, commitments, source events with their quotes, history."""
    try:
        return {"ok": True, **lib.get_exchange(_store(request), exchange_id, visible=visibility(request))}
    except KeyError as e:
        raise not_found(f"exchange {exchange_id}") from e


@router.post("/api/v1/exchanges", tags=["exchanges"])
def api_create(request: Request, body: NewExchange) -> dict[str, Any]:
    """Record an exchange or delegation by hand."""
    return _run(lambda: lib.create_exchange(
        _store(request), kind=body.kind, title=body.title, who=body.who, date_start=body.date_start, date_end=body.date_end,
        place=body.place, travelers=body.travelers, hosts=body.hosts, organizers=body.organizers, produced=body.produced,
        notes=body.notes, note=body.note))


@router.post("/api/v1/exchanges/{exchange_id}", tags=["exchanges"])
def api_edit(request: Request, exchange_id: int, body: Edit) -> dict[str, Any]:
    """Change the fields given (kind, title, date_start, date_end, place, produced, notes)."""
    changes = body.model_dump(exclude_unset=True, exclude={"who", "note"})
    if not changes:  # an UPDATE with nothing to set is an SQL error, a 500 (issue 7)
        raise HTTPException(status_code=400, detail="nothing to change: give at least one of "
                            "kind, title, date_start, date_end, place, produced, notes")
    return _run(lambda: lib.update_exchange(_store(request), exchange_id, who=body.who, note=body.note, **changes))


@router.post("/api/v1/exchanges/{exchange_id}/status", tags=["exchanges"])
def api_status(request: Request, exchange_id: int, body: Status) -> dict[str, Any]:
    """Set the status: ``confirmed`` or ``rejected`` (a proposal), ``done`` (it took place), or back to ``proposed``."""
    return _run(lambda: lib.set_status(_store(request), exchange_id, body.status, who=body.who, note=body.note))


@router.post("/api/v1/exchanges/{exchange_id}/members", tags=["exchanges"])
def api_member(request: Request, exchange_id: int, body: Member) -> dict[str, Any]:
    """Add a traveler, host, organizer or participant (an entity's name or id)."""
    return _run(lambda: lib.add_member(_store(request), exchange_id, body.entity, body.role, who=body.who, note=body.note))


@router.post("/api/v1/exchanges/{exchange_id}/members/{entity_id}/remove", tags=["exchanges"])
def api_remove_member(request: Request, exchange_id: int, entity_id: int, body: Change) -> dict[str, Any]:
    """Take an organization or person off the exchange."""
    return _run(lambda: lib.remove_member(_store(request), exchange_id, entity_id, who=body.who, note=body.note))


@router.post("/api/v1/exchanges/{exchange_id}/items", tags=["exchanges"])
def api_item(request: Request, exchange_id: int, body: Item) -> dict[str, Any]:
    """Add an itinerary item (meeting, rally, press_conference, visit, other) or a follow-up (``follow_up``)."""
    return _run(lambda: lib.add_item(_store(request), exchange_id, body.kind, body.description, who=body.who, date=body.date,
                                     place=body.place, status=body.status, note=body.note))


@router.post("/api/v1/exchange-items/{item_id}/status", tags=["exchanges"])
def api_item_status(request: Request, item_id: int, body: Status) -> dict[str, Any]:
    """Mark a follow-up ``open`` or ``done``."""
    return _run(lambda: lib.set_item_status(_store(request), item_id, body.status, who=body.who, note=body.note))


@router.post("/api/v1/exchange-items/{item_id}/remove", tags=["exchanges"])
def api_item_remove(request: Request, item_id: int, body: Change) -> dict[str, Any]:
    """Take an item off the itinerary."""
    return _run(lambda: lib.remove_item(_store(request), item_id, who=body.who, note=body.note))
