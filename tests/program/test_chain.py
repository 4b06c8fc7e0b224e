"""Employer chains over real ingests: the seeds (Wabtec, UE Locals 506, 610 and 618, workers in GB/BR/IT)
and the bundled sample (the Wabtec global network); CSV import, contacts, the CLI and the HTTP API."""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from solidarity_graph.cli import main
from solidarity_graph.curation import review_fact
from solidarity_graph.errors import InputError
from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.program.chain import (
    add_contact,
    employer_chain,
    list_contacts,
    refresh_sites,
    resolve_org,
)
from solidarity_graph.program.chain_sites import BadRows, add_site, import_sites_csv, remove_site
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
WABTEC_SAMPLE = ROOT / "solidarity_graph" / "data" / "sample" / "07_global_network_wabtec.txt"
SEED_QUOTE = "building links with Wabtec workers in Great Britain, Brazil, and Italy"


def _built(tmp_path_factory: pytest.TempPathFactory, name: str, paths: list[Path]) -> Path:
    path = tmp_path_factory.mktemp(name) / "built.db"
    store = Store.open(str(path))
    summary = ingest_paths(paths, store)
    assert not summary.failed, summary.failed
    store.close()
    return path


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/corpus/seeds is absent (a user's clone has none; CI always has it)")
    return _built(tmp_path_factory, "seeds", [SEEDS])


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _built(tmp_path_factory, "sample", [WABTEC_SAMPLE])


def _copy(src: Path, tmp_path: Path) -> Store:
    dst = tmp_path / "copy.db"
    shutil.copy(src, dst)
    return Store.open(str(dst))


@pytest.fixture
def seeds(seeds_db: Path, tmp_path: Path) -> Iterator[Store]:
    """A fresh copy of the seeds' store for each test (tests change it)."""
    store = _copy(seeds_db, tmp_path)
    yield store
    store.close()


@pytest.fixture
def sample(sample_db: Path, tmp_path: Path) -> Iterator[Store]:
    store = _copy(sample_db, tmp_path)
    yield store
    store.close()


def _wabtec(store: Store) -> int:
    return int(resolve_org(store, "Wabtec")["id"])


def _country(chain: dict[str, Any], code: str) -> dict[str, Any]:
    return next(c for c in chain["countries"] if c["country"] == code)


def _union_names(chain: dict[str, Any], code: str) -> set[str]:
    return {u["name"] for s in _country(chain, code)["sites"] for u in s["unions"]}


def _audit(store: Store, action: str) -> list[Any]:
    with store.connect() as conn:
        return conn.execute(select(t.curations).where(t.curations.c.action == action)).all()


# ---- the seeds -----------------------------------------------------------------------------------
def test_chain_wabtec_seeds_locals_and_gaps(seeds: Store) -> None:
    chain = employer_chain(seeds, _wabtec(seeds))
    assert _union_names(chain, "US") == {"UE Local 506", "UE Local 610", "UE Local 618"}
    for code in ("GB", "BR", "IT"):
        country = _country(chain, code)
        assert country["gap"] and len(country["sites"]) == 1
        (site,) = country["sites"]
        assert site["unions"] == [] and site["city"] is None
        assert any(SEED_QUOTE in s["quote"] and s["document"] for s in site["sources"])
    assert {g["country"] for g in chain["gaps"]["sites_without_union"]} == {"GB", "BR", "IT"}
    assert {u["name"] for u in chain["gaps"]["unions_without_contact"]} == {"UE Local 506", "UE Local 610", "UE Local 618"}
    us_sources = [s for site in _country(chain, "US")["sites"] for s in site["sources"]]
    assert all("UE Locals 506, 610 and 618" in s["quote"] for s in us_sources)


def test_chain_refresh_is_idempotent(seeds: Store) -> None:
    with seeds.connect() as conn:  # the ingest hook has read the sites already
        ids = sorted(r[0] for r in conn.execute(select(t.sites.c.id)))
    assert ids
    again = refresh_sites(seeds)
    assert (again["added"], again["removed"]) == (0, 0)
    assert refresh_sites(seeds) == again
    employer_chain(seeds, _wabtec(seeds))
    with seeds.connect() as conn:
        assert sorted(r[0] for r in conn.execute(select(t.sites.c.id))) == ids


def test_chain_rejected_relation_takes_the_union_away(seeds: Store) -> None:
    local_610 = int(resolve_org(seeds, "UE Local 610")["id"])
    with seeds.connect() as conn:
        rel = conn.execute(select(t.relations.c.id).where(t.relations.c.subject_id == local_610,
                                                          t.relations.c.predicate == "represents_workers_at")).scalar_one()
    review_fact(seeds, "relation", rel, "rejected", who="tester")
    chain = employer_chain(seeds, _wabtec(seeds))
    assert "UE Local 610" not in _union_names(chain, "US")
    assert "UE Local 506" in _union_names(chain, "US")


def test_chain_contact_closes_the_gap_and_is_audited(seeds: Store) -> None:
    out = add_contact(seeds, "UE Local 506", who="tester", person="John Miles", email="jmiles@example.org", since="2024-08")
    chain = employer_chain(seeds, _wabtec(seeds))
    assert {u["name"] for u in chain["gaps"]["unions_without_contact"]} == {"UE Local 610", "UE Local 618"}
    assert [c["person"] for c in list_contacts(seeds, "UE Local 506")] == ["John Miles"]
    (row,) = _audit(seeds, "contact_add")
    assert row.id == out["curation"] and row.after["email"] == "jmiles@example.org"


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"org": "UE Local 506", "email": "not-an-address"}, "email"),
    ({"org": "UE Local 506"}, "person"),
    ({"org": "UE Local 506", "person": "A", "since": "2024-13"}, "since"),
    ({"org": "UE Local 506", "person": "A", "phone": "call me"}, "phone"),
    ({"org": "No Such Union Anywhere", "person": "A"}, "organization"),
])
def test_chain_contact_bad_input_names_the_field(seeds: Store, kwargs: dict[str, str], field: str) -> None:
    org = kwargs.pop("org")
    with pytest.raises(InputError) as err:
        add_contact(seeds, org, who="tester", **kwargs)
    assert err.value.field == field
    assert list_contacts(seeds) == [] and _audit(seeds, "contact_add") == []


