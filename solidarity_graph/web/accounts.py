"""Logging in and out, one's own account, and the admin's pages for accounts, collections, grants and tokens.

``/login`` (the form; the credentials go as JSON to ``POST /login``), ``POST /logout``, ``/account``
(also ``.json``; ``POST /api/v1/account/password``), ``/admin`` (also ``.json``) and
``/api/v1/admin/...``. Changes are JSON-only and same-origin, like curation; the accounts layer
(:mod:`solidarity_graph.web.auth`) lets only admins reach ``/admin`` and ``/api/v1/admin``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from solidarity_graph.accounts import collections as coll
from solidarity_graph.accounts import users
from solidarity_graph.accounts.passwords import verify_password
from solidarity_graph.web.auth import COOKIE, accounts_on, client_ip, current_user, secure_request
from solidarity_graph.web.common import render as _render
from solidarity_graph.web.common import run_change as _run
from solidarity_graph.web.common import store_of as _store
from solidarity_graph.web.curate import _guard

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(_guard)])


def _who(request: Request) -> str:
    user = current_user(request)
    return user.name if user is not None else "web"


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this server, never another site (``//evil``, ``https://``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# ---- logging in and out ------------------------------------------------------------------------------
class Credentials(BaseModel):
    name: str = Field(..., min_length=1, max_length=120)
    password: str = Field(..., min_length=1, max_length=1024)
    next: str | None = Field(None, max_length=2000)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str | None = Query(None, max_length=2000)) -> HTMLResponse:
    return _render(request, "login.html", {"next": safe_next(next), "accounts": accounts_on(request),
                                          "user": current_user(request)})


@router.post("/login", tags=["accounts"])
def login(request: Request, body: Credentials) -> JSONResponse:
    """Log in with a name and password: sets the session cookie (HttpOnly, SameSite=Lax; Secure over https)."""
    store = _store(request)
    if not users.accounts_enabled(store):
        raise HTTPException(status_code=400, detail="this server has no accounts: everyone on it may do everything")
    try:
        user = users.authenticate(store, body.name, body.password, ip=client_ip(request))
    except users.TooManyFailures as e:
        raise HTTPException(status_code=429, detail=e.message) from e
    if user is None:
        raise HTTPException(status_code=401, detail="wrong name or password, or the account is disabled")
    token = users.create_session(store, user, ip=client_ip(request))
    response = JSONResponse({"ok": True, "user": {"name": user.name, "role": user.role}, "next": safe_next(body.next)})
    response.set_cookie(COOKIE, token, max_age=int(users.SESSION_MAX.total_seconds()), path="/", httponly=True,
                        samesite="lax", secure=secure_request(request))
    return response


@router.post("/logout", tags=["accounts"])
def logout(request: Request) -> JSONResponse:
    """End the session (the cookie is cleared too)."""
    token = request.cookies.get(COOKIE)
    ended = users.end_session(_store(request), token, ip=client_ip(request)) if token else False
    response = JSONResponse({"ok": True, "ended": ended})
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=secure_request(request))
    return response


# ---- one's own account -------------------------------------------------------------------------------
def account_data(request: Request) -> dict[str, Any]:
    """The account making the request: name, role, collections granted, API tokens."""
    user = current_user(request)
    if user is None:
        return {"ok": True, "user": None, "accounts": accounts_on(request), "grants": [], "tokens": []}
    store = _store(request)
    me = next(u for u in users.list_users(store) if u["id"] == user.id)
    return {"ok": True, "user": {"name": user.name, "role": user.role}, "accounts": True, "grants": me["grants"],
            "tokens": users.list_tokens(store, user.id)}


@router.get("/account.json", include_in_schema=False)
def account_json(request: Request) -> dict[str, Any]:
    return account_data(request)


@router.get("/account", response_class=HTMLResponse, include_in_schema=False)
def account_page(request: Request) -> HTMLResponse:
    return _render(request, "account.html", account_data(request))


@router.get("/api/v1/account", tags=["accounts"])
def api_account(request: Request) -> dict[str, Any]:
    """Who you are: name, role, the collections you may see, your API tokens (never the tokens themselves)."""
    return account_data(request)


class NewPassword(BaseModel):
    current: str = Field(..., min_length=1, max_length=1024)
    password: str = Field(..., min_length=1, max_length=1024)


@router.post("/api/v1/account/password", tags=["accounts"])
def api_password(request: Request, body: NewPassword) -> dict[str, Any]:
    """Change your own password (the current one is asked for); your other sessions end, so log in again."""
    user = current_user(request)
    if user is None:
        raise HTTPException(status_code=400, detail="this server has no accounts")
    store = _store(request)
    with store.connect() as conn:
        stored = users.user_row(conn, user.id).password_hash
    if not verify_password(stored, body.current):
        with store.engine.begin() as conn:
            users.log_auth(conn, user.name, "user_passwd", f"user {user.name}", ok=False, ip=client_ip(request),
                           detail={"reason": "wrong current password"})
        raise HTTPException(status_code=403, detail="the current password is wrong")
    def change() -> dict[str, Any]:
        users.set_password(store, user.id, body.password, who=user.name)
        return {"changed": True}

    return _run(change)


# ---- the admin's pages --------------------------------------------------------------------------------
def admin_data(request: Request) -> dict[str, Any]:
    """Accounts, collections with their grants, API tokens and the latest logins and account changes."""
    store = _store(request)
    return {"ok": True, "users": users.list_users(store), "collections": coll.list_collections(store),
            "tokens": users.list_tokens(store), "log": users.auth_log(store, 100), "roles": list(users.ROLES),
            "levels": list(coll.LEVELS), "accounts": accounts_on(request)}


@router.get("/admin.json", include_in_schema=False)
def admin_json(request: Request) -> dict[str, Any]:
    return admin_data(request)


@router.get("/admin", response_class=HTMLResponse, include_in_schema=False)
def admin_page(request: Request) -> HTMLResponse:
    return _render(request, "admin.html", admin_data(request))


class NewUser(BaseModel):
    name: str = Field(..., min_length=1, max_length=120)
    password: str = Field(..., min_length=1, max_length=1024)
    role: str


class Role(BaseModel):
    role: str


class Disabled(BaseModel):
    disabled: bool


class Password(BaseModel):
    password: str = Field(..., min_length=1, max_length=1024)


class NewCollection(BaseModel):
    name: str = Field(..., min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)


class Grant(BaseModel):
    user: str = Field(..., min_length=1, max_length=120)
    level: str = "read"


class Revoke(BaseModel):
    user: str = Field(..., min_length=1, max_length=120)


class Assign(BaseModel):
    documents: list[str] = Field(..., min_length=1, max_length=10_000)
    remove: bool = False


class NewToken(BaseModel):
    user: str = Field(..., min_length=1, max_length=120)
    name: str = Field(..., min_length=1, max_length=120)


def _user_dict(user: users.User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "role": user.role, "disabled": user.disabled}


@router.get("/api/v1/admin/users", tags=["admin"])
def api_users(request: Request) -> dict[str, Any]:
    """Every account: role, disabled, collections granted, live sessions."""
    return {"ok": True, "users": users.list_users(_store(request))}


@router.post("/api/v1/admin/users", tags=["admin"])
def api_add_user(request: Request, body: NewUser) -> dict[str, Any]:
    """Create an account (admin, editor or viewer). The first account is made on the command line
    (``solidarity user add NAME --role admin``): a server without accounts is open to whoever reaches it,
    and must not be closed by them."""
    if not accounts_on(request):
        raise HTTPException(status_code=403, detail="make the first account on the command line: solidarity user add NAME --role admin")
    return _run(lambda: {"user": _user_dict(users.add_user(_store(request), body.name, body.password, role=body.role, who=_who(request)))})


@router.post("/api/v1/admin/users/{name}/role", tags=["admin"])
def api_set_role(request: Request, name: str, body: Role) -> dict[str, Any]:
    """Change an account's role."""
    return _run(lambda: {"user": _user_dict(users.set_role(_store(request), name, body.role, who=_who(request)))})


