"""The French, Spanish, Portuguese and Italian path (issue 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from solidarity_graph.extract.romance_dates import parse_romance_number
from solidarity_graph.model import Document
from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.store import tables as t

PARAGRAPHS = {
    "fr": ("La secrétaire générale de la CGT, Sophie Binet, a appelé à une nouvelle journée de grève le 6 juin. "
           "Hier, plus de 1,2 million de manifestants ont défilé à Paris et à Lyon selon la CGT.", "2023-05-03"),
    "es": ("En Argentina, la CGT convocó un paro general para el 24 de enero contra el decreto del presidente Javier Milei. "
           "Ayer, miles de trabajadores marcharon en Buenos Aires.", "2024-01-10"),
    "pt": ("O presidente da Central Única dos Trabalhadores (CUT), Sérgio Nobre, anunciou uma greve geral para 14 de junho. "
           "Ontem, cerca de 5.000 operários protestaram em São Paulo.", "2019-05-02"),
    "it": ("Il segretario generale della CGIL Maurizio Landini ha proclamato uno sciopero generale per il 29 novembre. "
           "Ieri circa 20.000 lavoratori hanno manifestato a Milano.", "2024-11-01"),
}
EXPECT = {  # language: (gazetteer key, person, title, place of the second event, planned date, yesterday, size, hedge)
    "fr": ("cgt_france", "Sophie Binet", "secrétaire générale", "Paris", "2023-06-06", "2023-05-02", 1_200_000, "more than"),
    "es": ("cgt_argentina", "Javier Milei", None, "Buenos Aires", "2024-01-24", "2024-01-09", 2000, "miles"),
    "pt": ("cut_brazil", "Sérgio Nobre", "presidente", "São Paulo", "2019-06-14", "2019-05-01", 5000, "about"),
    "it": ("cgil", "Maurizio Landini", "segretario generale", "Milan", "2024-11-29", "2024-10-31", 20_000, "about"),
}


@pytest.mark.parametrize("lang", ["fr", "es", "pt", "it"])
def test_romance_paragraph_gives_orgs_people_dates_events(extractor, lang: str) -> None:
    text, published = PARAGRAPHS[lang]
    key, person, title, place, planned, yesterday, size, hedge = EXPECT[lang]
    doc = extractor(Document(text=text, source=f"{lang}.txt", published=published))
    assert doc.language == lang
    assert key in {m.key for m in doc.mentions if m.type == "organization"}
    assert any(m.type == "person" and m.text == person for m in doc.mentions)
    if title:
        assert any(r.predicate == "holds_role" and r.subject.text == person and r.attrs["title"] == title for r in doc.relations)
    dates = {m.attrs["value"] for m in doc.mentions if m.type == "date"}
    assert {planned, yesterday} <= dates
    first = doc.events[0]
    assert first.type == "strike" and first.status == "planned" and first.date == planned
    second = doc.events[-1]
    assert second.status == "happened" and second.date == yesterday
    assert second.place is not None and second.place.canonical == place
    assert any(q.value == size and q.hedge == hedge for q in doc.quantities)
    assert all(m.extractor and 0 < m.confidence <= 1 for m in doc.mentions)


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [("1,2", "fr", 1.2), ("420 000", "fr", 420000), ("5.000", "pt", 5000), ("dos", "es", 2), ("20.000", "it", 20000)],
)
def test_romance_numbers_read_with_each_languages_separators(text: str, lang: str, value: float) -> None:
    assert parse_romance_number(text, lang) == value


@pytest.mark.parametrize(
    ("text", "lang", "published", "status"),
    [("Le 10 avril 2024, la négociation sur l'emploi des seniors s'est achevée sans accord.", "fr", "2024-04-11", "failed"),
     ("CCOO y UGT amenazaron con movilizaciones si la patronal no aceptaba subidas salariales.", "es", "2023-05-01", "threatened"),
     ("A CGTP-IN convocou uma manifestação nacional para 18 de março em Lisboa.", "pt", "2023-03-01", "planned"),
     ("En Colombia, la CUT convocó el paro nacional del 21 de noviembre de 2019.", "es", "2019-11-22", "happened")],
)
def test_romance_event_status_from_cues_and_dates(extractor, text: str, lang: str, published: str, status: str) -> None:
    doc = extractor(Document(text=text, source="t", published=published))
    assert doc.language == lang
    assert [e.status for e in doc.events][:1] == [status]


def test_romance_shared_acronym_takes_the_country_named(extractor) -> None:
    chile = extractor(Document(text="En Chile, la CUT participó en la huelga general del 12 de noviembre de 2019.", source="t"))
    colombia = extractor(Document(text="En Colombia, la CUT convocó el paro nacional del 21 de noviembre de 2019.", source="t"))
    brazil = extractor(Document(text="A CUT realizou uma greve geral contra a reforma da Previdência em 2017.", source="t"))
    keys = [{m.key for m in d.mentions if m.text == "CUT"} for d in (chile, colombia, brazil)]
    assert keys[0] != keys[1] and len(keys[0]) == len(keys[1]) == 1
    assert keys[2] == {"cut_brazil"}


def test_romance_mixed_document_takes_each_paragraph_through_its_path(extractor) -> None:
    text = ("The CGT called a general strike against the pension reform on March 7, 2023.\n"
            "Le 7 mars 2023, la CGT et la CFDT ont appelé à une grève générale contre la réforme des retraites. "
            "Sophie Binet, secrétaire générale de la CGT, a pris la parole à Paris.")
    doc = extractor(Document(text=text, source="mixed.txt", published="2023-03-08"))
    assert {s["language"] for s in doc.meta["languages"]} == {"en", "fr"}
    french_at = text.index("Le 7 mars")
    english_dates = [m for m in doc.mentions if m.type == "date" and m.start < french_at]
    french_dates = [m for m in doc.mentions if m.type == "date" and m.start >= french_at]
    assert [m.extractor for m in english_dates] == ["dates.v1"] and english_dates[0].attrs["value"] == "2023-03-07"
    assert [m.extractor for m in french_dates] == ["fr_dates.v1"] and french_dates[0].attrs["value"] == "2023-03-07"
    assert any(r.predicate == "holds_role" and r.subject.text == "Sophie Binet" and r.extractor == "fr_roles.v1" for r in doc.relations)
    assert len([e for e in doc.events if e.type == "strike"]) >= 2


def _entity_of(store, text: str) -> set[int]:
    with store.connect() as conn:
        return {r[0] for r in conn.execute(select(t.mentions.c.entity_id).where(t.mentions.c.text == text))}


@pytest.mark.issue(5)
def test_romance_names_meet_their_english_names_in_one_store(store, tmp_path: Path) -> None:
    """A FAT report in Spanish, a CUT note in Portuguese, a CSN note in French and an English report land on the same entities."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "en.txt").write_text(
        "UE has worked with the Authentic Workers' Front (FAT) of Mexico since 1992. Delegates of the Central Única "
        "dos Trabalhadores of Brazil and of the Confederation of National Trade Unions of Quebec joined the convention.\n",
        encoding="utf-8")
    (folder / "es.txt").write_text(
        "El Frente Auténtico del Trabajo celebró su congreso nacional en la Ciudad de México. El FAT y el sindicato "
        "estadounidense UE renovaron su alianza.\n", encoding="utf-8")
    (folder / "pt.txt").write_text(
        "A CUT realizou ontem uma greve geral em São Paulo contra a reforma da Previdência.\n", encoding="utf-8")
    (folder / "fr.txt").write_text(
        "La Confédération des syndicats nationaux (CSN) a appelé à la grève dans le secteur public québécois.\n",
        encoding="utf-8")
    summary = ingest_paths([folder], store, published="2023-05-02")
    assert summary.new == 4 and not summary.failed
    fat = _entity_of(store, "Frente Auténtico del Trabajo")
    assert len(fat) == 1 and fat == _entity_of(store, "Authentic Workers' Front") == _entity_of(store, "FAT")
    cut = _entity_of(store, "CUT")
    assert len(cut) == 1 and cut == _entity_of(store, "Central Única dos Trabalhadores")
    csn = _entity_of(store, "Confédération des syndicats nationaux")
    assert len(csn) == 1 and csn == _entity_of(store, "Confederation of National Trade Unions") == _entity_of(store, "CSN")
    with store.connect() as conn:
        langs = dict(conn.execute(select(t.documents.c.source, t.documents.c.language)).all())
    assert sorted(langs.values()) == ["en", "es", "fr", "pt"]
