"""The web UI and HTTP API (FastAPI, Jinja2): every page also as JSON, one error shape everywhere.

``create_app(db)`` builds the application over a store; ``solidarity serve`` runs it with uvicorn on
127.0.0.1 unless told otherwise. Nothing is loaded from outside the server: the graph drawing
library is the vis-network file that the pyvis package ships, served from here.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from solidarity_graph.store import Store

__all__ = ["create_app", "error_body"]

HERE = Path(__file__).parent


def error_body(status: int, error: str, errors: list[Any] | None = None) -> dict[str, Any]:
    """The one JSON shape of every error: ``{"ok": false, "error", "errors", "status"}``."""
    return {"ok": False, "error": error, "errors": errors or [], "status": status}


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path.endswith(".json") or "application/json" in request.headers.get("accept", "")


# The redactor of the request being served: every page's context and every text body (JSON, HTML, Atom,
# CSV) goes through it on the way out, so no route, old or new, names a protected person unless the
# request may and asks to (?reveal=1 on a server started with --allow-reveal).
_REDACTOR: ContextVar[Any] = ContextVar("redactor", default=None)


_TEXT_TYPES = ("application/json", "text/html", "application/atom+xml", "text/csv", "text/plain", "text/markdown")


async def _redacted(response: Any, redactor: Any) -> Any:
    """The response with protected names replaced in its body: JSON walked value by value (so it stays
    JSON), every other text type as text. Binary and streamed files pass untouched."""
    media = (response.headers.get("content-type") or "").split(";")[0].strip()
    if media not in _TEXT_TYPES:
        return response
    body = b"".join([chunk async for chunk in response.body_iterator])
    if media == "application/json":
        out = json.dumps(redactor.walk(json.loads(body)), ensure_ascii=False, separators=(",", ":")).encode()
    else:
        out = redactor.text(body.decode("utf-8", "replace")).encode()
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(out, status_code=response.status_code, headers=headers, media_type=media)


class RedactingTemplates(Jinja2Templates):
    """Templates whose context is redacted before the page is drawn."""

    def TemplateResponse(self, request: Any, name: str, context: dict[str, Any] | None = None,  # noqa: N802 (Starlette's name)
                         *args: Any, **kwargs: Any) -> Any:
        redactor = _REDACTOR.get()
        if redactor is not None and context:
            context = {k: v if k == "request" else redactor.walk(v) for k, v in context.items()}
        return super().TemplateResponse(request, name, context, *args, **kwargs)


def _vis_network() -> Path:
    import pyvis

    found = sorted((Path(pyvis.__file__).parent / "lib").glob("vis-*/vis-network.min.js"))
    if not found:
        raise RuntimeError("pyvis ships no vis-network.min.js")
    return found[-1]  # the newest version the package ships


def create_app(db: str | None = None, store: Store | None = None) -> FastAPI:
    """The application over the store at ``db`` (or an open ``store``)."""
    from solidarity_graph.web import api, curate, pages, upload

    # docs_url=None: FastAPI's own page loads Swagger UI from a CDN; ours serves the copy that the
    # swagger-ui-bundle package ships, so a page load never reaches another host
    app = FastAPI(title="Solidarity Graph", version="0.1.0", docs_url=None, redoc_url=None,
                  description="A knowledge graph of union documents: every fact with its source sentence.")
    app.state.store = store or Store.open(db)
    app.state.templates = RedactingTemplates(directory=str(HERE / "templates"))

    @app.middleware("http")
    async def redact(request: Request, call_next: Any) -> Any:
        from solidarity_graph.program.protect import Redactor

        asked = request.query_params.get("reveal") in ("1", "true", "yes")
        reveal = asked and bool(getattr(request.app.state, "allow_reveal", False))
        redactor = Redactor.load(request.app.state.store, reveal=reveal)
        token = _REDACTOR.set(redactor if redactor.active else None)
        try:
            response = await call_next(request)
        finally:
            _REDACTOR.reset(token)
        if not redactor.active:
            return response
        return await _redacted(response, redactor)

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    vis = _vis_network()

    @app.get("/vendor/vis-network.min.js", include_in_schema=False)
    def vis_network() -> FileResponse:
        return FileResponse(vis, media_type="application/javascript")

    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html

    app.mount("/vendor/swagger-ui", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Solidarity Graph API",
                                   swagger_js_url="/vendor/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url="/vendor/swagger-ui/swagger-ui.css",
                                   swagger_favicon_url="/vendor/swagger-ui/favicon-32x32.png")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        if _wants_json(request):
            return JSONResponse(error_body(exc.status_code, str(exc.detail)), status_code=exc.status_code)
        return app.state.templates.TemplateResponse(
            request, "error.html", {"status": exc.status_code, "error": exc.detail}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Any:
        errors = [{"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")} for e in exc.errors()]
        if _wants_json(request):
            return JSONResponse(error_body(400, "invalid request", errors), status_code=400)
        return app.state.templates.TemplateResponse(
            request, "error.html", {"status": 400, "error": "invalid request", "errors": errors}, status_code=400)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Any:  # pragma: no cover - last resort
        if _wants_json(request):
            return JSONResponse(error_body(500, "internal error"), status_code=500)
        return HTMLResponse("<h1>Internal error</h1>", status_code=500)

    app.include_router(api.router)
    app.include_router(curate.router)
    app.include_router(upload.router)
    import importlib

    from solidarity_graph.program import AREAS

    for area in AREAS:  # the international program's pages and API, one module per area
        try:
            module = importlib.import_module(f"solidarity_graph.web.program_{area}")
        except ModuleNotFoundError as e:  # an area not built yet; a missing package is an error
            if e.name != f"solidarity_graph.web.program_{area}":
                raise
            continue
        app.include_router(module.router)
    app.include_router(pages.router)
    return app


def not_found(what: str) -> HTTPException:
    """A 404 naming what was not found."""
    return HTTPException(status_code=404, detail=f"no {what}")
