"""Load: concurrent readers on the web server while an ingest writes to the same store.

    python benchmarks/load.py [--postgresql | --db URL] [--clients 8] [--docs 600]

A store is filled with ``--base`` generated documents (scale_corpus.py), then served by
``solidarity serve`` on loopback in its own process. ``--clients`` reader threads, each with one
keep-alive connection, ask for a mix of pages and API routes (home, search, entity pages, the
timeline, the graph, documents, ``/api/v1/...``) for as long as another process ingests ``--docs``
new documents into the same store (one extraction process: the other core serves). Every answer that is a 5xx, and every connection error or timeout, counts as an error.
Printed: requests, errors, median, 95th percentile and maximum latency per route group, and the
ingest's speed under the load. The default store is an SQLite file (readers must never see
"database is locked"); ``--postgresql`` starts a private PostgreSQL server (tests/engines.py).

tests/web/test_load.py runs the same readers, bounded, and asserts that there is no error.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from solidarity_graph.store import Store  # noqa: E402
from solidarity_graph.store import tables as t  # noqa: E402

QUERIES = ["KCTU", "solidarity", "strike", "Seoul", "metal workers", "union", "wage"]
# the timed part of the ingest process: extraction warmed up first, so model loading is not counted
INGEST = """
import json, sys, time
from pathlib import Path
from solidarity_graph.pipeline import extract_document, ingest_paths
from solidarity_graph.model import Document
from solidarity_graph.store import Store
store = Store.open(sys.argv[1])
extract_document(Document(text="The union met in Seoul.", source="warm-up"))
t0 = time.perf_counter()
summary = ingest_paths([Path(sys.argv[2])], store, processes=int(sys.argv[3]))
secs = time.perf_counter() - t0
print(json.dumps({"new": summary.new, "failed": len(summary.failed), "words": summary.words, "seconds": secs}))
"""


def urls(store: Store, seed: int = 1) -> list[tuple[str, str]]:
    """(group, path) pairs over what the store holds: the busiest entities, some others, documents, queries."""
    rng = random.Random(seed)
    with store.connect() as conn:
        busy = list(conn.execute(select(t.mentions.c.entity_id).group_by(t.mentions.c.entity_id)
                                 .order_by(func.count().desc(), t.mentions.c.entity_id).limit(10)).scalars())
        every = list(conn.execute(select(t.entities.c.id).order_by(t.entities.c.id)).scalars())
        docs = list(conn.execute(select(t.documents.c.id).order_by(t.documents.c.id)).scalars())
    ents = busy + rng.sample(every, min(10, len(every)))
    out = [("home", "/"), ("home", "/index.json"), ("events", "/events"), ("events", "/events.json"),
           ("api", "/api/v1/events?limit=100"), ("events", "/map.json")]
    for q in QUERIES:
        out += [("search", f"/search?q={q}"), ("search", f"/search.json?q={q}"), ("api", f"/api/v1/search?q={q}")]
    for e in ents:
        out += [("entity", f"/entity/{e}"), ("entity", f"/entity/{e}.json"), ("api", f"/api/v1/entities/{e}"),
                ("graph", f"/graph/{e}.json"), ("graph", f"/graph/{e}.json?depth=2")]
    for d in rng.sample(docs, min(10, len(docs))):
        out += [("document", f"/document/{d}"), ("api", f"/api/v1/documents/{d}")]
    return out


@dataclass
class Tally:
    """What the readers saw: latencies per route group, and every error."""

    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, group: str, secs: float, error: str | None) -> None:
        with self.lock:
            self.times.setdefault(group, []).append(secs)
            if error:
                self.errors.append(error)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.times.values())

    def lines(self) -> list[str]:
        """One line per route group: requests, p50, p95, max (ms)."""
        out = []
        for group, secs in sorted(self.times.items()):
            ms = sorted(s * 1000 for s in secs)
            p95 = ms[max(0, int(len(ms) * 0.95 + 0.5) - 1)]
            out.append(f"  {group:9} {len(ms):6,} requests   p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   max {ms[-1]:7.1f} ms")
        return out


def reader(base: str, paths: list[tuple[str, str]], stop: threading.Event, tally: Tally, seed: int, timeout: float) -> None:
    """One client on one keep-alive connection, asking for random routes until ``stop``."""
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=timeout) as client:
        while not stop.is_set():
            group, path = rng.choice(paths)
            t0 = time.perf_counter()
            try:
                r = client.get(path)
                error = f"{path}: HTTP {r.status_code}: {r.text[:200]}" if r.status_code >= 500 else None
            except httpx.HTTPError as e:
                error = f"{path}: {type(e).__name__}: {e}"
            tally.add(group, time.perf_counter() - t0, error)


def run_readers(base: str, paths: list[tuple[str, str]], clients: int, done: Callable[[], bool],
                timeout: float = 30.0) -> Tally:
    """``clients`` readers until ``done()`` is true (checked every 0.2 s); what they saw."""
    tally, stop = Tally(), threading.Event()
    threads = [threading.Thread(target=reader, args=(base, paths, stop, tally, i, timeout), daemon=True) for i in range(clients)]
    for th in threads:
        th.start()
    while not done():
        time.sleep(0.2)
    stop.set()
    for th in threads:
        th.join(timeout + 5)
    return tally


def start_ingest(db: str, folder: Path, processes: int = 1) -> subprocess.Popen[str]:
    """An ingest of ``folder`` into ``db`` in another process; it prints its figures as JSON when done."""
    return subprocess.Popen([sys.executable, "-c", INGEST, db, str(folder), str(processes)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def ingest_result(proc: subprocess.Popen[str], timeout: float = 600) -> dict[str, Any]:
    """The figures an ingest process printed (it must have succeeded)."""
    out, err = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"the ingest failed ({proc.returncode}): {err[-2000:]}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def serve(db: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """``solidarity serve`` on loopback in its own process (its log to ``log``), once it answers."""
    with log.open("wb") as fh:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "solidarity"), "serve", "--db", db, "--port", str(port)],
                                cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/index.json", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the server did not start: {log.read_text(errors='replace')[-2000:]}")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_documents(folder: Path, start: int, stop: int) -> int:
    """Generated documents ``start``..``stop - 1`` as text files; returns their words."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from scale_corpus import documents

    words = 0
    for i, body, _date in documents(start, stop):
        (folder / f"doc{i:06d}.txt").write_text(body, encoding="utf-8")
        words += len(body.split())
    return words


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--db", metavar="URL", help="an existing store (SQLite file or PostgreSQL URL); default a new SQLite file")
    where.add_argument("--postgresql", action="store_true", help="a new database on a private PostgreSQL server")
    ap.add_argument("--base", type=int, default=300, help="documents stored before the load (default 300)")
    ap.add_argument("--docs", type=int, default=600, help="documents ingested during the load, which lasts as long (default 600)")
    ap.add_argument("--clients", type=int, default=8)
    args = ap.parse_args()
    server_pg = None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.postgresql:
            from tests import engines

            server_pg = engines.PgServer.start()
            db = server_pg.create_database()
        else:
            db = args.db or str(folder / "load.db")
        try:
            run(db, folder, args)
        finally:
            if server_pg is not None:
                server_pg.close()


