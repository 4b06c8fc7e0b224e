"""Curation: every change audited, and it survives extracting the documents again."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from sqlalchemy import select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from solidarity_graph import curation
from solidarity_graph.errors import InputError
from solidarity_graph.export import iter_records
from solidarity_graph.pipeline import ingest_paths, reextract
from solidarity_graph.query import find_entity
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t
from solidarity_graph.web.app import create_app

TEXTS = [
    "UE General President Carl Rosen met leaders of the Korean Metal Workers' Union (KMWU) in Seoul on May 1, 2024.",
    "The Korean Metalworkers Federation held a rally in Ulsan on May 3, 2024, with UE members.",
]


@pytest.fixture
def filled(store_any: Store, tmp_path: Path) -> Store:
    for i, text in enumerate(TEXTS):
        (tmp_path / f"d{i}.txt").write_text(text, encoding="utf-8")
    ingest_paths([tmp_path], store_any, published="2024-05-04")
    return store_any


def _id(store: Store, name: str) -> int:
    return int(find_entity(store, name)[0]["id"])


def test_curation_merge_survives_reextraction(filled: Store) -> None:
    keep, drop = _id(filled, "KMWU"), _id(filled, "Korean Metalworkers Federation")
    assert keep != drop
    curation.merge_entities(filled, keep, drop, who="alice", note="same union")
    reextract(filled)
    assert {e["id"] for e in find_entity(filled, "Korean Metalworkers Federation")} == {keep}
    log = curation.audit_log(filled)
    assert log[0]["action"] == "merge" and log[0]["who"] == "alice" and log[0]["before"]["drop"]["id"] == drop


def test_curation_rejected_fact_stays_rejected(filled: Store) -> None:
    with filled.connect() as conn:
        rel = conn.execute(select(t.relations).where(t.relations.c.predicate == "holds_role")).first()
    assert rel is not None
    curation.review_fact(filled, "relation", rel.id, "rejected", who="bob", note="not a role")
    assert not [r for r in iter_records(filled) if r["kind"] == "relation" and r["predicate"] == "holds_role"]
    reextract(filled)
    assert not [r for r in iter_records(filled) if r["kind"] == "relation" and r["predicate"] == "holds_role"]
    with filled.connect() as conn:
        assert conn.execute(select(t.relations.c.review).where(t.relations.c.predicate == "holds_role")).scalar_one() == "rejected"


def test_curation_hand_fact_stays_and_split(filled: Store) -> None:
    ue, kmwu = _id(filled, "UE"), _id(filled, "KMWU")
    curation.add_fact(filled, ue, "ally_of", kmwu, who="carol", note="Signed MOU, 2024 convention minutes p. 4")
    reextract(filled)
    allies = [r for r in iter_records(filled) if r["kind"] == "relation" and r["predicate"] == "ally_of"]
    assert any(r["quote"].startswith("Signed MOU") and r["document"] is None for r in allies)
    out = curation.split_alias(filled, kmwu, "KMWU", who="carol")
    assert out["entity"]["name"] == "KMWU"
    with pytest.raises(InputError):
        curation.split_alias(filled, kmwu, "no such alias", who="carol")


def test_curation_api_guards_and_changes(filled: Store) -> None:
    client = TestClient(create_app(store=filled))
    keep, drop = _id(filled, "KMWU"), _id(filled, "Korean Metalworkers Federation")
    form = client.post("/api/v1/curate/merge", data={"keep": keep, "drop": drop})
    assert form.status_code == 415 and form.json()["ok"] is False
    cross = client.post("/api/v1/curate/merge", json={"keep": keep, "drop": drop}, headers={"Origin": "http://evil.example"})
    assert cross.status_code == 403
    ok = client.post("/api/v1/curate/merge", json={"keep": keep, "drop": drop, "who": "dana"})
    assert ok.status_code == 200 and ok.json()["entity"]["id"] == keep
    again = client.post("/api/v1/curate/merge", json={"keep": keep, "drop": drop})
    assert again.status_code == 400 and "no entity" in again.json()["error"]
    assert client.get("/api/v1/curate/log").json()["curations"][0]["who"] == "dana"
    assert client.get(f"/entity/{keep}.json").json()["name"]


def test_curation_merge_carries_the_program_rows(filled: Store) -> None:
    """A merge moves exchanges, commitments, contacts, ledger entries and watches to the kept entity."""
    from sqlalchemy import insert

    keep, drop = _id(filled, "KMWU"), _id(filled, "Korean Metalworkers Federation")
    now = "2026-01-01T00:00:00+00:00"
    with filled.engine.begin() as conn:
        ex = conn.execute(insert(t.exchanges).values(kind="delegation", title="t", status="confirmed", created_at=now,
                                                     created_by="a")).inserted_primary_key[0]
        conn.execute(insert(t.exchange_members), [{"exchange_id": ex, "entity_id": keep, "role": "host"},
                                                  {"exchange_id": ex, "entity_id": drop, "role": "host"},
                                                  {"exchange_id": ex, "entity_id": drop, "role": "organizer"}])
        conn.execute(insert(t.commitments).values(kind="demand", text="x", subject_id=drop, status="open",
                                                  extractor="hand", confidence=1.0, created_at=now))
        conn.execute(insert(t.contacts).values(entity_id=drop, person="Kim", created_at=now))
        conn.execute(insert(t.watches), [{"entity_id": keep, "event_types": ["strike"], "who": "alice", "created_at": now},
                                         {"entity_id": drop, "event_types": ["strike"], "who": "alice", "created_at": now},
                                         {"entity_id": drop, "event_types": ["strike"], "who": "bob", "created_at": now}])
    curation.merge_entities(filled, keep, drop, who="alice")
    with filled.engine.connect() as conn:
        members = sorted((r.entity_id, r.role) for r in conn.execute(select(t.exchange_members)))
        assert members == [(keep, "host"), (keep, "organizer")]
        assert conn.execute(select(t.commitments.c.subject_id)).scalar() == keep
        assert conn.execute(select(t.contacts.c.entity_id)).scalar() == keep
        assert sorted((r.entity_id, r.who) for r in conn.execute(select(t.watches))) == [(keep, "alice"), (keep, "bob")]
