"""Accounts: argon2 passwords, logging in (cookie flags, the audit of failures), API tokens, roles on every
write route, open mode without accounts, the admin's API, the CLI, and logging in with Chromium."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from click.testing import CliRunner
from fastapi.routing import iter_route_contexts
from sqlalchemy import select

from solidarity_graph.accounts import collections as coll
from solidarity_graph.accounts import users
from solidarity_graph.accounts.passwords import hash_password, needs_rehash, verify_password
from solidarity_graph.cli import main
from solidarity_graph.curation import audit_log
from solidarity_graph.errors import InputError
from solidarity_graph.model import Document
from solidarity_graph.pipeline import ingest_documents
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t
from solidarity_graph.web.app import create_app
from solidarity_graph.web.auth import COOKIE
from tests.engines import open_store
from tests.web import accounts_world
from tests.web.accounts_world import PASSWORDS, World
from tests.web.conftest import HAVE_CHROMIUM, live_server, new_page

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
SELF_SERVICE = {"/login", "/logout", "/api/v1/account/password"}
ADMIN_WRITES = ("/api/v1/admin/", "/api/v1/unprotect")


def _login(client: TestClient, name: str, password: str | None = None) -> Any:
    return client.post("/login", json={"name": name, "password": password or PASSWORDS[name]})


@pytest.fixture(scope="module")
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, World, Store]]:
    """One public document and the four accounts (module-wide: the route sweeps only read or are refused)."""
    with open_store(request, "sqlite", tmp_path_factory.mktemp("accounts")) as store:
        doc = Document(text=accounts_world.PUBLIC, source="federations.txt", title="Union federations", published="2024-02-01")
        ingest_documents([doc], store)
        w = World(public=doc.id, hidden="", rally_report="")
        coll.add_collection(store, accounts_world.COLLECTION, who="setup")
        accounts_world.add_accounts(store, w)
        yield TestClient(create_app(store=store)), w, store


def _write_routes(client: TestClient) -> list[tuple[str, str]]:
    out = []
    for c in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        for method in sorted((getattr(c, "methods", None) or set()) & WRITES):
            out.append((method, c.path))
    return out


def _fill(path: str) -> str:
    for name in ("name",):
        path = path.replace("{" + name + "}", "vera")
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + "1" + path[end + 1:]
    return path


# ---- passwords --------------------------------------------------------------------------------------
def test_accounts_password_hash_and_verify() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse batterY")
    assert not verify_password("not a hash", "correct horse battery")
    assert hash_password("correct horse battery") != stored  # salted
    assert not needs_rehash(stored)


@pytest.mark.parametrize(("name", "password", "role", "field"), [
    ("ok-name", "short", "viewer", "password"),
    ("has space", "long enough pass", "viewer", "name"),
    ("ok-name", "long enough pass", "superuser", "role"),
])
def test_accounts_bad_account_is_refused_naming_the_field(store: Store, name: str, password: str, role: str, field: str) -> None:
    with pytest.raises(InputError) as e:
        users.add_user(store, name, password, role=role, who="test")
    assert e.value.field == field
    with store.connect() as conn:
        assert conn.execute(select(t.users)).first() is None  # nothing half-written


def test_accounts_only_hashes_are_stored(site: tuple[TestClient, World, Store]) -> None:
    _, w, store = site
    with store.connect() as conn:
        stored = [r.password_hash for r in conn.execute(select(t.users))]
        tokens = [r.token_hash for r in conn.execute(select(t.api_tokens))]
    assert all(h.startswith("$argon2id$") for h in stored) and not set(PASSWORDS.values()) & set(stored)
    assert all(len(h) == 64 for h in tokens) and not set(w.tokens.values()) & set(tokens)


# ---- logging in --------------------------------------------------------------------------------------
def test_accounts_login_sets_a_safe_cookie_and_logout_ends_it(site: tuple[TestClient, World, Store]) -> None:
    _, _, store = site
    client = TestClient(create_app(store=store))
    r = _login(client, "vera")
    assert r.status_code == 200 and r.json()["user"] == {"name": "vera", "role": "viewer"}
    cookie = r.headers["set-cookie"].lower()
    assert f"{COOKIE}=" in cookie and "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # plain http on loopback
    assert client.get("/api/v1/account").json()["user"]["name"] == "vera"
    assert client.post("/logout", json={}).json()["ended"] is True
    assert client.get("/api/v1/account").status_code == 401


@pytest.mark.parametrize("how", ["https", "flag"])
def test_accounts_cookie_is_secure_over_https_or_when_told(site: tuple[TestClient, World, Store], how: str) -> None:
    _, _, store = site
    app = create_app(store=store)
    if how == "flag":
        app.state.secure_cookies = True
    client = TestClient(app, base_url="https://testserver" if how == "https" else "http://testserver")
    r = _login(client, "eddie")
    assert r.status_code == 200 and "secure" in r.headers["set-cookie"].lower()


def test_accounts_failed_login_is_audited_with_the_address(site: tuple[TestClient, World, Store]) -> None:
    _, _, store = site
    client = TestClient(create_app(store=store))
    assert _login(client, "vera", "wrong password!").status_code == 401
    assert _login(client, "nobody", "wrong password!").status_code == 401
    log = users.auth_log(store, 10, action="login")
    assert [(r["who"], r["ok"], r["ip"]) for r in log[:2]] == [("nobody", False, "testclient"), ("vera", False, "testclient")]
    assert _login(client, "vera").status_code == 200
    assert users.auth_log(store, 1, action="login")[0]["ok"] is True


def test_accounts_too_many_failures_are_refused_even_with_the_right_password(store: Store) -> None:
    users.add_user(store, "target", "the-real-password", role="viewer", who="test")
    client = TestClient(create_app(store=store))
    for _ in range(users.MAX_FAILS_NAME):
        assert _login(client, "target", "guess-guess-guess").status_code == 401
    r = _login(client, "target", "the-real-password")
    assert r.status_code == 429 and r.json()["ok"] is False
    assert users.auth_log(store, 1)[0]["action"] == "login_throttled"


def test_accounts_disabled_user_cannot_log_in_and_loses_sessions(store: Store) -> None:
    users.add_user(store, "admin", "admin-passphrase", role="admin", who="test")
    users.add_user(store, "leaver", "leaver-passphrase", role="editor", who="test")
    _, token = users.create_token(store, "leaver", "script", who="test")
    client = TestClient(create_app(store=store))
    assert _login(client, "leaver", "leaver-passphrase").status_code == 200
    users.set_disabled(store, "leaver", True, who="test")
    assert client.get("/api/v1/account").status_code == 401  # the session ended
    assert client.get("/api/v1/account", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _login(client, "leaver", "leaver-passphrase").status_code == 401


# ---- tokens ------------------------------------------------------------------------------------------
def test_accounts_api_token_works_until_revoked(site: tuple[TestClient, World, Store]) -> None:
    client, _, store = site
    token_id, token = users.create_token(store, "gina", "notebook", who="test")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/account", headers=headers).json()["user"]["name"] == "gina"
    assert [tk["last_used"] for tk in users.list_tokens(store, "gina") if tk["id"] == token_id][0] is not None
    users.revoke_token(store, token_id, who="test")
    r = client.get("/api/v1/account", headers=headers)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/api/v1/account", headers={"Authorization": "Bearer sgt_made-up"}).status_code == 401


# ---- roles -------------------------------------------------------------------------------------------
def test_accounts_every_write_route_refuses_a_viewer(site: tuple[TestClient, World, Store]) -> None:
    """Every POST/PUT/PATCH/DELETE route of the app (the OpenAPI description's and the pages'): 403 for a viewer, 401 without login."""
    client, w, _ = site
    anonymous = TestClient(client.app)
    routes = [(m, p) for m, p in _write_routes(client) if p not in SELF_SERVICE]
    assert len(routes) > 40
    for method, path in routes:
        url = _fill(path)
        r = client.request(method, url, json={"who": "vera"}, headers=w.auth("vera"))
        assert r.status_code == 403, (method, url, r.status_code)
        assert r.json()["ok"] is False and ("viewer" in r.json()["error"] or "admin" in r.json()["error"])
        assert anonymous.request(method, url, json={}).status_code == 401, (method, url)


def test_accounts_admin_routes_refuse_an_editor(site: tuple[TestClient, World, Store]) -> None:
    client, w, _ = site
    admin = [(m, p) for m, p in _write_routes(client) if p.startswith(ADMIN_WRITES)]
    assert len(admin) >= 10
    for method, path in admin:
        assert client.request(method, _fill(path), json={}, headers=w.auth("eddie")).status_code == 403, path
    for url in ("/admin", "/admin.json", "/api/v1/admin/users", "/api/v1/admin/log"):
        assert client.get(url, headers=w.auth("eddie")).status_code == 403
        assert client.get(url, headers=w.auth("ada")).status_code == 200


def test_accounts_editor_curates_and_the_log_names_the_account(site: tuple[TestClient, World, Store]) -> None:
    client, w, store = site
    kctu = accounts_world.row(store, t.entities, name="Korean Confederation of Trade Unions")
    r = client.post("/api/v1/curate/set", json={"entity": kctu.id, "field": "country", "value": "KR", "who": "mallory"},
                    headers=w.auth("eddie"))
    assert r.status_code == 200, r.text
    with store.connect() as conn:
        last = conn.execute(select(t.curations).order_by(t.curations.c.id.desc())).first()
    assert last is not None and last.who == "eddie"  # not what the client claimed


def test_accounts_reveal_needs_an_admin(site: tuple[TestClient, World, Store]) -> None:
    _, w, store = site
    app = create_app(store=store)
    app.state.allow_reveal = True
    client = TestClient(app)
    assert client.get("/api/v1/protected?reveal=1", headers=w.auth("eddie")).status_code == 403
    assert client.get("/api/v1/protected?reveal=1", headers=w.auth("ada")).json()["revealed"] is True
    assert client.get("/api/v1/protected", headers=w.auth("eddie")).json()["revealed"] is False


# ---- open mode and the wall ------------------------------------------------------------------------------
def test_accounts_open_mode_until_the_first_account(store: Store) -> None:
    client = TestClient(create_app(store=store))
    assert client.get("/").status_code == 200 and client.get("/api/v1/search?q=x").status_code == 200
    assert client.get("/api/v1/account").json()["user"] is None
    refused = client.post("/api/v1/admin/users", json={"name": "first", "password": "first-passphrase", "role": "admin"})
    assert refused.status_code == 403 and "solidarity user add" in refused.json()["error"]  # nobody closes an open server
    users.add_user(store, "first", "first-passphrase", role="admin", who="test")
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2F"
    assert client.get("/api/v1/search?q=x").status_code == 401
    for public in ("/login", "/static/style.css", "/vendor/vis-network.min.js"):
        assert client.get(public).status_code == 200, public
    assert _login(client, "first", "first-passphrase").status_code == 200
    assert client.get("/").status_code == 200


def test_accounts_login_next_stays_on_this_server(site: tuple[TestClient, World, Store]) -> None:
    client = TestClient(site[0].app)
    for target, expected in (("/entity/1", "/entity/1"), ("//evil.example/x", "/"), ("https://evil.example", "/")):
        r = client.post("/login", json={"name": "vera", "password": PASSWORDS["vera"], "next": target})
        assert r.json()["next"] == expected


def test_accounts_login_refuses_a_cross_site_form(site: tuple[TestClient, World, Store]) -> None:
    client, _, _ = site
    assert client.post("/login", data={"name": "vera", "password": PASSWORDS["vera"]}).status_code == 415
    r = client.post("/login", json={"name": "vera", "password": PASSWORDS["vera"]}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403


# ---- the admin's API --------------------------------------------------------------------------------------
def test_accounts_admin_manages_users_collections_and_tokens(site: tuple[TestClient, World, Store]) -> None:
    client, w, store = site
    h = w.auth("ada")
    assert client.post("/api/v1/admin/users", json={"name": "nina", "password": "nina-passphrase", "role": "viewer"}, headers=h).json()["ok"]
    assert client.post("/api/v1/admin/users/nina/role", json={"role": "editor"}, headers=h).json()["user"]["role"] == "editor"
    assert client.post("/api/v1/admin/collections", json={"name": "UE locals"}, headers=h).json()["ok"]
    assert client.post("/api/v1/admin/collections/UE locals/grant", json={"user": "nina", "level": "write"}, headers=h).json()["ok"]
    assigned = client.post("/api/v1/admin/collections/UE locals/assign", json={"documents": [w.public]}, headers=h).json()
    assert assigned["assigned"] == [w.public]
    made = client.post("/api/v1/admin/tokens", json={"user": "nina", "name": "sync"}, headers=h).json()
    assert made["token"].startswith("sgt_")
    assert client.get("/api/v1/account", headers={"Authorization": f"Bearer {made['token']}"}).json()["grants"] == [
        {"collection": "UE locals", "level": "write"}]
    assert client.post(f"/api/v1/admin/tokens/{made['id']}/revoke", json={}, headers=h).json()["revoked"]
    bad = client.post("/api/v1/admin/users", json={"name": "nina", "password": "x" * 12, "role": "viewer"}, headers=h)
    assert bad.status_code == 400 and "already" in bad.json()["error"]
    actions = [r["action"] for r in client.get("/api/v1/admin/log?limit=20", headers=h).json()["log"]]
    assert {"user_add", "user_role", "collection_add", "grant", "collection_assign", "token_create", "token_revoke"} <= set(actions)
    assert client.post("/api/v1/admin/collections/UE locals/assign", json={"documents": [w.public], "remove": True}, headers=h).json()["ok"]
    page = client.get("/admin", headers=h)
    assert page.status_code == 200 and "UE locals" in page.text and "nina" in page.text


def test_accounts_change_own_password(store: Store) -> None:
    users.add_user(store, "self", "old-passphrase", role="viewer", who="test")
    client = TestClient(create_app(store=store))
    _login(client, "self", "old-passphrase")
    wrong = client.post("/api/v1/account/password", json={"current": "nope-nope-nope", "password": "new-passphrase"})
    assert wrong.status_code == 403 and users.auth_log(store, 1)[0]["ok"] is False
    assert client.post("/api/v1/account/password", json={"current": "old-passphrase", "password": "new-passphrase"}).json()["ok"]
    assert client.get("/api/v1/account").status_code == 401  # sessions end with the old password
    assert _login(client, "self", "new-passphrase").status_code == 200


def test_accounts_upload_into_a_collection_needs_write(site: tuple[TestClient, World, Store]) -> None:
    client, w, store = site
    coll.add_collection(store, "Uploads", who="test")
    files = {"file": ("note.txt", b"Union News\n\nKCTU held a rally in Busan on June 3, 2024.", "text/plain")}
    headers = {**w.auth("eddie"), "X-Solidarity-Upload": "1"}
    assert client.post("/api/v1/documents", files=files, data={"collection": "Uploads"}, headers=headers).status_code == 403
    coll.grant(store, "Uploads", "eddie", "write", who="test")
    r = client.post("/api/v1/documents", files=files, data={"collection": "Uploads"}, headers=headers)
    assert r.status_code == 201, r.text
    assert coll.document_collections(store, r.json()["document"]) == ["Uploads"]
    assert client.get(f"/api/v1/documents/{r.json()['document']}", headers=w.auth("vera")).status_code == 404


# ---- the command line --------------------------------------------------------------------------------------
def test_accounts_cli_users_tokens_and_collections(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> Any:
        out = runner.invoke(main, [*args, "--db", db], input=stdin)
        assert out.exit_code == 0, out.output
        return out

    run("user", "add", "root", "--role", "admin", "--password-stdin", stdin="root-passphrase\n")
    run("user", "add", "reader", "--role", "viewer", stdin="reader-passphrase\nreader-passphrase\n")
    bad = runner.invoke(main, ["user", "add", "root", "--role", "viewer", "--password-stdin", "--db", db], input="another-pass\n")
    assert bad.exit_code == 1 and "already a user 'root'" in bad.output
    token = run("token", "create", "laptop", "--user", "reader").stdout.strip().splitlines()[-1]
    assert token.startswith("sgt_")
    run("collection", "add", "KCTU internal", "--description", "memos")
    run("collection", "grant", "KCTU internal", "reader")
    assert "reader\tviewer\tKCTU internal (read)" in run("user", "list").output
    run("user", "disable", "reader")
    run("token", "revoke", "1")
    run("user", "passwd", "root", "--password-stdin", stdin="root-passphrase-2\n")
    log = run("user", "log").output
    assert "user_add" in log and "token_revoke" in log and "user_disable" in log and "user_passwd" in log
    store = Store.open(db)
    try:
        assert users.authenticate(store, "root", "root-passphrase-2") is not None
        assert users.token_user(store, token) is None
    finally:
        store.close()


# ---- in a real browser -------------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.skipif(not HAVE_CHROMIUM, reason="Debian's chromium is not installed")
def test_accounts_browser_login(browser: Any, store: Store) -> None:
    """Chromium: a page sends to /login, the form logs in and comes back, the cookie is HttpOnly, logging out works."""
    users.add_user(store, "ada", PASSWORDS["ada"], role="admin", who="test")
    with live_server(store) as url, new_page(browser, url) as page:
        page.goto(url + "/events")
        page.wait_for_url("**/login?next=%2Fevents")
        page.fill("input[name=name]", "ada")
        page.fill("input[name=password]", "not the password")
        page.click("#login-form button")
        page.wait_for_function("document.getElementById('login-status').textContent.length > 0")
        page.fill("input[name=password]", PASSWORDS["ada"])
        with page.expect_navigation():
            page.click("#login-form button")
        assert page.url.endswith("/events")
        assert page.locator("header .who a").first.inner_text() == "ada"
        cookie = [c for c in page.context.cookies() if c["name"] == COOKIE][0]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        assert page.evaluate("document.cookie").find(COOKIE) == -1  # scripts cannot read it
        made = page.evaluate("""fetch('/api/v1/funds', {method: 'POST', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({name: 'Strike fund', currency: 'USD', who: 'mallory'})}).then(r => r.json())""")
        assert made["ok"] and audit_log(store, 1)[0]["who"] == "ada"  # a change through uvicorn, logged as the account
        with page.expect_navigation():
            page.click("header .who button")
        page.wait_for_url("**/login")
        page.goto(url + "/events")
        page.wait_for_url("**/login?next=%2Fevents")
    failed = users.auth_log(store, 5, action="login")  # the newest first: the good login, then the bad one
    assert [r["ok"] for r in failed][:2] == [True, False] and failed[1]["ip"] == "127.0.0.1"
