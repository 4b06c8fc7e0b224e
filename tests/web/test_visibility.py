"""Collections and visibility, route by route: an account without a grant on "KCTU internal" sees nothing of it.

Every GET route of the app is called (path parameters filled with the hidden and the visible ids) as
vera, a viewer without the grant: each answers 404/403 or a body without a word the hidden memo alone
says. As gina, granted the collection, and as ada, an admin, the same things appear.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from fastapi.routing import iter_route_contexts

from solidarity_graph.accounts.users import get_user
from solidarity_graph.accounts.visibility import EVERYTHING, Visibility
from solidarity_graph.query import entity_page, timeline
from solidarity_graph.web.app import create_app
from tests.engines import ENGINES, open_store
from tests.web import accounts_world
from tests.web.accounts_world import World, leaks


@pytest.fixture(scope="module", params=ENGINES)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, World]]:
    """The app over the accounts world, built once per engine (a real SQLite file, then PostgreSQL)."""
    with open_store(request, request.param, tmp_path_factory.mktemp("visibility")) as store:
        w = accounts_world.build(store)
        yield TestClient(create_app(store=store)), w


def _get_routes(client: TestClient) -> list[str]:
    out = []
    for c in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        methods = getattr(c, "methods", None) or set()
        if "GET" in methods:
            out.append(c.path)
    return sorted(set(out))


def _params(path: str, w: World) -> list[dict[str, Any]]:
    """Every filling of a route's path parameters: hidden and visible ids alike."""
    entities = [w.ids[k] for k in ("hanbit", "ryu", "ulsan", "kctu", "wabtec")]
    choices: dict[str, list[Any]] = {
        "entity_id": entities, "employer_id": entities, "doc_id": [w.hidden, w.public, w.rally_report],
        "exchange_id": [w.ids["exchange_proposed"], w.ids["exchange_by_hand"]], "commitment_id": [1, 2], "fund_id": [w.ids["fund"]],
    }
    names = [p.split("}")[0] for p in path.split("{")[1:]]
    fillings: list[dict[str, Any]] = [{}]
    for name in names:
        assert name in choices, f"{path}: no ids to fill {{{name}}} with: add them to _params"
        fillings = [{**f, name: v} for f in fillings for v in choices[name]]
    return fillings


def _queries(path: str, w: World) -> list[dict[str, Any]]:
    """Query strings a route needs, or that aim it at the hidden things."""
    h, k = w.ids["hanbit"], w.ids["kctu"]
    special: dict[str, list[dict[str, Any]]] = {
        "/path": [{"from": k, "to": h}, {"from": h, "to": k}, {"from": k, "to": w.ids["ue"]}],
        "/search": [{"q": "shipyard"}, {"q": "strike"}, {"q": "memo"}, {"q": "KCTU"}, {"q": "Seoul"}],
        "/events": [{}, {"entity": h}, {"entity": k}, {"type": "strike"}, {"country": "KR"}],
        "/exchanges": [{}, {"entity": str(h)}, {"entity": "UE"}],
        "/commitments": [{}, {"entity": str(h)}, {"entity": "KCTU"}],
        "/api/v1/contacts": [{}, {"organization": str(h)}],
        "/api/v1/briefs": [{}, {"us": h}],
        "/api/v1/admin/log": [{}],
    }
    for prefix, qs in special.items():
        if path.removesuffix(".json").startswith(prefix) or path.startswith("/api/v1" + prefix):
            return qs
    return [{}]


def _urls(client: TestClient, w: World) -> list[tuple[str, list[str]]]:
    """(url, the values the request itself carries) for every GET route and filling."""
    out = []
    for path in _get_routes(client):
        if path.startswith(("/static", "/vendor")) or path in ("/docs", "/openapi.json"):
            continue
        for filling in _params(path, w):
            url = path
            for name, value in filling.items():
                url = url.replace("{" + name + "}", str(value))
            for q in _queries(path, w):
                out.append((url + ("?" + urlencode(q) if q else ""), [str(v) for v in [*filling.values(), *q.values()]]))
    return out


def _text(r: Any) -> str | None:
    kind = r.headers.get("content-type", "")
    return r.text if kind.startswith(("application/json", "text/", "application/atom+xml")) else None