@router.post("/api/v1/admin/users/{name}/disable", tags=["admin"])
def api_disable(request: Request, name: str, body: Disabled) -> dict[str, Any]:
    """Disable an account (its sessions end, its tokens stop working) or enable it again."""
    me = current_user(request)
    if me is not None and me.name == name and body.disabled:
        raise HTTPException(status_code=400, detail="you cannot disable your own account")
    return _run(lambda: {"user": _user_dict(users.set_disabled(_store(request), name, body.disabled, who=_who(request)))})


@router.post("/api/v1/admin/users/{name}/password", tags=["admin"])
def api_reset_password(request: Request, name: str, body: Password) -> dict[str, Any]:
    """Give an account a new password (its sessions end)."""
    def change() -> dict[str, Any]:
        users.set_password(_store(request), name, body.password, who=_who(request))
        return {"changed": True}

    return _run(change)


@router.get("/api/v1/admin/collections", tags=["admin"])
def api_collections(request: Request) -> dict[str, Any]:
    """Every collection with its number of documents and its grants."""
    return {"ok": True, "collections": coll.list_collections(_store(request))}


@router.post("/api/v1/admin/collections", tags=["admin"])
def api_add_collection(request: Request, body: NewCollection) -> dict[str, Any]:
    """Create a collection."""
    return _run(lambda: {"collection": coll.add_collection(_store(request), body.name, body.description, who=_who(request))})


