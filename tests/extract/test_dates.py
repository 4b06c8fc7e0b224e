"""Dates normalized against the document's date, with precision and ranges."""

from __future__ import annotations

import pytest

from solidarity_graph.extract.dates import find_dates
from solidarity_graph.model import Document


def _dates(text: str, published: str) -> list[tuple[str, str | None, str]]:
    doc = Document(text=text, source="t", published=published)
    find_dates(doc, [])
    return [(m.attrs["value"], m.attrs["end"], m.attrs["precision"]) for m in doc.mentions if m.type == "date"]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("The delegation arrived in Seoul May 1.", "2018-05-03", ("2018-05-01", None, "day")),
        ("Talks were held in Los Angeles on the 17th to 19th.", "2020-03-20", ("2020-03-17", "2020-03-19", "day")),
        ("Leave starts from the 1st of next month.", "2020-03-20", ("2020-04-01", None, "day")),
        ("Before the first day of next month, nothing.", "2020-03-20", ("2020-04-01", None, "day")),
        ("On Tuesday, they joined the rally.", "2018-05-03", ("2018-05-01", None, "day")),
        ("In November, two staff will travel to Australia.", "2025-08", ("2025-11", None, "month")),
        ("Parliament voted to impeach him in December.", "2025-08", ("2024-12", None, "month")),
        ("In May 2024, UE sent a delegation.", "2025-08", ("2024-05", None, "month")),
        ("Posted on Thursday, May 3, 2018", "2018-05-03", ("2018-05-03", None, "day")),
        ("In early 2025, the president spoke.", "2025-08", ("2025", None, "year")),
        ("The union held a press conference on this day.", "2020-03-20", ("2020-03-20", None, "day")),
        ("They marched on International Workers' Day.", "2018-05-03", ("2018-05-01", None, "day")),
    ],
)
def test_dates_normalized(text: str, published: str, expected: tuple[str, str | None, str]) -> None:
    assert expected in _dates(text, published)


@pytest.mark.parametrize("text", ["They may join us.", "110,000 members", "the 80th anniversary of the bombing"])
def test_dates_no_false_dates(text: str) -> None:
    assert _dates(text, "2025-08") == []
