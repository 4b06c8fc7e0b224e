"""Accounts: users with a role, login sessions, API tokens, and the log of logins and account changes.

Roles, each with the rights of the one before: ``viewer`` reads; ``editor`` also curates and does the
program's work (exchanges, commitments, ledger, watches, feeds, uploads); ``admin`` also manages
accounts, collections, grants and tokens, sees every collection and may name protected people.

Only hashes are stored: argon2 for passwords, SHA-256 for session and API tokens (random 256-bit
values: nothing to guess, and a lookup needs a hash that is always the same). Every login, failed or
not, and every change to an account is a row of ``auth_log``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from solidarity_graph.accounts.passwords import (
    check_password_rules,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from solidarity_graph.errors import InputError
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = [
    "ROLES", "User", "accounts_enabled", "add_user", "set_password", "set_role", "set_disabled", "list_users", "get_user",
    "authenticate", "create_session", "session_user", "end_session", "create_token", "token_user", "revoke_token",
    "list_tokens", "log_auth", "auth_log", "role_at_least", "TooManyFailures", "user_row",
]

ROLES = ("viewer", "editor", "admin")  # each with the rights of the one before
NAME = re.compile(r"[\w.@+-]{1,120}")
SESSION_IDLE = dt.timedelta(hours=12)  # a session unused this long ends
SESSION_MAX = dt.timedelta(days=7)  # and none lasts longer than this
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen is written at most this often
TOKEN_PREFIX = "sgt_"
# failed logins within the window after which even the right password is refused until it passes
FAIL_WINDOW = dt.timedelta(minutes=15)
MAX_FAILS_NAME, MAX_FAILS_IP = 10, 30


class TooManyFailures(InputError):
    """Too many failed logins for this name or from this address lately."""


@dataclass(frozen=True)
class User:
    """An account as the server sees it: who, and with what role."""

    id: int
    name: str
    role: str
    disabled: bool = False

    def can(self, role: str) -> bool:
        """True when this user has ``role``'s rights (an admin can do what an editor can)."""
        return role_at_least(self.role, role)


def role_at_least(role: str, needed: str) -> bool:
    """True when ``role`` has the rights of ``needed``."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(when: dt.datetime) -> str:
    return when.isoformat(timespec="seconds")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row: Any) -> User:
    return User(id=int(row.id), name=str(row.name), role=str(row.role), disabled=bool(row.disabled))


def log_auth(conn: Connection, who: str, action: str, target: str | None = None, *, ok: bool = True,
             ip: str | None = None, detail: dict[str, Any] | None = None) -> int:
    """One row of the login and account log; returns its id."""
    key = conn.execute(insert(t.auth_log).values(at=_iso(_now()), who=who[:120], action=action, target=target, ok=ok,
                                                 ip=ip, detail=detail)).inserted_primary_key
    assert key is not None
    return int(key[0])


def auth_log(store: Store, limit: int = 200, *, action: str | None = None) -> list[dict[str, Any]]:
    """The latest rows of the login and account log, newest first."""
    q = select(t.auth_log).order_by(t.auth_log.c.id.desc()).limit(limit)
    if action:
        q = q.where(t.auth_log.c.action == action)
    with store.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def accounts_enabled(store: Store | Connection) -> bool:
    """True once any account exists: from then on the web server wants a login (disabled ones count too)."""
    q = select(t.users.c.id).limit(1)
    if isinstance(store, Connection):
        return store.execute(q).first() is not None
    with store.connect() as conn:
        return conn.execute(q).first() is not None


# ---- accounts -------------------------------------------------------------------------------------
def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"role is one of {', '.join(ROLES)}", field="role")
    return role


def user_row(conn: Connection, user: str | int) -> Any:
    """The users row of ``user`` (a name, or an id as an int); an InputError naming the field when there is none."""
    col = t.users.c.id if isinstance(user, int) else t.users.c.name
    row = conn.execute(select(t.users).where(col == user)).first()
    if row is None:
        raise InputError(f"no user {user!r}", field="user")
    return row


def get_user(store: Store, user: str | int) -> User:
    """The account named ``user`` (or with that id); an InputError when there is none."""
    with store.connect() as conn:
        return _user(user_row(conn, user))


def list_users(store: Store) -> list[dict[str, Any]]:
    """Every account with its role, state, collections granted and live sessions (never a hash)."""
    with store.connect() as conn:
        users = [{"id": r.id, "name": r.name, "role": r.role, "disabled": bool(r.disabled), "created_at": r.created_at,
                  "grants": [], "sessions": 0} for r in conn.execute(select(t.users).order_by(t.users.c.name))]
        by_id = {u["id"]: u for u in users}
        for g in conn.execute(select(t.collection_grants.c.user_id, t.collection_grants.c.level, t.collections.c.name)
                              .join(t.collections, t.collections.c.id == t.collection_grants.c.collection_id)
                              .order_by(t.collections.c.name)):
            by_id[g.user_id]["grants"].append({"collection": g.name, "level": g.level})
        for s in conn.execute(select(t.sessions.c.user_id, func.count()).where(t.sessions.c.expires_at > _iso(_now()))
                              .group_by(t.sessions.c.user_id)):
            by_id[s[0]]["sessions"] = int(s[1])
    return users


def add_user(store: Store, name: str, password: str, *, role: str, who: str) -> User:
    """Create an account (audited); the name must be new."""
    if not NAME.fullmatch(name or ""):
        raise InputError("a user name is 1-120 letters, digits or . @ + - _", field="name")
    _check_role(role)
    check_password_rules(password)
    digest = hash_password(password)
    with store.engine.begin() as conn:
        if conn.execute(select(t.users.c.id).where(t.users.c.name == name)).first() is not None:
            raise InputError(f"there is already a user {name!r}", field="name")
        key = conn.execute(insert(t.users).values(name=name, password_hash=digest, role=role, disabled=False,
                                                  created_at=_iso(_now()))).inserted_primary_key
        assert key is not None
        log_auth(conn, who, "user_add", f"user {name}", detail={"role": role})
    return User(id=int(key[0]), name=name, role=role)


def set_password(store: Store, user: str | int, password: str, *, who: str) -> None:
    """Give an account a new password (audited); its sessions end."""
    check_password_rules(password)
    digest = hash_password(password)
    with store.engine.begin() as conn:
        row = user_row(conn, user)
        conn.execute(update(t.users).where(t.users.c.id == row.id).values(password_hash=digest))
        conn.execute(delete(t.sessions).where(t.sessions.c.user_id == row.id))
        log_auth(conn, who, "user_passwd", f"user {row.name}")


def set_role(store: Store, user: str | int, role: str, *, who: str) -> User:
    """Change an account's role (audited)."""
    _check_role(role)
    with store.engine.begin() as conn:
        row = user_row(conn, user)
        conn.execute(update(t.users).where(t.users.c.id == row.id).values(role=role))
        log_auth(conn, who, "user_role", f"user {row.name}", detail={"before": row.role, "after": role})
    return User(id=int(row.id), name=str(row.name), role=role, disabled=bool(row.disabled))


