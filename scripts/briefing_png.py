"""The README's briefing picture: page 1 of the KCTU brief, as a PNG in docs/screenshots/briefing.png.

    .venv/bin/python scripts/briefing_png.py [--pages]

Ingests the bundled sample corpus into a temporary store, protects one person named there (to show
the redaction), briefs KCTU for UE as a PDF and draws its first page (every page with --pages, into
docs/screenshots/briefing-N.png) with pypdfium2 (a dev extra). Prints the page count and timings.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pypdfium2  # noqa: E402

from solidarity_graph.pipeline import ingest_paths  # noqa: E402
from solidarity_graph.program.brief import build_brief  # noqa: E402
from solidarity_graph.program.brief_render import write_brief  # noqa: E402
from solidarity_graph.program.protect import protect_person  # noqa: E402
from solidarity_graph.store import Store  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    every = "--pages" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(str(Path(tmp) / "brief.db"))
        ingest_paths([ROOT / "solidarity_graph" / "data" / "sample"], store)
        protect_person(store, "Park Seong-min", who="screenshot", note="shows the redaction")
        started = time.perf_counter()
        brief = build_brief(store, "KCTU", us="UE")
        gathered = time.perf_counter()
        pdf = write_brief(brief, Path(tmp) / "kctu.pdf")
        rendered = time.perf_counter()
        doc = pypdfium2.PdfDocument(str(pdf))
        pages = range(len(doc)) if every else range(1)
        for i in pages:
            name = f"briefing-{i + 1}.png" if every else "briefing.png"
            doc[i].render(scale=1.6).to_pil().save(OUT / name, optimize=True)
        print(f"{len(doc)} pages; gathered in {gathered - started:.2f} s, rendered in {rendered - gathered:.2f} s")
        doc.close()
        store.close()


if __name__ == "__main__":
    main()
