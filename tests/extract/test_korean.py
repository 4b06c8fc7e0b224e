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
    people = {m.text for m in doc.mentions if m.type == "person"}
    assert {"정은보", "제임스 드하트"} <= people  # both chief negotiators, the American's name in Hangul too
    rounds = [e for e in doc.events if e.type == "negotiation_round"]
    # one round (headline, body and "협상이 결렬되면서" are the same talks), in LA, failed; "협상 카드" is no round
    assert len(rounds) == 1
    assert (rounds[0].date, rounds[0].date_end, rounds[0].status) == ("2020-03-17", "2020-03-19", "failed")
    assert rounds[0].place is not None and rounds[0].place.canonical == "Los Angeles"
    assert not [e for e in doc.events if e.type == "agreement"]  # "합의에 이르지 못했다" is the round failing
    furloughs = [e for e in doc.events if e.type == "furlough"]
    assert len(furloughs) == 1
    assert (furloughs[0].date, furloughs[0].size, furloughs[0].status) == ("2020-04-01", 4500, "threatened")
    assert any(q.value == 9000 for q in doc.quantities)
    press = next(e for e in doc.events if e.type == "press_conference")
    assert press.date == "2020-03-20" and press.place is not None and press.place.canonical == "Seoul"


@pytest.mark.parametrize(("text", "etype", "status"), [
    # the conditional before the verb makes a threat: "if the company gives no answer, we will strike on"
    ('노조는 "회사가 교섭에서 답을 내놓지 않으면 다음 주에도 파업을 이어가겠다"고 말했다.', "strike", "threatened"),
    ("한빛에어서비스가 다음 달 1일부터 직원 약 300명에게 무급휴직을 시행하겠다고 통보했다.", "furlough", "planned"),
    ("대표단은 15일 울산을 찾아 금속노조 조합원들과 간담회를 가질 예정이다.", "meeting", "planned"),
    ("두 조직은 성명에서 한일 노동자가 함께 행동하겠다고 밝혔다.", "statement", "happened"),
])
def test_korean_event_status(extractor, text: str, etype: str, status: str) -> None:
    doc = extractor(Document(text=text, source="t", published="2023-07-12"))
    found = [e for e in doc.events if e.type == etype]
    assert found and found[0].status == status, [(e.type, e.status) for e in doc.events]


@pytest.mark.parametrize("text", [
    "노조는 근로자의 임금을 협상 카드로 쓰지 말라고 요구했다.",
    "노조는 하청 노동자도 원청과 교섭할 수 있어야 한다고 주장했다.",
    "노조는 파업을 이유로 한 손해배상 청구를 막아야 한다고 주장했다.",
])
def test_korean_words_that_are_not_events(extractor, text: str) -> None:
    doc = extractor(Document(text=text, source="t", published="2023-11-08"))
    assert not [e for e in doc.events if e.type in ("negotiation_round", "strike")], [(e.type, e.trigger) for e in doc.events]


def test_korean_rally_then_march_and_month_alone(extractor) -> None:
    text = ("민주노총은 1일 서울에서 노동절 대회를 열었다. 참가자들은 집회를 마친 뒤 용산 대통령실 인근까지 행진했다. "
            "민주노총은 7월에 총파업에 나설 계획이라고 밝혔다.")
    doc = extractor(Document(text=text, source="t", published="2023-05-01"))
    assert any(e.type == "march" and e.date == "2023-05-01" for e in doc.events)
    assert any(e.type == "strike" and e.date == "2023-07" and e.status == "planned" for e in doc.events)


def test_korean_foreign_name_and_that_day(extractor) -> None:
    text = ("경찰은 15일 오전 서울 영등포구 건설노조 사무실을 압수수색했다. 앞서 법원은 14일 구속영장을 발부했다. "
            "아틀레 회이에 사무총장은 연대 메시지를 보냈다. 민주노총은 이날 오후 기자회견을 열었다.")
    doc = extractor(Document(text=text, source="t", published="2023-06-15"))
    assert "아틀레 회이에" in {m.text for m in doc.mentions if m.type == "person"}
    assert {"경찰", "법원"} <= {m.text for m in doc.mentions if m.type == "organization"}
    press = next(e for e in doc.events if e.type == "press_conference")
    assert press.date == "2023-06-15"  # "이날": the day of the report, not the 14th named just before


def test_gazetteer_names_are_kiwi_proper_nouns() -> None:
    from solidarity_graph.extract.korean import load_kiwi

    tokens = [(t.form, t.tag) for t in load_kiwi().tokenize("전국공공운수사회서비스노동조합은 파업했다.")]
    assert tokens[0] == ("전국공공운수사회서비스노동조합", "NNP")  # one proper noun, not five nouns
