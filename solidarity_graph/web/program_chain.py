"""Employer chains on the web: ``/employers``, ``/employers/{id}`` (a table by country and a world map with
the gaps marked), each also as ``.json``; ``/api/v1/employers``, sites and contacts.

Changes (a site by hand, a CSV import, a contact) are JSON-only and same-origin, like curation; a CSV
file is sent as the text of a JSON field.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup
from pydantic import BaseModel, Field

from solidarity_graph.errors import SolidarityGraphError
from solidarity_graph.program import chain as lib
from solidarity_graph.program import chain_sites as sites_lib
from solidarity_graph.web.app import error_body, not_found
from solidarity_graph.web.auth import visibility
from solidarity_graph.web.common import render as _render
from solidarity_graph.web.common import store_of as _store
from solidarity_graph.web.curate import _guard

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(_guard)])


def employers_data(request: Request) -> dict[str, Any]:
    """Employers with at least one known site, with their counts of sites, unions and gaps."""
    return {"ok": True, "employers": lib.list_employers(_store(request), visible=visibility(request))}


def chain_data(request: Request, employer_id: int) -> dict[str, Any]:
    """One employer's chain (see :func:`solidarity_graph.program.chain.employer_chain`)."""
    try:
        return {"ok": True, **lib.employer_chain(_store(request), employer_id, visible=visibility(request))}
    except KeyError as e:
        raise not_found(f"entity {employer_id}") from e


# ---- pages ---------------------------------------------------------------------------------------
@router.get("/employers.json", include_in_schema=False)
def employers_json(request: Request) -> dict[str, Any]:
    return employers_data(request)


@router.get("/employers", response_class=HTMLResponse, include_in_schema=False)
def employers_page(request: Request) -> HTMLResponse:
    return _render(request, "employers.html", employers_data(request))


@router.get("/employers/{employer_id}.json", include_in_schema=False)
def chain_json(request: Request, employer_id: int) -> dict[str, Any]:
    return chain_data(request, employer_id)


@router.get("/employers/{employer_id}", response_class=HTMLResponse, include_in_schema=False)
def chain_page(request: Request, employer_id: int) -> HTMLResponse:
    from solidarity_graph.web.pages import _world_svg

    data = chain_data(request, employer_id)
    status = {c["country"]: "gap" if c["gap"] else "covered" for c in data["countries"] if c["country"]}
    return _render(request, "employer_chain.html", {**data, "status": status, "svg": Markup(_world_svg())})


# ---- API ------------------------------------------------------------------------------------------
@router.get("/api/v1/employers", tags=["program"])
def api_employers(request: Request) -> dict[str, Any]:
    """Employers with known sites: countries, counts of sites, unions and gaps."""
    return employers_data(request)


@router.get("/api/v1/employers/{employer_id}", tags=["program"])
def api_chain(request: Request, employer_id: int) -> dict[str, Any]:
    """An employer's sites by country, the unions at each with their sources, and the gaps."""
    return chain_data(request, employer_id)


class Who(BaseModel):
    """Who makes a change."""

    who: str = Field("web", max_length=120)
    note: str | None = Field(None, max_length=2000)


class NewSite(Who):
    country: str = Field(..., max_length=100)
    city: str | None = Field(None, max_length=300)
    name: str | None = Field(None, max_length=300)
    union: str | None = Field(None, max_length=300)
    workers: int | None = Field(None, ge=0, le=10_000_000)


class SitesCsv(Who):
    csv: str = Field(..., max_length=sites_lib.MAX_BYTES)
    filename: str = Field("upload.csv", max_length=200)


class NewContact(Who):
    organization: str = Field(..., max_length=300)
    person: str | None = Field(None, max_length=300)
    email: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=40)
    since: str | None = Field(None, max_length=10)


def _run(fn: Any) -> Any:
    try:
        return {"ok": True, **fn()}
    except sites_lib.BadRows as e:
        errors = [{"line": x.line, "field": x.field, "message": x.message} for x in e.errors]
        return JSONResponse(error_body(400, str(e), errors), status_code=400)
    except SolidarityGraphError as e:
        raise HTTPException(status_code=400, detail=str(e)) from e


@router.post("/api/v1/employers/{employer_id}/sites", tags=["program"])
def api_add_site(request: Request, employer_id: int, body: NewSite) -> Any:
    """Add one site of the employer by hand."""
    return _run(lambda: sites_lib.add_site(_store(request), employer_id, who=body.who, country=body.country, city=body.city,
                                           name=body.name, union=body.union, workers=body.workers, note=body.note))


@router.post("/api/v1/employers/{employer_id}/sites/import", tags=["program"])
def api_import_sites(request: Request, employer_id: int, body: SitesCsv) -> Any:
    """Import sites from CSV text (columns: employer, country, city, site, union, workers, note); all or nothing."""
    return _run(lambda: sites_lib.import_sites_text(_store(request), body.csv, employer_id, who=body.who, name=body.filename))


@router.post("/api/v1/sites/{site_id}/remove", tags=["program"])
def api_remove_site(request: Request, site_id: int, body: Who) -> Any:
    """Remove a site entered by hand or CSV."""
    return _run(lambda: sites_lib.remove_site(_store(request), site_id, who=body.who, note=body.note))


@router.get("/api/v1/contacts", tags=["program"])
def api_contacts(request: Request, organization: str | None = None) -> Any:
    """Our contacts, at one organization (id, name or alias) or everywhere."""
    return _run(lambda: {"contacts": lib.list_contacts(_store(request), organization, visible=visibility(request))})


@router.post("/api/v1/contacts", tags=["program"])
def api_add_contact(request: Request, body: NewContact) -> Any:
    """Add a contact of ours at an organization."""
    return _run(lambda: lib.add_contact(_store(request), body.organization, who=body.who, person=body.person,
                                        email=body.email, phone=body.phone, since=body.since, note=body.note))
