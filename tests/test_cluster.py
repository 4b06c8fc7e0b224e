"""Ingest with extraction on a Dask cluster (issue 7): a real local cluster of two worker processes.

The graph must be the one a one-process ingest makes (the JSON Lines export is compared line by line),
on SQLite and on PostgreSQL; a document whose extraction fails on a worker, or kills its worker, is
reported and the rest stored; at most ``window`` documents are out at once; a scheduler that is not
there gives a clear error naming it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from solidarity_graph.cli import main
from solidarity_graph.ingest import read_text
from solidarity_graph.model import Document
from solidarity_graph.store import Store
from tests.engines import ENGINES, database

distributed = pytest.importorskip("distributed")
import dask  # noqa: E402 (after the skip: dask comes with distributed)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [ROOT / "solidarity_graph" / "data" / "sample", ROOT / "solidarity_graph" / "data" / "sample_ko"]
SHORT = [  # short documents that extract fast
    "The Korean Metal Workers' Union (KMWU) held a rally in Ulsan on May 1, 2024.",
    "UE General President Carl Rosen met KCTU leaders in Seoul on May 1, 2024.",
    "Workers at the O'Hare airport filed for a union election with the NLRB in March 2023.",
]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A local Dask cluster: two worker processes of one thread each, on 127.0.0.1 (the scheduler's HTTP
    server on a free port, not 8787, which another cluster may hold)."""
    # a document that kills its worker twice is given up (the default, 3, would cost two more restarts)
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                     dashboard_address="127.0.0.1:0") as lc:
        yield lc


class Fault(distributed.WorkerPlugin):  # type: ignore[misc]
    """Makes extraction on the workers raise (or kill the worker) on documents that hold ``marker``."""

    def __init__(self, marker: str, kill: bool) -> None:
        self.marker, self.kill = marker, kill
        self.original: Any = None

    def setup(self, worker: Any) -> None:
        from solidarity_graph import pipeline

        self.original = original = pipeline.extract_document

        def faulty(doc: Document) -> Document:
            if self.marker in doc.text:
                if self.kill:
                    os._exit(1)
                raise RuntimeError("the extractor broke on this text")
            return original(doc)  # type: ignore[no-any-return]

        pipeline.extract_document = faulty

    def teardown(self, worker: Any) -> None:
        from solidarity_graph import pipeline

        pipeline.extract_document = self.original


def ingest(db: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["ingest", "--db", db, "--quiet", *args])


def export(db: str) -> str:
    res = CliRunner().invoke(main, ["export", "--db", db])
    assert res.exit_code == 0, res.output
    return res.output


def write_docs(folder: Path, texts: list[str]) -> list[Path]:
    folder.mkdir()
    paths = [folder / f"d{i}.txt" for i in range(len(texts))]
    for p, text in zip(paths, texts, strict=True):
        p.write_text(text, encoding="utf-8")
    return paths


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_cluster_ingest_gives_the_one_process_graph(request: pytest.FixtureRequest, tmp_path: Path, cluster: Any,
                                                    engine: str) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "many").mkdir()
    with database(request, engine, tmp_path / "one") as one, database(request, engine, tmp_path / "many") as many:
        res = ingest(one, "--processes", "1", *map(str, SAMPLES))
        assert res.exit_code == 0, res.output
        res = ingest(many, "--cluster", cluster.scheduler_address, *map(str, SAMPLES))
        assert res.exit_code == 0, res.output
        assert "20 new, 0 unchanged, 0 failed" in res.output
        expected = export(one)
        assert expected.count("\n") > 200
        assert export(many) == expected
        res = ingest(many, "--cluster", cluster.scheduler_address, *map(str, SAMPLES))
        assert res.exit_code == 0, res.output
        assert "0 new, 20 unchanged, 0 failed" in res.output
        assert export(many) == expected


@pytest.mark.slow
def test_cluster_extraction_error_reported_rest_stored(tmp_path: Path, cluster: Any) -> None:
    paths = write_docs(tmp_path / "in", [SHORT[0], "BREAK-THE-EXTRACTOR. " + SHORT[1], SHORT[2]])
    db = str(tmp_path / "c.db")
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        client.register_plugin(Fault("BREAK-THE-EXTRACTOR", kill=False), name="fault")
        try:
            res = ingest(db, "--cluster", cluster.scheduler_address, *map(str, paths))
        finally:
            client.unregister_worker_plugin("fault")
    assert res.exit_code == 1
    assert f"Error: {paths[1]}: extraction failed: RuntimeError: the extractor broke on this text" in res.output
    assert "2 new, 0 unchanged, 1 failed" in res.output
    store = Store.open(db)
    try:
        assert store.counts()["documents"] == 2
        assert not store.has_hash(read_text(paths[1].read_text(encoding="utf-8"), source="x").hash)
    finally:
        store.close()


