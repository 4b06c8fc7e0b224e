"""The web UI and HTTP API (FastAPI, Jinja2): every page also as JSON, one error shape everywhere.

``create_app(db)`` builds the application over a store; ``solidarity serve`` runs it with uvicorn on
127.0.0.1 unless told otherwise. Nothing is loaded from outside the server: the graph drawing
library is the vis-network file that the pyvis package ships, served from here.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from solidarity_graph.store import Store, unavailable

__all__ = ["create_app", "error_body"]

HERE = Path(__file__).parent
_log = logging.getLogger(__name__)


def error_body(status: int, error: str, errors: list[Any] | None = None) -> dict[str, Any]:
    """The one JSON shape of every error: ``{"ok": false, "error", "errors", "status"}``."""
    return {"ok": False, "error": error, "errors": errors or [], "status": status}


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return (path.startswith("/api/") or path.endswith(".json") or "application/json" in request.headers.get("accept", "")
            or request.headers.get("content-type", "").startswith("application/json"))  # a JSON request (POST /login) gets JSON back


RETRY_AFTER = "5"  # seconds: a database server restarting is back in about this time


class StoreUnavailable:
    """Around everything (the accounts check and the redactor read the store too): a store that cannot be
    reached just now (its PostgreSQL server restarting, a lost connection) answers 503 with Retry-After
    in the one error shape, not a 500, and the next request tries again (issue 7)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as e:
            reason = unavailable(e)
            if reason is None or started:
                raise
            _log.warning("%s %s: 503: %s (%s)", scope["method"], scope["path"], reason, getattr(e, "orig", None) or e)
            request = Request(scope)
            error, headers = f"{reason}: try again shortly", {"Retry-After": RETRY_AFTER}
            response: Response = (JSONResponse(error_body(503, error), status_code=503, headers=headers) if _wants_json(request)
                                  else scope["app"].state.templates.TemplateResponse(
                                      request, "error.html", {"status": 503, "error": error}, status_code=503, headers=headers))
            await response(scope, receive, send)


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
        visible = getattr(getattr(request, "state", None), "visibility", None)  # issue 7: the accounts layer's safety net
        if visible is not None and visible.active and context:
            context = {k: v if k == "request" else visible.prune(v) for k, v in context.items()}
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
        from solidarity_graph.web.program_protect import may_reveal

        reveal = request.query_params.get("reveal") in ("1", "true", "yes") and may_reveal(request)
        redactor = Redactor.load(request.app.state.store, reveal=reveal)
        token = _REDACTOR.set(redactor if redactor.active else None)
        try:
            response = await call_next(request)
        finally:
            _REDACTOR.reset(token)
        if not redactor.active:
            return response
        return await _redacted(response, redactor)

    from solidarity_graph.web.auth import AccountsMiddleware

    app.add_middleware(AccountsMiddleware)  # before the redactor and every route: who asks, with what rights, what they may see (issue 7)
    app.add_middleware(StoreUnavailable)  # around even that: a store out of reach answers 503 (issue 7)
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

    @app.exception_handler(OverflowError)
    async def out_of_range(request: Request, exc: OverflowError) -> Any:
        # a number past the database's 64-bit integers, such as an id of 2**63 in a path or a body,
        # fails only when it is bound to a query: one answer here for every route (issue 7)
        return await http_error(request, StarletteHTTPException(400, "a number in the request is out of range"))

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
    from solidarity_graph.web import accounts

    app.include_router(accounts.router)
    app.include_router(pages.router)
    return app


def not_found(what: str) -> HTTPException:
    """A 404 naming what was not found."""
    return HTTPException(status_code=404, detail=f"no {what}")
