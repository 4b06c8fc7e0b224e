"""Nothing lost under faults: ingest killed with SIGKILL mid-batch, the disk filling up (issue 7).

The real command runs in a subprocess over a folder of generated documents; afterwards the store
must hold every document once, each with exactly the facts a clean ingest of the same folder gives
it, pass SQLite's integrity check and have no row whose document is missing.
"""

from __future__ import annotations

import contextlib
import errno
import importlib.util
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t
from solidarity_graph.store.faults import mark_pending, pending_documents, store_failure

pytestmark = pytest.mark.issue(7)

ROOT = Path(__file__).resolve().parents[2]
DOCS = 80
KILL_AT = 12  # documents stored before the kill
CLI = [sys.executable, "-m", "solidarity_graph.cli"]
# per document: what a clean ingest stores for it (the facts, and what the program's hooks derive)
PER_DOCUMENT = {
    "facts": """SELECT d.source,
        (SELECT count(*) FROM mentions x WHERE x.document_id = d.id),
        (SELECT count(*) FROM events x WHERE x.document_id = d.id),
        (SELECT count(*) FROM event_sources x WHERE x.document_id = d.id),
        (SELECT count(*) FROM relations x WHERE x.document_id = d.id),
        (SELECT count(*) FROM quantities x WHERE x.document_id = d.id)
        FROM documents d""",
    # a later report of the same event adds its participants to the earlier document's event
    "participants": """SELECT d.source,
        (SELECT count(*) FROM event_participants p JOIN events x ON x.id = p.event_id WHERE x.document_id = d.id)
        FROM documents d""",
    "program": """SELECT d.source,
        (SELECT count(*) FROM commitments x WHERE x.origin_document = d.id)
        FROM documents d""",
}
ORPHANS = """SELECT 'mentions', count(*) FROM mentions WHERE document_id NOT IN (SELECT id FROM documents)
    UNION ALL SELECT 'events', count(*) FROM events WHERE document_id NOT IN (SELECT id FROM documents)
    UNION ALL SELECT 'relations', count(*) FROM relations WHERE document_id IS NOT NULL AND document_id NOT IN (SELECT id FROM documents)
    UNION ALL SELECT 'quantities', count(*) FROM quantities WHERE document_id NOT IN (SELECT id FROM documents)
    UNION ALL SELECT 'event_sources', count(*) FROM event_sources WHERE document_id NOT IN (SELECT id FROM documents)
    UNION ALL SELECT 'participants', count(*) FROM event_participants WHERE event_id NOT IN (SELECT id FROM events)
    UNION ALL SELECT 'mentioned entities', count(*) FROM mentions WHERE entity_id NOT IN (SELECT id FROM entities)"""


