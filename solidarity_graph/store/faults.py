"""Faults that must lose nothing (issue 7): the work a killed ingest owes, and a disk that is full.

The program's hooks (commitments found, exchanges proposed, alerts raised) run after a batch is
stored. An ingest killed in between, or stopped by a full disk, would leave documents stored
without that work, and a re-run skips them as unchanged. So a document is marked before it is
stored, the mark goes once the hooks have run over it, and the next ingest runs the hooks for
what is still marked (they are idempotent). Like the in-memory entity index, this assumes one
ingest at a time per store.

A mark is a row of ``settings`` keyed ``pending_hooks:<document id>`` (no migration needed; it
travels in a dump like the rest of the store).
"""

from __future__ import annotations

import errno

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from solidarity_graph.errors import StoreError
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["mark_pending", "pending_documents", "clear_pending", "store_failure"]

PREFIX = "pending_hooks:"
CHUNK = 500  # keys per DELETE ... IN (...)
FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}  # what an OSError says when no byte more fits


def mark_pending(store: Store, doc_id: str) -> None:
    """Note that ``doc_id`` is about to be stored and owes the program's hooks a run."""
    key = PREFIX + doc_id
    try:
        with store.engine.begin() as conn:
            if conn.execute(select(t.settings.c.key).where(t.settings.c.key == key)).first() is None:
                conn.execute(insert(t.settings).values(key=key, value=None))
    except SQLAlchemyError as e:
        raise StoreError(f"could not write to the store: {getattr(e, 'orig', e)}") from e


def pending_documents(store: Store) -> list[str]:
    """Stored documents whose hooks have not run (a mark of a document never stored is left alone)."""
    with store.engine.connect() as conn:
        keys = conn.execute(select(t.settings.c.key).where(t.settings.c.key.startswith(PREFIX, autoescape=True))
                            .order_by(t.settings.c.key))
        ids = [k[len(PREFIX):] for (k,) in keys]
        return [i for i in ids if conn.execute(select(t.documents.c.id).where(t.documents.c.id == i)).first()]


def clear_pending(store: Store, doc_ids: list[str]) -> None:
    """The hooks have run over these documents."""
    try:
        with store.engine.begin() as conn:
            for i in range(0, len(doc_ids), CHUNK):
                keys = [PREFIX + d for d in doc_ids[i : i + CHUNK]]
                conn.execute(delete(t.settings).where(t.settings.c.key.in_(keys)))
    except SQLAlchemyError as e:
        raise StoreError(f"could not write to the store: {getattr(e, 'orig', e)}") from e


def store_failure(e: BaseException) -> str | None:
    """Why the store can take nothing more (its disk is full or fails), read from ``e``'s causes; else None.

    After one of these every further write fails too, so an ingest stops rather than trying each
    remaining document.
    """
    cause: BaseException | None = e
    while cause is not None:
        orig = getattr(cause, "orig", None) or cause
        code = getattr(orig, "sqlite_errorname", "") or ""
        state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or ""
        if code == "SQLITE_FULL" or state == "53100" or (isinstance(orig, OSError) and orig.errno in FULL):
            return "the disk holding the store is full"
        if code.startswith("SQLITE_IOERR") or state.startswith("58"):
            return f"the store's disk failed a write ({orig}; a full disk or a file size limit does this)"
        cause = cause.__cause__ or cause.__context__
    return None

