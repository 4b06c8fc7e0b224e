"""Feeds on the web: ``/feeds`` (+ ``.json``) and ``/api/v1/feeds`` (list, add and poll, poll now, remove).

Changes are JSON-only and same-origin, like curation. A feed added here is polled at once; the
schedule itself is kept by ``solidarity watch-feed``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from solidarity_graph.errors import SolidarityGraphError
from solidarity_graph.program import feeds as fd
from solidarity_graph.store import Store
from solidarity_graph.web.common import store_of as _store
from solidarity_graph.web.curate import _guard

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(_guard)])


def _every(seconds: int) -> str:
    """900 -> "15m": the interval as one writes it."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def feeds_data(request: Request) -> dict[str, Any]:
    """Every feed with its interval, items and last poll."""
    return {"ok": True, "feeds": [{**f, "every": _every(f["every_seconds"])} for f in fd.list_feeds(_store(request))]}


@router.get("/feeds.json", include_in_schema=False)
def feeds_json(request: Request) -> dict[str, Any]:
    return feeds_data(request)


@router.get("/feeds", response_class=HTMLResponse, include_in_schema=False)
def feeds_page(request: Request) -> HTMLResponse:
    response: HTMLResponse = request.app.state.templates.TemplateResponse(request, "feeds.html", feeds_data(request))
    return response


class NewFeed(BaseModel):
    """A feed to register and poll now."""

    url: str = Field(..., min_length=8, max_length=2000)
    every: str = Field("15m", max_length=12)


class FeedRef(BaseModel):
    feed: int


def _poll(store: Store, url: str, every: int | None = None) -> dict[str, Any]:
    try:
        result = fd.poll_feed(store, url, every=every)
    except SolidarityGraphError as e:
        raise HTTPException(status_code=400, detail=str(e)) from e
    if result.error:  # the feed's server failed us: a bad gateway, in the one error shape
        raise HTTPException(status_code=502, detail=result.error)
    return {"ok": True, "result": asdict(result), "line": result.line()}


def _feed(store: Store, feed_id: int) -> dict[str, Any]:
    for f in fd.list_feeds(store):
        if f["id"] == feed_id:
            return f
    raise HTTPException(status_code=404, detail=f"no feed {feed_id}")


@router.get("/api/v1/feeds", tags=["feeds"])
def api_feeds(request: Request) -> dict[str, Any]:
    """The feeds polled, with their last status."""
    return feeds_data(request)


@router.post("/api/v1/feeds", tags=["feeds"])
def api_add_feed(request: Request, body: NewFeed) -> dict[str, Any]:
    """Register a feed and poll it now (a feed that cannot be read is not registered)."""
    try:
        every = fd.parse_interval(body.every)
    except SolidarityGraphError as e:
        raise HTTPException(status_code=400, detail=str(e)) from e
    return _poll(_store(request), body.url, every)


@router.post("/api/v1/feeds/poll", tags=["feeds"])
def api_poll(request: Request, body: FeedRef) -> dict[str, Any]:
    """Poll a registered feed now."""
    return _poll(_store(request), _feed(_store(request), body.feed)["url"])


@router.post("/api/v1/feeds/remove", tags=["feeds"])
def api_remove(request: Request, body: FeedRef) -> dict[str, Any]:
    """Stop polling a feed (its documents stay)."""
    try:
        return {"ok": True, **fd.remove_feed(_store(request), body.feed)}
    except SolidarityGraphError as e:
        raise HTTPException(status_code=404, detail=str(e)) from e