# ---- the sample's Wabtec report ------------------------------------------------------------------
def test_chain_sample_places_unions_at_their_sites(sample: Store) -> None:
    chain = employer_chain(sample, _wabtec(sample))
    sites = {(c["country"], s["city"]): s for c in chain["countries"] for s in c["sites"]}
    assert {u["name"] for u in sites[("US", "Erie")]["unions"]} == {"UE Local 506", "UE Local 618"}
    assert [u["name"] for u in sites[("IT", "Piossasco")]["unions"]] == ["FIOM-CGIL"]
    assert any("represents workers at Piossasco" in s["quote"] for s in sites[("IT", "Piossasco")]["sources"])
    assert [u["name"] for u in sites[("FR", None)]["unions"]] == ["Confédération générale du travail"]
    assert sites[("BR", "Contagem")]["gap"]
    mexico = sites[("MX", None)]
    assert mexico["gap"] and mexico["stated_no_union"]
    assert "Mexican plants have no independent union" in mexico["sources"][0]["quote"]
    gap_places = {(g["country"], g["city"]) for g in chain["gaps"]["sites_without_union"]}
    assert gap_places == {("BR", "Contagem"), ("MX", None)}
    brazil = next(g for g in chain["gaps"]["sites_without_union"] if g["country"] == "BR")
    assert "Central Única dos Trabalhadores" in {c["name"] for c in brazil["candidates"]}


