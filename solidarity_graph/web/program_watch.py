"""Alerts and watches on the web: ``/alerts`` (+ ``.json``), ``/alerts.atom``, ``/api/v1/alerts``, ``/api/v1/watches``.

Changes (watch, unwatch, mark read, deliver again) are JSON-only and same-origin, like curation.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from solidarity_graph.program import alert_delivery as delivery
from solidarity_graph.program import watch as w
from solidarity_graph.schema import load_schema
from solidarity_graph.web.auth import visibility
from solidarity_graph.web.common import run_change as _run
from solidarity_graph.web.common import store_of as _store
from solidarity_graph.web.curate import _guard

__all__ = ["router", "alerts_atom"]

router = APIRouter(dependencies=[Depends(_guard)])
ATOM = "http://www.w3.org/2005/Atom"
TAG = "tag:solidarity-graph,2025:"  # ids of the feed and its entries (RFC 4151), stable across fetches
EPOCH = "1970-01-01T00:00:00+00:00"


def _base_url(request: Request) -> str:
    return delivery.get_settings(_store(request)).base_url or str(request.base_url).rstrip("/")


def alerts_data(request: Request, unread: bool = False, who: str | None = None) -> dict[str, Any]:
    """The alerts (newest first), the watches, the channels configured and the event types one can watch."""
    store = _store(request)
    alerts = w.list_alerts(store, unread=unread, who=who, limit=500, visible=visibility(request))
    return {"ok": True, "alerts": alerts, "unread": sum(1 for a in alerts if not a["read"]),
            "watches": w.list_watches(store, who, visible=visibility(request)), "channels": delivery.get_settings(store).channels(),
            "types": sorted(load_schema().event_types), "default_types": list(w.DEFAULT_TYPES), "who": who,
            "only_unread": unread}


# ---- the Atom feed --------------------------------------------------------------------------------
def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def alerts_atom(alerts: list[dict[str, Any]], base_url: str, who: str | None = None) -> bytes:
    """An Atom 1.0 document of the alerts: one entry each, linked to the sentence it quotes."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _el(feed, "id", f"{TAG}alerts" + (f"/{who}" if who else ""))
    _el(feed, "title", "Solidarity Graph alerts" + (f" for {who}" if who else ""))
    _el(feed, "updated", max((a["created_at"] for a in alerts), default=EPOCH))
    _el(feed, "link", rel="self", type="application/atom+xml", href=f"{base_url}/alerts.atom")
    _el(feed, "link", rel="alternate", type="text/html", href=f"{base_url}/alerts")
    _el(_el(feed, "author"), "name", "Solidarity Graph")
    _el(feed, "generator", "Solidarity Graph")
    for a in alerts:
        entry = _el(feed, "entry")
        _el(entry, "id", f"{TAG}alert/{a['watch']}/{a['fingerprint']}")
        _el(entry, "title", delivery.subject_line(a))
        _el(entry, "updated", a["created_at"])
        _el(entry, "published", a["created_at"])
        link = delivery.document_link(a, base_url)
        if link:
            _el(entry, "link", rel="alternate", type="text/html", href=link)
        _el(entry, "category", term=a["event_type"])
        _el(entry, "summary", a["quote"], type="text")
        _el(entry, "content", delivery.alert_text(a, base_url), type="text")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


@router.get("/alerts.atom", include_in_schema=False)
def atom(request: Request, who: str | None = Query(None, max_length=120)) -> Response:
    alerts = w.list_alerts(_store(request), who=who, limit=200, visible=visibility(request))
    return Response(alerts_atom(alerts, _base_url(request), who), media_type="application/atom+xml; charset=utf-8")


# ---- pages -----------------------------------------------------------------------------------------
@router.get("/alerts.json", include_in_schema=False)
def alerts_json(request: Request, unread: bool = False, who: str | None = Query(None, max_length=120)) -> dict[str, Any]:
    return alerts_data(request, unread, who)


@router.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
def alerts_page(request: Request, unread: bool = False, who: str | None = Query(None, max_length=120)) -> HTMLResponse:
    response: HTMLResponse = request.app.state.templates.TemplateResponse(request, "alerts.html", alerts_data(request, unread, who))
    return response


# ---- the API -----------------------------------------------------------------------------------------
class NewWatch(BaseModel):
    """Watch an entity (name, alias or number) for events of these types (default: the five)."""

    entity: str = Field(..., min_length=1, max_length=300)
    types: list[str] | None = None
    who: str = Field("web", max_length=120)


class RemoveWatch(BaseModel):
    """Stop watch number ``watch``."""

    watch: int
    who: str = Field("web", max_length=120)


class MarkRead(BaseModel):
    """Alerts to mark read; none given: every unread one."""

    ids: list[int] | None = None


@router.get("/api/v1/alerts", tags=["alerts"])
def api_alerts(request: Request, unread: bool = False, who: str | None = Query(None, max_length=120),
               limit: int = Query(200, ge=1, le=5000)) -> dict[str, Any]:
    """Alerts, newest first: event type, entity, quote, document, date, delivery."""
    return {"ok": True, "alerts": w.list_alerts(_store(request), unread=unread, who=who, limit=limit, visible=visibility(request))}


@router.post("/api/v1/alerts/read", tags=["alerts"])
def api_mark_read(request: Request, body: MarkRead) -> dict[str, Any]:
    """Mark alerts read."""
    return {"ok": True, "marked": w.mark_read(_store(request), body.ids)}


@router.post("/api/v1/alerts/deliver", tags=["alerts"])
def api_deliver(request: Request) -> dict[str, Any]:
    """Send every alert a configured channel has not yet taken (after a failure)."""
    return {"ok": True, "delivered": delivery.deliver(_store(request))}


@router.get("/api/v1/watches", tags=["alerts"])
def api_watches(request: Request, who: str | None = Query(None, max_length=120)) -> dict[str, Any]:
    """The watches."""
    return {"ok": True, "watches": w.list_watches(_store(request), who, visible=visibility(request))}


@router.post("/api/v1/watches", tags=["alerts"])
def api_add_watch(request: Request, body: NewWatch) -> dict[str, Any]:
    """Watch an entity, its parents and its locals."""
    return _run(lambda: w.add_watch(_store(request), body.entity, types=body.types, who=body.who))


@router.post("/api/v1/watches/remove", tags=["alerts"])
def api_remove_watch(request: Request, body: RemoveWatch) -> dict[str, Any]:
    """Stop a watch (by its number)."""
    return _run(lambda: w.remove_watch(_store(request), body.watch, who=body.who, by_watch_id=True))
