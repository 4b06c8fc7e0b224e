"""Briefing packs on the web: ``/brief/{id}`` (page), ``.pdf``, ``.json`` and ``/api/v1/briefs/{id}``.

Query parameters: ``us`` (our organization's id; default the ``home_org`` setting), ``as_of``
(YYYY-MM-DD), ``recent`` (how many recent events), ``reveal=1`` (only on a server started with
``--allow-reveal``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from solidarity_graph.errors import InputError, SolidarityGraphError
from solidarity_graph.program.brief import build_brief
from solidarity_graph.program.brief_render import brief_css, render_body, render_pdf
from solidarity_graph.web.auth import visibility
from solidarity_graph.web.program_protect import reveal_requested

__all__ = ["router"]

router = APIRouter(tags=["briefs"])

DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def _brief(request: Request, entity_id: int, us: int | None, as_of: str | None, recent: int) -> dict[str, Any]:
    try:
        return build_brief(request.app.state.store, entity_id, us=us, as_of=as_of, recent=recent,
                           reveal_protected=reveal_requested(request), visible=visibility(request))
    except InputError as e:
        status = 404 if e.field == "name" else 400
        raise HTTPException(status_code=status, detail=str(e)) from e


@router.get("/api/v1/briefs/{entity_id}")
def api_brief(request: Request, entity_id: int, us: int | None = Query(None, ge=1), as_of: str | None = Query(None, pattern=DATE),
              recent: int = Query(6, ge=1, le=50)) -> dict[str, Any]:
    """A briefing pack on an organization: every line with its footnotes into ``sources``."""
    return {"ok": True, **_brief(request, entity_id, us, as_of, recent)}


@router.get("/brief/{entity_id}.json", include_in_schema=False)
def brief_json(request: Request, entity_id: int, us: int | None = Query(None, ge=1), as_of: str | None = Query(None, pattern=DATE),
               recent: int = Query(6, ge=1, le=50)) -> dict[str, Any]:
    return api_brief(request, entity_id, us, as_of, recent)


@router.get("/brief/{entity_id}.pdf", include_in_schema=False)
def brief_pdf(request: Request, entity_id: int, us: int | None = Query(None, ge=1), as_of: str | None = Query(None, pattern=DATE),
              recent: int = Query(6, ge=1, le=50)) -> Response:
    brief = _brief(request, entity_id, us, as_of, recent)
    name = f"briefing-{entity_id}-{brief['as_of']}.pdf"
    try:
        pdf = render_pdf(brief)
    except SolidarityGraphError as e:  # no Pango on this server
        raise HTTPException(status_code=503, detail=str(e)) from e
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.get("/brief/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
def brief_page(request: Request, entity_id: int, us: int | None = Query(None, ge=1), as_of: str | None = Query(None, pattern=DATE),
               recent: int = Query(6, ge=1, le=50)) -> HTMLResponse:
    brief = _brief(request, entity_id, us, as_of, recent)
    params = {k: v for k, v in request.query_params.items() if k in ("us", "as_of", "recent", "reveal")}
    query = ("?" + urlencode(params)) if params else ""
    data = {**brief, "query": query, "css": Markup(brief_css()), "body": render_body(brief), "chosen_us": us, "chosen_as_of": as_of}
    response: HTMLResponse = request.app.state.templates.TemplateResponse(request, "brief.html", data)
    return response
