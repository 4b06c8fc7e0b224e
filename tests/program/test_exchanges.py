"""Exchanges and delegations: proposals from the bundled sample (and the seeds where ../shared is
present) in a real SQLite store, idempotence on re-ingest and re-extraction, rejected events, records
made by hand with their audit rows, the CLI and the HTTP API."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from solidarity_graph.cli import main
from solidarity_graph.curation import review_fact
from solidarity_graph.errors import InputError
from solidarity_graph.pipeline import ingest_paths, reextract
from solidarity_graph.program import exchanges as ex
from solidarity_graph.query import find_entity
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t
from solidarity_graph.web.app import create_app

SAMPLE = Path(__file__).resolve().parents[2] / "solidarity_graph" / "data" / "sample"
TRIP = """Teamsters Delegation Visits FAT in Mexico City
Date: 2025-06-20

A delegation from the Teamsters arrived in Mexico City on June 9 to meet leaders of the Frente Auténtico del Trabajo (FAT).
On June 11 the Teamsters and the FAT held a joint press conference in Mexico City.
"""


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store.open(str(tmp_path_factory.mktemp("exchanges") / "x.db"))
    summary = ingest_paths([SAMPLE], store)
    assert summary.new == 10 and summary.program["exchanges"]["proposed"] > 0
    return store


def _eid(store: Store, name: str) -> int:
    return int(find_entity(store, name)[0]["id"])


def _by_source(store: Store, words: str) -> dict[str, Any]:
    found = [x for x in ex.list_exchanges(store) if words in (ex.get_exchange(store, x["id"])["event"] or {}).get("quote", "")]
    assert len(found) == 1, [x["title"] for x in ex.list_exchanges(store)]
    return ex.get_exchange(store, found[0]["id"])


def _roles(x: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m["name"], m["role"]) for m in x["members"]}


def test_exchanges_proposed_from_the_seoul_delegation(sample_store: Store) -> None:
    x = _by_source(sample_store, "A six-member delegation from the United Electrical")
    assert x["status"] == "proposed" and x["kind"] == "delegation" and x["proposed"]
    assert x["place"]["name"] == "Seoul" and x["title"].startswith("UE delegation to Seoul")
    roles = _roles(x)
    assert ("United Electrical, Radio and Machine Workers of America", "traveler") in roles
    assert ("Korean Metal Workers' Union", "host") in roles
    kinds = {(i["kind"], i["date"]) for i in x["itinerary"]}
    assert ("press_conference", "2024-05-02") in kinds and ("rally", "2024-05-01") in kinds
    assert all(i["event"]["quote"] and i["event"]["document"] for i in x["itinerary"])
    assert [f["status"] for f in x["follow_ups"]] == ["open"]
    assert "KMWU plans to send its own delegation" in x["follow_ups"][0]["description"]
    assert any("share information on multinational companies" in c["text"] for c in x["commitments"])
    assert x["sources"][0]["quote"].startswith("A six-member delegation") and x["sources"][0]["document_title"]


def test_exchanges_planned_return_visit_and_no_government_delegation(sample_store: Store) -> None:
    x = _by_source(sample_store, "The KMWU plans to send its own delegation to Erie")
    assert x["title"].startswith("Planned KMWU delegation to Erie")
    assert ("Korean Metal Workers' Union", "traveler") in _roles(x)
    # "The US delegation rejected the proposal": negotiators, not a union exchange
    assert not [e for e in ex.list_exchanges(sample_store) if "rejected the proposal" in (ex.get_exchange(sample_store, e["id"])["event"] or {}).get("quote", "")]


def test_exchanges_japanese_visit_hosted_by_ue(sample_store: Store) -> None:
    x = _by_source(sample_store, "Japanese Metalworkers Visit UE Shops")
    assert ("United Electrical, Radio and Machine Workers of America", "host") in _roles(x)
    assert ("National Confederation of Trade Unions", "traveler") in _roles(x)
    assert x["date_start"] == "2025-10-06"
    assert {i["kind"] for i in x["itinerary"]} >= {"visit", "meeting"}


def test_exchanges_proposals_are_idempotent(sample_store: Store) -> None:
    before = [(x["id"], x["title"]) for x in ex.list_exchanges(sample_store)]
    with sample_store.connect() as conn:
        ids = [r[0] for r in conn.execute(select(t.documents.c.id))]
    assert ex.propose_from_documents(sample_store, ids)["proposed"] == 0
    assert ingest_paths([SAMPLE], sample_store).new == 0
    assert [(x["id"], x["title"]) for x in ex.list_exchanges(sample_store)] == before


def test_exchanges_survive_reextract_and_rejected_stays_rejected(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "r.db"))
    ingest_paths([SAMPLE / "01_delegation_seoul.txt", SAMPLE / "08_exchange_japan_us.txt"], store)
    first, second = ex.list_exchanges(store)[:2]
    ex.set_status(store, first["id"], "rejected", who="ana", note="a summary, not a trip")
    ex.set_status(store, second["id"], "confirmed", who="ana")
    old = ex.get_exchange(store, second["id"])
    summary = reextract(store)
    assert summary.program["exchanges"]["proposed"] == 0 and summary.program["exchanges"]["relinked"] > 0
    assert {x["id"]: x["status"] for x in ex.list_exchanges(store)}[first["id"]] == "rejected"
    new = ex.get_exchange(store, second["id"])
    assert new["status"] == "confirmed" and new["event"] is not None
    assert new["event"]["quote"] == old["event"]["quote"]  # found again by fingerprint (SQLite may reuse the id)
    with store.connect() as conn:
        fp = conn.execute(select(t.exchanges.c.event_fingerprint).where(t.exchanges.c.id == second["id"])).scalar_one()
        assert conn.execute(select(t.events.c.id).where(t.events.c.fingerprint == fp)).scalar_one() == new["event"]["id"]
    assert [i["event"]["quote"] for i in new["itinerary"] if i["event"]] == [i["event"]["quote"] for i in old["itinerary"] if i["event"]]
    assert len(ex.list_exchanges(store)) == len(ex.list_exchanges(store, status=None))
    with store.connect() as conn:
        log = conn.execute(select(t.curations.c.action, t.curations.c.target, t.curations.c.note).order_by(t.curations.c.id)).all()
    assert log[0] == ("reject_exchange", f"exchange {first['id']}", "a summary, not a trip")
    store.close()


def test_exchanges_rejected_event_is_not_proposed(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "e.db"))
    (tmp_path / "trip.txt").write_text(TRIP, encoding="utf-8")
    ingest_paths([tmp_path / "trip.txt"], store)
    x = ex.list_exchanges(store)
    assert len(x) == 1 and x[0]["place"]["name"] == "Mexico City"
    one = ex.get_exchange(store, x[0]["id"])
    assert {m["role"] for m in one["members"] if m["name"].startswith("Frente")} == {"host"}
    assert [i["kind"] for i in one["itinerary"]] == ["press_conference"]
    with store.engine.begin() as conn:
        event_id = conn.execute(select(t.exchanges.c.event_id)).scalar_one()
        conn.execute(t.exchanges.delete())
    review_fact(store, "event", event_id, "rejected", who="ana")
    summary = reextract(store)
    assert summary.program["exchanges"]["proposed"] == 0 and ex.list_exchanges(store) == []
    store.close()


def test_exchanges_by_hand_audited(store: Store) -> None:
    out = ex.create_exchange(store, kind="delegation", title="UE to Seoul", who="ana", date_start="2025-03-01",
                             date_end="2025-03-08", place="Seoul", travelers=["UE"], hosts=["KCTU"], note="planned at board")
    x = out["exchange"]
    assert x["status"] == "confirmed" and x["place"]["name"] == "Seoul" and not x["proposed"]
    assert {(m["name"], m["role"]) for m in x["members"]} == {("UE", "traveler"), ("KCTU", "host")}
    # a fresh store knows none of these names: each became an entity, named in the audit row
    created = set(x["history"][0]["after"]["created_entities"])
    assert x["history"][0]["action"] == "add_exchange" and created == {m["id"] for m in x["members"]} | {x["place"]["id"]}
    xid = x["id"]
    item = ex.add_item(store, xid, "rally", "Rally at City Hall", who="ana", date="2025-03-02", place="Seoul")
    follow = ex.add_item(store, xid, "follow_up", "Send the report to KCTU", who="ana")
    fid = follow["item"]
    assert follow["exchange"]["follow_ups"][0]["status"] == "open"
    done = ex.set_item_status(store, fid, "done", who="ana", note="sent")
    assert done["exchange"]["follow_ups"][0]["status"] == "done"
    moved = ex.add_member(store, xid, "KCTU", "organizer", who="ana")
    assert ("KCTU", "organizer") in {(m["name"], m["role"]) for m in moved["exchange"]["members"]}
    edited = ex.update_exchange(store, xid, who="ana", produced="A joint statement", title="UE delegation to Seoul")
    assert edited["exchange"]["produced"] == "A joint statement" and edited["exchange"]["title"] == "UE delegation to Seoul"
    ex.remove_item(store, item["item"], who="ana", note="did not happen")
    final = ex.get_exchange(store, xid)
    assert final["itinerary"] == []
    assert [h["action"] for h in final["history"]] == ["add_exchange", "exchange_item", "exchange_item", "exchange_item_status",
                                                       "exchange_member", "edit_exchange", "remove_exchange_item"]
    assert final["history"][-1]["note"] == "did not happen" and final["history"][-1]["before"]["description"] == "Rally at City Hall"


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"kind": "trip", "title": "x"}, "kind"),
    ({"kind": "exchange", "title": " "}, "title"),
    ({"kind": "exchange", "title": "x", "date_start": "2025-03-08", "date_end": "2025-03-01"}, "date_end"),
    ({"kind": "exchange", "title": "x", "date_start": "March"}, "date_start"),
    ({"kind": "exchange", "title": "x", "travelers": ["12345"]}, "traveler"),
])
def test_exchanges_bad_input_names_the_field(store: Store, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as e:
        ex.create_exchange(store, who="ana", **kwargs)
    assert e.value.field == field
    with store.connect() as conn:  # nothing half-written
        assert conn.execute(select(func.count()).select_from(t.exchanges)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(t.curations)).scalar_one() == 0


def test_exchanges_seeds(shared: Path, tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "seeds.db"))
    for name, published in {"000_b21b97cdda83a804.txt": "2018-05-03", "001_53f052fabf1708dc.txt": "2025-08"}.items():
        ingest_paths([shared / "corpus" / "seeds" / name], store, published=published)
    uslaw = _by_source(store, "a US Labor Against the War delegation arrived in Seoul May 1")
    assert ("U.S. Labor Against the War", "traveler") in _roles(uslaw)
    assert ("Korean Confederation of Trade Unions", "host") in _roles(uslaw)
    assert ("press_conference", "2018-05-03") in {(i["kind"], i["date"]) for i in uslaw["itinerary"]}
    assert any("Soseongri" in i["description"] for i in uslaw["itinerary"])  # the same trip, told again: one exchange
    mexico = _by_source(store, "In May 2024, UE sent our first delegation since 2017")
    assert ("United Electrical, Radio and Machine Workers of America", "traveler") in _roles(mexico)
    assert ("Frente Auténtico del Trabajo", "host") in _roles(mexico)
    assert mexico["date_start"] == "2024-05"
    store.close()


def test_exchanges_cli(sample_store: Store) -> None:
    db = sample_store.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    res = runner.invoke(main, ["exchanges", "--db", db, "--status", "proposed", "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.output.splitlines()]
    assert rows and {r["status"] for r in rows} == {"proposed"}
    xid = rows[-1]["id"]
    res = runner.invoke(main, ["exchange", "confirm", str(xid), "--db", db, "--note", "checked with the staff"])
    assert res.exit_code == 0 and "confirmed" in res.output
    res = runner.invoke(main, ["exchange", "item", str(xid), "--kind", "meeting", "--date", "2024-05-03", "--text", "Met KMWU staff", "--db", db])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["exchange", "follow-up", str(xid), "--text", "Share the plant list", "--db", db])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["exchange", "done", str(xid), "--db", db])
    assert res.exit_code == 0 and ex.get_exchange(sample_store, xid)["status"] == "done"
    res = runner.invoke(main, ["exchange", "show", str(xid), "--db", db])
    assert res.exit_code == 0 and "Met KMWU staff" in res.output and "Share the plant list" in res.output and "Source (" in res.output
    res = runner.invoke(main, ["exchange", "add", "--kind", "delegation", "--title", "Zenroren to Erie", "--from", "2026-04-01",
                               "--to", "2026-04-05", "--place", "Erie", "--traveler", "Zenroren", "--host", "UE Local 506", "--db", db])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["exchanges", "--db", db, "--entity", "UE Local 506"])
    assert "Zenroren to Erie" in res.output
    res = runner.invoke(main, ["exchange", "add", "--kind", "delegation", "--title", "x", "--from", "2026-02-30", "--db", db])
    assert res.exit_code == 1 and "date_start" in res.output


def test_exchanges_api_and_pages(sample_store: Store) -> None:
    client = TestClient(create_app(store=sample_store))
    listed = client.get("/api/v1/exchanges", params={"status": "proposed"}).json()
    assert listed["ok"] and listed["exchanges"]
    xid = listed["exchanges"][0]["id"]
    assert client.get(f"/exchanges/{xid}.json").json()["id"] == xid
    page = client.get(f"/exchanges/{xid}").text
    assert "/document/" in page and "?hl=" in page
    assert client.get("/exchanges").status_code == 200 and client.get("/exchanges.json").json()["exchanges"]
    r = client.post(f"/api/v1/exchanges/{xid}/status", json={"status": "rejected", "note": "duplicate"})
    assert r.status_code == 200 and r.json()["exchange"]["status"] == "rejected"
    r = client.post(f"/api/v1/exchanges/{xid}/items", json={"kind": "follow_up", "description": "Write the report"})
    item = r.json()["item"]
    assert client.post(f"/api/v1/exchange-items/{item}/status", json={"status": "done"}).json()["exchange"]["follow_ups"][-1]["status"] == "done"
    r = client.post(f"/api/v1/exchanges/{xid}/members", json={"entity": "KCTU", "role": "host"})
    kctu = _eid(sample_store, "KCTU")
    assert ("host", kctu) in {(m["role"], m["id"]) for m in r.json()["exchange"]["members"]}
    assert client.post(f"/api/v1/exchanges/{xid}/members/{kctu}/remove", json={}).status_code == 200
    bad = client.post(f"/api/v1/exchanges/{xid}/items", json={"kind": "party", "description": "x"})
    assert bad.status_code == 400 and bad.json()["ok"] is False and "kind" in bad.json()["error"]
    assert client.post(f"/api/v1/exchanges/{xid}/status", json={"status": "confirmed"}, headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.get("/api/v1/exchanges/99999").json()["status"] == 404
    made = client.post("/api/v1/exchanges", json={"kind": "exchange", "title": "Online forum", "travelers": ["UE"], "hosts": ["JMIU"]}).json()
    assert made["ok"] and made["exchange"]["status"] == "confirmed"
    assert client.post(f"/api/v1/exchanges/{made['exchange']['id']}", json={"produced": "A video"}).json()["exchange"]["produced"] == "A video"
