"""Collections: named sets of documents ("KCTU internal") that only the accounts granted one may see.

A document in no collection is seen by every account; a document in one or more collections only by
admins and by accounts with a grant (``read`` or ``write``) on one of them. ``write`` also lets an
editor upload into the collection. Every change is a row of the login and account log.

A document is put in its collection *before* it is stored (:func:`assign_before_storing`), so that
there is no moment at which everyone could see it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from solidarity_graph.accounts.users import User, log_auth, user_row
from solidarity_graph.errors import InputError
from solidarity_graph.model import Document
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["LEVELS", "add_collection", "list_collections", "find_collection", "assign", "unassign", "grant", "revoke",
           "assign_before_storing", "may_write", "document_collections"]

LEVELS = ("read", "write")
T = TypeVar("T")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _find(conn: Connection, ref: str | int) -> Any:
    col = t.collections.c.id if isinstance(ref, int) else t.collections.c.name
    row = conn.execute(select(t.collections).where(col == ref)).first()
    if row is None:
        raise InputError(f"no collection {ref!r}", field="collection")
    return row


def find_collection(store: Store, ref: str | int) -> dict[str, Any]:
    """The collection named ``ref`` (or with that id); an InputError naming the field when there is none."""
    with store.connect() as conn:
        return dict(_find(conn, ref)._mapping)


def add_collection(store: Store, name: str, description: str | None = None, *, who: str) -> dict[str, Any]:
    """Create a collection (audited); the name must be new."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InputError("a collection needs a name of at most 200 characters", field="name")
    with store.engine.begin() as conn:
        if conn.execute(select(t.collections.c.id).where(t.collections.c.name == name)).first() is not None:
            raise InputError(f"there is already a collection {name!r}", field="name")
        key = conn.execute(insert(t.collections).values(name=name, description=description, created_at=_now())).inserted_primary_key
        assert key is not None
        log_auth(conn, who, "collection_add", f"collection {name}", detail={"description": description})
    return {"id": int(key[0]), "name": name, "description": description}


def list_collections(store: Store) -> list[dict[str, Any]]:
    """Every collection with its number of documents and its grants."""
    with store.connect() as conn:
        out = [{**dict(r._mapping), "documents": 0, "grants": []}
               for r in conn.execute(select(t.collections).order_by(t.collections.c.name))]
        by_id = {c["id"]: c for c in out}
        for r in conn.execute(select(t.document_collections.c.collection_id, func.count())
                              .group_by(t.document_collections.c.collection_id)):
            by_id[r[0]]["documents"] = int(r[1])
        for g in conn.execute(select(t.collection_grants.c.collection_id, t.collection_grants.c.level, t.users.c.name)
                              .join(t.users, t.users.c.id == t.collection_grants.c.user_id).order_by(t.users.c.name)):
            by_id[g.collection_id]["grants"].append({"user": g.name, "level": g.level})
    return out


def document_collections(store: Store, doc_id: str) -> list[str]:
    """The names of the collections a document is in."""
    with store.connect() as conn:
        return [r[0] for r in conn.execute(select(t.collections.c.name).join(
            t.document_collections, t.document_collections.c.collection_id == t.collections.c.id)
            .where(t.document_collections.c.document_id == doc_id).order_by(t.collections.c.name))]


def _put(conn: Connection, collection_id: int, doc_ids: Iterable[str]) -> list[str]:
    have = {r[0] for r in conn.execute(select(t.document_collections.c.document_id)
                                       .where(t.document_collections.c.collection_id == collection_id))}
    new = [d for d in dict.fromkeys(doc_ids) if d not in have]
    if new:
        conn.execute(insert(t.document_collections), [{"document_id": d, "collection_id": collection_id} for d in new])
    return new


def assign(store: Store, collection: str | int, doc_ids: list[str], *, who: str) -> dict[str, Any]:
    """Put stored documents in a collection (audited); an id that is no stored document is an error."""
    with store.engine.begin() as conn:
        row = _find(conn, collection)
        known = {r[0] for r in conn.execute(select(t.documents.c.id).where(t.documents.c.id.in_(doc_ids)))}
        missing = [d for d in doc_ids if d not in known]
        if missing:
            raise InputError(f"no document {missing[0]!r}", field="document")
        new = _put(conn, row.id, doc_ids)
        log_auth(conn, who, "collection_assign", f"collection {row.name}", detail={"documents": new})
    return {"collection": row.name, "assigned": new}


