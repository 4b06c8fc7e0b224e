"""What every router of the web app needs: the store, a page drawn from a template, a change run with
the project's errors turned into a 400 in the one error shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse

from solidarity_graph.errors import SolidarityGraphError
from solidarity_graph.store import Store

__all__ = ["store_of", "render", "run_change"]


def store_of(request: Request) -> Store:
    """The store the app serves."""
    store: Store = request.app.state.store
    return store


def render(request: Request, template: str, data: dict[str, Any]) -> HTMLResponse:
    """The page ``template`` drawn from ``data``."""
    response: HTMLResponse = request.app.state.templates.TemplateResponse(request, template, data)
    return response


def run_change(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``fn()``'s answer with ``"ok": true``; the project's errors (bad input) become a 400."""
    try:
        out: dict[str, Any] = fn()
    except SolidarityGraphError as e:
        raise HTTPException(status_code=400, detail=str(e)) from e
    return {"ok": True, **out}
