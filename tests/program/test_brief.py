"""Briefing packs: gathered from the sample corpus and the program tables, rendered to HTML and PDF, read back."""

from __future__ import annotations

import re
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import insert, select

from solidarity_graph.cli import main
from solidarity_graph.errors import InputError
from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.program.brief import build_brief
from solidarity_graph.program.protect import protect_person
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t
from solidarity_graph.web.app import create_app
from tests.web.conftest import CHROMIUM, FLAGS, HAVE_CHROMIUM, live_server, new_page

with warnings.catch_warnings():  # starlette's test client warns about its httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SAMPLE = Path(__file__).resolve().parents[2] / "solidarity_graph" / "data" / "sample"
HEADINGS = ["Who they are", "People and roles", "Our history together", "Recent events", "Open campaigns", "Sources"]
NOW = "2026-01-01T00:00:00+00:00"
QUOTE = ("BE IT FURTHER RESOLVED that UE will send delegations to Mexico and Japan in 2026 and invite KCTU and CSN members "
         "to its regional meetings;")


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


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample corpus ingested once into an SQLite file (closed, so it can be copied)."""
    path = tmp_path_factory.mktemp("brief") / "sample.db"
    store = Store.open(str(path))
    summary = ingest_paths([SAMPLE], store)
    assert summary.failed == []
    store.close()
    return path


@pytest.fixture
def db(sample_db: Path, tmp_path: Path) -> str:
    """A private copy of the sample store for one test."""
    path = tmp_path / "sample.db"
    shutil.copy(sample_db, path)
    return str(path)


@pytest.fixture
def sample(db: str) -> Iterator[Store]:
    s = Store.open(db)
    yield s
    s.close()


def _pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(str(path))
    return len(reader.pages), "\n".join(p.extract_text() or "" for p in reader.pages)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower()


def _id(store: Store, name: str) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(t.entities.c.id).where(t.entities.c.name == name)).scalar_one())


@pytest.mark.parametrize("name", ["KCTU", "민주노총"])
def test_brief_cli_pdf_reads_back(db: str, tmp_path: Path, name: str) -> None:
    out = tmp_path / "kctu.pdf"
    res = CliRunner().invoke(main, ["brief", name, "--db", db, "--us", "UE", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "pages" in res.output
    pages, text = _pdf_text(out)
    assert 1 <= pages <= 3
    flat = _flat(text)
    assert "korean confederation of trade unions" in flat
    assert "민주노총" in text and "全国民主労働組合総連盟" in text  # names in every script, fonts embedded
    assert "park seong-min" in flat and "director of international affairs" in flat  # a role holder (at an affiliate)
    for heading in HEADINGS:
        assert heading.lower() in flat, heading
    assert "[1]" in text and "ue delegation marches on may day in seoul" in flat  # references name their document
    assert "2024-05-03" in text  # ... and its date


def test_brief_html_is_self_contained(db: str, tmp_path: Path) -> None:
    out = tmp_path / "kctu.html"
    res = CliRunner().invoke(main, ["brief", "KCTU", "--db", db, "--us", "UE", "--out", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "<style>" in html and "@page" in html and "size: A4" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing from another host
    assert "<link" not in html and "<script" not in html
    assert "Korean Confederation of Trade Unions" in html and "민주노총" in html
    assert 'id="src-1"' in html and 'href="#src-1"' in html


def test_brief_redacts_protected_person(db: str, sample: Store, tmp_path: Path) -> None:
    protect_person(sample, "Park Seong-min", who="test", note="named in a sensitive context")
    out = tmp_path / "kctu.pdf"
    res = CliRunner().invoke(main, ["brief", "KCTU", "--db", db, "--us", "UE", "--out", str(out)])
    assert res.exit_code == 0, res.output
    _, text = _pdf_text(out)
    assert "park seong" not in _flat(text)
    assert "[protected person]" in _flat(text)
    revealed = tmp_path / "revealed.pdf"
    res = CliRunner().invoke(main, ["brief", "KCTU", "--db", db, "--us", "UE", "--out", str(revealed), "--reveal-protected"])
    assert res.exit_code == 0, res.output
    _, text = _pdf_text(revealed)
    assert "park seong-min" in _flat(text)
    assert "names protected people" in _flat(text)  # the revealed copy says so on its face


def test_brief_unknown_name_is_a_clear_error(db: str) -> None:
    res = CliRunner().invoke(main, ["brief", "No Such Union Anywhere", "--db", db])
    assert res.exit_code == 1
    assert "no organization named 'No Such Union Anywhere'" in res.output


def test_brief_bad_output_suffix(db: str, tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["brief", "KCTU", "--db", db, "--out", str(tmp_path / "k.docx")])
    assert res.exit_code == 1
    assert "must end in .pdf or .html" in res.output
    assert not (tmp_path / "k.docx").exists()


def test_brief_home_org_setting(db: str, sample: Store) -> None:
    runner = CliRunner()
    assert "No home organization set" in runner.invoke(main, ["home-org", "--db", db]).output
    res = runner.invoke(main, ["home-org", "UE", "--db", db])
    assert res.exit_code == 0 and "United Electrical, Radio and Machine Workers of America" in res.output
    assert "OUR HISTORY TOGETHER (UE)" in runner.invoke(main, ["brief", "KCTU", "--db", db]).output
    with sample.connect() as conn:
        assert conn.execute(select(t.curations.c.action).where(t.curations.c.target == "setting home_org")).scalar() == "set_home_org"
    assert runner.invoke(main, ["home-org", "Nowhere Union", "--db", db]).exit_code == 1


def test_brief_text_on_stdout(db: str) -> None:
    res = CliRunner().invoke(main, ["brief", "KCTU", "--db", db])
    assert res.exit_code == 0, res.output
    assert "WHO THEY ARE" in res.output and "SOURCES" in res.output
    assert "--us NAME or the home_org setting" in res.output  # no home organization: the history section says how to set one


def _fill_program_tables(store: Store) -> dict[str, int]:
    """An exchange, commitments, a fund with a grant (and a reversed one) and a contact, all about KCTU."""
    kctu, ue = _id(store, "Korean Confederation of Trade Unions"), _id(store, "United Electrical, Radio and Machine Workers of America")
    with store.engine.begin() as conn:
        doc = conn.execute(select(t.documents.c.id).where(t.documents.c.title == "Resolution on International Solidarity")).scalar_one()
        x = conn.execute(insert(t.exchanges).values(kind="delegation", title="UE delegation to Seoul", status="done",
                                                    date_start="2024-04-29", date_end="2024-05-06", produced="a joint statement",
                                                    created_at=NOW, created_by="test")).inserted_primary_key[0]
        conn.execute(insert(t.exchange_members), [{"exchange_id": x, "entity_id": ue, "role": "traveler"},
                                                  {"exchange_id": x, "entity_id": kctu, "role": "host"}])
        conn.execute(insert(t.exchange_items).values(exchange_id=x, kind="follow_up", description="Send the May Day photos to KCTU",
                                                     status="open"))
        conn.execute(insert(t.commitments), [
            {"kind": "commitment", "text": "invite KCTU members to UE regional meetings", "subject_id": ue, "object_text": None,
             "status": "open", "document_id": doc, "quote": QUOTE, "extractor": "test", "confidence": 1.0, "created_at": NOW},
            {"kind": "demand", "text": "pass the Yellow Envelope law", "subject_id": kctu, "object_text": "the National Assembly",
             "status": "done", "document_id": None, "quote": None, "extractor": "test", "confidence": 1.0, "created_at": NOW}])
        fund = conn.execute(insert(t.funds).values(name="International Solidarity Fund", currency="USD", created_at=NOW)).inserted_primary_key[0]
        grant = conn.execute(insert(t.ledger_entries).values(fund_id=fund, date="2025-02-01", kind="grant", amount="1250.00", currency="USD",
                                                             from_id=ue, to_id=kctu, purpose="strike fund for subcontracted workers",
                                                             balance_after="-1250.00", created_at=NOW, created_by="treasurer")).inserted_primary_key[0]
        wrong = conn.execute(insert(t.ledger_entries).values(fund_id=fund, date="2025-02-02", kind="grant", amount="99.00", currency="USD",
                                                             to_name="KCTU", purpose="typo", balance_after="-1349.00", created_at=NOW,
                                                             created_by="treasurer")).inserted_primary_key[0]
        conn.execute(insert(t.ledger_entries).values(fund_id=fund, date="2025-02-03", kind="reversal", amount="99.00", currency="USD",
                                                     to_name="KCTU", reverses=wrong, balance_after="-1250.00", created_at=NOW,
                                                     created_by="treasurer"))
        conn.execute(insert(t.contacts).values(entity_id=kctu, person="International office", email="intl@example.org",
                                               since="2018", created_at=NOW))
        conn.execute(insert(t.settings).values(key="home_org", value="UE"))
    return {"kctu": kctu, "ue": ue, "grant": int(grant)}


def _section(brief: dict, key: str) -> list[dict]:
    return next(s["lines"] for s in brief["sections"] if s["key"] == key)


def test_brief_reads_program_tables(sample: Store, tmp_path: Path) -> None:
    _fill_program_tables(sample)
    brief = build_brief(sample, "KCTU")  # "us" from the home_org setting
    assert brief["us"]["short"] == "UE"
    history = " | ".join(line["text"] for line in _section(brief, "history"))
    assert "UE delegation to Seoul (done); UE (traveler), KCTU (host); produced: a joint statement" in history
    assert "USD 1,250.00 from UE to KCTU (International Solidarity Fund): strike fund for subcontracted workers" in history
    assert "USD 99.00" in history and "(reversed)" in history
    assert "USD 1,250.00 received in all" in history  # the reversed grant does not count
    assert "pass the Yellow Envelope law (to the National Assembly)" in history  # a finished demand is history
    assert "UE and KCTU are allies" in history
    campaigns = " | ".join(f"{line['label']}: {line['text']}" for line in _section(brief, "open"))
    assert "Commitment · open: UE: invite KCTU members to UE regional meetings" in campaigns
    assert "Send the May Day photos to KCTU" in campaigns
    people = " | ".join(line["text"] for line in _section(brief, "people"))
    assert "International office (intl@example.org); since 2018" in people
    sources = {s["n"]: s for s in brief["sources"]}
    for section in brief["sections"]:
        for line in section["lines"]:
            assert line["refs"] and all(n in sources for n in line["refs"]), line  # every line has its source
    titles = " | ".join(s["title"] for s in brief["sources"])
    assert "Ledger of International Solidarity Fund" in titles and "Our contacts list" in titles
    assert any(s["quote"] == QUOTE and s["title"] == "Resolution on International Solidarity" for s in brief["sources"])
    from solidarity_graph.program.brief_render import write_brief

    pages, text = _pdf_text(write_brief(brief, tmp_path / "rich.pdf"))
    assert 1 <= pages <= 3, pages  # a rich ally still fits
    assert "1,250.00" in text


def test_brief_as_of_moves_later_events_ahead(sample: Store) -> None:
    brief = build_brief(sample, "KCTU", us="UE", as_of="2024-06-01")
    recent = [line["date"] for line in _section(brief, "recent")]
    ahead = [line["date"] for line in _section(brief, "open")]
    assert recent and all(d <= "2024-06-01" for d in recent)
    assert "2024-08-15" in ahead and "2025-07-27" in ahead


def test_brief_bad_as_of(sample: Store) -> None:
    with pytest.raises(InputError, match="not a date"):
        build_brief(sample, "KCTU", as_of="next week")


def test_brief_size_from_text(tmp_path: Path, store: Store) -> None:
    doc = tmp_path / "strike.txt"
    doc.write_text("KCTU Calls General Strike\nDate: 2025-03-02\n\nThe Korean Confederation of Trade Unions (KCTU), which has "
                   "about 1,100,000 members, called a general strike for March 12. Organizers expect 20,000 workers in Seoul.\n",
                   encoding="utf-8")
    assert ingest_paths([doc], store).failed == []
    who = _section(build_brief(store, "KCTU"), "who")
    sizes = [line["text"] for line in who if line["label"] == "Size"]
    assert sizes == ["about 1,100,000 members"]  # the crowd in Seoul is no membership figure


def test_brief_web_routes(sample: Store) -> None:
    protect_person(sample, "Park Seong-min", who="test")
    kctu, ue = _id(sample, "Korean Confederation of Trade Unions"), _id(sample, "United Electrical, Radio and Machine Workers of America")
    client = TestClient(create_app(store=sample))
    page = client.get(f"/brief/{kctu}?us={ue}")
    assert page.status_code == 200
    for heading in HEADINGS:
        assert heading in page.text
    assert f'href="/brief/{kctu}.pdf?us={ue}"' in page.text
    assert "Park Seong" not in page.text and "[protected person]" in page.text
    data = client.get(f"/brief/{kctu}.json?us={ue}").json()
    assert data["ok"] and data["entity"]["id"] == kctu and data["us"]["id"] == ue
    assert client.get(f"/api/v1/briefs/{kctu}").json()["entity"]["name"] == "Korean Confederation of Trade Unions"
    pdf = client.get(f"/brief/{kctu}.pdf?us={ue}&as_of=2025-01-01")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.get("/brief/999999.json").json() == {"ok": False, "error": "field 'name': no organization with id 999999",
                                                      "errors": [], "status": 404}
    assert client.get(f"/brief/{kctu}.json?reveal=1").status_code == 403  # this server was not started with --allow-reveal
    entity = client.get(f"/entity/{kctu}")
    assert f'href="/brief/{kctu}"' in entity.text


@pytest.mark.browser
def test_brief_browser_from_entity_page(sample: Store, chromium: Any) -> None:
    kctu = _id(sample, "Korean Confederation of Trade Unions")
    with live_server(sample) as url, new_page(chromium, url) as page:
        page.goto(f"{url}/entity/{kctu}")
        page.click("#brief-link")
        page.wait_for_url(f"{url}/brief/{kctu}")
        assert page.locator("article.brief h1").inner_text() == "Korean Confederation of Trade Unions"
        assert page.locator("article.brief h2").count() == 6
        assert page.locator("#brief-pdf").get_attribute("href") == f"/brief/{kctu}.pdf"
        assert page.locator(".names [lang=ko]").count() >= 1
