"""``/api/v1/curate/...``: curators' changes over HTTP, protected against cross-site requests.

A change must come as JSON (a cross-site form cannot send ``application/json`` without a CORS
preflight, which this server never grants) and, where the browser says where it comes from
(``Origin`` or ``Referer``), from this very server.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from solidarity_graph import curation
from solidarity_graph.errors import SolidarityGraphError


def _guard(request: Request) -> None:
    if request.method == "GET":
        return
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise HTTPException(status_code=415, detail="changes are sent as application/json")
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(status_code=403, detail="cross-site request refused")


router = APIRouter(prefix="/api/v1/curate", tags=["curation"], dependencies=[Depends(_guard)])


def _run(request: Request, fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        out: dict[str, Any] = fn(request.app.state.store, *args, **kwargs)
    except SolidarityGraphError as e:
        raise HTTPException(status_code=400, detail=str(e)) from e
    return {"ok": True, **out}


class Change(BaseModel):
    """Who makes a change and why."""

    who: str = Field("web", max_length=120)
    note: str | None = Field(None, max_length=2000)


class Merge(Change):
    keep: int
    drop: int


class Split(Change):
    entity: int
    alias: str = Field(..., max_length=300)


class Rename(Change):
    entity: int
    name: str = Field(..., max_length=300)


class SetField(Change):
    entity: int
    field: str
    value: str | None = Field(None, max_length=60)


class Review(Change):
    kind: str
    id: int
    status: str


class NewFact(Change):
    subject: int
    predicate: str
    object: int
    note: str = Field(..., min_length=1, max_length=2000)
    attributes: dict[str, str] | None = None


@router.post("/merge")
def merge(request: Request, body: Merge) -> dict[str, Any]:
    """Merge entity ``drop`` into ``keep``."""
    return _run(request, curation.merge_entities, body.keep, body.drop, who=body.who, note=body.note)


@router.post("/split")
def split(request: Request, body: Split) -> dict[str, Any]:
    """Split an alias off into an entity of its own."""
    return _run(request, curation.split_alias, body.entity, body.alias, who=body.who, note=body.note)


@router.post("/rename")
def rename(request: Request, body: Rename) -> dict[str, Any]:
    """Rename an entity (the old name stays an alias)."""
    return _run(request, curation.rename_entity, body.entity, body.name, who=body.who, note=body.note)


@router.post("/set")
def set_field(request: Request, body: SetField) -> dict[str, Any]:
    """Set an entity's kind or country."""
    return _run(request, curation.set_attribute, body.entity, body.field, body.value, who=body.who, note=body.note)


@router.post("/review")
def review(request: Request, body: Review) -> dict[str, Any]:
    """Accept or reject an extracted relation or event."""
    return _run(request, curation.review_fact, body.kind, body.id, body.status, who=body.who, note=body.note)


@router.post("/fact")
def add_fact(request: Request, body: NewFact) -> dict[str, Any]:
    """Add a relation by hand, with a note saying where it comes from."""
    return _run(request, curation.add_fact, body.subject, body.predicate, body.object, who=body.who, note=body.note,
                attributes=body.attributes)


@router.get("/log")
def log(request: Request, limit: int = 200) -> dict[str, Any]:
    """The audit log, newest first (without the entries that name what the account may not see)."""
    from solidarity_graph.accounts.records import curation_ok
    from solidarity_graph.web.auth import visibility

    store, visible = request.app.state.store, visibility(request)
    entries = curation.audit_log(store, min(limit, 1000))
    return {"ok": True, "curations": [c for c in entries if curation_ok(store, visible, c)]}