def set_disabled(store: Store, user: str | int, disabled: bool, *, who: str) -> User:
    """Disable an account (it cannot log in; its sessions end, its tokens stop working) or enable it again."""
    with store.engine.begin() as conn:
        row = user_row(conn, user)
        conn.execute(update(t.users).where(t.users.c.id == row.id).values(disabled=disabled))
        if disabled:
            conn.execute(delete(t.sessions).where(t.sessions.c.user_id == row.id))
        log_auth(conn, who, "user_disable" if disabled else "user_enable", f"user {row.name}")
    return User(id=int(row.id), name=str(row.name), role=str(row.role), disabled=disabled)


# ---- logging in ------------------------------------------------------------------------------------
def _recent_failures(conn: Connection, column: Any, value: str) -> int:
    since = _iso(_now() - FAIL_WINDOW)
    last_ok = select(func.max(t.auth_log.c.id)).where(t.auth_log.c.action == "login", t.auth_log.c.ok.is_(True), column == value)
    q = select(func.count()).select_from(t.auth_log).where(
        t.auth_log.c.action == "login", t.auth_log.c.ok.is_(False), column == value, t.auth_log.c.at >= since,
        t.auth_log.c.id > func.coalesce(last_ok.scalar_subquery(), 0))
    return int(conn.execute(q).scalar_one())


def authenticate(store: Store, name: str, password: str, *, ip: str | None = None) -> User | None:
    """The user when ``name`` and ``password`` match an enabled account, else None; either way logged.

    Raises :class:`TooManyFailures` (logged too) after too many failed logins for the name or from
    the address within the last quarter of an hour.
    """
    name = (name or "")[:120]
    with store.engine.begin() as conn:
        throttled = _recent_failures(conn, t.auth_log.c.who, name) >= MAX_FAILS_NAME or bool(
            ip and _recent_failures(conn, t.auth_log.c.ip, ip) >= MAX_FAILS_IP)
        if throttled:
            log_auth(conn, name, "login_throttled", f"user {name}", ok=False, ip=ip)
    if throttled:  # raised once the log row is committed
        raise TooManyFailures("too many failed logins: wait a quarter of an hour", field="password")
    with store.engine.begin() as conn:
        row = conn.execute(select(t.users).where(t.users.c.name == name)).first()
        good = verify_password(row.password_hash if row is not None else dummy_hash(), password)
        reason = None if good and row is not None and not row.disabled else "disabled" if good and row is not None else "bad name or password"
        log_auth(conn, name, "login", f"user {name}", ok=reason is None, ip=ip, detail={"reason": reason} if reason else None)
        if reason is not None or row is None:
            return None
        if needs_rehash(row.password_hash):  # argon2's parameters went up since: store the stronger hash
            conn.execute(update(t.users).where(t.users.c.id == row.id).values(password_hash=hash_password(password)))
        return _user(row)


