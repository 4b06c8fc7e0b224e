"""Words per second of the whole ingest (read, extract, resolve, store), and peak memory.

    python benchmarks/ingest_speed.py [--docs 1000] [--processes 1 2] [--baseline] [--db postgresql://...]

The documents are made from the bundled sample corpus: each one strings together 12-20 sentences
drawn (with a fixed seed) from the ten sample reports, so they read like labor news and hold
the same kinds of names, dates and events, and each has its own publication date. They are
written to a temporary folder and ingested from there into a fresh SQLite file (with --db, a PostgreSQL
server: each run gets a fresh database there, dropped after). With --baseline, plain spaCy
en_core_web_sm (full pipeline, one process) runs over the same texts.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from solidarity_graph.ingest import read_document  # noqa: E402
from solidarity_graph.pipeline import ingest_paths  # noqa: E402
from solidarity_graph.store import Store, db_url  # noqa: E402

SAMPLE = ROOT / "solidarity_graph" / "data" / "sample"
SAMPLE_KO = ROOT / "solidarity_graph" / "data" / "sample_ko"
SAMPLE_JA = ROOT / "tests" / "data" / "languages" / "ja.yaml"


def make_corpus(folder: Path, n: int, seed: int = 7, sample: Path = SAMPLE) -> int:
    """Write ``n`` documents to ``folder``; returns the number of words."""
    sentences: list[str] = []
    for path in sorted(sample.iterdir()):
        text = read_document(path).text
        sentences += [s.strip() for s in re.split(r"(?<=[.!?다])\s+", text) if len(s.split()) >= 4]
    rng = random.Random(seed)
    words = 0
    for i in range(n):
        body = " ".join(rng.sample(sentences, min(len(sentences), rng.randint(12, 20))))
        date = f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        text = f"Report {i}\nDate: {date}\n\n{body}\n"
        (folder / f"doc{i:05d}.txt").write_text(text, encoding="utf-8")
        words += len(text.split())
    return words


def make_ja_corpus(folder: Path, n: int, seed: int = 7) -> None:
    """Write ``n`` Japanese documents of 12-20 sentences from the Japanese sentence set."""
    import yaml

    sentences = [s["text"] for s in yaml.safe_load(SAMPLE_JA.read_text(encoding="utf-8"))["sentences"]]
    rng = random.Random(seed)
    for i in range(n):
        body = "\n".join(rng.sample(sentences, min(len(sentences), rng.randint(12, 20))))
        date = f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        (folder / f"ja{i:05d}.txt").write_text(f"報告 {i}\nDate: {date}\n\n{body}\n", encoding="utf-8")


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


@contextmanager
def fresh_store(server: str | None) -> Iterator[Store]:
    """An empty store: a new SQLite file, or a new database on the PostgreSQL ``server`` (dropped after)."""
    if not server:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(str(Path(tmp) / "bench.db"))
            yield store
            store.close()
        return
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(db_url(server), isolation_level="AUTOCOMMIT")
    name = f"solidarity_bench_{time.time_ns()}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        store = Store.open(make_url(db_url(server)).set(database=name).render_as_string(hide_password=False))
        yield store
        store.close()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


def run(folder: Path, processes: int, server: str | None = None) -> tuple[float, int]:
    with fresh_store(server) as store:
        t0 = time.perf_counter()
        summary = ingest_paths([folder], store, processes=processes)
        elapsed = time.perf_counter() - t0
        assert not summary.failed, summary.failed[:3]
    return elapsed, summary.words


def chars(folder: Path) -> int:
    """Characters of the corpus (the measure for Korean, which has no spaces between all words)."""
    return sum(len(p.read_text(encoding="utf-8")) for p in folder.iterdir())


def baseline(folder: Path) -> tuple[float, int]:
    import spacy

    from solidarity_graph.extract.nlp import MODEL_NAMES

    nlp = None
    for name in MODEL_NAMES:
        try:
            nlp = spacy.load(name)
            break
        except OSError:
            continue
    assert nlp is not None
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())]
    words = sum(len(t.split()) for t in texts)
    t0 = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=32):
        pass
    return time.perf_counter() - t0, words


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--baseline", action="store_true", help="also time plain en_core_web_sm")
    ap.add_argument("--korean", action="store_true", help="also time the Korean path on documents from sample_ko")
    ap.add_argument("--db", metavar="URL", help="a PostgreSQL server (a user who may create databases); default SQLite")
    ap.add_argument("--japanese", action="store_true", help="also time the Japanese path on documents from the ja sentence set")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        words = make_corpus(folder, args.docs)
        print(f"corpus: {args.docs} documents, {words:,} words (from the bundled sample, seed 7), "
              f"into {'PostgreSQL' if args.db else 'SQLite'}")
        if args.baseline:
            secs, w = baseline(folder)
            print(f"plain en_core_web_sm, full pipeline, 1 process: {w / secs:,.0f} words/s ({secs:.1f} s)")
        n_chars = chars(folder)
        for p in args.processes:
            secs, w = run(folder, p, args.db)
            print(f"solidarity ingest, {p} process(es): {w / secs:,.0f} words/s, {n_chars / secs:,.0f} characters/s "
                  f"({secs:.1f} s, {args.docs / secs:.1f} docs/s)")
        if args.korean and SAMPLE_KO.is_dir():
            with tempfile.TemporaryDirectory() as tmp_ko:
                ko = Path(tmp_ko)
                make_corpus(ko, args.docs, sample=SAMPLE_KO)
                secs, _ = run(ko, 1, args.db)
                print(f"korean, 1 process: {chars(ko) / secs:,.0f} characters/s ({args.docs} documents, {chars(ko):,} characters)")
        if args.japanese and SAMPLE_JA.is_file():
            with tempfile.TemporaryDirectory() as tmp_ja:
                ja = Path(tmp_ja)
                make_ja_corpus(ja, args.docs)
                secs, _ = run(ja, 1)
                print(f"japanese, 1 process: {chars(ja) / secs:,.0f} characters/s ({args.docs} documents, {chars(ja):,} characters)")
        print(f"peak memory (largest process): {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