# ---- sites by hand and by CSV --------------------------------------------------------------------
GOOD_CSV = """employer,site,city,country,union,workers,note
Wabtec,Doncaster works,Doncaster,United Kingdom,Unite the Union,350,from the 2024 network meeting
Wabtec,,Contagem,BR,Metalworkers' Union of Belo Horizonte and Contagem,"1,200",
Wabtec,,Wilmerding,USA,UE Local 610,,
"""


def test_chain_csv_import_adds_sites_and_closes_gaps(sample: Store, tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    out = import_sites_csv(sample, path, "Wabtec", who="tester")
    assert len(out["added"]) == 3 and out["unchanged"] == 0
    assert "UE Local 610" in out["created_unions"]  # not named in the sample: a new organization
    chain = employer_chain(sample, _wabtec(sample))
    sites = {(c["country"], s["city"]): s for c in chain["countries"] for s in c["sites"]}
    doncaster = sites[("GB", "Doncaster")]
    assert [(u["name"], u["workers"]) for u in doncaster["unions"]] == [("Unite the Union", 350)]
    assert doncaster["names"] == ["Doncaster works"]
    assert doncaster["sources"][0]["origin"] == "csv" and "sites.csv line 2" in doncaster["sources"][0]["note"]
    assert [u["workers"] for u in sites[("BR", "Contagem")]["unions"]] == [1200]
    assert ("BR", "Contagem") not in {(g["country"], g["city"]) for g in chain["gaps"]["sites_without_union"]}
    again = import_sites_csv(sample, path, "Wabtec", who="tester")
    assert again["added"] == [] and again["unchanged"] == 3
    assert len(_audit(sample, "sites_import")) == 2


@pytest.mark.parametrize(("text", "line", "field"), [
    ("country,city\nGB,Doncaster\nXX,Nowhere\n", 3, "country"),
    ("country,city,workers\nGB,Doncaster,many\n", 2, "workers"),
    ("employer,country\nWabtec,GB\nNo Such Employer Anywhere,GB\n", 3, "employer"),
    ("contry,city\nGB,Doncaster\n", 1, "contry"),
    ("country,city\nGB,Doncaster\nIT,Piossasco,extra\n", 3, None),
    ("city\nDoncaster\n", 1, "country"),
])
def test_chain_csv_bad_rows_write_nothing(sample: Store, tmp_path: Path, text: str, line: int, field: str | None) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    refresh_sites(sample)
    with sample.connect() as conn:
        before = conn.execute(select(func.count()).select_from(t.sites)).scalar_one()
    with pytest.raises(InputError) as err:
        import_sites_csv(sample, path, "Wabtec", who="tester")
    assert err.value.line == line and err.value.field == field
    assert str(path) in str(err.value)
    with sample.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.sites)).scalar_one() == before
    assert _audit(sample, "sites_import") == []