def create_session(store: Store, user: User, *, ip: str | None = None) -> str:
    """A new login session for ``user``: the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = _now()
    with store.engine.begin() as conn:
        conn.execute(delete(t.sessions).where(t.sessions.c.expires_at <= _iso(now)))  # sweep the expired
        conn.execute(insert(t.sessions).values(token_hash=_digest(token), user_id=user.id, created_at=_iso(now),
                                               expires_at=_iso(now + SESSION_IDLE), last_seen=_iso(now), ip=ip))
    return token


def session_user(store: Store, token: str) -> User | None:
    """The enabled user whose live session ``token`` is; the session is kept alive (idle time restarts)."""
    if not token or len(token) > 200:
        return None
    now = _now()
    with store.connect() as conn:
        row = conn.execute(select(t.sessions, t.users.c.name, t.users.c.role, t.users.c.disabled)
                           .join(t.users, t.users.c.id == t.sessions.c.user_id)
                           .where(t.sessions.c.token_hash == _digest(token))).first()
    if row is None or row.disabled or row.expires_at <= _iso(now):
        return None
    if dt.datetime.fromisoformat(row.last_seen) + TOUCH_EVERY <= now:
        cap = dt.datetime.fromisoformat(row.created_at) + SESSION_MAX
        with store.engine.begin() as conn:
            conn.execute(update(t.sessions).where(t.sessions.c.id == row.id)
                         .values(last_seen=_iso(now), expires_at=_iso(min(now + SESSION_IDLE, cap))))
    return User(id=int(row.user_id), name=str(row.name), role=str(row.role))


def end_session(store: Store, token: str, *, ip: str | None = None) -> bool:
    """Log out: the session is deleted (logged); False when there was none."""
    with store.engine.begin() as conn:
        row = conn.execute(select(t.sessions.c.id, t.users.c.name).join(t.users, t.users.c.id == t.sessions.c.user_id)
                           .where(t.sessions.c.token_hash == _digest(token))).first()
        if row is None:
            return False
        conn.execute(delete(t.sessions).where(t.sessions.c.id == row.id))
        log_auth(conn, str(row.name), "logout", f"user {row.name}", ip=ip)
    return True


# ---- API tokens ------------------------------------------------------------------------------------
def create_token(store: Store, user: str | int, name: str, *, who: str) -> tuple[int, str]:
    """A new API token for ``user`` (audited): its id and the token, which is shown this once."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise InputError("a token needs a name (what it is for), at most 120 characters", field="name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.engine.begin() as conn:
        row = user_row(conn, user)
        key = conn.execute(insert(t.api_tokens).values(token_hash=_digest(token), hint=token[:10], name=name, user_id=row.id,
                                                       created_at=_iso(_now()))).inserted_primary_key
        assert key is not None
        log_auth(conn, who, "token_create", f"token {key[0]}", detail={"user": row.name, "name": name})
    return int(key[0]), token


def token_user(store: Store, token: str) -> User | None:
    """The enabled user an unrevoked API token belongs to (its last use is recorded), else None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    with store.connect() as conn:
        row = conn.execute(select(t.api_tokens.c.id, t.api_tokens.c.last_used, t.users.c.id.label("uid"), t.users.c.name,
                                  t.users.c.role, t.users.c.disabled)
                           .join(t.users, t.users.c.id == t.api_tokens.c.user_id)
                           .where(t.api_tokens.c.token_hash == _digest(token), t.api_tokens.c.revoked_at.is_(None))).first()
    if row is None or row.disabled:
        return None
    now = _now()
    if row.last_used is None or dt.datetime.fromisoformat(row.last_used) + TOUCH_EVERY <= now:
        with store.engine.begin() as conn:
            conn.execute(update(t.api_tokens).where(t.api_tokens.c.id == row.id).values(last_used=_iso(now)))
    return User(id=int(row.uid), name=str(row.name), role=str(row.role))


def revoke_token(store: Store, token_id: int, *, who: str) -> dict[str, Any]:
    """Revoke an API token by its id (audited); an error when there is none or it is revoked already."""
    with store.engine.begin() as conn:
        row = conn.execute(select(t.api_tokens).where(t.api_tokens.c.id == token_id)).first()
        if row is None:
            raise InputError(f"no token {token_id}", field="token")
        if row.revoked_at is not None:
            raise InputError(f"token {token_id} was revoked on {row.revoked_at}", field="token")
        conn.execute(update(t.api_tokens).where(t.api_tokens.c.id == token_id).values(revoked_at=_iso(_now())))
        log_auth(conn, who, "token_revoke", f"token {token_id}", detail={"name": row.name})
    return {"token": token_id, "revoked": True}


def list_tokens(store: Store, user: str | int | None = None) -> list[dict[str, Any]]:
    """API tokens (every one, or one user's): id, name, owner, hint, created, last used, revoked (never the token)."""
    q = (select(t.api_tokens.c.id, t.api_tokens.c.name, t.api_tokens.c.hint, t.api_tokens.c.created_at, t.api_tokens.c.last_used,
                t.api_tokens.c.revoked_at, t.users.c.name.label("user"))
         .join(t.users, t.users.c.id == t.api_tokens.c.user_id).order_by(t.api_tokens.c.id))
    with store.connect() as conn:
        if user is not None:
            q = q.where(t.api_tokens.c.user_id == user_row(conn, user).id)
        return [dict(r._mapping) for r in conn.execute(q)]
