"""Commitments and demands on the web: ``/commitments`` (also ``.json``), ``/commitments/{id}.json`` and
``/api/v1/commitments``: list (open ones first, with their age), one, record by hand, set a status,
tie to an exchange.

Changes are JSON-only and same-origin, like curation; each is written to the audit log.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from solidarity_graph.program import commitments as lib
from solidarity_graph.program.entity_refs import find_ref
from solidarity_graph.web.app import not_found
from solidarity_graph.web.auth import visibility
from solidarity_graph.web.common import run_change as _run
from solidarity_graph.web.common import store_of as _store
from solidarity_graph.web.curate import _guard

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(_guard)])


def commitments_data(request: Request, status: str | None, kind: str | None, entity: str | None,
                     exchange: int | None) -> dict[str, Any]:
    """The commitments a filter picks, with the filter, the choices and counts by status."""
    store = _store(request)
    eid = None
    if entity:
        with store.connect() as conn:
            eid = find_ref(conn, entity, ("organization", "person", "place"))
        if eid is None or not visibility(request).entity_ok(eid):
            raise not_found(f"entity {entity}")
    rows = _run(lambda: {"commitments": lib.list_commitments(store, status=status or None, kind=kind or None, entity_id=eid,
                                                             exchange_id=exchange, visible=visibility(request))})
    counts = {s: 0 for s in lib.STATUSES}
    for c in rows["commitments"]:
        counts[c["status"]] += 1
    return {**rows, "counts": counts, "status": status, "kind": kind, "entity": entity, "exchange": exchange,
            "statuses": lib.STATUSES, "kinds": lib.KINDS}


# ---- pages ---------------------------------------------------------------------------------------
@router.get("/commitments.json", include_in_schema=False)
def commitments_json(request: Request, status: str | None = None, kind: str | None = None, entity: str | None = None,
                     exchange: int | None = None) -> dict[str, Any]:
    return commitments_data(request, status, kind, entity, exchange)


@router.get("/commitments", response_class=HTMLResponse, include_in_schema=False)
def commitments_page(request: Request, status: str | None = None, kind: str | None = None, entity: str | None = None,
                     exchange: int | None = None) -> HTMLResponse:
    data = commitments_data(request, status, kind, entity, exchange)
    response: HTMLResponse = request.app.state.templates.TemplateResponse(request, "commitments.html", data)
    return response


@router.get("/commitments/{commitment_id}.json", include_in_schema=False)
def commitment_json(request: Request, commitment_id: int) -> dict[str, Any]:
    return api_commitment(request, commitment_id)


# ---- API -----------------------------------------------------------------------------------------
class Change(BaseModel):
    """Who makes a change and why."""

    who: str = Field("web", min_length=1, max_length=120)
    note: str | None = Field(None, max_length=2000)


class Status(Change):
    status: str


class Link(Change):
    exchange: int | None = None


class NewCommitment(Change):
    kind: str
    text: str = Field(..., max_length=5000)
    subject: str | None = Field(None, max_length=300)
    object: str | None = Field(None, max_length=300)
    due: str | None = Field(None, max_length=10)
    exchange: int | None = None
    note: str = Field(..., min_length=1, max_length=2000)


@router.get("/api/v1/commitments", tags=["commitments"])
def api_commitments(request: Request, status: str | None = None, kind: str | None = None,
                    entity: str | None = Query(None, max_length=300), exchange: int | None = None) -> dict[str, Any]:
    """Commitments and demands, open ones first and oldest first, each with its age in days."""
    data = commitments_data(request, status, kind, entity, exchange)
    return {"ok": True, "commitments": data["commitments"], "counts": data["counts"]}


@router.get("/api/v1/commitments/{commitment_id}", tags=["commitments"])
def api_commitment(request: Request, commitment_id: int) -> dict[str, Any]:
    """One commitment or demand with its source sentence, its exchange and its history."""
    try:
        return {"ok": True, **lib.get_commitment(_store(request), commitment_id, visible=visibility(request))}
    except KeyError as e:
        raise not_found(f"commitment {commitment_id}") from e


@router.post("/api/v1/commitments", tags=["commitments"])
def api_add(request: Request, body: NewCommitment) -> dict[str, Any]:
    """Record a commitment or demand by hand, with a note saying where it comes from."""
    return _run(lambda: lib.add_commitment(_store(request), body.kind, body.text, who=body.who, note=body.note,
                                           subject=body.subject, object_=body.object, due=body.due, exchange_id=body.exchange))


@router.post("/api/v1/commitments/{commitment_id}/status", tags=["commitments"])
def api_status(request: Request, commitment_id: int, body: Status) -> dict[str, Any]:
    """Set the status: ``open``, ``in_progress``, ``done`` or ``dropped``."""
    return _run(lambda: lib.set_status(_store(request), commitment_id, body.status, who=body.who, note=body.note))


@router.post("/api/v1/commitments/{commitment_id}/exchange", tags=["commitments"])
def api_link(request: Request, commitment_id: int, body: Link) -> dict[str, Any]:
    """Tie the commitment to an exchange (``null`` unties it)."""
    return _run(lambda: lib.link_exchange(_store(request), commitment_id, body.exchange, who=body.who, note=body.note))
