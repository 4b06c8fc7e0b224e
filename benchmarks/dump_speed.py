"""Speed, size and memory of ``solidarity dump`` and ``solidarity restore``.

    python benchmarks/dump_speed.py [--docs 100 400]

For each size, documents made from the bundled samples (English, and a quarter as many Korean; see
ingest_speed.make_corpus) are ingested into a fresh SQLite file; then the store is dumped (plain
and gzip), restored into an empty store, and the Python heap's peak during a second dump and
restore is taken with tracemalloc (a dump streams, so it should not grow with the store).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_speed import SAMPLE, SAMPLE_KO, make_corpus  # noqa: E402

from solidarity_graph.pipeline import ingest_paths  # noqa: E402
from solidarity_graph.store import Store  # noqa: E402
from solidarity_graph.store.dump import dump_file, restore  # noqa: E402


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def run(docs: int, processes: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, sample, n in (("en", SAMPLE, docs), ("ko", SAMPLE_KO, max(1, docs // 4))):
            (root / name).mkdir()
            make_corpus(root / name, n, sample=sample)
        store = Store.open(str(root / "source.db"))
        summary = ingest_paths([root / "en", root / "ko"], store, processes=processes)
        assert not summary.failed, summary.failed[:3]
        plain, packed = root / "store.jsonl", root / "store.jsonl.gz"
        counts: dict[str, int] = {}
        t_dump = timed(lambda: counts.update(dump_file(store, plain)))
        t_gzip = timed(lambda: dump_file(store, packed))
        rows = sum(counts.values())
        target = Store.open(str(root / "target.db"))
        t_restore = timed(lambda: restore(target, plain))
        db_mb = (root / "source.db").stat().st_size / 2**20
        mb, gz_mb = plain.stat().st_size / 2**20, packed.stat().st_size / 2**20
        dump_peak = peak_mb(lambda: dump_file(store, root / "again.jsonl"))
        again = Store.open(str(root / "again.db"))
        restore_peak = peak_mb(lambda: restore(again, plain))
        print(f"{summary.new} documents, {rows} rows; SQLite file {db_mb:.1f} MB; dump {mb:.1f} MB, gzip {gz_mb:.2f} MB")
        print(f"  dump     {t_dump:6.2f} s  {rows / t_dump:9.0f} rows/s  {mb / t_dump:6.1f} MB/s  (gzip {t_gzip:.2f} s)  "
              f"Python heap peak {dump_peak:.1f} MB")
        print(f"  restore  {t_restore:6.2f} s  {rows / t_restore:9.0f} rows/s  {mb / t_restore:6.1f} MB/s  "
              f"Python heap peak {restore_peak:.1f} MB")
        for s in (store, target, again):
            s.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, nargs="+", default=[100, 400], help="English documents per run")
    ap.add_argument("--processes", type=int, default=2, help="extraction processes while building the store")
    args = ap.parse_args()
    for n in args.docs:
        run(n, args.processes)


if __name__ == "__main__":
    main()