def unassign(store: Store, collection: str | int, doc_ids: list[str], *, who: str) -> dict[str, Any]:
    """Take documents out of a collection (audited): one in no collection left is seen by every account."""
    with store.engine.begin() as conn:
        row = _find(conn, collection)
        gone = conn.execute(delete(t.document_collections).where(t.document_collections.c.collection_id == row.id,
                                                                 t.document_collections.c.document_id.in_(doc_ids))).rowcount
        log_auth(conn, who, "collection_unassign", f"collection {row.name}", detail={"documents": doc_ids})
    return {"collection": row.name, "unassigned": int(gone)}


def assign_before_storing(store: Store, collection: str | int, docs: Iterable[T], *, who: str) -> Iterator[T]:
    """Documents as they come, each put in ``collection`` before it is handed on to be stored (anything
    else, such as a reader's ``(path, error)`` for a file it could not read, passes as it is).

    The assignment is committed first, so a document is never visible to everyone, not even while
    it is stored; the log gets one row when the documents run out. (A document that then fails to be
    stored leaves an assignment behind, which does no harm.)
    """
    with store.connect() as conn:
        row = _find(conn, collection)
    cid, name = int(row.id), str(row.name)
    count = 0
    for doc in docs:
        if isinstance(doc, Document):
            with store.engine.begin() as conn:
                count += len(_put(conn, cid, [doc.id]))
        yield doc
    with store.engine.begin() as conn:
        log_auth(conn, who, "collection_ingest", f"collection {name}", detail={"assigned": count})


def grant(store: Store, collection: str | int, user: str | int, level: str = "read", *, who: str) -> dict[str, Any]:
    """Let an account see a collection (``read``) or also upload into it (``write``); audited."""
    if level not in LEVELS:
        raise InputError(f"level is one of {', '.join(LEVELS)}", field="level")
    with store.engine.begin() as conn:
        c, u = _find(conn, collection), user_row(conn, user)
        before = conn.execute(select(t.collection_grants.c.level).where(t.collection_grants.c.collection_id == c.id,
                                                                        t.collection_grants.c.user_id == u.id)).scalar()
        conn.execute(delete(t.collection_grants).where(t.collection_grants.c.collection_id == c.id, t.collection_grants.c.user_id == u.id))
        conn.execute(insert(t.collection_grants).values(collection_id=c.id, user_id=u.id, level=level, created_at=_now()))
        log_auth(conn, who, "grant", f"collection {c.name}", detail={"user": u.name, "before": before, "after": level})
    return {"collection": c.name, "user": u.name, "level": level}


def revoke(store: Store, collection: str | int, user: str | int, *, who: str) -> dict[str, Any]:
    """Take an account's grant on a collection away (audited); an error when it had none."""
    with store.engine.begin() as conn:
        c, u = _find(conn, collection), user_row(conn, user)
        gone = conn.execute(delete(t.collection_grants).where(t.collection_grants.c.collection_id == c.id,
                                                              t.collection_grants.c.user_id == u.id)).rowcount
        if not gone:
            raise InputError(f"{u.name} has no grant on {c.name!r}", field="user")
        log_auth(conn, who, "revoke", f"collection {c.name}", detail={"user": u.name})
    return {"collection": c.name, "user": u.name, "revoked": True}


def may_write(store: Store, user: User | None, collection: str | int) -> bool:
    """True when ``user`` may put documents in the collection: an admin, or an editor with a ``write`` grant
    (None, the local single user of a server without accounts, may)."""
    if user is None or user.can("admin"):
        return True
    if not user.can("editor"):
        return False
    with store.connect() as conn:
        c = _find(conn, collection)
        level = conn.execute(select(t.collection_grants.c.level).where(t.collection_grants.c.collection_id == c.id,
                                                                       t.collection_grants.c.user_id == user.id)).scalar()
    return level == "write"
