"""Load, bounded (issue 7): readers on the live server while another process ingests into the same store.

The readers and the ingest are those of benchmarks/load.py (which prints the figures of a longer run);
here a few clients read for as long as the ingest takes, and not one answer may be a 5xx or a
connection error (on SQLite: no "database is locked" while the writer works).
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import func, select

from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t
from tests.web.conftest import live_server

pytestmark = [pytest.mark.slow, pytest.mark.issue(7)]

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "solidarity_graph" / "data" / "sample"
NEW_DOCUMENTS = 30
CLIENTS = 4


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_benchmark", ROOT / "benchmarks" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _copies(folder: Path, n: int) -> Path:
    """``n`` new documents: the sample's, each told again under its own heading (new text, new hash)."""
    folder.mkdir()
    sample = sorted(SAMPLE.glob("*.txt"))
    for i in range(n):
        src = sample[i % len(sample)]
        (folder / f"{i:03d}_{src.name}").write_text(f"Copy {i}\n\n{src.read_text(encoding='utf-8')}", encoding="utf-8")
    return folder


def _documents(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.documents)).scalar_one())


def test_load_readers_see_no_error_while_an_ingest_writes(store: Store, tmp_path: Path) -> None:
    load = _benchmark()
    ingest_paths([SAMPLE], store)
    before = _documents(store)
    paths = load.urls(store)
    assert {g for g, _ in paths} == {"home", "search", "entity", "events", "graph", "document", "api"}
    db = store.engine.url.render_as_string(hide_password=False)
    with live_server(store) as base:
        ingest = load.start_ingest(db, _copies(tmp_path / "new", NEW_DOCUMENTS))
        t0 = time.perf_counter()
        # read until the ingest is done (5 s at least, so the readers also meet the ingest's start-up)
        tally = load.run_readers(base, paths, CLIENTS, lambda: (ingest.poll() is not None and time.perf_counter() - t0 > 5)
                                 or time.perf_counter() - t0 > 240)
        figures = load.ingest_result(ingest, timeout=60)
    print(f"{tally.requests} requests, {len(tally.errors)} errors; ingest {figures}")
    print("\n".join(tally.lines()))
    assert tally.errors == []
    assert figures["new"] == NEW_DOCUMENTS and figures["failed"] == 0
    assert _documents(store) == before + NEW_DOCUMENTS
    assert tally.requests >= 10 * CLIENTS
    assert set(tally.times) == {"home", "search", "entity", "events", "graph", "document", "api"}
