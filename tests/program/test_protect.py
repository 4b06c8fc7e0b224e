"""Protected people: marked and unmarked with an audit trail, and absent from every export, page and API route."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from solidarity_graph.cli import main
from solidarity_graph.errors import InputError
from solidarity_graph.export import export_jsonl, iter_records
from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.program.protect import PLACEHOLDER, Redactor, protect_person, unprotect_person
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t
from solidarity_graph.web.app import create_app
from tests.web.conftest import CHROMIUM, FLAGS, HAVE_CHROMIUM, live_server, new_page

with warnings.catch_warnings():  # starlette's test client warns about its httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SAMPLE = Path(__file__).resolve().parents[2] / "solidarity_graph" / "data" / "sample"
PERSON = "Park Seong-min"  # Director of International Affairs of the KMWU, quoted in the Seoul delegation report
LEAK = re.compile(r"park[\s_-]*seong", re.I)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("protect") / "sample.db"
    store = Store.open(str(path))
    assert ingest_paths([SAMPLE], store).failed == []
    store.close()
    return path


@pytest.fixture
def db(sample_db: Path, tmp_path: Path) -> str:
    path = tmp_path / "sample.db"
    shutil.copy(sample_db, path)
    return str(path)


@pytest.fixture
def sample(db: str) -> Iterator[Store]:
    s = Store.open(db)
    yield s
    s.close()


@pytest.fixture
def guarded(sample: Store) -> Store:
    """The sample with PERSON protected."""
    protect_person(sample, PERSON, who="test", note="at risk")
    return sample


def _ids(store: Store) -> dict[str, Any]:
    with store.connect() as conn:
        person = conn.execute(select(t.entities.c.id).where(t.entities.c.name == PERSON)).scalar_one()
        kmwu = conn.execute(select(t.entities.c.id).where(t.entities.c.name == "Korean Metal Workers' Union")).scalar_one()
        doc = conn.execute(select(t.mentions.c.document_id).where(t.mentions.c.entity_id == person)).scalar()
    return {"person": person, "kmwu": kmwu, "doc": doc}


def test_protect_cli_audited(db: str, sample: Store) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["protect", PERSON, "--db", db, "--note", "organizer at risk"])
    assert res.exit_code == 0, res.output
    assert "is protected (audit #" in res.output
    assert "already protected" in runner.invoke(main, ["protect", PERSON, "--db", db]).output
    listed = runner.invoke(main, ["protected", "--db", db])
    assert PLACEHOLDER in listed.output and PERSON not in listed.output
    assert PERSON in runner.invoke(main, ["protected", "--db", db, "--reveal-protected"]).output
    res = runner.invoke(main, ["unprotect", PERSON, "--db", db, "--note", "safe now"])
    assert res.exit_code == 0 and "no longer protected" in res.output
    assert "Nobody is protected." in runner.invoke(main, ["protected", "--db", db]).output
    with sample.connect() as conn:
        log = conn.execute(select(t.curations.c.action, t.curations.c.note).order_by(t.curations.c.id)).all()
    assert [tuple(r) for r in log] == [("protect", "organizer at risk"), ("unprotect", "safe now")]


@pytest.mark.parametrize("who, message", [
    ("Seoul", "no person named 'Seoul'"),
    ("Lee", "names several people"),
    ("999999", "no entity 999999"),
])
def test_protect_bad_person(sample: Store, who: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        protect_person(sample, who, who="test")


def test_protect_only_people(sample: Store) -> None:
    with sample.connect() as conn:
        kctu = conn.execute(select(t.entities.c.id).where(t.entities.c.name == "Korean Confederation of Trade Unions")).scalar_one()
    with pytest.raises(InputError, match="only people can be protected"):
        protect_person(sample, kctu, who="test")
    with pytest.raises(InputError, match="is not protected"):
        unprotect_person(sample, PERSON, who="test")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "graphml"])
def test_protect_exports_redacted(db: str, guarded: Store, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"export.{fmt}"
    res = CliRunner().invoke(main, ["export", "--db", db, "--format", fmt, "--out", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert not LEAK.search(text)
    assert f"{PLACEHOLDER}, Director of International Affairs of the KMWU" in text  # the quote, redacted
    revealed = tmp_path / f"revealed.{fmt}"
    res = CliRunner().invoke(main, ["export", "--db", db, "--format", fmt, "--out", str(revealed), "--reveal-protected"])
    assert res.exit_code == 0, res.output
    assert f"{PERSON}, Director of International Affairs" in revealed.read_text(encoding="utf-8")


def test_protect_graphml_keeps_edges(guarded: Store, tmp_path: Path) -> None:
    """Redacted people are still joined to their organization (edges go by id, not by the shared placeholder)."""
    import xml.etree.ElementTree as ET

    from solidarity_graph.export import export_graphml

    ids = _ids(guarded)
    out = tmp_path / "g.graphml"
    with out.open("w", encoding="utf-8") as fh:
        export_graphml(guarded, fh)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    edges = [(e.get("source"), e.get("target")) for e in ET.parse(out).getroot().findall(".//g:edge", ns)]
    assert (f"e{ids['person']}", f"e{ids['kmwu']}") in edges


def test_protect_leaves_others_unchanged(sample: Store) -> None:
    before = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in iter_records(sample)]
    protect_person(sample, PERSON, who="test")
    after = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in iter_records(sample)]
    assert len(before) == len(after)
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert changed and all(LEAK.search(b) and not LEAK.search(a) for b, a in changed)  # only records naming them changed


def test_protect_redactor_names_and_scripts(store: Store) -> None:
    """Every alias, case-insensitively, in quotes and text; Korean names even before a particle."""
    red = Redactor(ids=frozenset({1}), terms=frozenset({"Park Seong-min", "박성민"}))
    assert red.text("PARK SEONG-MIN said; park seong-min agreed") == f"{PLACEHOLDER} said; {PLACEHOLDER} agreed"
    assert red.text("박성민은 말했다") == f"{PLACEHOLDER}은 말했다"
    assert red.text("Parkside Seong") == "Parkside Seong"
    assert Redactor.load(store).active is False  # nobody protected: nothing changes
    text, move = red.document_text("Then Park Seong-min spoke. Done.", "d")
    assert text == f"Then {PLACEHOLDER} spoke. Done."
    assert text[move(19):move(31)] == " spoke. Done" and text[move(5):move(19)] == PLACEHOLDER  # offsets follow


def test_protect_web_routes(guarded: Store) -> None:
    ids = _ids(guarded)
    client = TestClient(create_app(store=guarded))
    routes = [f"/entity/{ids['person']}", f"/entity/{ids['person']}.json", f"/api/v1/entities/{ids['person']}",
              f"/entity/{ids['kmwu']}", f"/entity/{ids['kmwu']}.json",
              f"/document/{ids['doc']}", f"/document/{ids['doc']}.json", f"/api/v1/documents/{ids['doc']}",
              "/search?q=KMWU", "/search.json?q=international+affairs", "/api/v1/search?q=Director",
              "/events", "/events.json", "/api/v1/events", "/", "/index.json",
              f"/graph/{ids['kmwu']}.json", f"/api/v1/graph/{ids['kmwu']}?depth=2", f"/path.json?from={ids['person']}&to={ids['kmwu']}",
              "/protected", "/protected.json", "/api/v1/protected"]
    for route in routes:
        res = client.get(route)
        assert res.status_code == 200, route
        assert not LEAK.search(res.text), route
    for route in (f"/entity/{ids['person']}.json", f"/document/{ids['doc']}.json", f"/entity/{ids['kmwu']}"):
        assert PLACEHOLDER in client.get(route).text, route
    page = client.get(f"/entity/{ids['person']}.json").json()
    assert page["name"] == PLACEHOLDER and page["aliases"] == [] and page["protected"] is True
    doc = client.get(f"/document/{ids['doc']}.json").json()
    assert all(doc["text"][m["start"]:m["end"]] == m["text"] for m in doc["mentions"])  # spans follow the redacted text
    hit = client.get(f"/api/v1/search?q={PERSON}").json()  # looking a protected name up finds nothing
    assert hit["entities"] == [] and hit["documents"] == [] and hit["q"] == PLACEHOLDER


def test_protect_reveal_needs_allow(guarded: Store) -> None:
    ids = _ids(guarded)
    app = create_app(store=guarded)
    client = TestClient(app)
    refused = client.get(f"/api/v1/entities/{ids['person']}?reveal=1")
    assert refused.status_code == 403
    assert refused.json() == {"ok": False, "status": 403, "errors": [],
                              "error": "protected people are named only on a server started with --allow-reveal"}
    app.state.allow_reveal = True  # what `solidarity serve --allow-reveal` sets
    assert client.get(f"/api/v1/entities/{ids['person']}?reveal=1").json()["name"] == PERSON
    assert PERSON in client.get(f"/document/{ids['doc']}?reveal=1").text
    assert not LEAK.search(client.get(f"/document/{ids['doc']}").text)  # still redacted without asking


def test_protect_over_http(sample: Store) -> None:
    ids = _ids(sample)
    client = TestClient(create_app(store=sample))
    res = client.post("/api/v1/protect", json={"person": ids["person"], "note": "at risk", "who": "coordinator"})
    assert res.status_code == 200 and res.json()["curation"]
    assert client.get(f"/entity/{ids['person']}.json").json()["name"] == PLACEHOLDER
    assert client.post("/api/v1/protect", data={"person": str(ids["person"])}).status_code == 415  # a form cannot do it
    cross = client.post("/api/v1/unprotect", json={"person": ids["person"]}, headers={"Origin": "http://evil.example"})
    assert cross.status_code == 403
    assert client.post("/api/v1/protect", json={"person": "Seoul"}).json()["error"] == "field 'person': no person named 'Seoul'"
    assert client.post("/api/v1/unprotect", json={"person": PERSON}).status_code == 200
    assert client.get(f"/entity/{ids['person']}.json").json()["name"] == PERSON


def test_protect_seeds_score_unaffected_for_others(shared: Path, tmp_path: Path) -> None:
    """Protecting one person costs the seeds' score that person (and their role), nothing else."""
    gold = yaml.safe_load((shared / "eval" / "seeds" / "gold.yaml").read_text(encoding="utf-8"))
    store = Store.open(str(tmp_path / "seeds.db"))
    for d in gold["documents"]:
        assert ingest_paths([shared / "corpus" / "seeds" / d["file"]], store, published=str(d["published"])).failed == []

    def score() -> dict[str, str]:
        out = tmp_path / "seeds.jsonl"
        with out.open("w", encoding="utf-8") as fh:
            export_jsonl(store, fh)
        res = subprocess.run([sys.executable, str(shared / "tools" / "score_export.py"), str(shared / "eval" / "seeds" / "gold.yaml"),
                              str(out)], capture_output=True, text=True, check=True)
        return {part.split()[0]: part for part in res.stdout.strip().split("; ")}

    before = score()
    protect_person(store, "Wol-san Liem", who="test")
    after = score()
    store.close()
    for key in ("org", "place", "events"):
        assert after[key] == before[key]
    found = [int(re.search(r"(\d+)/", s[k]).group(1)) for s in (before, after) for k in ("person", "relations")]
    assert found[2] == found[0] - 1  # person recall: only the protected one is lost
    roles = sum(1 for d in gold["documents"] for s, _p, o, *_ in d["relations"] if "Wol-san Liem" in (s, o))
    assert found[1] - roles <= found[3] <= found[1]  # relations: at most theirs


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright, as in tests/web (skips where it is missing)."""
    if not HAVE_CHROMIUM:
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.mark.browser
def test_protect_browser_from_entity_page(sample: Store, chromium: Any) -> None:
    ids = _ids(sample)
    with live_server(sample) as url, new_page(chromium, url) as page:
        page.goto(f"{url}/entity/{ids['person']}")
        page.click("#protect-link")
        page.wait_for_url(f"{url}/protected?entity={ids['person']}")
        page.fill("input[name=note]", "in hiding")
        page.click("#protect-form button")
        page.wait_for_selector(f"li[data-entity='{ids['person']}']")
        assert PLACEHOLDER in page.locator("#protected-list").inner_text()
        page.goto(f"{url}/entity/{ids['person']}")
        assert page.locator("h1").inner_text().startswith(PLACEHOLDER)
        assert not LEAK.search(page.content())
