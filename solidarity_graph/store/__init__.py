"""The store: SQLAlchemy over SQLite (default) or PostgreSQL, migrated by Alembic.

One transaction per document: a document is stored whole with every fact, or not at all.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, make_url, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from solidarity_graph.errors import StoreError
from solidarity_graph.model import Document
from solidarity_graph.resolve import EntityIndex, Resolver
from solidarity_graph.store import tables as t

__all__ = ["Store", "db_url", "DEFAULT_DB", "unavailable"]

DEFAULT_DB = "solidarity.db"
MIGRATIONS = Path(__file__).parent / "migrations"
CONNECT_TIMEOUT = 10  # seconds to reach a PostgreSQL server before a request fails (unless the URL says)


def db_url(db: str | None) -> str:
    """A file path or an SQLAlchemy URL (``--db``, else ``SOLIDARITY_DB``, else ./solidarity.db).

    A PostgreSQL URL without a driver (``postgresql://``, ``postgres://``) gets psycopg 3, the driver
    the ``postgres`` extra installs.
    """
    db = db or os.environ.get("SOLIDARITY_DB") or DEFAULT_DB
    if "://" in db:
        scheme, rest = db.split("://", 1)
        return f"postgresql+psycopg://{rest}" if scheme in ("postgresql", "postgres") else db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def _shown(url: str) -> str:
    """The URL for messages: never the password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("://", 1)[0] + "://..."


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    """A graph store. ``Store.open(db)`` migrates it to the newest schema."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._index: EntityIndex | None = None

    @classmethod
    def open(cls, db: str | None = None) -> Store:
        """Open (and create or upgrade) the store at ``db``."""
        url = db_url(db)
        try:
            engine = create_engine(url, **_engine_options(url))
        except ModuleNotFoundError as e:  # the URL names a driver that is not installed
            hint = (" (pip install 'solidarity-graph[postgres]')" if e.name == "psycopg"
                    else " (PostgreSQL: postgresql+psycopg://...)" if url.startswith("postgresql") else "")
            raise StoreError(f"cannot open the store at {_shown(url)}: no module {e.name}{hint}") from e
        except (SQLAlchemyError, ValueError) as e:
            raise StoreError(f"cannot open the store at {_shown(url)}: {e}") from e
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        store = cls(engine)
        try:
            store.migrate()
        except SQLAlchemyError as e:
            engine.dispose()
            raise StoreError(f"cannot open the store at {_shown(url)}: {getattr(e, 'orig', None) or e}") from e
        return store

    def migrate(self) -> None:
        """Upgrade the schema to the newest Alembic revision."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    # ---- documents -------------------------------------------------------------------
    def has_hash(self, content_hash: str) -> bool:
        """True when a document with this content is stored."""
        with self.engine.connect() as conn:
            return conn.execute(select(t.documents.c.id).where(t.documents.c.content_hash == content_hash)).first() is not None

    def has_id(self, doc_id: str) -> bool:
        """True when a document with this id is stored."""
        with self.engine.connect() as conn:
            return conn.execute(select(t.documents.c.id).where(t.documents.c.id == doc_id)).first() is not None

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        out = {}
        with self.engine.connect() as conn:
            for name in ("documents", "entities", "events", "relations", "quantities", "mentions"):
                out[name] = int(conn.execute(select(func.count()).select_from(t.metadata.tables[name])).scalar_one())
        return out

    # ---- writing ---------------------------------------------------------------------
    def index(self, resolver_factory: Any) -> Resolver:
        """A resolver over the store's entities (loaded once, kept up to date)."""
        from solidarity_graph.extract.entities import surname_key

        if self._index is None:
            idx = EntityIndex()
            with self.engine.connect() as conn:
                ents: dict[int, Any] = {r.id: r for r in conn.execute(select(
                    t.entities.c.id, t.entities.c.type, t.entities.c.gazetteer_key, t.entities.c.country).order_by(t.entities.c.id))}
                names: dict[int, list[str]] = {}
                for r in conn.execute(select(t.aliases.c.entity_id, t.aliases.c.name).order_by(t.aliases.c.id)):
                    names.setdefault(r.entity_id, []).append(r.name)
                for ev in conn.execute(select(t.events.c.type, t.events.c.place_id, t.events.c.date).where(
                        t.events.c.date_source == "text", t.events.c.place_id.is_not(None))):
                    idx.event_keys.add((ev.type, ev.place_id, (ev.date or "")[:4]))
            for eid, r in ents.items():
                idx.add(eid, r.type, names.get(eid, []), r.gazetteer_key, surname_key, r.country if r.type == "place" else None)
            self._index = idx
        resolver: Resolver = resolver_factory(self._index)
        return resolver

    def save(self, doc: Document, resolver: Resolver) -> dict[str, int]:
        """Store ``doc`` and its facts in one transaction; returns counts of what was added."""
        from solidarity_graph.store.writer import write_document

        assert self._index is not None, "call index() first"
        try:
            with self.engine.begin() as conn:
                return write_document(conn, doc, resolver, self._index, _now())
        except SQLAlchemyError as e:
            self._index = None  # the in-memory index may hold rolled-back ids
            raise StoreError(f"{doc.source}: could not store the document: {e.orig if hasattr(e, 'orig') else e}") from e

    def replace(self, doc: Document, resolver: Resolver) -> dict[str, int]:
        """Re-store a document already stored (re-extraction): its old facts go, in the same transaction."""
        from solidarity_graph.store.writer import write_document

        assert self._index is not None, "call index() first"
        try:
            with self.engine.begin() as conn:
                conn.execute(t.documents.delete().where(t.documents.c.id == doc.id))
                return write_document(conn, doc, resolver, self._index, _now())
        except SQLAlchemyError as e:
            self._index = None
            raise StoreError(f"{doc.source}: could not store the document: {e}") from e

    def stored_documents(self, ids: list[str] | None = None) -> list[Document]:
        """Stored documents as Documents (text and metadata), to extract again."""
        q = select(t.documents)
        if ids:
            q = q.where(t.documents.c.id.in_(ids))
        with self.engine.connect() as conn:
            return [Document(text=r.text, source=r.source, title=r.title, published=r.published, language=r.language,
                             doc_id=r.id, meta=dict(r.meta or {})) for r in conn.execute(q.order_by(t.documents.c.id))]

    def forget_index(self) -> None:
        """Drop the in-memory resolution index (after curation changed entities or names)."""
        self._index = None

    def connect(self) -> Connection:
        """A connection for queries (use as a context manager); what it reads is one state of the store.

        A page reads names, then facts, in several statements; an ingest committing in between gave it a
        fact naming an entity it had not read (a 500 under load, issue 7). So the reads share a snapshot:
        a read transaction on SQLite (pysqlite would begin none before a write), REPEATABLE READ on
        PostgreSQL (READ COMMITTED takes a new snapshot per statement). Writes use ``engine.begin()``.
        """
        conn = self.engine.connect()
        if conn.dialect.name == "postgresql":
            return conn.execution_options(isolation_level="REPEATABLE READ")
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")  # deferred: the snapshot is taken at the first read
        return conn


def _engine_options(url: str) -> dict[str, Any]:
    """PostgreSQL: a pooled connection is tested before use, so a server restarted under a running web
    server or ingest costs the requests made while it was down and no more; and connecting gives up
    after CONNECT_TIMEOUT seconds rather than hanging (issue 7)."""
    if not url.startswith("postgresql"):
        return {}
    options: dict[str, Any] = {"pool_pre_ping": True}
    if "connect_timeout" not in make_url(url).query:
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    return options


def unavailable(e: BaseException) -> str | None:
    """Why the store cannot be reached just now, read from ``e`` and its causes; None for any other error.

    These pass: the database server is down or restarting, the connection to it was lost, every pooled
    connection is busy, another process holds an SQLite file's lock past the busy timeout. A request may
    be tried again later; nothing was half-written (a transaction that failed is rolled back).
    """
    from sqlalchemy.exc import DBAPIError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    cause: BaseException | None = e
    while cause is not None:
        if isinstance(cause, PoolTimeout):
            return "no connection to the store is free (too many requests at once)"
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return "the connection to the store's database server was lost"
        orig = getattr(cause, "orig", None)
        if isinstance(cause, OperationalError) and type(orig).__module__.startswith("psycopg"):
            return "the store's database server cannot be reached"
        if getattr(orig, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED"):
            return "the store is locked by another writer"
        cause = cause.__cause__ or cause.__context__
    return None


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
