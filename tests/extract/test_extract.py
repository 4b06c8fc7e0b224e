"""The labor layers on small texts built by hand."""

from __future__ import annotations

import pytest

from solidarity_graph.model import Document


def _rels(extractor, text: str, published: str = "2025-08") -> set[tuple[str, str, str]]:
    doc = extractor(Document(text=text, source="t", published=published))
    return {(r.subject.text, r.predicate, r.object.text) for r in doc.relations}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In May 2025, UE General President Carl Rosen attended the convention.", ("Carl Rosen", "holds_role", "UE")),
        ("Rosen spoke with Lana Payne, the National President of Unifor, about tariffs.", ("Lana Payne", "holds_role", "Unifor")),
        ("“We stand together,” said Michael Leon Guerrero, Executive Director of Labor Network for Sustainability.",
         ("Michael Leon Guerrero", "holds_role", "Labor Network for Sustainability")),
    ],
)
def test_extract_roles(extractor, text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _rels(extractor, text)


def test_extract_acronym_defined_in_text(extractor) -> None:
    doc = extractor(Document(text="The Alianza de Tranviarios de México (ATM) met the delegation. ATM leaders spoke.", source="t"))
    names = {(m.text, m.canonical) for m in doc.mentions if m.type == "organization"}
    assert ("ATM", "Alianza de Tranviarios de México") in names


def test_extract_locals_belong_to_union(extractor) -> None:
    doc = extractor(Document(text="Wabtec workers share the same employer as UE Locals 506, 610 and 618.", source="t"))
    locals_ = sorted(m.canonical for m in doc.mentions if m.attrs.get("kind") == "local")
    assert locals_ == ["UE Local 506", "UE Local 610", "UE Local 618"]
    rels = {(r.subject.canonical, r.predicate, r.object.text) for r in doc.relations}
    assert ("UE Local 610", "part_of", "UE") in rels


def test_extract_event_with_size_and_hedge(extractor) -> None:
    doc = extractor(Document(text="About half of the 9,000 Korean workers at US Forces Korea were forced to take unpaid leave.", source="t", published="2020-03-20"))
    ev = next(e for e in doc.events if e.type == "furlough")
    assert ev.size == 4500
    assert ev.size_hedge == "about"
    assert any(q.value == 9000 for q in doc.quantities)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("No agreement was reached at the seventh round of negotiations.", "failed"),
        ("Two staff members will travel to Australia for the IndustriALL congress.", "planned"),
        ("Some 3,200 workers walked out at the plant on Monday.", "happened"),
    ],
)
def test_extract_event_status(extractor, text: str, status: str) -> None:
    doc = extractor(Document(text=text, source="t", published="2025-08-04"))
    assert doc.events, text
    assert doc.events[0].status == status


@pytest.mark.parametrize(
    ("text", "crowd", "target"),
    [
        ("About 17,000 AT&T workers walked off the job on Wednesday.", "AT&T workers", "AT&T"),
        ("Thousands of public sector workers marched in Athens against pay cuts.", "public sector workers", None),
    ],
)
def test_extract_event_crowd_and_employer(extractor, text: str, crowd: str, target: str | None) -> None:
    doc = extractor(Document(text=text, source="t", published="2019-05-02"))
    ev = doc.events[0]
    assert ev.attrs.get("crowd") == crowd
    assert ev.size and ev.size >= 2000
    if target:
        assert target in {m.text for m in ev.targets}


def test_extract_lower_case_places_and_demonyms(extractor) -> None:
    doc = extractor(Document(text="thousands of chilean teachers marched in santiago to demand higher pay.", source="t", published="2019-05-02"))
    ev = doc.events[0]
    assert ev.place is not None and ev.place.attrs.get("country") == "CL"


def test_extract_city_read_against_the_countries_named(extractor) -> None:
    doc = extractor(Document(text="Tech workers in Santa Clara, California, held a rally on Monday.", source="t", published="2019-05-02"))
    place = next(m for m in doc.mentions if m.type == "place" and m.text == "Santa Clara")
    assert place.attrs.get("country") == "US"


def test_extract_no_relative_dates_without_a_document_date(extractor) -> None:
    doc = extractor(Document(text="Drivers went on strike on Thursday and again on May 1st.", source="t"))
    assert all(e.date is None for e in doc.events)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("The unions demand to stop the deployment and called a rally.", "happened"),
        ("We call on the government to stop the layoffs at the plant.", "happened"),
        ("The union demanded a general strike.", "demanded"),
        ("Drivers are forced to take unpaid leave if the agreement is not agreed.", "threatened"),
    ],
)
def test_extract_status_governed_by_its_verb(extractor, text: str, status: str) -> None:
    doc = extractor(Document(text=text, source="t", published="2019-05-02"))
    assert doc.events[0].status == status