def _make_corpus() -> Any:
    spec = importlib.util.spec_from_file_location("ingest_speed", ROOT / "benchmarks" / "ingest_speed.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    _make_corpus()(folder, DOCS)
    return folder


def _read(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _per_document(db: Path, what: str) -> dict[str, tuple[Any, ...]]:
    return {Path(r[0]).name: r[1:] for r in _read(db, PER_DOCUMENT[what])}


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean ingest of the corpus, in this process."""
    db = tmp_path_factory.mktemp("reference") / "clean.db"
    store = Store.open(str(db))
    summary = ingest_paths([corpus], store)
    store.close()
    assert summary.new == DOCS and not summary.failed
    return db


def _assert_whole(db: Path, reference: Path, *, complete: bool) -> None:
    """Integrity, no orphans, each document stored once with all its facts (all documents if ``complete``)."""
    assert _read(db, "PRAGMA integrity_check") == [("ok",)]
    assert _read(db, "PRAGMA foreign_key_check") == []
    assert [r for r in _read(db, ORPHANS) if r[1]] == []
    assert _read(db, "SELECT count(*) FROM documents") == _read(db, "SELECT count(DISTINCT content_hash) FROM documents")
    conn = sqlite3.connect(str(db))  # FTS5's own check needs a writable handle; it changes nothing
    try:
        for fts in ("documents_fts", "aliases_fts"):
            conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()
    want, got = _per_document(reference, "facts"), _per_document(db, "facts")
    assert {k: v for k, v in got.items() if v != want[k]} == {}
    if complete:
        assert got == want
        assert _per_document(db, "participants") == _per_document(reference, "participants")
        assert _per_document(db, "program") == _per_document(reference, "program")


def _count(db: Path) -> int:
    try:
        return int(_read(db, "SELECT count(*) FROM documents")[0][0])
    except sqlite3.Error:  # not created or not migrated yet
        return 0


@pytest.fixture
def killed_group() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes started by a test, killed (with their workers) if the test stops early."""
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


@pytest.mark.slow
@pytest.mark.parametrize("processes", [["-p", "1"], []], ids=["one-process", "default-processes"])
def test_ingest_killed_mid_batch_then_rerun(corpus: Path, reference: Path, tmp_path: Path,
                                            killed_group: list[subprocess.Popen[bytes]], processes: list[str]) -> None:
    db = tmp_path / "killed.db"
    cmd = [*CLI, "ingest", "--db", str(db), "-q", *processes, str(corpus)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    killed_group.append(proc)
    deadline = time.monotonic() + 300
    while _count(db) < KILL_AT:
        assert proc.poll() is None, "the ingest ended before it could be killed"
        assert time.monotonic() < deadline, "no documents stored in time"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the command and its extraction workers, mid-batch
    proc.wait()
    stored = _count(db)
    assert KILL_AT <= stored < DOCS
    _assert_whole(db, reference, complete=False)

    _assert_rerun_completes(cmd, db, reference, stored)


def _assert_rerun_completes(cmd: list[str], db: Path, reference: Path, stored: int) -> None:
    """The same command again stores the rest, and does the program's work the first run owed."""
    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert f"documents: {DOCS - stored} new, {stored} unchanged, 0 failed" in rerun.stdout
    assert f"finished the program's work on {stored} documents of an interrupted run" in rerun.stdout
    _assert_whole(db, reference, complete=True)


# Runs a command under a file size limit, as a full disk would stop it: a write past the limit fails
# with EFBIG (SIGXFSZ, which would kill the process instead, is ignored).
LIMITED = """import os, resource, signal, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
os.execv(sys.argv[2], sys.argv[2:])"""
ROOM = 2_000_000  # bytes: the store with its write-ahead log fills it after a few documents of the corpus


@contextlib.contextmanager
def _small_disk(folder: Path, how: str) -> Iterator[tuple[list[str], Callable[[], None]]]:
    """A disk of ROOM bytes at ``folder``: (what to prefix the command with, how to make room)."""
    folder.mkdir()
    if how == "file-size-limit":
        yield [sys.executable, "-c", LIMITED, str(ROOM)], lambda: None
        return
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={ROOM}", "tmpfs", str(folder)], capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mount.stderr.strip() or mount.returncode}")
    try:
        yield [], lambda: subprocess.run(["mount", "-o", "remount,size=64m", str(folder)], check=True)
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["tmpfs", "file-size-limit"])
def test_ingest_disk_full_then_rerun(corpus: Path, reference: Path, tmp_path: Path, how: str) -> None:
    with _small_disk(tmp_path / "disk", how) as (prefix, make_room):
        db = tmp_path / "disk" / "full.db"
        cmd = [*CLI, "ingest", "--db", str(db), "-q", "-p", "1", str(corpus)]
        first = subprocess.run([*prefix, *cmd], cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert first.returncode == 1, first.stdout + first.stderr[-2000:]
        errors = first.stderr.strip().splitlines()
        assert len(errors) == 1 and errors[0].startswith("Error: "), first.stderr[-3000:]  # one line, no traceback
        assert "disk" in errors[0] and "make room and run the same command again" in errors[0]
        stored = _count(db)
        assert 0 < stored < DOCS and f"{stored} documents of this run are stored" in errors[0]
        _assert_whole(db, reference, complete=False)
        make_room()
        _assert_rerun_completes(cmd, db, reference, stored)


def test_ingest_finishes_the_program_work_a_stopped_run_owed(store: Store, sample_dir: Path) -> None:
    ingest_paths([sample_dir], store)
    with store.engine.begin() as conn:  # as if the run had stopped between storing a document and its hooks
        doc, owed = conn.execute(select(t.commitments.c.origin_document, func.count()).group_by(t.commitments.c.origin_document)
                                 .order_by(func.count().desc(), t.commitments.c.origin_document).limit(1)).one()
        conn.execute(delete(t.commitments).where(t.commitments.c.origin_document == doc))
    mark_pending(store, doc)
    mark_pending(store, "never-stored")  # marked, then the run stopped before storing it
    assert pending_documents(store) == [doc]
    summary = ingest_paths([sample_dir], store)
    assert summary.new == 0 and summary.resumed == 1
    assert "finished the program's work on 1 documents of an interrupted run" in summary.line()
    with store.connect() as conn:
        assert conn.execute(select(func.count()).where(t.commitments.c.origin_document == doc)).scalar_one() == owed
        keys = [r[0] for r in conn.execute(select(t.settings.c.key))]
    assert pending_documents(store) == [] and keys == ["pending_hooks:never-stored"]


class _PgError(Exception):
    sqlstate = "53100"  # PostgreSQL's disk_full, as psycopg reports it


@pytest.mark.parametrize(("error", "says"), [
    (OSError(errno.ENOSPC, "No space left on device"), "full"),
    (OSError(errno.EFBIG, "File too large"), "full"),
    (_PgError("could not extend file"), "full"),
    (sqlite3.OperationalError("database is locked"), None),
    (ValueError("no"), None),
])
def test_store_failure_reads_the_cause(error: Exception, says: str | None) -> None:
    wrapped = RuntimeError("could not store the document")
    wrapped.__cause__ = error
    reason = store_failure(wrapped)
    assert (reason is None) if says is None else (reason is not None and says in reason)