def test_visibility_every_get_route_hides_the_collection(world: tuple[TestClient, World]) -> None:
    """vera (viewer, no grant): every GET route answers 403/404 or a body without the hidden memo's words."""
    client, w = world
    urls = _urls(client, w)
    assert len(urls) > 80  # every page, its .json and the API, with hidden and visible ids
    seen_ok = 0
    for url, own in urls:
        r = client.get(url, headers=w.auth("vera"))
        assert r.status_code in (200, 400, 403, 404, 503), (url, r.status_code, r.text[:300])
        body = _text(r)
        if body is None:
            continue
        assert not leaks(body, allowed=tuple(own)), (url, leaks(body, allowed=tuple(own)))
        for value in own:  # a 404 names what was asked for
            body = body.replace(value, "")
        assert w.hidden not in body, url
        seen_ok += r.status_code == 200
    assert seen_ok > 50


@pytest.mark.parametrize("key", ["hanbit", "ryu", "ulsan"])
def test_visibility_hidden_entity_is_not_found(world: tuple[TestClient, World], key: str) -> None:
    client, w = world
    eid = w.ids[key]
    for url in (f"/entity/{eid}", f"/entity/{eid}.json", f"/api/v1/entities/{eid}", f"/graph/{eid}.json", f"/api/v1/briefs/{eid}"):
        assert client.get(url, headers=w.auth("vera")).status_code == 404, url
    assert client.get(f"/api/v1/entities/{eid}", headers=w.auth("gina")).status_code == 200


def test_visibility_hidden_document_is_not_found(world: tuple[TestClient, World]) -> None:
    client, w = world
    for url in (f"/document/{w.hidden}", f"/document/{w.hidden}.json", f"/api/v1/documents/{w.hidden}"):
        assert client.get(url, headers=w.auth("vera")).status_code == 404
        assert client.get(url, headers=w.auth("gina")).status_code == 200
    missing = client.get("/api/v1/documents/0000000000000000", headers=w.auth("vera")).json()
    hidden = client.get(f"/api/v1/documents/{w.hidden}", headers=w.auth("vera")).json()
    assert hidden["error"].replace(w.hidden, "X") == missing["error"].replace("0000000000000000", "X")  # same as none at all


GRANTED = [  # (url template, what must appear for an account that may see the collection)
    ("/api/v1/entities/{hanbit}", "Hanbit"),
    ("/api/v1/search?q=shipyard", "Hanbit"),
    ("/api/v1/documents/{hidden}", "Ulsan"),
    ("/api/v1/events?type=strike", "joined a strike"),
    ("/api/v1/alerts", "joined a strike"),
    ("/api/v1/commitments", "Hanbit"),
    ("/api/v1/exchanges", "Hanbit"),
    ("/api/v1/employers/{wabtec}", "Hanbit"),
    ("/api/v1/contacts", "Hanbit"),
    ("/api/v1/funds/{fund}", "Hanbit"),
    ("/api/v1/graph/{kctu}", "Hanbit"),
    ("/api/v1/curate/log", "Hanbit"),
    ("/index.json", "strike memo"),
    ("/protected.json", "entity_id"),
]


@pytest.mark.parametrize(("template", "word"), GRANTED)
def test_visibility_granted_and_admin_see_it(world: tuple[TestClient, World], template: str, word: str) -> None:
    client, w = world
    url = template.format(hidden=w.hidden, **w.ids)
    for user in ("gina", "ada"):
        r = client.get(url, headers=w.auth(user))
        assert r.status_code == 200 and word in r.text, (user, url)
    r = client.get(url, headers=w.auth("vera"))
    assert r.status_code == 404 or word not in r.text or word == "entity_id" and "[]" in r.text.replace(" ", ""), url


