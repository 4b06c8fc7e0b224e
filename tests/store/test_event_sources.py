"""One event from many reports: the same rally told by three documents is one event with three sources."""

from __future__ import annotations

from pathlib import Path

from solidarity_graph.export import iter_records
from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.store import Store

REPORTS = [
    "The Korean Metal Workers' Union held a rally in Ulsan on May 1, 2024, with thousands of members.",
    "On May 1, 2024, KMWU members rallied in Ulsan to demand a shorter working week.",
    "Thousands joined a rally of the Korean Metal Workers' Union (KMWU) in Ulsan on May 1, 2024.",
    "The Korean Metal Workers' Union held a rally in Seoul on June 3, 2024.",  # another rally
]


def test_event_sources_one_event_three_reports(store_any: Store, tmp_path: Path) -> None:
    store = store_any
    for i, text in enumerate(REPORTS):
        (tmp_path / f"r{i}.txt").write_text(text, encoding="utf-8")
        ingest_paths([tmp_path / f"r{i}.txt"], store, published="2024-05-02")
    rallies = [r for r in iter_records(store) if r["kind"] == "event" and r["type"] == "rally"]
    ulsan = [r for r in rallies if r["place"] == "Ulsan"]
    assert len(ulsan) == 1
    assert len({s["document"] for s in ulsan[0]["sources"]}) == 3
    assert all(s["quote"] for s in ulsan[0]["sources"])
    assert any(r["place"] == "Seoul" for r in rallies)