@router.post("/api/v1/admin/collections/{name}/grant", tags=["admin"])
def api_grant(request: Request, name: str, body: Grant) -> dict[str, Any]:
    """Let an account see a collection (``read``) or also upload into it (``write``)."""
    return _run(lambda: {"grant": coll.grant(_store(request), name, body.user, body.level, who=_who(request))})


@router.post("/api/v1/admin/collections/{name}/revoke", tags=["admin"])
def api_revoke(request: Request, name: str, body: Revoke) -> dict[str, Any]:
    """Take an account's grant on a collection away."""
    return _run(lambda: {"revoked": coll.revoke(_store(request), name, body.user, who=_who(request))})


@router.post("/api/v1/admin/collections/{name}/assign", tags=["admin"])
def api_assign(request: Request, name: str, body: Assign) -> dict[str, Any]:
    """Put stored documents in a collection (``remove``: take them out)."""
    fn = coll.unassign if body.remove else coll.assign
    return _run(lambda: fn(_store(request), name, body.documents, who=_who(request)))


@router.get("/api/v1/admin/tokens", tags=["admin"])
def api_tokens(request: Request) -> dict[str, Any]:
    """Every API token: id, name, owner, first characters, created, last used, revoked (never the token)."""
    return {"ok": True, "tokens": users.list_tokens(_store(request))}


@router.post("/api/v1/admin/tokens", tags=["admin"])
def api_create_token(request: Request, body: NewToken) -> dict[str, Any]:
    """Create an API token for an account; the answer holds the token, shown this once."""
    def make() -> dict[str, Any]:
        token_id, token = users.create_token(_store(request), body.user, body.name, who=_who(request))
        return {"id": token_id, "token": token}

    return _run(make)


@router.post("/api/v1/admin/tokens/{token_id}/revoke", tags=["admin"])
def api_revoke_token(request: Request, token_id: int) -> dict[str, Any]:
    """Revoke an API token."""
    return _run(lambda: users.revoke_token(_store(request), token_id, who=_who(request)))


@router.get("/api/v1/admin/log", tags=["admin"])
def api_log(request: Request, limit: int = Query(200, ge=1, le=5000), action: str | None = Query(None, max_length=32)) -> dict[str, Any]:
    """Logins (failed ones too, with the address) and account changes, newest first."""
    return {"ok": True, "log": users.auth_log(_store(request), limit, action=action)}

