"""Coverage-guided fuzzing of every reader with atheris (libFuzzer), a short run each; not a test.

    .venv/bin/pip install atheris
    python benchmarks/fuzz_readers.py [--seconds 30] [--reader pdf ...]

Each reader (text, markdown, html, pdf, docx, csv, feed) runs in its own process for --seconds,
starting from seed files made here (the bundled sample, a reportlab PDF, a python-docx file, an RSS
and an Atom feed, a small sheet). An input passes when the reader returns or raises the project's
InputError; any other exception, a run over 20 s or over 2 GB of memory is a finding, and libFuzzer
writes the input to ``crash-*``, ``timeout-*`` or ``oom-*`` in the current folder. The table printed
at the end gives each reader's executions, executions per second and findings.
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "solidarity_graph" / "data" / "sample"
READERS = ["text", "markdown", "html", "pdf", "docx", "csv", "feed"]
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><item><title>Strike</title>
<guid>urn:1</guid><pubDate>Wed, 01 May 2024 09:00:00 GMT</pubDate><description>&lt;p&gt;KCTU struck.&lt;/p&gt;</description>
</item></channel></rss>"""
ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:f</id>
<entry><id>urn:e</id><title>Rally</title><updated>2024-05-01T00:00:00Z</updated><summary>UE met FAT.</summary></entry></feed>"""


def seeds(reader: str) -> list[bytes]:
    """The starting inputs for one reader."""
    sample = sorted(SAMPLE.iterdir())
    if reader in ("text", "markdown"):
        return [p.read_bytes() for p in sample if p.suffix in (".txt", ".md")]
    if reader == "html":
        return [p.read_bytes() for p in sample if p.suffix == ".html"]
    if reader == "pdf":
        from reportlab.pdfgen import canvas

        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pageCompression=0, invariant=1)
        pdf.drawString(72, 720, "The KCTU held a general strike in Seoul on May 1, 2024.")
        pdf.showPage()
        pdf.save()
        return [buffer.getvalue()]
    if reader == "docx":
        import docx

        document = docx.Document()
        document.add_heading("Resolution", level=1)
        document.add_paragraph("UE Local 506 sent a delegation to FAT in Mexico.")
        buffer = io.BytesIO()
        document.save(buffer)
        return [buffer.getvalue()]
    if reader == "csv":
        return [b'id,text,date\n1,"KCTU struck, again",2024-05-01\n2,UE met FAT.,\n']
    return [FEED, ATOM]


def target(reader: str) -> Callable[[bytes], object]:
    """The function one input goes through: the reader, its errors counted as a pass."""
    from solidarity_graph.errors import InputError

    if reader == "feed":
        from solidarity_graph.program.feeds import entry_document, parse_feed

        def read(data: bytes) -> object:
            return [entry_document(e, "http://127.0.0.1/feed") for e in parse_feed("http://127.0.0.1/feed", data)]
    elif reader == "csv":
        from solidarity_graph.ingest.table import read_csv_documents

        sheet = Path(tempfile.mkdtemp()) / "fuzz.csv"

        def read(data: bytes) -> object:
            sheet.write_bytes(data)
            return list(read_csv_documents(sheet, text_column="text", id_column="id", date_column="date"))
    else:
        from solidarity_graph.ingest import read_document

        suffix = {"text": ".txt", "markdown": ".md"}.get(reader, f".{reader}")
        path = Path(tempfile.mkdtemp()) / f"fuzz{suffix}"

        def read(data: bytes) -> object:
            path.write_bytes(data)
            return read_document(path)

    def one(data: bytes) -> object:
        try:
            return read(data)
        except InputError:
            return None

    return one


def child(reader: str, libfuzzer_args: list[str]) -> None:
    """Fuzz one reader in this process (libFuzzer exits the process when it is done)."""
    import atheris

    with atheris.instrument_imports(include=["solidarity_graph", "pypdf", "docx", "feedparser", "trafilatura"]):
        one = target(reader)
    atheris.Setup([sys.argv[0], *libfuzzer_args], one)
    atheris.Fuzz()


def run(reader: str, seconds: int) -> dict[str, object]:
    """Fuzz one reader in a child process; its executions, speed and findings."""
    with tempfile.TemporaryDirectory() as corpus:
        for n, seed in enumerate(seeds(reader)):
            Path(corpus, f"seed-{n}").write_bytes(seed)
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, __file__, "--child", reader, f"-max_total_time={seconds}", "-timeout=20",
             "-rss_limit_mb=2048", "-max_len=65536", "-print_final_stats=1", f"-artifact_prefix={reader}-", corpus],
            capture_output=True, text=True)
        wall = time.monotonic() - started
    log = done.stdout + done.stderr
    runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", log)
    executions = int(runs[1]) if runs else 0
    # a Python exception's last traceback line, else libFuzzer's own (timeout, out of memory)
    finding = re.search(r"^(\w[\w.]*(?:Error|Exception|Exit)\b.*)$", log, re.MULTILINE) or re.search(
        r"ERROR: libFuzzer: (.+)", log)
    return {"reader": reader, "executions": executions, "per_second": round(executions / wall),
            "finding": finding[1].strip() if finding else "none", "log": log}


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="fuzzing time per reader")
    parser.add_argument("--reader", action="append", choices=READERS, help="only these readers (default: all)")
    args = parser.parse_args()
    try:
        import atheris  # noqa: F401
    except ImportError:
        sys.exit("atheris is not installed: .venv/bin/pip install atheris")
    print(f"{'reader':10} {'executions':>10} {'per s':>7}  finding")
    for reader in args.reader or READERS:
        result = run(reader, args.seconds)
        print(f"{result['reader']:10} {result['executions']:>10} {result['per_second']:>7}  {result['finding']}")
        if result["finding"] != "none":
            print("\n".join(str(result["log"]).splitlines()[-40:]))


if __name__ == "__main__":
    main()