def test_chain_csv_reports_every_bad_row(sample: Store, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("country,workers\nXX,1\nGB,-3\nIT,4\n", encoding="utf-8")
    with pytest.raises(BadRows) as err:
        import_sites_csv(sample, path, "Wabtec", who="tester")
    assert [(e.line, e.field) for e in err.value.errors] == [(2, "country"), (3, "workers")]


def test_chain_csv_not_utf8_names_the_file(sample: Store, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("country,city\nBR,São Paulo\n".encode("latin-1"))
    with pytest.raises(InputError, match="latin1.csv: not UTF-8"):
        import_sites_csv(sample, path, "Wabtec", who="tester")


def test_chain_hand_site_add_and_remove_audited(sample: Store) -> None:
    out = add_site(sample, "Wabtec", who="tester", country="Brasil", city="Contagem", union="FIOM-CGIL", workers=10)
    assert out["site"]["country"] == "BR"
    chain = employer_chain(sample, _wabtec(sample))
    assert "FIOM-CGIL" in _union_names(chain, "BR")
    remove_site(sample, out["site"]["id"], who="tester", note="wrong union")
    assert "FIOM-CGIL" not in _union_names(employer_chain(sample, _wabtec(sample)), "BR")
    assert len(_audit(sample, "site_add")) == len(_audit(sample, "site_remove")) == 1
    extracted = _country(chain, "MX")["sites"][0]["sources"][0]["site_ids"][0]
    with pytest.raises(InputError, match="reject the fact"):
        remove_site(sample, extracted, who="tester")


# ---- the command line and the HTTP API -----------------------------------------------------------
def test_chain_cli_text_jsonl_import_and_contact(seeds: Store, tmp_path: Path) -> None:
    db = seeds.engine.url.render_as_string(hide_password=False)
    run = CliRunner().invoke
    res = run(main, ["chain", "Wabtec", "--db", db])
    assert res.exit_code == 0, res.output
    assert "United Kingdom (GB)  [gap]" in res.output and "UE Local 610 (no contact)" in res.output
    assert "Wabtec workers in Great Brita" in res.output
    res = run(main, ["chain", "Wabtec", "--db", db, "--format", "jsonl"])
    records = [json.loads(line) for line in res.output.splitlines()]
    assert {r["country"] for r in records if r["kind"] == "site"} == {"US", "GB", "BR", "IT"}
    assert {r["union"] for r in records if r.get("gap") == "union_without_contact"} == {"UE Local 506", "UE Local 610", "UE Local 618"}
    bad = tmp_path / "bad.csv"
    bad.write_text("country,city\nGB,Doncaster\nXX,Nowhere\n", encoding="utf-8")
    res = run(main, ["sites", "import", str(bad), "--employer", "Wabtec", "--db", db])
    assert res.exit_code == 1 and "line 3" in res.output and "'country'" in res.output
    res = run(main, ["contact", "add", "UE Local 618", "--person", "Janet Gray", "--db", db])
    assert res.exit_code == 0, res.output
    res = run(main, ["chain", "Wabtec", "--db", db])
    assert "UE Local 618 (no contact)" not in res.output and "UE Local 610 (no contact)" in res.output
    res = run(main, ["chain", "No Such Employer Anywhere", "--db", db])
    assert res.exit_code == 1 and "no organization named" in res.output


def test_chain_http_pages_api_and_changes(sample: Store) -> None:
    from solidarity_graph.web.app import create_app

    client = TestClient(create_app(store=sample))
    wid = _wabtec(sample)
    assert "Wabtec" in client.get("/employers").text
    listed = client.get("/api/v1/employers").json()["employers"]
    assert listed[0]["name"] == "Wabtec" and listed[0]["counts"]["sites_without_union"] == 2
    page = client.get(f"/employers/{wid}.json").json()
    assert page == client.get(f"/api/v1/employers/{wid}").json()
    html = client.get(f"/employers/{wid}").text
    assert "no union, the source says" in html and "id=\"country-MX\"" in html
    assert client.get("/employers/999999.json").json() == {"ok": False, "error": "no entity 999999", "errors": [], "status": 404}
    bad = client.post(f"/api/v1/employers/{wid}/sites/import", json={"csv": "country,workers\nXX,1\nGB,lots\n"})
    assert bad.status_code == 400
    assert [(e["line"], e["field"]) for e in bad.json()["errors"]] == [(2, "country"), (3, "workers")]
    ok = client.post(f"/api/v1/employers/{wid}/sites", json={"country": "BR", "city": "Contagem", "union": "FIOM-CGIL"})
    assert ok.status_code == 200 and ok.json()["site"]["country"] == "BR"
    refused = client.post("/api/v1/contacts", json={"organization": "FIOM-CGIL", "person": "X"}, headers={"Origin": "http://evil.example"})
    assert refused.status_code == 403
    added = client.post("/api/v1/contacts", json={"organization": "FIOM-CGIL", "person": "M. Rossi"})
    assert added.json()["ok"]
    assert client.get("/api/v1/contacts", params={"organization": "FIOM-CGIL"}).json()["contacts"][0]["person"] == "M. Rossi"
