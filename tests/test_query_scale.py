"""Query speed at scale (issue 7): what the pages give once they stop reading the whole store.

A hub (like KCTU on 100,000 documents) with more events, relations and neighbours than a page shows:
its entity page comes in pages of the newest facts with their totals, its graph follows only its
strongest neighbours and says so, parallel facts between two entities make one weighted edge, and
the home page shows the 10 latest events. Each on SQLite and PostgreSQL, which must agree row for row.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import insert, update

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from solidarity_graph.accounts import collections as coll
from solidarity_graph.accounts.visibility import Visibility
from solidarity_graph.query import entity_page, neighborhood, path, timeline
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t
from solidarity_graph.web.app import create_app

pytestmark = pytest.mark.issue(7)
NOW = "2025-01-01T00:00:00+00:00"
HUB, FRIEND, PARTNERS = 1, 2, range(100, 160)  # the hub shares 3 events with its friend, 1 with each of 60 partners


@dataclass
class Hub:
    """The ids of the hub's world, and its events newest first as the pages must list them."""

    events: list[int] = field(default_factory=list)
    shared: list[int] = field(default_factory=list)  # the hub's events with its friend
    rejected: int = 0
    hidden_doc: str = "d-memo"


def _doc(doc_id: str) -> dict[str, Any]:
    return {"id": doc_id, "content_hash": doc_id, "source": f"{doc_id}.txt", "title": doc_id, "language": "en",
            "text": "A report.", "ingested_at": NOW}


def _entity(eid: int, name: str) -> dict[str, Any]:
    return {"id": eid, "type": "organization", "name": name, "created_at": NOW}


def _event(eid: int, doc: str, date: str | None) -> dict[str, Any]:
    return {"id": eid, "document_id": doc, "type": "strike", "status": "occurred", "date": date, "trigger": "strike",
            "start": 0, "end": 9, "quote": f"Event {eid} happened.", "extractor": "test", "confidence": 0.9}


def _relation(rid: int, doc: str, subject: int, obj: int, predicate: str = "allied_with") -> dict[str, Any]:
    return {"id": rid, "document_id": doc, "subject_id": subject, "object_id": obj, "predicate": predicate, "start": 0, "end": 9,
            "quote": f"Relation {rid} is stated.", "extractor": "test", "confidence": 0.8}


def build(store: Store) -> Hub:
    """The hub, its friend and 60 partners: 66 events (dates tie in pairs, two undated, one rejected), 58 relations."""
    hub = Hub()
    events, parts, rels = [], [], []
    for i, partner in enumerate(PARTNERS):  # partner events: dates tie two by two
        ev = 1000 + i
        events.append(_event(ev, "d-news", f"2024-03-{i // 2 + 1:02d}"))
        parts += [{"event_id": ev, "entity_id": HUB, "role": "participant"}, {"event_id": ev, "entity_id": partner, "role": "participant"}]
    for ev, date in ((2001, "2024-02-01"), (2002, "2024-02-02"), (2003, None)):
        events.append(_event(ev, "d-news", date))
        parts += [{"event_id": ev, "entity_id": HUB, "role": "participant"}, {"event_id": ev, "entity_id": FRIEND, "role": "participant"}]
    hub.shared = [2001, 2002, 2003]
    events += [_event(3001, "d-news", None), _event(3002, "d-news", "2025-06-01"), _event(3003, hub.hidden_doc, "2025-07-01")]
    parts += [{"event_id": ev, "entity_id": HUB, "role": "participant"} for ev in (3001, 3002, 3003)]
    hub.rejected = 3002
    rels = [_relation(1, "d-news", HUB, FRIEND), _relation(2, "d-memo", FRIEND, HUB)]  # one fact, stated twice, both ways
    rels += [_relation(10 + i, "d-news", partner, HUB, "member_of") for i, partner in enumerate(list(PARTNERS)[:56])]
    with store.engine.begin() as conn:
        conn.execute(insert(t.documents), [_doc("d-news"), _doc(hub.hidden_doc)])
        conn.execute(insert(t.entities), [_entity(HUB, "Hub Confederation"), _entity(FRIEND, "Friendly Federation")]
                     + [_entity(p, f"Partner Union {p}") for p in PARTNERS])
        conn.execute(insert(t.events), events)
        conn.execute(insert(t.event_participants), parts)
        conn.execute(insert(t.relations), rels)
        conn.execute(update(t.events).where(t.events.c.id == hub.rejected).values(review="rejected"))
    shown = [e for e in events if e["id"] != hub.rejected]
    shown.sort(key=lambda e: e["id"], reverse=True)
    shown.sort(key=lambda e: e["date"] or "", reverse=True)  # stable: newest first, ties by id, newest id first
    hub.events = [e["id"] for e in shown if e["date"]] + [e["id"] for e in shown if not e["date"]]  # undated last
    return hub


