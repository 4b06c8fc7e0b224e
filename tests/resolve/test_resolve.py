"""Resolution across documents: one entity per organization or person, with the rule that decided."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.query import find_entity
from solidarity_graph.resolve.rules import fold_name, org_score
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t


def _ingest(store: Store, tmp_path: Path, texts: list[str]) -> None:
    for i, body in enumerate(texts):
        (tmp_path / f"d{i}.txt").write_text(body, encoding="utf-8")
        assert ingest_paths([tmp_path / f"d{i}.txt"], store, published="2024-05-03").failed == []


def test_resolve_kctu_variants_are_one_entity(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, [
        "They joined the Korean Confederation of Trade Union’s (KCTU) May Day rally in Seoul.",
        "The KCTU called a general strike on Tuesday.",
        "Leaders of the Korean Confederation of Trade Unions met UE in Seoul.",
        "민주노총 organized the rally.",
    ])
    found = {e["id"] for name in ("KCTU", "Korean Confederation of Trade Unions", "민주노총") for e in find_entity(store, name)}
    assert len(found) == 1


def test_resolve_acronym_defined_in_one_document_serves_others(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, [
        "The Harbour Cleaners Workers Union (HCWU) held a rally in Busan on May 1.",
        "HCWU leaders met the mayor of Busan.",
    ])
    ids = {e["id"] for e in find_entity(store, "HCWU")} | {e["id"] for e in find_entity(store, "Harbour Cleaners Workers Union")}
    assert len(ids) == 1


def test_resolve_surname_and_romanization(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, [
        "Chief negotiator Eun-Bo Jeong met the US side in Los Angeles. Ambassador Chung said no agreement was reached.",
        "Jeong Eun-bo returned to Seoul on the 20th.",
    ])
    people = {e["id"] for n in ("Eun-Bo Jeong", "Jeong Eun-bo") for e in find_entity(store, n)}
    assert len(people) == 1
    with store.connect() as conn:
        rules = {r.rule for r in conn.execute(select(t.decisions.c.rule))}
    assert "person_name_parts" in rules


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Korean Confederation of Trade Union", "Korean Confederation of Trade Unions", True),
        ("UE Local 506", "UE Local 610", False),
        ("Chicago Teachers’ Union", "Chicago Teachers Union", True),
        ("Korean Metal Workers Union", "Korean Teachers Union", False),
    ],
)
def test_resolve_org_threshold(a: str, b: str, same: bool) -> None:
    from solidarity_graph.resolve.rules import ORG_THRESHOLD

    assert (org_score(fold_name(a), fold_name(b)) >= ORG_THRESHOLD) is same


def test_resolve_same_place_name_two_countries(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, [
        "Nurses rallied in London, England, on Tuesday.",
        "Auto workers marched in London, Ontario, Canada, on Tuesday.",
    ])
    with store.connect() as conn:
        londons = {(r.name, r.country) for r in conn.execute(select(t.entities.c.name, t.entities.c.country).where(t.entities.c.name == "London"))}
    assert {c for _, c in londons} == {"GB", "CA"}


@pytest.mark.parametrize(
    ("a", "b"),
    [("정은보", "Eun-Bo Jeong"), ("이재명", "Lee Jae Myung"), ("윤석열", "Yoon Suk Yeol"), ("김정은", "Kim Jong-un"),
     ("Chung Eun-bo", "Jeong Eun-bo")],
)
def test_resolve_korean_names_across_scripts(a: str, b: str) -> None:
    from solidarity_graph.extract.entities import surname_key
    from solidarity_graph.resolve.rules import person_key

    assert person_key(a, surname_key) == person_key(b, surname_key)
    assert person_key("Carl Rosen", surname_key) != person_key("Janet Gray", surname_key)


def test_resolve_korean_and_english_reports_one_person(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, [
        "Chief negotiator Eun-Bo Jeong met the US side in Los Angeles on the 17th.",
        "정은보 대사는 로스앤젤레스에서 제7차 회의를 열었다.",
    ])
    assert {e["id"] for n in ("Eun-Bo Jeong", "정은보") for e in find_entity(store, n)} and \
        len({e["id"] for n in ("Eun-Bo Jeong", "정은보") for e in find_entity(store, n)}) == 1
