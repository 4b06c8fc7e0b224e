"""Small runs of the WNUT-17 and SemEval-2015 TimeLine evaluations: the figures exist and are shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from solidarity_graph.evaluation import semeval_timeline, wnut17

pytestmark = pytest.mark.slow


def _check(figures: dict[str, float], keys: list[str]) -> None:
    for key in keys:
        assert key in figures, key
        assert 0.0 <= figures[key] <= 1.0, (key, figures[key])


def test_wnut17_small(shared: Path) -> None:
    section = wnut17.evaluate(shared, limit=60)
    _check(section.figures, [f"wnut_{s}{t}_f1" for s in ("", "spacy_") for t in ("per", "org", "loc")])
    assert "| system | type |" in section.markdown
    assert "| plain spaCy | micro |" in section.markdown
    assert "What limits it" in section.markdown


def test_wnut17_reading(shared: Path) -> None:
    sents = wnut17.load_sentences(shared / "eval" / "wnut17" / "emerging.test.annotated")
    assert len(sents) == 1287
    gold = [e for s in sents for e in s.gold]
    assert sum(e[0] == "PER" for e in gold) == 429  # SOURCE.md: person 429
    assert sum(e[0] == "ORG" for e in gold) == 165 + 66  # group + corporation
    s = sents[0]
    for i, (a, b) in enumerate(s.offsets):
        assert s.text[a:b] == s.tokens[i]


def test_timeline_small(shared: Path) -> None:
    section = semeval_timeline.evaluate(shared, limit=4, processes=1)
    _check(section.figures, ["timeline_date_right", "timeline_date_right_year", "timeline_coverage",
                             "timeline_dct_baseline"])
    assert "| target | gold dated mentions |" in section.markdown
    assert "| target | date right from the text |" in section.markdown
    assert "What limits it" in section.markdown


def test_timeline_reading(shared: Path) -> None:
    root = shared / "eval" / "semeval2015-timeline-auto" / "corpus_2"
    arts = semeval_timeline.load_articles(root / "corpus_trackA_TimeML")
    assert len(arts) == 30
    assert all(len(a.dct) == 10 and a.dct[:2] in ("20", "19") for a in arts)  # DD-MM-YYYY fixed
    by_id = {a.doc_id: a for a in arts}
    assert by_id["120578"].dct == "2009-02-03"
    a, b = by_id["120578"].spans[1]
    assert by_id["120578"].text[a:b] == "February 03, 2009"
    gold = semeval_timeline.load_gold(root / "TimeLines_Gold_Standard")
    assert len(gold) == 12 and "United Automobile Workers" in gold
    assert all(m.doc_id in by_id for ms in gold.values() for m in ms)
    assert all(m.sentence in by_id[m.doc_id].spans for ms in gold.values() for m in ms)


@pytest.mark.parametrize(("gold", "ours", "verdict"), [
    ("2008-12", "2008-12-05", "right"), ("2008-12", "2008-12", "right"), ("2008-12", "2008", "coarser"),
    ("2008-12", "2008-11", "year"), ("2008-12", "2009-12", "wrong"), ("2008-12", None, "wrong"),
])
def test_timeline_judge(gold: str, ours: str | None, verdict: str) -> None:
    assert semeval_timeline.judge(gold, ours) == verdict
