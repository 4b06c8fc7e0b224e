"""Who is asking, with what rights, and what they may see: the accounts layer every request goes through.

:class:`AccountsMiddleware` wraps the whole application. With no account in the store it only marks
the request as the local single user's (everything visible, every right), so a server on
127.0.0.1 behaves as before accounts existed. Once an account exists, a request needs a session
cookie (``/login``) or an ``Authorization: Bearer <token>`` header, except ``/login``, ``/static``
and ``/vendor``; a page without one is sent to ``/login``, the API answers 401. Then:

- a change (POST, PUT, PATCH, DELETE) needs the editor role; ``/admin``, ``/api/v1/admin/...`` and
  lifting a protection (``/api/v1/unprotect``) the admin role (403 otherwise), whichever router the
  route lives in;
- the JSON body of a change gets ``who`` set to the account's name, so the audit log says who did it;
- a change aimed at a hidden entity, event or document is answered 404, as if it were not there;
- ``request.state.user`` and ``request.state.visibility`` (a
  :class:`~solidarity_graph.accounts.visibility.Visibility`) are set for the routes, which pass the
  visibility into every query; and every JSON body goes out through
  :meth:`Visibility.prune <solidarity_graph.accounts.visibility.Visibility.prune>`, the safety net.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from solidarity_graph.accounts.users import User, accounts_enabled, session_user, token_user
from solidarity_graph.accounts.visibility import EVERYTHING, Visibility
from solidarity_graph.store import Store

__all__ = ["AccountsMiddleware", "COOKIE", "current_user", "visibility", "client_ip", "accounts_on", "secure_request"]

COOKIE = "solidarity_session"
PUBLIC = ("/login", "/static/", "/vendor/")  # served to anyone: the login page and what it loads
SELF_SERVICE = ("/login", "/logout", "/api/v1/account/password")  # changes any account may make
WRITES = ("POST", "PUT", "PATCH", "DELETE")
ADMIN_ONLY = ("/admin", "/api/v1/admin", "/api/v1/unprotect")  # and everything under /admin/, /api/v1/admin/
ENTITY_KEYS = ("keep", "drop", "entity", "subject", "object", "person", "employer")


def current_user(request: Request) -> User | None:
    """The account making the request (None on a server without accounts: the local user, with every right)."""
    user: User | None = getattr(request.state, "user", None)
    return user


def accounts_on(request: Request) -> bool:
    """True when the server has accounts (and so wants a login)."""
    return bool(getattr(request.state, "accounts", False))


def visibility(request: Request) -> Visibility:
    """What the request may see (everything on a server without accounts and for an admin)."""
    vis: Visibility = getattr(request.state, "visibility", EVERYTHING)
    return vis


def client_ip(request: Request) -> str | None:
    """The address the request came from (as the server saw it; behind a proxy, run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else None


def secure_request(request: Request) -> bool:
    """True when cookies must be Secure: served over https, or the server was started with --secure-cookies."""
    return request.url.scheme == "https" or bool(getattr(request.app.state, "secure_cookies", False))


def _public(path: str) -> bool:
    return any(path == p.rstrip("/") or path.startswith(p) for p in PUBLIC)


def _wants_json(path: str, accept: str) -> bool:
    return path.startswith("/api/") or path.endswith(".json") or "application/json" in accept


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    from solidarity_graph.web.app import error_body

    return JSONResponse(error_body(status, message), status_code=status, headers=headers)


def _identify(store: Store, request: Request) -> tuple[User | None, str | None]:
    """The user behind the request's bearer token or session cookie, and a reason when there is none."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        user = token_user(store, token.strip()) if scheme.lower() == "bearer" else None
        return user, None if user else "bad or revoked API token"
    cookie = request.cookies.get(COOKIE)
    if cookie:
        user = session_user(store, cookie)
        return user, None if user else "session ended: log in again"
    return None, "log in first"


class AccountsMiddleware:
    """Authentication, role checks and the visibility safety net, around the whole app (pure ASGI)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        store: Store = scope["app"].state.store
        if not await run_in_threadpool(accounts_enabled, store):
            state.update(user=None, visibility=EVERYTHING, accounts=False)
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        user, reason = await run_in_threadpool(_identify, store, request)
        state.update(user=user, accounts=True, visibility=EVERYTHING if user is None else await run_in_threadpool(Visibility.for_user, store, user))
        refusal = self._refusal(request, user, reason)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        vis: Visibility = state["visibility"]
        is_json = request.headers.get("content-type", "").startswith("application/json")
        if scope["method"] in WRITES and user is not None and is_json and not request.url.path.startswith(SELF_SERVICE):
            body = await _read_body(receive)
            data = _json(body)
            if isinstance(data, dict):
                missing = await run_in_threadpool(_hidden_target, store, vis, request.url.path, data)
                if missing is not None:
                    await _error(404, f"no {missing}")(scope, receive, send)
                    return
                data["who"] = user.name  # the audit log names the account, whatever the client said
                body = json.dumps(data).encode()
                scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"content-length"] + [(b"content-length", str(len(body)).encode())]
            receive = _replay(body, receive)
        elif vis.active:
            missing = await run_in_threadpool(_hidden_target, store, vis, request.url.path, {})
            if missing is not None:
                await _error(404, f"no {missing}")(scope, receive, send)
                return
        await self.app(scope, receive, _pruning(send, vis) if vis.active else send)

    @staticmethod
    def _refusal(request: Request, user: User | None, reason: str | None) -> Response | None:
        path = request.url.path
        if user is None:
            if _public(path):
                return None
            if _wants_json(path, request.headers.get("accept", "")) or request.method != "GET":
                return _error(401, reason or "log in first", {"WWW-Authenticate": 'Bearer realm="solidarity"'})
            target = path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        if (path in ADMIN_ONLY or path.startswith(("/admin.", "/admin/", "/api/v1/admin/"))) and not user.can("admin"):
            return _error(403, "only an admin may do this")
        if request.method in WRITES and not path.startswith(SELF_SERVICE) and not user.can("editor"):
            return _error(403, f"a {user.role} may read but not change anything")
        return None


