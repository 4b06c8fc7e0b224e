"""The Korean path and language detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from solidarity_graph.extract.language import detect_language
from solidarity_graph.ingest import read_document
from solidarity_graph.model import Document

KO = Path(__file__).resolve().parents[1] / "data" / "browser" / "kctu_mayday_ko.txt"


@pytest.mark.parametrize(
    ("text", "lang"),
    [("민주노총은 서울에서 집회를 열었다.", "ko"), ("The union held a rally in Seoul.", "en"),
     ("El sindicato convocó una huelga general en Madrid.", "es"), ("Le syndicat a appelé à la grève générale.", "fr"),
     ("労働組合は東京で集会を開いた。ストライキを行った。", "ja")],
)
def test_korean_language_detection(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_korean_report_gives_orgs_place_date_event_size(extractor) -> None:
    doc = extractor(read_document(KO))
    assert doc.language == "ko"
    orgs = {m.canonical for m in doc.mentions if m.type == "organization"}
    assert {"Korean Confederation of Trade Unions", "Korean Metal Workers' Union"} <= orgs
    rally = next(e for e in doc.events if e.type == "rally")
    assert rally.date == "2024-05-01" and rally.place is not None and rally.place.canonical == "Seoul"
    assert rally.size == 20000 and rally.size_hedge == "about"


@pytest.mark.parametrize(
    ("text", "published", "value"),
    [("협상은 17일부터 19일까지 열렸다.", "2020-03-20", ("2020-03-17", "2020-03-19")),
     ("다음 달 1일부터 무급휴직이 시작된다.", "2020-03-20", ("2020-04-01", None)),
     ("2020년 3월 20일 기자회견을 열었다.", "2021-01-01", ("2020-03-20", None)),
     ("지난해 파업이 있었다.", "2025-08-01", ("2024", None))],
)
def test_korean_dates(extractor, text: str, published: str, value: tuple[str, str | None]) -> None:
    doc = extractor(Document(text=text, source="t", published=published))
    dates = [(m.attrs["value"], m.attrs.get("end")) for m in doc.mentions if m.type == "date"]
    assert value in dates


def test_korean_person_with_title_and_role(extractor) -> None:
    doc = extractor(Document(text="민주노총 양경수 위원장은 총파업을 선언했다.", source="t", published="2024-05-01"))
    assert any(m.type == "person" and m.text == "양경수" for m in doc.mentions)
    assert any(r.predicate == "holds_role" and r.subject.text == "양경수" and r.attrs["title"] == "위원장" for r in doc.relations)


def test_korean_sma_story_gives_the_seed_facts(extractor) -> None:
    """The third seed told in Korean: USFK, the negotiator, Los Angeles on 17-19 March, half of 9,000 from 1 April."""
    path = Path(__file__).resolve().parents[2] / "solidarity_graph" / "data" / "sample_ko" / "01_sma_usfk.txt"
    doc = extractor(read_document(path))
    orgs = {m.canonical for m in doc.mentions if m.type == "organization"}
    assert "United States Forces Korea" in orgs
    assert any(m.type == "person" and m.text == "정은보" for m in doc.mentions)
    rounds = [e for e in doc.events if e.type == "negotiation_round"]
    assert any(e.date == "2020-03-17" and e.date_end == "2020-03-19" and e.place and e.place.canonical == "Los Angeles" for e in rounds)
    furlough = next(e for e in doc.events if e.type == "furlough")
    assert furlough.date == "2020-04-01" and furlough.size == 4500
    assert any(q.value == 9000 for q in doc.quantities)
    press = next(e for e in doc.events if e.type == "press_conference")
    assert press.date == "2020-03-20" and press.place is not None and press.place.canonical == "Seoul"
