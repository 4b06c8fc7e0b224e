"""Commitments and demands: the rules on hand-built input, then the whole path over the bundled sample
(and the seeds where ../shared is present) in a real SQLite store: storing, idempotence, statuses that
survive re-extraction, the audit log, the CLI and the HTTP API."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from solidarity_graph.cli import main
from solidarity_graph.errors import InputError
from solidarity_graph.pipeline import ingest_paths, reextract
from solidarity_graph.program import commitments as cm
from solidarity_graph.program import exchanges as ex
from solidarity_graph.program.commitment_dates import due_date
from solidarity_graph.program.commitment_rules import Mark, find_commitments, split_sentences
from solidarity_graph.query import find_entity
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t
from solidarity_graph.web.app import create_app

SAMPLE = Path(__file__).resolve().parents[2] / "solidarity_graph" / "data" / "sample"
SEEDS = {"000_b21b97cdda83a804.txt": "2018-05-03", "001_53f052fabf1708dc.txt": "2025-08", "002_fe76739dccd10ea4.txt": "2020-03-20"}


def _marks(text: str, names: dict[str, tuple[int, str, str | None]]) -> list[Mark]:
    """Marks for every occurrence of each name: name -> (entity id, type, kind)."""
    out = []
    for name, (eid, typ, kind) in names.items():
        pos = text.find(name)
        while pos != -1:
            out.append(Mark(pos, pos + len(name), eid, typ, kind, name))
            pos = text.find(name, pos + 1)
    return out


NAMES = {"UE": (1, "organization", "union"), "KCTU": (2, "organization", "union_federation"),
         "United States Congress": (3, "organization", "legislature"), "Department of Labor": (4, "organization", "government"),
         "U.S.": (5, "place", "country"), "United States": (5, "place", "country"), "Aaron Goggans": (6, "person", None)}


@pytest.mark.parametrize(("text", "expected"), [
    ("We pledge to support KCTU in its fight.", [("commitment", "support KCTU in its fight", 1, 2)]),
    ("UE calls on the United States Congress to reject the deal, and urges the Department of Labor to act.",
     [("demand", "reject the deal", 1, 3), ("demand", "act", 1, 4)]),
    ("UE did not commit to anything.", []),
    ("The U.S. authorities should suspend the exercises.", [("demand", "suspend the exercises", 1, 5)]),
    ("Then the United States must be ready to commit to withdrawing its policy.", [("demand", "commit to withdrawing its policy", 1, 5)]),
    ("“We are calling on the U.S. to end the war,” said Aaron Goggans of the IWW.", [("demand", "end the war", 6, 5)]),
    ("American Workers Call for Peace", []),
    ("The two unions agreed to meet again before the end of the year.", [("commitment", "meet again before the end of the year", 1, None)]),
])
def test_commitments_rules_on_sentences(text: str, expected: list[tuple[str, str, int | None, int | None]]) -> None:
    found = find_commitments(text, [(0, len(text))], _marks(text, NAMES), speaker=1, published="2024-05-03")
    assert [(f.kind, f.text, f.subject_id, f.object_id) for f in found] == expected
    for f in found:
        assert (f.start, f.end) == (0, len(text))


def test_commitments_rules_korean() -> None:
    text = "민주노총과 전노련은 24일 공동성명을 내고 방류를 즉각 중단하라고 일본 정부에 요구했다. 두 조직은 다음 달 회의를 열기로 했다."
    names = {"민주노총": (2, "organization", "union_federation"), "일본 정부": (7, "organization", "government")}
    found = find_commitments(text, split_sentences(text), _marks(text, names), speaker=2, language="ko")
    assert [(f.kind, f.subject_id, f.object_id) for f in found] == [("demand", 2, 7), ("commitment", 2, None)]
    assert found[0].text == "방류를 즉각 중단하라"


@pytest.mark.parametrize(("what", "published", "due"), [
    ("send delegations to Mexico and Japan in 2026", "2025-09-26", "2026"),
    ("report back by March 15, 2026", "2025-09-26", "2026-03-15"),
    ("meet again before the end of the year", "2024-05-03", "2024-12-31"),
    ("meet again before the next convention", "2024-05-03", None),
    ("act within 30 days", "2024-05-03", "2024-06-02"),
    ("remember the strike in 2008", "2024-05-03", None),
])
def test_commitments_due_date(what: str, published: str, due: str | None) -> None:
    assert due_date(what, published) == due


def test_commitments_split_sentences_keeps_abbreviations() -> None:
    text = "We call on the U.S. Congress to act. The KCTU agreed.\nNext line"
    assert [text[a:b] for a, b in split_sentences(text)] == ["We call on the U.S. Congress to act.", "The KCTU agreed.", "Next line"]


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder = tmp_path_factory.mktemp("commitments")
    store = Store.open(str(folder / "c.db"))
    summary = ingest_paths([SAMPLE], store)
    assert summary.new == 10 and summary.program["commitments"]["new"] > 0
    return store


def _find(store: Store, words: str) -> dict[str, Any]:
    rows = [c for c in cm.list_commitments(store) if words in c["text"]]
    assert len(rows) == 1, [c["text"] for c in cm.list_commitments(store)]
    return rows[0]


def _eid(store: Store, name: str) -> int:
    return int(find_entity(store, name)[0]["id"])


def test_commitments_found_in_the_sample(sample_store: Store) -> None:
    congress = _find(sample_store, "reject any trade agreement that lacks enforceable labor rights")
    assert congress["kind"] == "demand" and congress["status"] == "open"
    assert congress["subject"]["id"] == _eid(sample_store, "UE")
    assert congress["object"]["id"] == _eid(sample_store, "United States Congress")
    send = _find(sample_store, "send delegations to Mexico and Japan in 2026")
    assert send["kind"] == "commitment" and send["due"] == "2026" and send["subject"]["id"] == _eid(sample_store, "UE")
    henoko = _find(sample_store, "halt construction of the new base at Henoko")
    assert henoko["object"]["id"] == _eid(sample_store, "Government of Japan")
    assert henoko["subject"]["id"] == _eid(sample_store, "KCTU")
    share = _find(sample_store, "share information on multinational companies")
    assert share["due"] == "2024-12-31" and share["subject_text"] == "the two unions"
    # provenance: the quote is the document's own sentence at the stored offsets
    with sample_store.connect() as conn:
        for c in cm.list_commitments(sample_store):
            text = conn.execute(select(t.documents.c.text).where(t.documents.c.id == c["document"]["id"])).scalar_one()
            assert text[c["span"][0] : c["span"][1]] == c["quote"] and c["text"] in c["quote"]


def test_commitments_age_from_the_document_date(sample_store: Store) -> None:
    c = _find(sample_store, "send delegations to Mexico and Japan in 2026")
    assert c["since"] == "2025-09-26"
    assert c["age_days"] == (dt.date.today() - dt.date(2025, 9, 26)).days


def test_commitments_scan_and_reingest_change_nothing(sample_store: Store) -> None:
    before = [(c["id"], c["text"]) for c in cm.list_commitments(sample_store)]
    with sample_store.connect() as conn:
        ids = [r[0] for r in conn.execute(select(t.documents.c.id))]
    again = cm.scan_documents(sample_store, ids)
    assert again["new"] == 0 and again["removed"] == 0 and again["kept"] == len(before)
    assert ingest_paths([SAMPLE], sample_store).new == 0
    assert [(c["id"], c["text"]) for c in cm.list_commitments(sample_store)] == before


def test_commitments_status_survives_reextract_and_is_audited(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "r.db"))
    shutil.copy(SAMPLE / "02_convention_resolution.md", tmp_path / "res.md")
    ingest_paths([tmp_path / "res.md"], store)
    target = _find(store, "use the Rapid Response Labor Mechanism")
    out = cm.set_status(store, target["id"], "in_progress", who="ana", note="letter sent to DOL")
    assert out["commitment"]["status"] == "in_progress" and out["commitment"]["status_at"]
    with store.connect() as conn:
        log = conn.execute(select(t.curations).where(t.curations.c.id == out["curation"])).one()
    assert (log.who, log.action, log.target, log.note) == ("ana", "commitment_status", f"commitment {target['id']}", "letter sent to DOL")
    assert log.before["status"] == "open" and log.after["status"] == "in_progress"
    before = {c["id"]: c["status"] for c in cm.list_commitments(store)}
    summary = reextract(store)
    assert summary.program["commitments"]["new"] == 0
    after = cm.get_commitment(store, target["id"])
    assert after["status"] == "in_progress" and after["document"] is not None and after["quote"] == target["quote"]
    assert {c["id"]: c["status"] for c in cm.list_commitments(store)} == before
    assert [h["action"] for h in after["history"]] == ["commitment_status"]
    store.close()


def test_commitments_stale_findings_go_unless_curated(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "s.db"))
    shutil.copy(SAMPLE / "02_convention_resolution.md", tmp_path / "res.md")
    ingest_paths([tmp_path / "res.md"], store)
    rows = cm.list_commitments(store)
    curated, plain = rows[0], rows[1]
    cm.set_status(store, curated["id"], "done", who="ana")
    with store.engine.begin() as conn:  # as if an older extractor had found them under other fingerprints
        conn.execute(update(t.commitments).where(t.commitments.c.id.in_([curated["id"], plain["id"]])).values(fingerprint="old"))
    out = cm.scan_documents(store, [curated["document"]["id"]])
    assert out["removed"] == 1 and out["new"] == 2
    assert cm.get_commitment(store, curated["id"])["status"] == "done"
    with pytest.raises(KeyError):
        cm.get_commitment(store, plain["id"])
    store.close()


def test_commitments_by_hand(store: Store) -> None:
    out = cm.add_commitment(store, "commitment", "Host a KCTU delegation", who="ana", note="Executive board minutes, 3 May",
                            subject="Nobody We Know", object_="the KCTU", due="2026-05")
    c = out["commitment"]
    assert c["document"] is None and c["quote"] == "Executive board minutes, 3 May" and c["due"] == "2026-05"
    assert c["subject"] is None and c["subject_text"] == "Nobody We Know" and c["object_text"] == "the KCTU"
    assert c["history"][0]["action"] == "add_commitment"
    with pytest.raises(InputError) as e:
        cm.add_commitment(store, "commitment", "x", who="ana", note="  ")
    assert e.value.field == "note"
    with pytest.raises(InputError) as e:
        cm.add_commitment(store, "commitment", "x", who="ana", note="n", due="2026-13")
    assert e.value.field == "due"
    with pytest.raises(InputError) as e:
        cm.set_status(store, c["id"], "finished", who="ana")
    assert e.value.field == "status"
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.commitments)).scalar_one() == 1  # nothing half-written


def test_commitments_seeds(shared: Path, tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "seeds.db"))
    for name, published in SEEDS.items():
        ingest_paths([shared / "corpus" / "seeds" / name], store, published=published)
    thaad = _find(store, "stop the operation of the THAAD unit")
    assert thaad["kind"] == "demand" and thaad["object"]["id"] == _eid(store, "United States")
    assert thaad["subject"]["id"] in {_eid(store, "KCTU"), _eid(store, "USLAW")}
    pledge = _find(store, "find ways to practically support their leadership")
    assert pledge["kind"] == "commitment" and pledge["subject"]["id"] == _eid(store, "USLAW")
    exchanges = _find(store, "ongoing worker-to-worker exchanges with our allies")
    assert exchanges["subject"]["id"] == _eid(store, "UE")
    store.close()


def test_commitments_cli(sample_store: Store) -> None:
    db = sample_store.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    res = runner.invoke(main, ["commitments", "--db", db, "--status", "open", "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.output.splitlines()]
    assert rows and all(r["status"] == "open" and r["age_days"] is not None for r in rows)
    cid = rows[0]["id"]
    res = runner.invoke(main, ["commitment", "set", str(cid), "in_progress", "--note", "on it", "--db", db])
    assert res.exit_code == 0 and "in_progress" in res.output
    assert cm.get_commitment(sample_store, cid)["status"] == "in_progress"
    res = runner.invoke(main, ["commitment", "set", str(cid), "finished", "--db", db])
    assert res.exit_code == 2 and "finished" in res.output
    res = runner.invoke(main, ["commitment", "add", "--kind", "demand", "--text", "Reinstate the fired stewards", "--by", "UE",
                               "--to", "Wabtec", "--note", "Call with the local, 4 June", "--db", db])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["commitments", "--db", db, "--entity", "Wabtec", "--kind", "demand"])
    assert "Reinstate the fired stewards" in res.output and "days" in res.output
    res = runner.invoke(main, ["commitment", "show", str(cid), "--db", db])
    assert res.exit_code == 0 and "“" in res.output and "on it" in res.output
    xid = ex.list_exchanges(sample_store)[0]["id"]
    res = runner.invoke(main, ["commitment", "link", str(cid), str(xid), "--db", db])
    assert res.exit_code == 0 and cm.get_commitment(sample_store, cid)["exchange"]["id"] == xid
    assert any(c["id"] == cid for c in ex.get_exchange(sample_store, xid)["commitments"])
    res = runner.invoke(main, ["commitment", "link", str(cid), "--db", db])
    assert res.exit_code == 0 and cm.get_commitment(sample_store, cid)["exchange"] is None
    res = runner.invoke(main, ["commitment", "show", "99999", "--db", db])
    assert res.exit_code == 1 and "no commitment 99999" in res.output


def test_commitments_api_and_page(sample_store: Store) -> None:
    client = TestClient(create_app(store=sample_store))
    data = client.get("/api/v1/commitments", params={"status": "open", "kind": "demand"}).json()
    assert data["ok"] and data["commitments"] and {c["kind"] for c in data["commitments"]} == {"demand"}
    cid = data["commitments"][0]["id"]
    r = client.post(f"/api/v1/commitments/{cid}/status", json={"status": "done", "note": "passed", "who": "web-test"})
    assert r.status_code == 200 and r.json()["commitment"]["status"] == "done"
    assert client.get(f"/commitments/{cid}.json").json()["history"][-1]["who"] == "web-test"
    bad = client.post(f"/api/v1/commitments/{cid}/status", json={"status": "finished"})
    assert bad.status_code == 400 and bad.json() == {"ok": False, "error": "field 'status': status is one of open, in_progress, done, dropped",
                                                     "errors": [], "status": 400}
    assert client.post(f"/api/v1/commitments/{cid}/status", data={"status": "done"}).status_code == 415
    assert client.get("/api/v1/commitments/99999").status_code == 404
    assert client.get("/api/v1/commitments", params={"status": "finished"}).status_code == 400
    html = client.get("/commitments", params={"status": "open"}).text
    assert "days</span>" in html and "/document/" in html and "?hl=" in html
    made = client.post("/api/v1/commitments", json={"kind": "commitment", "text": "Send a delegation to Ulsan", "subject": "UE",
                                                    "due": "2026", "note": "Board vote"}).json()
    assert made["ok"] and made["commitment"]["subject"]["name"].startswith("United Electrical")
