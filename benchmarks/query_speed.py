"""Query speed at scale: the latency of the pages behind the web app, on a store of generated documents.

    python benchmarks/query_speed.py build --db URL --size 10000 [--base 1000]
    python benchmarks/query_speed.py measure --db URL [--label after] [--results FILE] [--runs 30] [--budget 60]
    python benchmarks/query_speed.py table FILE

``build`` fills a store (an SQLite path or a PostgreSQL URL): ``--base`` generated documents
(scale_corpus.py) through the whole pipeline, then copies of them at the SQL level (scale_clone.py)
up to ``--size``, a share of the organizations and people made new in each copy as Heaps' law
says (exponent 0.76, as measured between the real 1,000- and 10,000-document ingests of
scale.py), then the planner's statistics (ANALYZE).

``measure`` asks the application itself (``create_app`` in-process, through Starlette's test
client, so routing, queries, templates and JSON encoding all count) for the home page data
(``/index.json``), the entity page of the busiest entity (KCTU: JSON and HTML) and of random
entities, the graph two steps around KCTU and around random entities, a path from KCTU to a
random entity, and a search; each ``--runs`` times (fewer when slow: at most ``--budget``
seconds a kind, ``--min-runs`` (5) at least). It prints the median and 95th percentile in milliseconds
and the median size of the answer, and with ``--results`` keeps them under ``--label`` and the
store's size, so ``table`` can print before and after side by side.

To measure the code as it was, run ``measure`` with ``PYTHONPATH`` pointing at a copy of the old
``solidarity_graph`` package: this script puts the repository at the end of ``sys.path``, so
the copy wins.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.append(str(ROOT))  # last: a PYTHONPATH copy of the package (the code before a change) comes first

from sqlalchemy import func, select, text  # noqa: E402

from solidarity_graph.store import Store  # noqa: E402
from solidarity_graph.store import tables as t  # noqa: E402

HEAPS = 0.76  # entities grow as documents ** 0.76 (scale.py, real ingests of 1,000 and 10,000 documents)
SEARCHES = ["KCTU", "metal workers", "strike", "Seoul", "solidarity fund"]


def load() -> str:
    """The load averages and the cores, printed beside the figures: the machine may be shared."""
    a, b, c = os.getloadavg()
    return f"load {a:.2f} {b:.2f} {c:.2f} on {os.cpu_count()} cores"


def count(store: Store, where: Any = None) -> int:
    """Documents in the store (those matching ``where``)."""
    q = select(func.count()).select_from(t.documents)
    with store.connect() as conn:
        return int(conn.execute(q if where is None else q.where(where)).scalar_one())


def build(store: Store, size: int, base: int, seed: int, processes: int) -> None:
    """Ingest ``base`` generated documents (those not stored yet), copy them up to ``size``, then ANALYZE."""
    from scale_clone import BASE, copy_to
    from scale_corpus import documents

    from solidarity_graph.model import Document
    from solidarity_graph.pipeline import ingest_documents

    have = count(store, t.documents.c.source.startswith(BASE))
    if have < base:
        with store.connect() as conn:
            stored = set(conn.execute(select(t.documents.c.id).where(t.documents.c.source.startswith(BASE))).scalars())
        todo = [d for d in (Document(text=body, source=f"{BASE}doc{i:06d}.txt", title=f"Report {i:06d}", published=day)
                            for i, body, day in documents(0, base, seed)) if d.id not in stored]
        t0 = time.perf_counter()
        print(f"ingesting {len(todo):,} documents ({load()})", flush=True)
        summary = ingest_documents(iter(todo), store, processes=processes)
        print(f"  {summary.new:,} stored in {time.perf_counter() - t0:.0f} s", flush=True)
    total = count(store)
    if total < size:
        growth = size / base
        share = (growth ** HEAPS - 1) / (growth - 1)
        t0 = time.perf_counter()
        print(f"copying {size - total:,} documents, {share:.0%} of the organizations and people new in each copy", flush=True)
        copy_to(store, size, share, progress=lambda line: None)
        print(f"  done in {time.perf_counter() - t0:.0f} s", flush=True)
    analyse(store)
    print(f"{count(store):,} documents; {store.counts()}")


def analyse(store: Store) -> None:
    """Fresh planner statistics, as autovacuum (PostgreSQL) or ``PRAGMA optimize`` (SQLite) would keep them."""
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with store.engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def timed(run: Callable[[int], int], runs: int, budget: float, least: int = 5) -> dict[str, float]:
    """Median and 95th percentile in ms of ``run(i)`` (which returns the answer's size in bytes), and the median size:
    ``runs`` times, or fewer once ``budget`` seconds are spent and ``least`` runs done."""
    times: list[float] = []
    sizes: list[int] = []
    start = time.perf_counter()
    for i in range(runs):
        t0 = time.perf_counter()
        sizes.append(run(i))
        times.append((time.perf_counter() - t0) * 1000)
        if time.perf_counter() - start > budget and len(times) >= least:
            break
    times.sort()
    return {"p50": round(statistics.median(times), 1), "p95": round(times[max(0, math.ceil(len(times) * 0.95) - 1)], 1),
            "runs": len(times), "bytes": int(statistics.median(sizes))}


def cases(store: Store, runs: int, seed: int) -> dict[str, Callable[[Any, int], str]]:
    """The URLs to time, by name: each a function of the run's number (random entities are the same every time)."""
    with store.connect() as conn:
        kctu = conn.execute(select(t.entities.c.id).where(t.entities.c.gazetteer_key == "kctu")).scalar_one()
        ids = list(conn.execute(select(t.entities.c.id).order_by(t.entities.c.id)).scalars())
    rng = random.Random(seed)
    picks = [rng.choice(ids) for _ in range(runs)]
    return {
        "home page data": lambda i: "/index.json",
        "entity page, KCTU (JSON)": lambda i: f"/entity/{kctu}.json",
        "entity page, KCTU (HTML)": lambda i: f"/entity/{kctu}",
        "entity page, random": lambda i: f"/entity/{picks[i]}.json",
        "graph, 2 hops, KCTU": lambda i: f"/graph/{kctu}.json?depth=2",
        "graph, 2 hops, random": lambda i: f"/graph/{picks[i]}.json?depth=2",
        "path, KCTU to random": lambda i: f"/path.json?from={kctu}&to={picks[i]}",
        "search": lambda i: f"/search.json?q={SEARCHES[i % len(SEARCHES)]}",
    }


def measure(store: Store, runs: int, budget: float, seed: int, least: int = 5) -> dict[str, dict[str, float]]:
    """Each case timed through the application; a failed request stops the run."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from solidarity_graph.web.app import create_app

    client = TestClient(create_app(store=store))
    out = {}
    for name, url in cases(store, runs, seed).items():
        def run(i: int, url: Callable[[int], str] = url) -> int:
            r = client.get(url(i))
            if r.status_code != 200:
                raise SystemExit(f"{url(i)}: {r.status_code} {r.text[:300]}")
            return len(r.content)

        out[name] = timed(run, runs, budget, least)
        m = out[name]
        print(f"  {name:26} p50 {m['p50']:9.1f} ms   p95 {m['p95']:9.1f} ms   {m['bytes'] / 1024:9,.1f} KiB   ({m['runs']} runs)",
              flush=True)
    return out


def table(results: dict[str, Any]) -> None:
    """Every measured store, label by label: p50 / p95 in ms and the answer's size."""
    for key in sorted(results, key=lambda k: (results[k]["engine"], results[k]["documents"])):
        r = results[key]
        labels = list(r["labels"])
        print(f"\n{r['engine']}, {r['documents']:,} documents ({r['counts']['events']:,} events, {r['counts']['relations']:,} relations)\n")
        print("| query | " + " | ".join(f"{lab} p50 / p95 ms (size)" for lab in labels) + " |")
        print("|---|" + "---|" * len(labels))
        for name in r["labels"][labels[0]]["latency"]:
            cells = []
            for lab in labels:
                m = r["labels"][lab]["latency"].get(name)
                cells.append(f"{m['p50']:,.1f} / {m['p95']:,.1f} ({_size(m['bytes'])})" if m else "-")
            print(f"| {name} | " + " | ".join(cells) + " |")


def _size(n: float) -> str:
    return f"{n / 2**20:,.1f} MB" if n >= 2**20 else f"{n / 2**10:,.0f} KB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="fill a store with generated documents")
    b.add_argument("--db", required=True, help="SQLite path or PostgreSQL URL")
    b.add_argument("--size", type=int, required=True)
    b.add_argument("--base", type=int, default=1000, help="documents ingested for real (default 1000); the rest are copies")
    b.add_argument("--processes", type=int, default=2)
    b.add_argument("--seed", type=int, default=7)
    m = sub.add_parser("measure", help="time the pages")
    m.add_argument("--db", required=True)
    m.add_argument("--runs", type=int, default=30)
    m.add_argument("--budget", type=float, default=60.0, help="seconds at most per query kind (default 60)")
    m.add_argument("--min-runs", type=int, default=5, help="runs of each kind however long they take (default 5)")
    m.add_argument("--seed", type=int, default=7)
    m.add_argument("--label", default="run", help="the name of this run in --results (before, after...)")
    m.add_argument("--results", type=Path, help="a JSON file that keeps the figures across runs")
    tb = sub.add_parser("table", help="print the before/after table of a results file")
    tb.add_argument("results", type=Path)
    args = ap.parse_args()
    if args.command == "table":
        table(json.loads(args.results.read_text()))
        return
    store = Store.open(args.db)
    try:
        if args.command == "build":
            build(store, args.size, args.base, args.seed, args.processes)
            return
        counts = store.counts()
        engine = store.engine.dialect.name
        print(f"{engine}, {counts['documents']:,} documents, {counts['entities']:,} entities, {counts['events']:,} events, "
              f"{counts['relations']:,} relations; {args.label}, {load()}", flush=True)
        import solidarity_graph

        print(f"  code: {Path(solidarity_graph.__file__).parent}", flush=True)
        latency = measure(store, args.runs, args.budget, args.seed, args.min_runs)
        if args.results:
            results = json.loads(args.results.read_text()) if args.results.exists() else {}
            entry = results.setdefault(f"{engine}-{counts['documents']}", {"engine": engine, "documents": counts["documents"],
                                                                              "counts": counts, "labels": {}})
            entry["labels"][args.label] = {"latency": latency, "load": load(), "at": time.strftime("%Y-%m-%d %H:%M")}
            args.results.write_text(json.dumps(results, indent=1))
    finally:
        store.close()


if __name__ == "__main__":
    main()
