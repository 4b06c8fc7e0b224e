"""Search latency: full-text (English) and substring (Korean) queries over many documents.

    python benchmarks/search_speed.py [--docs 20000] [--db postgresql://...]

Builds a store: 100 documents go through the whole pipeline (so there are names and aliases to
find), then --docs more (English and Korean, made from the bundled samples as ingest_speed.py makes
them) are written straight into the documents table, since document search reads only the text.
Each query then runs 30 times; the median and 95th percentile are printed in milliseconds. The store
is a fresh SQLite file, or with --db a fresh database on that PostgreSQL server (dropped after).
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ingest_speed import SAMPLE_KO, fresh_store, make_corpus  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from solidarity_graph.pipeline import ingest_paths  # noqa: E402
from solidarity_graph.store import Store  # noqa: E402
from solidarity_graph.store import tables as t  # noqa: E402
from solidarity_graph.store.search import search_documents, search_names  # noqa: E402

QUERIES = ["KCTU", "solidarity fund", "Korean Metal Workers", "rall", "martial law strike", "민주노총", "노동절 집회"]
RUNS = 30


def fill(store: Store, n: int) -> None:
    """100 documents through the pipeline, then ``n`` more (a third of them Korean) as bare documents."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_corpus(folder, 100, seed=11)
        ingest_paths([folder], store, processes=1)
    with tempfile.TemporaryDirectory() as tmp:
        en, ko = Path(tmp) / "en", Path(tmp) / "ko"
        en.mkdir()
        ko.mkdir()
        make_corpus(en, n - n // 3)
        make_corpus(ko, n // 3, sample=SAMPLE_KO)
        rows = []
        for path in sorted(en.iterdir()) + sorted(ko.iterdir()):
            body = path.read_text(encoding="utf-8")
            digest = hashlib.sha256(f"{path.parent.name}/{body}".encode()).hexdigest()
            rows.append({"id": digest[:16], "content_hash": digest, "source": str(path), "title": body.split("\n", 1)[0],
                         "language": path.parent.name, "text": body, "ingested_at": "2025-01-01T00:00:00+00:00"})
        for i in range(0, len(rows), 1000):
            with store.engine.begin() as conn:
                conn.execute(insert(t.documents), rows[i:i + 1000])


def timed(store: Store, q: str) -> tuple[float, float, int, int]:
    """Median and 95th percentile of one name search plus one document search, in ms; and the hits."""
    times = []
    with store.connect() as conn:
        for _ in range(RUNS):
            t0 = time.perf_counter()
            names = search_names(conn, q, 20)
            docs = search_documents(conn, q, 20)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(names), len(docs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--db", metavar="URL", help="a PostgreSQL server (a user who may create databases); default SQLite")
    args = ap.parse_args()
    with fresh_store(args.db) as store:
        t0 = time.perf_counter()
        fill(store, args.docs)
        print(f"{'PostgreSQL' if args.db else 'SQLite'}: {store.counts()['documents']:,} documents "
              f"(built in {time.perf_counter() - t0:.0f} s); names and documents, 20 of each, {RUNS} runs")
        for q in QUERIES:
            median, p95, names, docs = timed(store, q)
            print(f"  {q:22} median {median:7.1f} ms   p95 {p95:7.1f} ms   ({names} names, {docs} documents)")


if __name__ == "__main__":
    main()