@pytest.mark.slow
def test_cluster_at_most_window_documents_out(tmp_path: Path, cluster: Any) -> None:
    from solidarity_graph.pipeline_cluster import ingest_on_cluster

    texts = [f"{SHORT[i % 3]} Report number {i}." for i in range(9)]
    pulled: list[int] = []
    ahead: list[int] = []

    def docs() -> Iterator[Document]:
        for i, text in enumerate(texts):
            pulled.append(i)
            yield read_text(text, source=f"doc{i}")

    def stored(n: int) -> None:
        ahead.append(len(pulled) - (len(ahead) + 1))  # read but not yet stored, when one more is stored

    store = Store.open(str(tmp_path / "w.db"))
    try:
        summary = ingest_on_cluster(docs(), store, cluster.scheduler_address, window=2, progress=stored)
        assert summary.new == 9 and not summary.failed
        assert store.counts()["documents"] == 9
    finally:
        store.close()
    assert len(ahead) == 9 and max(ahead) <= 2


@pytest.mark.slow
def test_cluster_lost_scheduler_stops_with_clear_error(tmp_path: Path) -> None:
    from solidarity_graph.pipeline_cluster import ClusterError, ingest_on_cluster

    lc = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0")
    address = lc.scheduler_address
    docs = (read_text(f"{SHORT[i % 3]} Report number {i}.", source=f"doc{i}") for i in range(12))

    def stored(n: int) -> None:  # the scheduler goes away once the first document is stored
        lc.close()

    store = Store.open(str(tmp_path / "s.db"))
    try:
        with pytest.raises(ClusterError, match=f"lost the Dask scheduler at {address}: the documents stored"):
            ingest_on_cluster(docs, store, address, timeout=2, window=2, progress=stored)
        assert 1 <= store.counts()["documents"] < 12
    finally:
        store.close()
        lc.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cluster_unreachable_scheduler_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(SHORT[0], encoding="utf-8")
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    t0 = time.monotonic()
    res = ingest(str(tmp_path / "x.db"), "--cluster", address, "--cluster-timeout", "1", str(tmp_path / "a.txt"))
    assert time.monotonic() - t0 < 15
    assert res.exit_code == 1
    assert f"Error: cannot reach a Dask scheduler at {address} within 1 s" in res.output


@pytest.mark.parametrize("args, code, says", [
    (["--cluster", "tcp://127.0.0.1:8786", "--processes", "2"], 2, "--processes and --cluster exclude each other"),
    (["--cluster", "udp://127.0.0.1:8786"], 1, "Error: udp://127.0.0.1:8786: not a Dask scheduler address"),
    (["--cluster", "scheduler:port"], 1, "Error: scheduler:port: not a Dask scheduler address"),
])
def test_cluster_bad_options(tmp_path: Path, args: list[str], code: int, says: str) -> None:
    (tmp_path / "a.txt").write_text(SHORT[0], encoding="utf-8")
    res = ingest(str(tmp_path / "x.db"), *args, str(tmp_path / "a.txt"))
    assert res.exit_code == code
    assert says in res.output


def test_cluster_without_dask_says_how_to_get_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text(SHORT[0], encoding="utf-8")
    monkeypatch.setitem(sys.modules, "distributed", None)  # what an install without the extra sees
    res = ingest(str(tmp_path / "x.db"), "--cluster", "tcp://127.0.0.1:8786", str(tmp_path / "a.txt"))
    assert res.exit_code == 1
    assert "--cluster needs Dask: pip install 'solidarity-graph[cluster]'" in res.output


@pytest.mark.slow
def test_cluster_plain_ingest_does_not_import_dask(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(SHORT[0], encoding="utf-8")
    code = ("import sys; from click.testing import CliRunner; from solidarity_graph.cli import main; "
            f"r = CliRunner().invoke(main, ['ingest', '--db', {str(tmp_path / 'x.db')!r}, {str(tmp_path / 'a.txt')!r}]); "
            "print(r.output); print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert "1 new, 0 unchanged, 0 failed" in done.stdout, done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("[]")


@pytest.mark.slow
def test_cluster_killed_worker_reported_rest_stored(tmp_path: Path, cluster: Any) -> None:
    # last in the module: it leaves the workers restarted. One document out at a time (window=1):
    # Dask counts a death against every task on the dying worker, so a document sharing the worker
    # with the poison one could be given up too (a re-run would store it)
    from solidarity_graph.pipeline_cluster import ingest_on_cluster

    docs = [read_text(SHORT[0], source="first"), read_text(SHORT[2], source="second"),
            read_text("KILL-THE-WORKER. " + SHORT[1], source="poison")]
    store = Store.open(str(tmp_path / "k.db"))
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        client.register_plugin(Fault("KILL-THE-WORKER", kill=True), name="fault")
        try:
            summary = ingest_on_cluster(docs, store, cluster.scheduler_address, window=1)
        finally:
            client.unregister_worker_plugin("fault")
        client.wait_for_workers(2, timeout=60)
    try:
        assert [source for source, _ in summary.failed] == ["poison"]
        assert summary.failed[0][1].startswith("extraction failed on the cluster: KilledWorker")
        assert summary.new == 2 and store.counts()["documents"] == 2
    finally:
        store.close()