def test_visibility_merged_event_shows_only_its_visible_source(world: tuple[TestClient, World]) -> None:
    """The May Day rally, told by the hidden memo (with UE and Ryu) and by a public report (KCTU only)."""
    client, w = world
    rally = [e for e in client.get("/api/v1/events", headers=w.auth("vera")).json()["events"] if e["id"] == w.ids["rally"]]
    assert len(rally) == 1
    assert rally[0]["document"] == w.rally_report and rally[0]["quote"].startswith("KCTU held a May Day rally")
    assert rally[0]["participants"] == ["Korean Confederation of Trade Unions"]
    full = [e for e in client.get("/api/v1/events", headers=w.auth("gina")).json()["events"] if e["id"] == w.ids["rally"]][0]
    assert full["document"] == w.hidden and len(full["participants"]) > 1
    strike = [e for e in client.get("/api/v1/events", headers=w.auth("vera")).json()["events"] if e["type"] == "strike"]
    assert strike == []  # told only by the memo


def test_visibility_counts_on_the_home_page(world: tuple[TestClient, World]) -> None:
    client, w = world
    vera = client.get("/index.json", headers=w.auth("vera")).json()["counts"]
    gina = client.get("/index.json", headers=w.auth("gina")).json()["counts"]
    assert vera["documents"] == gina["documents"] - 1 == 2
    assert vera["entities"] < gina["entities"] and vera["events"] < gina["events"] and vera["mentions"] < gina["mentions"]


def test_visibility_ledger_keeps_its_sums_without_the_names(world: tuple[TestClient, World]) -> None:
    client, w = world
    vera = client.get(f"/api/v1/funds/{w.ids['fund']}", headers=w.auth("vera")).json()
    gina = client.get(f"/api/v1/funds/{w.ids['fund']}", headers=w.auth("gina")).json()
    assert vera["balances"] == gina["balances"] == {"USD": "300.00"}
    grant = [e for e in vera["entries"] if e["kind"] == "grant"][0]
    assert grant["to_name"] == "[restricted]" and grant["purpose"] == "[restricted]" and grant["event"] is None
    csv = client.get(f"/funds/{w.ids['fund']}.csv", headers=w.auth("vera")).text
    assert "[restricted]" in csv and not leaks(csv)


def test_visibility_a_mixed_entity_keeps_only_visible_facts(world: tuple[TestClient, World]) -> None:
    """KCTU is named by public documents and by the memo: its page keeps only what they and hand-made facts say."""
    client, w = world
    page = client.get(f"/api/v1/entities/{w.ids['kctu']}", headers=w.auth("vera")).json()
    assert page["name"] == "Korean Confederation of Trade Unions"
    assert {e["document"] for e in page["events"]} <= {w.public, w.rally_report}
    assert all(r["document"] != w.hidden for r in page["relations"]) and not leaks(str(page))
    assert page["mentions"] < client.get(f"/api/v1/entities/{w.ids['kctu']}", headers=w.auth("gina")).json()["mentions"]


def test_visibility_revoking_the_grant_hides_it_again(world: tuple[TestClient, World]) -> None:
    from solidarity_graph.accounts import collections as coll

    client, w = world
    store = client.app.state.store  # type: ignore[attr-defined]
    url = f"/api/v1/documents/{w.hidden}"
    coll.revoke(store, accounts_world.COLLECTION, "gina", who="test")
    try:
        assert client.get(url, headers=w.auth("gina")).status_code == 404
    finally:
        coll.grant(store, accounts_world.COLLECTION, "gina", "read", who="test")
    assert client.get(url, headers=w.auth("gina")).status_code == 200


def test_visibility_library_defaults_to_everything(world: tuple[TestClient, World]) -> None:
    """The CLI and old callers pass no visibility: they see everything, as before accounts."""
    client, w = world
    store = client.app.state.store  # type: ignore[attr-defined]
    assert entity_page(store, w.ids["hanbit"])["id"] == w.ids["hanbit"]
    assert any(e["type"] == "strike" for e in timeline(store))
    vera = Visibility.for_user(store, get_user(store, "vera"))
    assert vera.active and vera.hidden_documents == {w.hidden}
    assert {w.ids["hanbit"], w.ids["ryu"], w.ids["ulsan"]} <= vera.hidden_entities
    assert w.ids["kctu"] not in vera.hidden_entities and w.ids["strike"] in vera.hidden_events
    assert Visibility.for_user(store, get_user(store, "gina")) is EVERYTHING
    assert Visibility.for_user(store, get_user(store, "ada")) is EVERYTHING
    with pytest.raises(KeyError):
        entity_page(store, w.ids["hanbit"], visible=vera)


