"""Words per second of the whole ingest: one process against a local Dask cluster (issue 7).

    python benchmarks/cluster_ingest.py [--docs 300] [--workers 2] [--pool] [--db postgresql://...]
    python benchmarks/cluster_ingest.py --scheduler tcp://HOST:8786   # a cluster that is already up

The corpus is the one of ingest_speed.py (documents strung together from the bundled sample, seed 7).
Each run ingests it into a fresh store (SQLite, or a fresh database on the --db PostgreSQL server):
first in one process, then with extraction on a local cluster of ``--workers`` worker processes of
one thread each (or on ``--scheduler``'s), reading and storing in this process; with --pool also in
a multiprocessing pool of as many processes. The models are loaded before the clock starts, in this
process and on every worker (the pool's processes fork from this one, models and all), so the
figures are steady-state speeds; how long the workers took to load them is printed apart. The load
average is printed before and after: wall-clock figures mean little on a busy machine, so each run
also prints the CPU seconds it took here and on the workers (the local cluster's scheduler runs in
this process; a PostgreSQL server's own CPU is not counted), and the speed those would allow on
idle cores, where this process, which stores, and the workers, which extract, run side by side.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_speed import fresh_store, make_corpus  # noqa: E402

from solidarity_graph.ingest import read_text  # noqa: E402
from solidarity_graph.pipeline import IngestSummary, extract_document, ingest_paths, read_all  # noqa: E402
from solidarity_graph.pipeline_cluster import ingest_on_cluster  # noqa: E402


def load() -> str:
    """The load average over 1, 5 and 15 minutes, and the cores."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def warm_up(address: str | None) -> None:
    """Load the models here, or on every worker of the cluster at ``address``."""
    doc = read_text("The Korean Metal Workers' Union held a rally in Ulsan on May 1, 2024.", source="warm-up")
    if address is None:
        extract_document(doc)
        return
    from distributed import Client

    t0 = time.perf_counter()
    with Client(address, set_as_default=False) as client:
        client.run(extract_document, doc)
    print(f"workers loaded the models in {time.perf_counter() - t0:.1f} s")


def own_cpu() -> tuple[float, float]:
    """CPU seconds of this process, and of its children that have ended (a pool's processes)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def workers_cpu(address: str | None) -> list[float]:
    """CPU seconds of each worker process of the cluster at ``address`` (none without one)."""
    if address is None:
        return []
    from distributed import Client

    with Client(address, set_as_default=False) as client:
        return list(client.run(time.process_time).values())


def timed(label: str, docs: int, run: Callable[[], IngestSummary], address: str | None = None,
          children: int = 0) -> None:
    """Run ``run()`` and print its words per second, and the CPU it took here and on the workers (the
    cluster's at ``address``, or ``children`` processes of this one, taken as sharing the work evenly)."""
    (here, kids), there = own_cpu(), workers_cpu(address)
    t0 = time.perf_counter()
    summary = run()
    secs = time.perf_counter() - t0
    (here_after, kids_after), there_after = own_cpu(), workers_cpu(address)
    here = here_after - here
    there = [b - a for a, b in zip(there, there_after, strict=True)]
    there += [(kids_after - kids) / max(1, children)] * children
    assert not summary.failed, summary.failed[:3]
    assert summary.new == docs, summary.line()
    print(f"{label}: {summary.words / secs:,.0f} words/s ({secs:.1f} s, {docs / secs:.2f} docs/s)", flush=True)
    bound = max([here, *there])  # this process and each worker on a core of its own
    print(f"    CPU: {here:.1f} s here" + (f", {sum(there):.1f} s in {len(there)} workers" if there else "")
          + f"; on idle cores at best {summary.words / bound:,.0f} words/s", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2, help="worker processes of the local cluster")
    ap.add_argument("--scheduler", metavar="ADDRESS", help="use this cluster instead of starting a local one")
    ap.add_argument("--pool", action="store_true", help="also time a multiprocessing pool of --workers processes")
    ap.add_argument("--db", metavar="URL", help="a PostgreSQL server (a user who may create databases); default SQLite")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        words = make_corpus(folder, args.docs)
        print(f"corpus: {args.docs} documents, {words:,} words, into {'PostgreSQL' if args.db else 'SQLite'}")
        print(f"before: {load()}", flush=True)
        warm_up(None)
        with fresh_store(args.db) as store:
            timed("1 process", args.docs, lambda: ingest_paths([folder], store, processes=1))
        if args.pool:
            with fresh_store(args.db) as store:
                timed(f"multiprocessing pool of {args.workers}", args.docs,
                      lambda: ingest_paths([folder], store, processes=args.workers), children=args.workers)
        if args.scheduler:
            warm_up(args.scheduler)
            with fresh_store(args.db) as store:
                timed(f"cluster at {args.scheduler}", args.docs,
                      lambda: ingest_on_cluster(read_all([folder]), store, args.scheduler), args.scheduler)
        else:
            from distributed import LocalCluster

            t0 = time.perf_counter()
            with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                              dashboard_address="127.0.0.1:0") as cluster, fresh_store(args.db) as store:
                print(f"local cluster of {args.workers} worker processes up in {time.perf_counter() - t0:.1f} s")
                warm_up(cluster.scheduler_address)
                timed(f"local Dask cluster, {args.workers} workers", args.docs,
                      lambda: ingest_on_cluster(read_all([folder]), store, cluster.scheduler_address),
                      cluster.scheduler_address)
        print(f"after: {load()}")


if __name__ == "__main__":
    main()