@pytest.fixture
def hub(store_any: Store) -> Iterator[tuple[Store, Hub]]:
    yield store_any, build(store_any)


# ---- the entity page --------------------------------------------------------------------------------
def test_query_entity_page_pages_newest_first(hub: tuple[Store, Hub]) -> None:
    store, h = hub
    first = entity_page(store, HUB, per_page=50)
    assert [e["id"] for e in first["events"]] == h.events[:50]
    assert first["events_paging"] == {"page": 1, "pages": 2, "per_page": 50, "total": 65}
    second = entity_page(store, HUB, per_page=50, events_page=2)
    assert [e["id"] for e in second["events"]] == h.events[50:] and second["events"][-1]["date"] is None
    assert [r["id"] for r in first["relations"]] == list(range(65, 15, -1))  # 58 relations, newest 50 first
    assert first["relations_paging"] == {"page": 1, "pages": 2, "per_page": 50, "total": 58}
    assert [r["id"] for r in entity_page(store, HUB, per_page=50, relations_page=2)["relations"]] == [15, 14, 13, 12, 11, 10, 2, 1]
    assert entity_page(store, HUB, per_page=50, events_page=9)["events"] == []


def test_query_entity_page_whole_and_counts_only(hub: tuple[Store, Hub]) -> None:
    store, h = hub
    whole = entity_page(store, HUB)
    assert [e["id"] for e in whole["events"]] == h.events and len(whole["relations"]) == 58
    assert whole["events_paging"]["per_page"] is None
    shared = next(e for e in whole["events"] if e["id"] == 2002)
    assert shared["participants"] == ["Hub Confederation", "Friendly Federation"] and shared["quote"] == "Event 2002 happened."
    bare = entity_page(store, HUB, per_page=0)
    assert bare["events"] == [] and bare["relations"] == [] and bare["events_paging"]["total"] == 65
    assert bare["name"] == "Hub Confederation"


def test_query_entity_page_totals_leave_out_hidden_documents(hub: tuple[Store, Hub]) -> None:
    store, h = hub
    coll.add_collection(store, "memos", who="test")
    coll.assign(store, "memos", [h.hidden_doc], who="test")
    vera = Visibility(store, user_id=12345)  # an account with no grant on "memos"
    page = entity_page(store, HUB, per_page=10, visible=vera)
    assert page["events_paging"]["total"] == 64 and 3003 not in [e["id"] for e in page["events"]]
    assert page["relations_paging"]["total"] == 57 and page["events"][0]["id"] == h.events[1]


def test_query_entity_page_paging_over_http(hub: tuple[Store, Hub]) -> None:
    store, h = hub
    client = TestClient(create_app(store=store))
    data = client.get(f"/entity/{HUB}.json").json()
    assert len(data["events"]) == 50 and data["events_paging"]["total"] == 65 and len(data["relations"]) == 50
    more = client.get(f"/api/v1/entities/{HUB}", params={"events_page": 2, "per_page": 20}).json()
    assert [e["id"] for e in more["events"]] == h.events[20:40] and more["events_paging"]["pages"] == 4
    assert len(client.get(f"/api/v1/entities/{HUB}", params={"per_page": 1000}).json()["events"]) == 65
    assert client.get(f"/api/v1/entities/{HUB}", params={"per_page": 1001}).status_code == 400
    html = client.get(f"/entity/{HUB}", params={"events_page": 2}).text
    pager = re.search(r'<p class="muted pager" id="events-pager">(.*?)</p>', html, re.S)
    assert pager is not None and "51–65 of 65" in pager.group(1) and 'href="?events_page=1&amp;relations_page=1&amp;per_page=50"' in pager.group(1)
    assert 'rel="next"' not in pager.group(1) and f"Event {h.events[50]} happened." in html and f"Event {h.events[0]} happened." not in html


