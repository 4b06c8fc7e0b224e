"""Small runs of the Mass Mobilization and Collective Action in Tech evaluations, plus their label parsers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from solidarity_graph.evaluation import collective_action, mass_mobilization
from solidarity_graph.evaluation.event_match import country_codes, date_right


def _check(figures: dict[str, float], keys: list[str]) -> None:
    for key in keys:
        assert key in figures, key
        assert 0.0 <= figures[key] <= 1.0, (key, figures[key])


@pytest.mark.slow
def test_mass_mobilization_small(shared: Path) -> None:
    section = mass_mobilization.evaluate(shared, limit=40, processes=1)
    _check(section.figures, ["mm_type", "mm_country", "mm_country_any", "mm_size", "mm_identity", "mm_date",
                             "mm_date_text_share", "mm_date_text_right", "spacy_mm_country", "spacy_mm_identity"])
    assert "| MM category | our types counted right |" in section.markdown
    assert "| field | rows scored | Solidarity Graph | plain spaCy |" in section.markdown
    assert "What limits it" in section.markdown


@pytest.mark.slow
def test_collective_action_small(shared: Path) -> None:
    section = collective_action.evaluate(shared, limit=40, processes=1)
    _check(section.figures, ["tech_type", "tech_employer", "tech_workers", "tech_date", "tech_country",
                             "tech_date_text_share", "spacy_tech_employer"])
    assert "| their action | rows | our types counted right |" in section.markdown
    for action in ("strike", "protest", "open letter", "union drive", "legal action"):
        assert f"| {action} |" in section.markdown
    assert "What limits it" in section.markdown


def test_size_labels() -> None:
    size = mass_mobilization.size_label
    assert size("1000s") == (1000, 9999)
    assert size("hundreds") == (100, 999)
    assert size("50-99") == (50, 99)
    assert size(">10000") == (10000, math.inf)
    assert size("about 500") == pytest.approx((400, 600))
    assert size("busloads") is None
    assert size("busloads", "100-999") == (100, 999)


def test_label_helpers() -> None:
    assert country_codes("South Korea") == {"KR"}
    assert country_codes("Kosovo") == {"XK"}
    assert country_codes("Georgia") == {"GE"}
    assert "RU" in country_codes("USSR")
    assert mass_mobilization.names_organization("korean confederation of trade unions")
    assert not mass_mobilization.names_organization("workers; students")
    assert not mass_mobilization.names_organization("labor unions")
    assert mass_mobilization.published_from_sources("the new york times, september 17, 1991, tuesday") == "1991-09-17"
    assert collective_action.label_list("['strike', 'protest']") == ["strike", "protest"]
    assert collective_action.label_list("None") == []
    assert collective_action.employer_right(["at&t"], ["AT&T Inc."])
    assert not collective_action.employer_right(["amazon"], ["Amazon Labor Union"])


def test_date_at_our_precision() -> None:
    import datetime as dt

    label = dt.date(2019, 5, 3)
    assert date_right({"date": "2019-05", "date_precision": "month"}, label)
    assert date_right({"date": "2019", "date_precision": "year"}, label)
    assert not date_right({"date": "2019-05-04", "date_precision": "day"}, label)
    assert date_right({"date": "2019-04-29", "date_precision": "week"}, label)
    assert not date_right(None, label)
