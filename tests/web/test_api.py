"""The HTTP API and pages over a store built from the sample corpus (FastAPI's test client)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.query import find_entity
from solidarity_graph.web.app import create_app
from tests.engines import ENGINES, open_store

EVIL = 'Union News\nDate: 2024-05-01\n\nThe <script>window.pwned = 1</script> KCTU held a rally in Seoul on May 1, 2024.'


@pytest.fixture(scope="module", params=ENGINES)
def client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app over the sample corpus, ingested once per engine (SQLite, then PostgreSQL)."""
    folder = tmp_path_factory.mktemp("web")
    with open_store(request, request.param, folder) as store:
        sample = Path(__file__).resolve().parents[2] / "solidarity_graph" / "data" / "sample"
        (folder / "evil.txt").write_text(EVIL, encoding="utf-8")
        ingest_paths([sample, folder / "evil.txt"], store)
        yield TestClient(create_app(store=store))


def _kctu(client: TestClient) -> int:
    return int(find_entity(client.app.state.store, "KCTU")[0]["id"])  # type: ignore[attr-defined]


@pytest.mark.parametrize("url", ["/", "/search?q=KCTU", "/events", "/events?type=strike", "/events?country=KR", "/map", "/docs"])
def test_api_pages_render(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")


def test_api_entity_page_and_json_agree(client: TestClient) -> None:
    eid = _kctu(client)
    data = client.get(f"/entity/{eid}.json").json()
    assert data["ok"] and data["name"] == "Korean Confederation of Trade Unions"
    assert client.get(f"/api/v1/entities/{eid}").json()["name"] == data["name"]
    html = client.get(f"/entity/{eid}").text
    assert data["name"] in html and "source" in html


def test_api_search_facets(client: TestClient) -> None:
    data = client.get("/api/v1/search", params={"q": "union"}).json()
    assert data["entities"] and data["facets"]["type"]
    only = client.get("/api/v1/search", params={"q": "union", "type": "organization"}).json()
    assert {e["type"] for e in only["entities"]} == {"organization"}


def test_api_graph_and_path(client: TestClient) -> None:
    eid = _kctu(client)
    g = client.get(f"/api/v1/graph/{eid}", params={"depth": 2}).json()
    assert any(n["id"] != eid for n in g["nodes"]) and g["edges"]
    ue = int(find_entity(client.app.state.store, "UE")[0]["id"])  # type: ignore[attr-defined]
    steps = client.get("/api/v1/path", params={"from": ue, "to": eid}).json()["steps"]
    assert steps and steps[0]["from"]["id"] == ue and steps[-1]["to"]["id"] == eid
    assert all(s["quote"] for s in steps)


def test_api_document_escapes_script(client: TestClient) -> None:
    doc = next(d for d in client.get("/index.json").json()["documents"] if d["title"] == "Union News")
    html = client.get(f"/document/{doc['id']}").text
    assert "<script>window.pwned" not in html
    assert "&lt;script&gt;window.pwned" in html


@pytest.mark.parametrize(
    ("url", "status"),
    [("/api/v1/entities/999999", 404), ("/entity/999999.json", 404), ("/entity/abc.json", 400),
     ("/api/v1/graph/1?depth=9", 400), ("/api/v1/documents/nope", 404), ("/api/v1/path?from=1", 400)],
)
def test_api_error_shape(client: TestClient, url: str, status: int) -> None:
    r = client.get(url)
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"ok", "error", "errors", "status"} and body["ok"] is False and body["status"] == status


@pytest.mark.parametrize("url", ["/", "/search?q=KCTU", "/graph/1", "/map", "/docs"])
def test_api_pages_load_nothing_from_other_hosts(client: TestClient, url: str) -> None:
    html = client.get(url).text
    refs = re.findall(r"""(?:src|href)=["']([^"']+)""", html)
    assert refs and all(not re.match(r"(?:https?:)?//", ref) for ref in refs), refs


def test_api_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/search" in spec["paths"] and "/api/v1/entities/{entity_id}" in spec["paths"]


def test_api_serve_binds_localhost_by_default() -> None:
    from solidarity_graph.cli import serve

    host = next(p for p in serve.params if p.name == "host")
    assert host.default == "127.0.0.1"


def test_api_map_counts_events_by_country(client: TestClient) -> None:
    data = client.get("/api/v1/map").json()
    assert data["countries"].get("KR", 0) >= 1
    kr = client.get("/api/v1/events", params={"country": "KR"}).json()["events"]
    assert len(kr) == data["countries"]["KR"]


def test_api_search_event_facets_and_dates(client: TestClient) -> None:
    data = client.get("/api/v1/search", params={"q": "KCTU"}).json()
    assert data["events"] and data["facets"]["event_type"] and data["facets"]["year"]
    kind = next(iter(data["facets"]["event_type"]))
    only = client.get("/api/v1/search", params={"q": "KCTU", "event_type": kind}).json()["events"]
    assert only and {e["type"] for e in only} == {kind}
    year = next(iter(data["facets"]["year"]))
    dated = client.get("/api/v1/search", params={"q": "KCTU", "since": year, "until": f"{year}-12-31"}).json()["events"]
    assert dated and all(e["date"].startswith(year) for e in dated)


def test_api_document_highlights_the_fact_sentence(client: TestClient) -> None:
    eid = _kctu(client)
    fact = client.get(f"/api/v1/entities/{eid}").json()["relations"][0]
    html = client.get(f"/document/{fact['document']}", params={"hl": f"{fact['span'][0]}-{fact['span'][1]}"}).text
    assert '<mark id="hl">' in html


@pytest.mark.issue(4)
def test_api_entity_page_title_and_curation_forms(client: TestClient) -> None:
    html = client.get(f"/entity/{_kctu(client)}").text
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title is not None and title.group(1) == "Korean Confederation of Trade Unions · Solidarity Graph"
    body = html[html.index("<main>"):]
    for form in ("merge-form", "rename-form", "split-form", "set-form", "fact-form"):
        assert f'id="{form}"' in body and body.count(f'id="{form}"') == 1
