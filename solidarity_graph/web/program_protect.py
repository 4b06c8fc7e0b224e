"""Protected people over the web: the list, protect and unprotect (JSON, same origin), and the reveal switch.

Pages and the API redact protected people by default. ``?reveal=1`` names them only on a server
started with ``solidarity serve --allow-reveal``, and on a server with accounts only for an admin;
elsewhere it is refused (403) rather than silently ignored. Lifting a protection is an admin's too.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from solidarity_graph.errors import SolidarityGraphError
from solidarity_graph.program import protect
from solidarity_graph.web.auth import visibility
from solidarity_graph.web.curate import _guard

__all__ = ["router", "reveal_requested", "may_reveal"]

router = APIRouter(tags=["protection"], dependencies=[Depends(_guard)])


def may_reveal(request: Request) -> bool:
    """True when this request may name protected people: a server started with ``--allow-reveal``, and,
    once the server has accounts, an admin asking (issue 7)."""
    from solidarity_graph.web.auth import current_user

    user = current_user(request)
    return bool(getattr(request.app.state, "allow_reveal", False)) and (user is None or user.can("admin"))


def reveal_requested(request: Request) -> bool:
    """True when the request asks to name protected people (``?reveal=1``) and may (:func:`may_reveal`); 403 when it may not."""
    if request.query_params.get("reveal") not in ("1", "true", "yes"):
        return False
    if not getattr(request.app.state, "allow_reveal", False):
        raise HTTPException(status_code=403, detail="protected people are named only on a server started with --allow-reveal")
    if not may_reveal(request):
        raise HTTPException(status_code=403, detail="only an admin may name protected people")
    return True


class Protection(BaseModel):
    """Who protects (or unprotects) whom, and why."""

    person: int | str = Field(..., description="the person's entity id or name")
    who: str = Field("web", max_length=120)
    note: str | None = Field(None, max_length=2000)


def _run(request: Request, fn: Any, body: Protection) -> dict[str, Any]:
    try:
        out: dict[str, Any] = fn(request.app.state.store, body.person, who=body.who, note=body.note)
    except SolidarityGraphError as e:
        raise HTTPException(status_code=400, detail=str(e)) from e
    return {"ok": True, **out}


def _list(request: Request) -> dict[str, Any]:
    reveal, visible = reveal_requested(request), visibility(request)
    people = protect.protected_people(request.app.state.store, reveal_protected=reveal)
    return {"ok": True, "revealed": reveal, "protected": [p for p in people if visible.entity_ok(p["entity_id"])]}


@router.get("/api/v1/protected")
def api_protected(request: Request) -> dict[str, Any]:
    """Everyone protected: id, since when, by whom, the note (names only with ``?reveal=1`` where allowed)."""
    return _list(request)


@router.post("/api/v1/protect")
def api_protect(request: Request, body: Protection) -> dict[str, Any]:
    """Mark a person protected (audited)."""
    return _run(request, protect.protect_person, body)


@router.post("/api/v1/unprotect")
def api_unprotect(request: Request, body: Protection) -> dict[str, Any]:
    """Lift a protection (audited)."""
    return _run(request, protect.unprotect_person, body)


@router.get("/protected.json", include_in_schema=False)
def protected_json(request: Request) -> dict[str, Any]:
    return _list(request)


@router.get("/protected", response_class=HTMLResponse, include_in_schema=False)
def protected_page(request: Request, entity: int | None = Query(None, ge=1)) -> HTMLResponse:
    data = {**_list(request), "entity": entity, "allow_reveal": getattr(request.app.state, "allow_reveal", False)}
    response: HTMLResponse = request.app.state.templates.TemplateResponse(request, "protected.html", data)
    return response
