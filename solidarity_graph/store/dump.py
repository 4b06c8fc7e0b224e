"""Backup and restore: the whole store as JSON Lines, and back, losslessly.

A dump is one header line, then one line per row of every table, parents before children::

    {"format": "solidarity-dump", "version": 1, "revision": "0004", "engine": "sqlite",
     "created_at": "...", "tables": [{"name": "documents", "rows": 20, "columns": [...]}, ...]}
    {"table": "documents", "row": {"id": "...", "meta": {...}, ...}}
    {"table": "entities", "row": {...}, "sql_null": ["attributes"]}

Rows come in primary-key order from one read transaction, so a dump is a consistent snapshot
and two dumps of the same store differ only in ``created_at``. JSON columns are written as JSON;
``null`` in one of them is JSON's null, and a row lists in ``sql_null`` the JSON columns that hold
SQL NULL instead (the two differ in SQL: ``meta IS NULL``). Floats are written by ``repr``, which
reads back to the same double.

:func:`restore` loads a dump into an empty store in one transaction (all or nothing), on any
SQLAlchemy engine: it resets PostgreSQL's id sequences and refills SQLite's full-text indexes.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import (
    JSON,
    Column,
    Table,
    Text,
    bindparam,
    cast,
    false,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from solidarity_graph.errors import InputError, StoreError
from solidarity_graph.store import MIGRATIONS, Store
from solidarity_graph.store.tables import metadata

__all__ = ["FORMAT", "VERSION", "dump", "dump_file", "restore", "schema_revision"]

FORMAT = "solidarity-dump"
VERSION = 1
# Memory stays flat whatever the store's size: rows go in and out a few at a time (a document's
# text can be megabytes, so a restore batch is also cut by size).
BATCH_ROWS, BATCH_BYTES = 1000, 4 * 2**20  # per INSERT ... executemany while restoring
YIELD = 200  # rows fetched at a time while dumping


def _columns(table: Table) -> list[Column[Any]]:
    """The columns a dump carries: every stored one (a computed column is made by the database)."""
    return [c for c in table.columns if c.computed is None]


def _is_json(col: Column[Any]) -> bool:
    return isinstance(col.type, JSON)


def schema_revision(conn: Connection) -> str | None:
    """The Alembic revision the store is at."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _revisions() -> list[str]:
    """Every revision this version knows, oldest first."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return [r.revision for r in reversed(list(ScriptDirectory.from_config(cfg).walk_revisions()))]


# ---- dump ------------------------------------------------------------------------------------
def _snapshot(conn: Connection) -> None:
    """Make every read on ``conn`` see the store at one moment, while others keep writing."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")  # pysqlite opens no transaction for reads; WAL keeps this one's view
    else:
        conn.execution_options(isolation_level="REPEATABLE READ")


def _select(table: Table) -> Any:
    cols = [cast(c, Text).label(c.name) if _is_json(c) else c for c in _columns(table)]
    order = list(table.primary_key.columns) or _columns(table)
    return select(*cols).order_by(*order).execution_options(yield_per=YIELD)


def _line(table: Table, json_cols: list[str], row: Any) -> str:
    values = dict(row._mapping)
    record: dict[str, Any] = {"table": table.name, "row": values}
    sql_null = []
    for name in json_cols:
        raw = values[name]
        if raw is None:
            sql_null.append(name)
        else:
            values[name] = json.loads(raw)
    if sql_null:
        record["sql_null"] = sql_null
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def dump(store: Store, out: TextIO) -> dict[str, int]:
    """Write the whole store to ``out`` as JSON Lines; returns rows per table.

    Streams: one table at a time, ``YIELD`` rows at a time, whatever the size of the store.
    """
    with store.engine.connect() as conn:
        _snapshot(conn)
        tables = metadata.sorted_tables
        counts = {tb.name: int(conn.execute(select(func.count()).select_from(tb)).scalar_one()) for tb in tables}
        header = {"format": FORMAT, "version": VERSION, "revision": schema_revision(conn), "engine": conn.dialect.name,
                  "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                  "tables": [{"name": tb.name, "rows": counts[tb.name], "columns": [c.name for c in _columns(tb)]}
                             for tb in tables]}
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        for tb in tables:
            json_cols = [c.name for c in _columns(tb) if _is_json(c)]
            for row in conn.execute(_select(tb)):
                out.write(_line(tb, json_cols, row))
    return counts