# ---- the graph ----------------------------------------------------------------------------------------
def test_query_graph_caps_a_hub_and_says_so(hub: tuple[Store, Hub]) -> None:
    store, _ = hub
    g = neighborhood(store, HUB, depth=1, max_neighbors=10)
    assert g["max_neighbors"] == 10 and g["capped"] == [{"id": HUB, "neighbors": 61}]
    assert [n["id"] for n in g["nodes"]] == [HUB, FRIEND, *list(PARTNERS)[:9]]  # the strongest: the friend (5 facts), then by id
    assert len(neighborhood(store, HUB, depth=2)["nodes"]) == 51  # the default cap: 50 of its 61 neighbours
    small = neighborhood(store, FRIEND, depth=1)
    assert small["capped"] == [] and {n["id"] for n in small["nodes"]} == {HUB, FRIEND}


def test_query_graph_merges_parallel_facts(hub: tuple[Store, Hub]) -> None:
    store, h = hub
    g = neighborhood(store, FRIEND, depth=1)
    events = [e for e in g["edges"] if e["predicate"] == "event"]
    assert len(events) == 1 and events[0]["weight"] == 3  # three shared events, one edge
    assert events[0]["event_id"] == max(h.shared) and events[0]["quote"] == f"Event {max(h.shared)} happened."
    allied = [e for e in g["edges"] if e["predicate"] == "allied_with"]
    assert len(allied) == 1 and allied[0]["weight"] == 2 and allied[0]["relation_id"] == 1  # stated twice, both ways
    assert (allied[0]["source"], allied[0]["target"]) == (HUB, FRIEND)
    hubs = neighborhood(store, HUB, depth=1, max_neighbors=10)
    assert sorted(e["weight"] for e in hubs["edges"]) == [1] * 18 + [2, 3]  # 9 partners: an event and a membership each


def test_query_path_crosses_the_hub(hub: tuple[Store, Hub]) -> None:
    store, _ = hub
    steps = path(store, 100, 159)
    assert [(s["from"]["id"], s["to"]["id"]) for s in steps] == [(100, HUB), (HUB, 159)]
    assert steps[0]["predicate"] == "member_of" and steps[1]["predicate"] == "event"  # 159 is no member: they shared an event
    assert path(store, 100, 100) == [] and path(store, FRIEND, HUB)[0]["predicate"] == "allied_with"


def test_query_graph_over_http_states_the_cap(hub: tuple[Store, Hub]) -> None:
    store, _ = hub
    client = TestClient(create_app(store=store))
    data = client.get(f"/graph/{HUB}.json").json()
    assert data["capped"] == [{"id": HUB, "neighbors": 61}] and data["max_neighbors"] == 50 and len(data["nodes"]) == 51
    html = client.get(f"/graph/{HUB}").text
    assert 'id="graph-capped"' in html and "(61)" in html


# ---- the home page ---------------------------------------------------------------------------------------
def test_query_home_shows_the_ten_latest_events(hub: tuple[Store, Hub]) -> None:
    store, h = hub
    client = TestClient(create_app(store=store))
    events = client.get("/index.json").json()["events"]
    assert [e["id"] for e in events] == h.events[:10] and h.rejected not in [e["id"] for e in events]
    assert [e["id"] for e in timeline(store, limit=10, newest_first=True)] == h.events[:10]
    assert timeline(store)[0]["date"] is None and timeline(store)[-1]["id"] == h.events[0]  # oldest first, undated before