def run(db: str, folder: Path, args: argparse.Namespace) -> None:
    """Fill, serve, load, ingest; print the figures."""
    from solidarity_graph.pipeline import ingest_paths

    (folder / "base").mkdir()
    (folder / "new").mkdir()
    write_documents(folder / "base", 0, args.base)
    words = write_documents(folder / "new", args.base, args.base + args.docs)
    store = Store.open(db)
    print(f"filling the store ({store.engine.dialect.name}) with {args.base} documents ...", flush=True)
    ingest_paths([folder / "base"], store, processes=2)
    paths = urls(store)
    store.close()
    port = free_port()
    server = serve(db, port, folder / "server.log")
    try:
        print(f"{args.clients} readers over {len(paths)} routes while {args.docs} documents ({words:,} words) are ingested; "
              f"load before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
        ingest = start_ingest(db, folder / "new")
        t0 = time.perf_counter()
        tally = run_readers(f"http://127.0.0.1:{port}", paths, args.clients, lambda: ingest.poll() is not None)
        secs = time.perf_counter() - t0
        figures = ingest_result(ingest)
        load = os.getloadavg()
    finally:
        server.terminate()
        server.wait(10)
    print(f"{tally.requests:,} requests in {secs:.0f} s ({tally.requests / secs:.0f}/s), {len(tally.errors)} errors")
    print("\n".join(tally.lines()))
    for e in tally.errors[:10]:
        print("  error:", e)
    if tally.errors:
        print("the server's log ends:\n" + (folder / "server.log").read_text(errors="replace")[-6000:])
    print(f"ingest under load: {figures['new']} documents, {figures['failed']} failed, {figures['seconds']:.1f} s: "
          f"{figures['new'] / figures['seconds']:.1f} docs/s, {figures['words'] / figures['seconds']:,.0f} words/s")
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