async def _read_body(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` that gives the (rewritten) body once, then waits on the client as the original does."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        return None


def _pruning(send: Send, vis: Visibility) -> Send:
    """``send`` with every JSON body pruned of hidden objects on its way out (other bodies pass as they are)."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            kinds = [v for k, v in message.get("headers", []) if k.lower() == b"content-type"]
            if kinds and kinds[0].split(b";")[0].strip() == b"application/json":
                start = message
                return
            await send(message)
            return
        if message["type"] != "http.response.body" or start is None:
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks)
        try:
            body = json.dumps(await run_in_threadpool(vis.prune, json.loads(body)), ensure_ascii=False, separators=(",", ":")).encode()
        except ValueError:
            pass
        kept = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await send({**start, "headers": [*kept, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return wrapped


# ---- changes aimed at what the account may not see ---------------------------------------------------
_PATHS = [  # (pattern, what its number names): pages, their JSON and the API alike
    (re.compile(r"^/(?:api/v1/)?exchanges/\d+/members/(\d+)/"), "entity"),
    (re.compile(r"^/(?:api/v1/)?exchanges/(\d+)(?:\.json)?(?:/|$)"), "exchange"),
    (re.compile(r"^/(?:api/v1/)?commitments/(\d+)(?:\.json)?(?:/|$)"), "commitment"),
    (re.compile(r"^/api/v1/exchange-items/(\d+)/"), "exchange item"),
    (re.compile(r"^/api/v1/sites/(\d+)/"), "site"),
    (re.compile(r"^/(?:entity|graph|brief|employers|api/v1/entities|api/v1/graph|api/v1/briefs|api/v1/employers)/(\d+)"
                r"(?:\.json|\.pdf)?(?:/|$)"), "entity"),
    (re.compile(r"^/(?:document|api/v1/documents)/([^/]+?)(?:\.json)?$"), "document"),
]


def _hidden_target(store: Store, vis: Visibility, path: str, data: dict[str, Any]) -> str | None:
    """What a request names that the account may not see ("entity 12"), else None."""
    if not vis.active:
        return None
    from solidarity_graph.accounts import records

    for key in ENTITY_KEYS:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and not vis.entity_ok(value):
            return f"entity {value}"
    if data.get("kind") in ("event", "relation") and isinstance(data.get("id"), int) and not records.fact_ok(store, vis, data["kind"], data["id"]):
        return f"{data['kind']} {data['id']}"
    if isinstance(data.get("event"), int) and not vis.event_ok(data["event"]):
        return f"event {data['event']}"
    for pattern, what in _PATHS:
        m = pattern.match(path)
        if m is not None and not records.record_ok(store, vis, what, m.group(1)):
            return f"{what} {m.group(1)}"
    return None
