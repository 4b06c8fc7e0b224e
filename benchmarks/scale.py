"""Scale on PostgreSQL: ingest speed, store size and query latency at 1,000, 10,000 and 100,000 documents.

    python benchmarks/scale.py [--sizes 1000 10000 100000] [--db URL] [--results scale.json] [--keep]

The documents are generated labor news (scale_corpus.py: 5-8 sentences of the bundled English
sample each, about 160 words, with organizations, people and places drawn from pools so that the
number of entities grows as in real text). Sizes are reached one after the other in one database:

- up to ``--ingest-up-to`` (10,000) by real ingest through the pipeline (``ingest_documents``,
  2 extraction processes), timed: words and documents per second;
- beyond, by copying the ingested documents at the SQL level (scale_clone.py: new document rows with
  their mentions, events and relations, re-pointed at a share of new entities so the graph keeps
  growing like the real ingests did).

At each size it prints the database size (``pg_database_size``) and the largest tables, and the
median and 95th percentile latency of the queries behind the pages: the entity page of a busy
entity (KCTU) and of random ones, a name search, a document search and the graph two steps around
KCTU and around random entities; each query ``--runs`` times (fewer when one takes long: at most
``--budget`` seconds each). Then a table of every size, with the growth from one size to the next.

Without ``--db`` a private PostgreSQL server is started (tests/engines.py, with PostgreSQL's default
durability: fsync on, unlike the test server), and stopped at the end unless ``--keep``, which
prints its URL: give it as ``--db`` to go on to a larger size later (steps already reached are
not done again; ``--results FILE`` keeps the figures of earlier runs for the final table). The
load average is printed beside the figures: the machine may be shared.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale_clone import BASE, copy_to  # noqa: E402
from scale_corpus import documents  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from solidarity_graph import query  # noqa: E402
from solidarity_graph.model import Document  # noqa: E402
from solidarity_graph.pipeline import ingest_documents  # noqa: E402
from solidarity_graph.store import Store  # noqa: E402
from solidarity_graph.store import tables as t  # noqa: E402
from solidarity_graph.store.search import search_documents, search_names  # noqa: E402

NAME_QUERIES = ["KCTU", "metal workers", "Garcia", "Seoul", "dock"]
DOC_QUERIES = ["strike", "solidarity fund", "unpaid leave", "May Day rally", "wage talks collapsed"]
TABLES = ["documents", "mentions", "entities", "aliases", "events", "event_participants", "relations", "decisions"]
BETA = 0.7  # Heaps' exponent assumed when no two real ingests were measured


def load() -> str:
    """The load averages (1, 5, 15 min) and the cores, for the figures."""
    a, b, c = os.getloadavg()
    return f"load {a:.2f} {b:.2f} {c:.2f} on {os.cpu_count()} cores"


def documents_in(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.documents)).scalar_one())


def ingest_to(store: Store, size: int, seed: int, processes: int) -> dict[str, Any]:
    """Ingest generated documents 0..size-1 that are not stored yet; their count, words and time."""
    with store.connect() as conn:
        stored = set(conn.execute(select(t.documents.c.id).where(t.documents.c.source.startswith(BASE))).scalars())
    todo = [Document(text=body, source=f"{BASE}doc{i:06d}.txt", title=f"Report {i:06d}", published=date)
            for i, body, date in documents(0, size, seed)]
    todo = [d for d in todo if d.id not in stored]
    words = sum(len(d.text.split()) for d in todo)
    done, t0 = [0], time.perf_counter()

    def progress(n: int) -> None:
        done[0] += n
        if done[0] % 500 == 0 or done[0] == len(todo):
            secs = time.perf_counter() - t0
            print(f"  ingested {done[0]:,} of {len(todo):,} ({done[0] / secs:.1f} docs/s, {load()})", flush=True)

    summary = ingest_documents(iter(todo), store, processes=processes, progress=progress)
    secs = time.perf_counter() - t0
    if summary.failed:
        print(f"  {len(summary.failed)} documents failed, e.g. {summary.failed[0]}")
    return {"how": "ingest", "documents": summary.new, "words": words, "seconds": round(secs, 1),
            "docs_per_s": round(summary.new / secs, 1), "words_per_s": round(words / secs), "load": load()}


def movable_entities(store: Store) -> int:
    """Organizations and people the gazetteer does not know: the entities that grow with the text."""
    e = t.entities
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(e).where(
            e.c.gazetteer_key.is_(None), e.c.type.in_(["organization", "person"]))).scalar_one())


def share_new(results: dict[str, Any], target: int) -> tuple[float, str]:
    """The share of entities made new in each copy, so that entities grow on as between the real ingests."""
    real = sorted((int(n), r["movable"]) for n, r in results.items() if r.get("step", {}).get("how") == "ingest")
    beta, why = BETA, f"Heaps' exponent {BETA} assumed"
    if len(real) >= 2 and real[-1][0] > real[-2][0]:
        (n1, e1), (n2, e2) = real[-2], real[-1]
        beta = math.log(e2 / e1) / math.log(n2 / n1)
        why = f"Heaps' exponent {beta:.2f}, from {e1:,} to {e2:,} entities between {n1:,} and {n2:,} ingested documents"
    base = real[-1][0] if real else target
    growth = target / base
    return (max(0.0, min(1.0, (growth ** beta - 1) / (growth - 1))) if growth > 1 else 0.0), why


def timed(run: Callable[[int], object], runs: int, budget: float) -> dict[str, float]:
    """Median and 95th percentile in ms of ``run(i)``, ``runs`` times or until ``budget`` seconds (5 runs at least)."""
    times: list[float] = []
    start = time.perf_counter()
    for i in range(runs):
        t0 = time.perf_counter()
        run(i)
        times.append((time.perf_counter() - t0) * 1000)
        if time.perf_counter() - start > budget and len(times) >= 5:
            break
    times.sort()
    return {"p50": round(statistics.median(times), 1), "p95": round(times[max(0, math.ceil(len(times) * 0.95) - 1)], 1),
            "runs": len(times)}


def latencies(store: Store, runs: int, budget: float, seed: int) -> dict[str, dict[str, float]]:
    """The queries behind the pages, timed."""
    with store.connect() as conn:
        kctu = conn.execute(select(t.entities.c.id).where(t.entities.c.gazetteer_key == "kctu")).scalar_one()
        ids = list(conn.execute(select(t.entities.c.id).order_by(t.entities.c.id)).scalars())
    rng = random.Random(seed)
    picks = [rng.choice(ids) for _ in range(runs)]
    out = {}
    with store.connect() as conn:
        cases: dict[str, Callable[[int], object]] = {
            "entity page, KCTU": lambda i: query.entity_page(store, kctu),
            "entity page, random": lambda i: query.entity_page(store, picks[i]),
            "name search": lambda i: search_names(conn, NAME_QUERIES[i % len(NAME_QUERIES)], 20),
            "document search": lambda i: search_documents(conn, DOC_QUERIES[i % len(DOC_QUERIES)], 20),
            "graph, 2 hops, KCTU": lambda i: query.neighborhood(store, kctu, depth=2),
            "graph, 2 hops, random": lambda i: query.neighborhood(store, picks[i], depth=2),
        }
        for name, case in cases.items():
            out[name] = timed(case, runs, budget)
            print(f"  {name:24} p50 {out[name]['p50']:9.1f} ms   p95 {out[name]['p95']:9.1f} ms   ({out[name]['runs']} runs)", flush=True)
    return out


def sizes_of(store: Store) -> dict[str, Any]:
    """Rows per table, and bytes of the database and of its largest tables (with their indexes)."""
    counts = store.counts()
    with store.connect() as conn:
        for name in ("aliases", "event_participants", "decisions"):
            counts[name] = int(conn.execute(select(func.count()).select_from(t.metadata.tables[name])).scalar_one())
        if conn.dialect.name == "postgresql":
            total = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
            tables = {n: int(conn.execute(text("SELECT pg_total_relation_size(:n)"), {"n": n}).scalar_one()) for n in TABLES}
        else:
            total = Path(str(store.engine.url.database)).stat().st_size
            tables = {}
    return {"counts": counts, "bytes": total, "tables": tables}


def mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def step(store: Store, size: int, args: argparse.Namespace, results: dict[str, Any]) -> dict[str, Any] | None:
    """Reach ``size`` documents, then measure; None when the store already holds more."""
    have = documents_in(store)
    earlier = results.get(str(size), {})
    if have > size:
        print(f"{size:,}: the store already holds {have:,} documents; skipped")
        return None
    t0 = time.perf_counter()
    if have == size:
        print(f"{size:,} documents: already stored")
        done = earlier.get("step", {"how": "earlier run"})
    elif size <= args.ingest_up_to:
        print(f"{size:,} documents: ingesting {size - have:,} ({load()})", flush=True)
        done = ingest_to(store, size, args.seed, args.processes)
    else:
        share, why = (args.share_new, "given") if args.share_new is not None else share_new(results, size)
        print(f"{size:,} documents: copying {size - have:,} at the SQL level, {share:.0%} of the organizations and people "
              f"new in each copy ({why}; {load()})", flush=True)
        added = copy_to(store, size, share, progress=lambda line: print(line, flush=True))
        secs = time.perf_counter() - t0
        done = {"how": "copy", "documents": added, "share_new": round(share, 3), "why": why, "seconds": round(secs, 1),
                "docs_per_s": round(added / secs, 1), "load": load()}
    print(f"  step took {time.perf_counter() - t0:.0f} s; analysing", flush=True)
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # fresh statistics, as autovacuum would give a live server
    result = {"step": done, **sizes_of(store), "movable": movable_entities(store), "load_at_measure": load()}
    c = result["counts"]
    print(f"  {c['documents']:,} documents, {c['entities']:,} entities, {c['mentions']:,} mentions, {c['events']:,} events, "
          f"{c['relations']:,} relations; database {mb(result['bytes'])} ({load()})", flush=True)
    result["latency"] = latencies(store, args.runs, args.budget, args.seed)
    return result


def growth(values: list[float | None]) -> str:
    """The factor from each size to the next ("x3.1, x9.8")."""
    pairs = [f"x{b / a:.1f}" for a, b in zip(values, values[1:], strict=False) if a and b]
    return ", ".join(pairs)


def report(results: dict[str, Any]) -> None:
    """One table of every size measured, with the growth from one size to the next."""
    sizes = sorted(results, key=int)
    rows: list[tuple[str, list[float | None], Callable[[float], str]]] = []
    rows.append(("ingest, documents/s", [results[s]["step"].get("docs_per_s") if results[s]["step"].get("how") == "ingest" else None
                                         for s in sizes], lambda v: f"{v:,.1f}"))
    rows.append(("ingest, words/s", [results[s]["step"].get("words_per_s") for s in sizes], lambda v: f"{v:,.0f}"))
    for name in ("entities", "mentions", "events", "relations"):
        rows.append((name, [results[s]["counts"][name] for s in sizes], lambda v: f"{v:,.0f}"))
    rows.append(("database", [results[s]["bytes"] for s in sizes], mb))
    for name in TABLES[:3]:
        rows.append((f"  {name} (with indexes)", [results[s]["tables"].get(name) for s in sizes], mb))
    for name in results[sizes[-1]]["latency"]:
        for q in ("p50", "p95"):
            rows.append((f"{name} {q}, ms", [results[s]["latency"].get(name, {}).get(q) for s in sizes], lambda v: f"{v:,.1f}"))
    print("\n| measure | " + " | ".join(f"{int(s):,} documents" for s in sizes) + " | growth |")
    print("|---|" + "---|" * len(sizes) + "---|")
    for label, values, fmt in rows:
        cells = [fmt(v) if v is not None else "-" for v in values]
        print(f"| {label} | " + " | ".join(cells) + f" | {growth(values)} |")
    for s in sizes:
        st = results[s]["step"]
        print(f"{int(s):,}: {st.get('how')}, {st.get('seconds', '-')} s ({st.get('load', '')}); measured at {results[s]['load_at_measure']}")


def open_store(args: argparse.Namespace) -> tuple[Store, Any]:
    """The store to fill: ``--db``, or a new database on a private server (returned too, to stop it)."""
    if args.db:
        return Store.open(args.db), None
    from tests import engines

    engines.SERVER_FLAGS = ""  # PostgreSQL's default durability, not the test server's fsync=off
    server = engines.PgServer.start()
    url = server.create_database(migrated=False)
    print(f"private PostgreSQL server in {server.folder}; database {url if args.keep else url.split('@')[-1]}")
    return Store.open(url), server


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--db", metavar="URL", help="the database to fill (PostgreSQL URL); default a private server")
    ap.add_argument("--ingest-up-to", type=int, default=10000, help="sizes above this are reached by copies (default 10000)")
    ap.add_argument("--processes", type=int, default=2, help="extraction processes (default 2)")
    ap.add_argument("--runs", type=int, default=50, help="runs of each query (default 50)")
    ap.add_argument("--budget", type=float, default=60.0, help="seconds at most per query kind (default 60)")
    ap.add_argument("--share-new", type=float, help="share of entities made new in each copy (default: from the real ingests)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--results", type=Path, help="a JSON file that keeps the figures across runs")
    ap.add_argument("--keep", action="store_true", help="leave the private server running and print its URL")
    args = ap.parse_args()
    results: dict[str, Any] = json.loads(args.results.read_text()) if args.results and args.results.exists() else {}
    store, server = open_store(args)
    try:
        for size in sorted(args.sizes):
            t0 = time.perf_counter()
            result = step(store, size, args, results)
            if result is not None:
                results[str(size)] = result
                if args.results:
                    args.results.write_text(json.dumps(results, indent=1))
                print(f"  {size:,} done in {time.perf_counter() - t0:.0f} s\n", flush=True)
        if results:
            report(results)
    finally:
        store.close()
        if server is not None and not args.keep:
            server.close()


if __name__ == "__main__":
    main()