def test_visibility_safety_net_prunes_objects_of_hidden_documents(world: tuple[TestClient, World]) -> None:
    client, w = world
    vera = Visibility.for_user(client.app.state.store, get_user(client.app.state.store, "vera"))  # type: ignore[attr-defined]
    data = {"items": [{"document": w.hidden, "quote": "x"}, {"document": w.public}, {"document": {"id": w.hidden}}],
            "one": {"document_id": w.hidden}, "who": {"entity_id": w.ids["hanbit"]}, "n": 3,
            "members": [{"id": w.ids["hanbit"], "type": "organization"}, {"id": w.ids["kctu"], "type": "organization"},
                        {"id": w.ids["hanbit"], "type": "strike"}]}
    assert vera.prune(data) == {"items": [{"document": w.public}], "one": None, "who": None, "n": 3,
                                "members": [{"id": w.ids["kctu"], "type": "organization"}, {"id": w.ids["hanbit"], "type": "strike"}]}
    assert EVERYTHING.prune(data) is data


def test_visibility_cli_ingest_into_a_collection(tmp_path: Path) -> None:
    """``solidarity ingest --collection`` puts each document in it before storing it."""
    from click.testing import CliRunner

    from solidarity_graph.cli import main

    db = str(tmp_path / "cli.db")
    (tmp_path / "memo.txt").write_text(accounts_world.RALLY, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(tmp_path / "memo.txt"), "--db", db, "--collection", "nope", "-q"]).exit_code == 1
    assert runner.invoke(main, ["collection", "add", "KCTU internal", "--db", db]).exit_code == 0
    out = runner.invoke(main, ["ingest", str(tmp_path / "memo.txt"), "--db", db, "--collection", "KCTU internal", "-q"])
    assert out.exit_code == 0, out.output
    listed = runner.invoke(main, ["collection", "list", "--db", db])
    assert "KCTU internal\t1 documents\tadmins only" in listed.output


def test_visibility_changes_aimed_at_hidden_things_are_not_found(world: tuple[TestClient, World]) -> None:
    """eddie (editor, no grant) cannot curate what he cannot see: the same 404 as for something that is not there."""
    client, w = world
    store = client.app.state.store  # type: ignore[attr-defined]
    before = entity_page(store, w.ids["hanbit"])["name"]
    h = w.auth("eddie")
    for url, body in [("/api/v1/curate/rename", {"entity": w.ids["hanbit"], "name": "Renamed"}),
                      ("/api/v1/curate/merge", {"keep": w.ids["kctu"], "drop": w.ids["ryu"]}),
                      ("/api/v1/curate/review", {"kind": "event", "id": w.ids["strike"], "status": "rejected"}),
                      (f"/api/v1/exchanges/{w.ids['exchange_proposed']}/status", {"status": "confirmed"}),
                      (f"/api/v1/exchanges/{w.ids['exchange_by_hand']}/members/{w.ids['hanbit']}/remove", {}),
                      ("/api/v1/funds/1/entries", {"kind": "contribution", "amount": "1.00", "date": "2024-01-01", "from": "x",
                                                   "event": w.ids["strike"]})]:
        r = client.post(url, json=body, headers=h)
        assert r.status_code == 404 and r.json()["ok"] is False, (url, r.status_code)
    assert entity_page(store, w.ids["hanbit"])["name"] == before
    assert timeline(store, type_="strike")[0]["id"] == w.ids["strike"]  # not rejected


def test_visibility_an_editors_change_answers_without_hidden_things(world: tuple[TestClient, World]) -> None:
    client, w = world
    r = client.post(f"/api/v1/exchanges/{w.ids['exchange_by_hand']}/members", json={"entity": "UE", "role": "organizer"},
                    headers=w.auth("eddie"))
    assert r.status_code == 200 and r.json()["exchange"]["members"] and not leaks(r.text)
    full = client.get(f"/api/v1/exchanges/{w.ids['exchange_by_hand']}", headers=w.auth("ada")).json()
    assert "Hanbit" in str(full["members"])  # the host is still there, for those who may see it
