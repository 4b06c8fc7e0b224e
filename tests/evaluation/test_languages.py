"""The per-language sentence sets and their scorer (solidarity_graph/evaluation/languages.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from solidarity_graph.errors import InputError
from solidarity_graph.evaluation.languages import (
    SET_DIR,
    GoldSentence,
    LanguageScore,
    _score_entities,
    evaluate,
    read_set,
)
from solidarity_graph.evaluation.report import SETS
from solidarity_graph.model import Document, Mention

SENTENCES = [
    {"text": "La CGT a appelé à une grève générale le 7 mars à Paris.", "published": "2023-02-12",
     "entities": [{"text": "CGT", "type": "organization"}, {"text": "Paris", "type": "place"}],
     "dates": [{"text": "7 mars", "value": "2023-03-07"}],
     "events": [{"type": "strike", "status": "planned"}]},
    {"text": "Sophie Binet, secrétaire générale de la CGT, a pris la parole hier.", "published": "2023-05-03",
     "entities": [{"text": "Sophie Binet", "type": "person"}, {"text": "CGT", "type": "organization"}],
     "dates": [{"text": "hier", "value": "2023-05-02"}],
     "events": []},
]


def _write(folder: Path, lang: str, sentences: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{lang}.yaml"
    path.write_text(yaml.safe_dump({"language": lang, "about": "test", "sentences": sentences}, allow_unicode=True), encoding="utf-8")
    return path


def test_languages_scorer_computes_figures_from_a_tiny_set(tmp_path: Path) -> None:
    good = evaluate(tmp_path, folder=_write(tmp_path / "good", "fr", SENTENCES).parent)
    keys = {f"lang_fr_{k}" for k in ("organization_f1", "person_f1", "place_f1", "events_f1", "dates_right", "detected", "status_right")}
    assert keys <= set(good.figures)
    assert all(0.0 <= v <= 1.0 for v in good.figures.values())
    assert good.figures["lang_fr_detected"] == 1.0
    assert "| fr | 2 |" in good.markdown and "**fr.**" in good.markdown
    # the same sentences with a wrong date value, an event that is not told and a name that is no name score lower
    bad = [dict(s) for s in SENTENCES]
    bad[0] = {**bad[0], "dates": [{"text": "7 mars", "value": "2024-03-07"}], "events": [{"type": "lockout"}],
              "entities": [{"text": "grève", "type": "organization"}, {"text": "Paris", "type": "place"}]}
    worse = evaluate(tmp_path, folder=_write(tmp_path / "bad", "fr", bad).parent)
    assert worse.figures["lang_fr_dates_right"] < good.figures["lang_fr_dates_right"]
    assert worse.figures["lang_fr_events_f1"] < good.figures["lang_fr_events_f1"]
    assert worse.figures["lang_fr_organization_f1"] < good.figures["lang_fr_organization_f1"]


def test_languages_overlap_counts_half() -> None:
    doc = Document(text="La Confédération générale du travail a appelé à la grève.", source="t")
    start = doc.text.index("Confédération")
    doc.mentions = [Mention("Confédération générale", "organization", start, start + len("Confédération générale"), "x", 0.9)]
    gold = GoldSentence(doc.text, None, [("Confédération générale du travail", "organization")], [], [])
    score = LanguageScore("fr")
    _score_entities(doc, gold, score)
    assert score.entity_prf("organization") == (0.5, 0.5, 0.5)
    assert not score.missed and not score.wrong  # matched, if only by half


@pytest.mark.parametrize(
    ("change", "field"),
    [({"events": [{"type": "riot"}]}, "sentences[0].events[0].type"),
     ({"entities": [{"text": "FO", "type": "organization"}]}, "sentences[0].entities[0].text"),
     ({"dates": [{"text": "7 mars", "value": "7 mars"}]}, "sentences[0].dates[0].value")],
)
def test_languages_bad_annotation_names_its_field(tmp_path: Path, change: dict, field: str) -> None:
    path = _write(tmp_path, "fr", [{**SENTENCES[0], **change}])
    with pytest.raises(InputError) as err:
        read_set(path)
    assert err.value.field == field and str(path) in str(err.value)


@pytest.mark.parametrize("lang", ["fr", "es", "pt", "it"])
def test_languages_sets_load_with_25_to_40_sentences(lang: str) -> None:
    code, sentences = read_set(SET_DIR / f"{lang}.yaml")
    assert code == lang and 25 <= len(sentences) <= 40
    assert sum(len(s.events) for s in sentences) >= 20 and sum(len(s.dates) for s in sentences) >= 20


def test_languages_registered_in_the_report() -> None:
    assert ("languages", "tests/data/languages/") in SETS


@pytest.mark.parametrize("lang", ["fr", "es", "pt", "it"])
def test_languages_heldout_sets_load(lang: str) -> None:
    code, sentences = read_set(SET_DIR / "heldout" / f"{lang}.yaml")
    assert code == lang and len(sentences) >= 6