def dump_file(store: Store, path: Path) -> dict[str, int]:
    """Dump to ``path`` (gzip-compressed when it ends in ``.gz``); a failed dump leaves no file."""
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "wb") as raw:
            binary: Any = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) if path.suffix == ".gz" else raw
            with io.TextIOWrapper(binary, encoding="utf-8", newline="\n") as out:
                counts = dump(store, out)
        os.replace(partial, path)
    except OSError as e:
        partial.unlink(missing_ok=True)
        raise StoreError(f"{path}: cannot write the dump: {e.strerror or e}") from e
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return counts


# ---- restore ---------------------------------------------------------------------------------
def _open_dump(path: Path) -> TextIO:
    """The dump as text, gzip or not (told by its first bytes, not its name)."""
    try:
        with open(path, "rb") as f:
            gz = f.read(2) == b"\x1f\x8b"
        if gz:
            return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
        return open(path, encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot read the dump: {e.strerror or e}", path=str(path)) from e


def _lines(f: TextIO, path: Path) -> Iterator[tuple[int, str]]:
    """The file's lines, numbered from 1; a file that stops making sense names the last good line."""
    n = 0
    try:
        for line in f:
            n += 1
            yield n, line
    except (UnicodeDecodeError, OSError, EOFError) as e:  # EOFError: a gzip file cut short
        raise InputError(f"unreadable after line {n}: {e}", path=str(path)) from e


def _check_header(line: str, path: Path, conn: Connection) -> dict[str, Any]:
    where = str(path)
    try:
        head = json.loads(line)
    except json.JSONDecodeError as e:
        raise InputError(f"not a Solidarity Graph dump: {e.msg}", path=where, line=1) from e
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise InputError(f"not a Solidarity Graph dump (no \"format\": \"{FORMAT}\" header)", path=where, line=1)
    if not isinstance(head.get("version"), int) or head["version"] > VERSION:
        raise InputError(f"dump format version {head.get('version')!r} is newer than this version of "
                         f"solidarity reads ({VERSION}): upgrade solidarity", path=where, line=1)
    _check_revision(str(head.get("revision")), schema_revision(conn), where)
    _check_tables(head.get("tables"), where)
    return head


def _check_revision(theirs: str, ours: str | None, where: str) -> None:
    if theirs == ours:
        return
    known = _revisions()
    if theirs in known and ours in known and known.index(theirs) < known.index(ours):
        raise InputError(
            f"the dump is at schema revision {theirs} and this store at {ours}. Restore it with the version of "
            f"solidarity that wrote it into an empty store, open that store with this version (it migrates to "
            f"{ours}), then dump it again", path=where, line=1, field="revision")
    raise InputError(f"the dump is at schema revision {theirs}, unknown to this version of solidarity (newest: "
                     f"{ours}): upgrade solidarity", path=where, line=1, field="revision")


def _check_tables(tables: Any, where: str) -> None:
    if not isinstance(tables, list) or not all(isinstance(x, dict) for x in tables):
        raise InputError("the header has no table list", path=where, line=1, field="tables")
    theirs = {x.get("name"): x for x in tables}
    ours = {tb.name: tb for tb in metadata.sorted_tables}
    if set(theirs) != set(ours):
        extra, missing = sorted(map(str, set(theirs) - set(ours))), sorted(set(ours) - set(theirs))
        raise InputError(f"the dump's tables differ from this store's: only in the dump: {extra or 'none'}; "
                         f"only in the store: {missing or 'none'}", path=where, line=1, field="tables")
    for name, tb in ours.items():
        cols = [c.name for c in _columns(tb)]
        if theirs[name].get("columns") != cols:
            raise InputError(f"table {name}: the dump's columns {theirs[name].get('columns')} differ from this "
                             f"store's {cols}", path=where, line=1, field="tables")


def _refuse_non_empty(conn: Connection, where: str) -> None:
    for tb in metadata.sorted_tables:
        if conn.execute(select(tb).limit(1)).first() is not None:
            raise StoreError(f"cannot restore {where}: the store is not empty (table {tb.name} has rows); "
                             "restore into a new, empty store")


class _TableLoader:
    """Inserts one table's rows in batches; self-references wait until every row is in."""

    def __init__(self, conn: Connection, table: Table, where: str) -> None:
        self.conn, self.table, self.where = conn, table, where
        self.cols = _columns(table)
        self.names = {c.name for c in self.cols}
        self.json = {c.name for c in self.cols if _is_json(c)}
        # a parent row may come after its child (entities.parent_id, ledger_entries.reverses)
        self.selfref = {fk.parent.name for fk in table.foreign_keys if fk.column.table is table and fk.parent.nullable}
        self.pk = [c.name for c in table.primary_key.columns]
        self.stmt = insert(table).values({c.name: self._bind(c) for c in self.cols})
        self.batch: list[tuple[int, dict[str, Any]]] = []
        self.size = 0
        self.later: dict[str, list[tuple[int, dict[str, Any]]]] = {name: [] for name in self.selfref}
        self.rows = 0

    def _bind(self, col: Column[Any]) -> ColumnElement[Any]:
        # JSON goes in as the text we serialize, so SQL NULL and JSON null stay apart
        if not _is_json(col):
            return bindparam(f"p_{col.name}", type_=col.type)
        param = bindparam(f"p_{col.name}", type_=Text)
        return param if self.conn.dialect.name == "sqlite" else cast(param, col.type)

    def add(self, n: int, record: dict[str, Any], size: int) -> None:
        """Queue the row of line ``n`` (``size`` characters long)."""
        row, sql_null = record.get("row"), record.get("sql_null", [])
        if not isinstance(row, dict) or not isinstance(sql_null, list):
            raise InputError("a row line is {\"table\": ..., \"row\": {...}}", path=self.where, line=n, field="row")
        if set(row) != self.names:
            odd = sorted(set(row) ^ self.names)
            raise InputError(f"table {self.table.name}: the row's columns differ from the header's: {odd}",
                             path=self.where, line=n, field="row")
        params = {}
        for name, value in row.items():
            if name in self.json:
                value = None if name in sql_null else json.dumps(value)  # as SQLAlchemy writes it
            elif name in self.selfref and value is not None:
                self.later[name].append((n, {**{f"k_{k}": row[k] for k in self.pk}, "new_value": value}))
                value = None
            params[f"p_{name}"] = value
        self.batch.append((n, params))
        self.rows += 1
        self.size += size
        if len(self.batch) >= BATCH_ROWS or self.size >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Insert the queued rows; a row the store refuses is named by its line."""
        if not self.batch:
            return
        try:
            with self.conn.begin_nested():
                self.conn.execute(self.stmt, [p for _, p in self.batch])
        except SQLAlchemyError:
            self._pinpoint(self.stmt, self.batch)
            raise
        self.batch, self.size = [], 0

    def _pinpoint(self, stmt: Any, batch: list[tuple[int, dict[str, Any]]]) -> None:
        for n, params in batch:
            try:
                with self.conn.begin_nested():
                    self.conn.execute(stmt, params)
            except SQLAlchemyError as e:
                raise InputError(f"table {self.table.name}: the store refuses the row: {getattr(e, 'orig', e)}",
                                 path=self.where, line=n) from e

    def finish(self) -> None:
        """Insert what is queued, then set the self-references."""
        self.flush()
        for name, batch in sorted(self.later.items()):
            if not batch:
                continue
            stmt = update(self.table).where(*[self.table.c[k] == bindparam(f"k_{k}") for k in self.pk]).values(
                {name: bindparam("new_value")})
            try:
                with self.conn.begin_nested():
                    self.conn.execute(stmt, [p for _, p in batch])
            except SQLAlchemyError:
                self._pinpoint(stmt, batch)
                raise


def _parse(n: int, line: str, where: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        raise InputError(f"not JSON: {e.msg} (column {e.colno})", path=where, line=n) from e
    if not isinstance(record, dict) or not isinstance(record.get("table"), str):
        raise InputError("a row line is {\"table\": ..., \"row\": {...}}", path=where, line=n, field="table")
    return record


def _load_rows(conn: Connection, lines: Iterator[tuple[int, str]], where: str) -> dict[str, int]:
    """Insert every row line, one table after another; returns rows per table."""
    loader: _TableLoader | None = None
    done: dict[str, int] = {}
    for n, line in lines:
        if not line.strip():  # a blank line (an editor's last newline) holds no row
            continue
        record = _parse(n, line, where)
        name = record["table"]
        if loader is None or name != loader.table.name:
            if name in done:
                raise InputError(f"rows of table {name} again after other tables: a dump keeps each table's "
                                 "rows together", path=where, line=n, field="table")
            if name not in metadata.tables:
                raise InputError(f"unknown table {name!r}", path=where, line=n, field="table")
            if loader is not None:
                loader.finish()
                done[loader.table.name] = loader.rows
            loader = _TableLoader(conn, metadata.tables[name], where)
        loader.add(n, record, len(line))
    if loader is not None:
        loader.finish()
        done[loader.table.name] = loader.rows
    return done


def _check_counts(head: dict[str, Any], done: dict[str, int], where: str) -> None:
    for x in head["tables"]:
        got = done.get(x["name"], 0)
        if got != x.get("rows"):
            raise InputError(f"table {x['name']} has {got} rows in the dump and its header says {x.get('rows')}: "
                             "the file is cut short or was edited", path=where)


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: the next id of each serial column follows the restored rows."""
    for tb in metadata.sorted_tables:
        col = tb.autoincrement_column
        if col is None:
            continue
        seq = func.pg_get_serial_sequence(conn.dialect.identifier_preparer.format_table(tb), col.name)
        conn.execute(select(func.setval(seq, func.coalesce(func.max(col), 0) + 1, false())).select_from(tb))


def _refill_search(conn: Connection) -> None:
    """SQLite: rebuild each FTS5 index from its content table, whatever filled it during the inserts."""
    names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'"))
    for name in [r[0] for r in names]:
        q = conn.dialect.identifier_preparer.quote(name)
        conn.execute(text(f"INSERT INTO {q}({q}) VALUES ('rebuild')"))


def restore(store: Store, path: Path) -> dict[str, int]:
    """Load the dump at ``path`` into ``store``, which must be empty; returns rows per table.

    One transaction: a line that is not a row, or a row the store refuses, rolls everything back
    and the error names the line.
    """
    where = str(path)
    with _open_dump(path) as f:
        lines = _lines(f, path)
        first = next(lines, None)
        if first is None:
            raise InputError("the dump is empty", path=where)
        try:
            with store.engine.begin() as conn:
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite would begin only at the first INSERT
                head = _check_header(first[1], path, conn)
                _refuse_non_empty(conn, where)
                done = _load_rows(conn, lines, where)
                _check_counts(head, done, where)
                if conn.dialect.name == "postgresql":
                    _reset_sequences(conn)
                if conn.dialect.name == "sqlite":
                    _refill_search(conn)
        except SQLAlchemyError as e:
            raise StoreError(f"cannot restore {where}: {getattr(e, 'orig', e)}") from e
    store.forget_index()
    return done
