"""The solidarity-fund ledger on a real SQLite store: exact decimals, strict amounts, reversals,
reconciliation under many random entries, the audit log, CSV export, the CLI and the HTTP API."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from solidarity_graph.cli import main
from solidarity_graph.errors import InputError
from solidarity_graph.program import ledger
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

DAY = "2024-05-01"


def _fund(store: Store, currency: str = "USD", name: str = "UE-FAT Solidarity Fund") -> int:
    return int(ledger.create_fund(store, name, currency, who="tester")["id"])


def _count(store: Store, table: Any) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _floats(value: Any) -> list[Any]:
    """Every float anywhere in a nested structure."""
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, list | tuple):
        return [f for v in value for f in _floats(v)]
    return []


def test_ledger_decimal_exactness(store: Store) -> None:
    fid = _fund(store)
    ledger.record_contribution(store, fid, "0.10", source="UE Local 506", date=DAY, who="tester")
    out = ledger.record_contribution(store, fid, "0.2", source="UE Local 618", date=DAY, who="tester")
    assert out["balance"] == {"currency": "USD", "amount": "0.30"}
    with store.connect() as conn:
        stored = [r[0] for r in conn.execute(select(t.ledger_entries.c.amount).order_by(t.ledger_entries.c.id))]
    assert stored == ["0.10", "0.20"]
    assert sum((Decimal(s) for s in stored), Decimal(0)) == Decimal("0.30")
    page = ledger.fund_ledger(store, fid)
    assert page["balances"] == {"USD": "0.30"} and _floats(page) == []
    assert ledger.reconcile(store)["balances"] == {"UE-FAT Solidarity Fund": {"USD": "0.30"}}


@pytest.mark.parametrize(("amount", "currency"), [
    ("1,2.3", "USD"), ("1,000", "USD"), ("-5", "USD"), ("-0.01", "USD"), ("NaN", "USD"), ("nan", "USD"),
    ("Infinity", "USD"), ("1e3", "USD"), ("1.005", "USD"), ("10.5", "KRW"), ("1.0001", "KWD"), ("0", "USD"),
    ("0.00", "USD"), ("", "USD"), ("1 000", "USD"), (".5", "USD"), ("１２", "USD"), (0.1, "USD"), (True, "USD"),
    ("1" * 16, "USD"),
])
def test_ledger_bad_amount_rejected_naming_the_field(store: Store, amount: Any, currency: str) -> None:
    fid = _fund(store, currency)
    with pytest.raises(InputError) as err:
        ledger.record_contribution(store, fid, amount, source="UE", date=DAY, who="tester")
    assert err.value.field == "amount"
    assert _count(store, t.ledger_entries) == 0
    assert _count(store, t.curations) == 1  # the fund's own row only


@pytest.mark.parametrize(("amount", "currency", "stored"), [
    ("5000", "KRW", "5000"), ("12.5", "USD", "12.50"), ("7", "EUR", "7.00"), ("1.125", "KWD", "1.125"), ("0007.1", "USD", "7.10"),
])
def test_ledger_amount_stored_with_the_currency_minor_units(store: Store, amount: str, currency: str, stored: str) -> None:
    fid = _fund(store, currency)
    out = ledger.record_contribution(store, fid, amount, source="KCTU", date=DAY, who="tester")
    assert out["entry"]["amount"] == stored and out["balance"]["amount"] == stored


@pytest.mark.parametrize(("change", "field"), [
    ({"date": "2024-02-30"}, "date"), ({"date": "2024-5-1"}, "date"), ({"date": "2999-01-01"}, "date"),
    ({"currency": "XYZ"}, "currency"), ({"currency": "XAU"}, "currency"), ({"source": " "}, "from"),
    ({"event": 424242}, "event"), ({"exchange": 424242}, "exchange"), ({"fund": "No Such Fund"}, "fund"),
])
def test_ledger_bad_fields_rejected(store: Store, change: dict[str, Any], field: str) -> None:
    fid = _fund(store)
    args: dict[str, Any] = {"fund": fid, "amount": "10.00", "source": "UE", "date": DAY, "who": "tester", **change}
    with pytest.raises(InputError) as err:
        ledger.record_contribution(store, args.pop("fund"), args.pop("amount"), **args)
    assert err.value.field == field
    assert _count(store, t.ledger_entries) == 0


def test_ledger_fund_currency_and_name_checked(store: Store) -> None:
    with pytest.raises(InputError) as err:
        ledger.create_fund(store, "Fund", "dollars", who="tester")
    assert err.value.field == "currency"
    _fund(store)
    with pytest.raises(InputError) as err:
        ledger.create_fund(store, "ue-fat solidarity fund", "USD", who="tester")
    assert err.value.field == "name"
    assert _count(store, t.funds) == 1


def test_ledger_grant_over_the_balance_refused(store: Store) -> None:
    fid = _fund(store)
    ledger.record_contribution(store, fid, "100.00", source="UE", date=DAY, who="tester")
    with pytest.raises(InputError) as err:
        ledger.record_grant(store, fid, "100.01", to="FAT", date=DAY, who="tester")
    assert err.value.field == "amount" and "100.00" in str(err.value)
    ledger.record_grant(store, fid, "100.00", to="FAT", date=DAY, who="tester")
    assert ledger.fund_ledger(store, fid)["balances"] == {"USD": "0.00"}


def test_ledger_reversal_cancels_an_entry_once(store: Store) -> None:
    fid = _fund(store)
    ledger.record_contribution(store, fid, "100.00", source="UE", date=DAY, who="tester")
    grant = ledger.record_grant(store, fid, "30.00", to="FAT", date=DAY, who="tester", purpose="delegation")["entry"]
    rev = ledger.reverse_entry(store, grant["id"], who="tester", note="paid twice by mistake")
    assert rev["balance"]["amount"] == "100.00"
    assert rev["entry"]["kind"] == "reversal" and rev["entry"]["reverses"] == grant["id"] and rev["entry"]["amount"] == "30.00"
    entries = {e["id"]: e for e in ledger.fund_ledger(store, fid)["entries"]}
    assert entries[grant["id"]]["amount"] == "30.00" and entries[grant["id"]]["reversed_by"] == rev["entry"]["id"]
    with pytest.raises(InputError, match="already reversed") as err:
        ledger.reverse_entry(store, grant["id"], who="tester", note="again")
    assert err.value.field == "entry"
    with pytest.raises(InputError, match="is a reversal"):
        ledger.reverse_entry(store, rev["entry"]["id"], who="tester", note="undo")
    with pytest.raises(InputError) as err:
        ledger.reverse_entry(store, grant["id"] + 100, who="tester", note="none")
    assert err.value.field == "entry"
    assert _count(store, t.ledger_entries) == 3 and ledger.reconcile(store)["ok"]


def test_ledger_balances_per_currency(store: Store) -> None:
    fid = _fund(store, "USD")
    ledger.record_contribution(store, fid, "250.00", source="UE", date=DAY, who="tester")
    ledger.record_contribution(store, fid, "50000", source="KCTU", date=DAY, who="tester", currency="krw")
    with pytest.raises(InputError):  # no KRW 60,000 in the fund, whatever the dollars
        ledger.record_grant(store, fid, "60000", to="KPTU", date=DAY, who="tester", currency="KRW")
    ledger.record_grant(store, fid, "20000", to="KPTU", date=DAY, who="tester", currency="KRW")
    assert ledger.list_funds(store)[0]["balances"] == {"KRW": "30000", "USD": "250.00"}


def test_ledger_reconciles_under_many_random_entries(store: Store) -> None:
    rnd = random.Random(20240501)
    funds = {_fund(store, cur, f"Fund {cur}"): cur for cur in ("USD", "KRW", "KWD", "EUR")}
    expected: dict[tuple[int, str], Decimal] = {}
    effects: dict[int, tuple[int, str, Decimal]] = {}  # entry -> (fund, currency, signed change)
    reversed_: set[int] = set()
    for _ in range(400):
        fid = rnd.choice(list(funds))
        cur = funds[fid] if rnd.random() < 0.8 else rnd.choice(["USD", "KRW", "JPY"])
        units = ledger.minor_units(cur)
        whole, frac = rnd.randint(0, 5000), rnd.randint(0, 10 ** units - 1) if units else 0
        amount = f"{whole}.{frac:0{units}d}" if units else str(whole)
        if Decimal(amount) == 0:
            continue
        op = rnd.random()
        key = (fid, cur)
        if op < 0.5:
            out = ledger.record_contribution(store, fid, amount, source="UE", date=DAY, who="r", currency=cur)
            change = Decimal(amount)
        elif op < 0.85:
            try:
                out = ledger.record_grant(store, fid, amount, to="FAT", date=DAY, who="r", currency=cur)
            except InputError:
                assert expected.get(key, Decimal(0)) < Decimal(amount)
                continue
            change = -Decimal(amount)
        else:
            open_ = [e for e in effects if e not in reversed_]
            if not open_:
                continue
            target = rnd.choice(open_)
            out = ledger.reverse_entry(store, target, who="r", note="random correction")
            reversed_ |= {target, out["entry"]["id"]}  # a reversal is not reversed in turn
            fid, cur, undone = effects[target]
            key, change = (fid, cur), -undone
        effects[out["entry"]["id"]] = (key[0], key[1], change)
        expected[key] = expected.get(key, Decimal(0)) + change
        assert Decimal(out["balance"]["amount"]) == expected[key]
    check = ledger.reconcile(store)
    assert check["ok"], check["mismatches"][:3]
    assert check["entries"] == len(effects) > 200
    names = {fid: f"Fund {cur}" for fid, cur in funds.items()}
    for (fid, cur), value in expected.items():
        assert Decimal(check["balances"][names[fid]][cur]) == value
        assert Decimal(ledger.fund_ledger(store, fid)["balances"][cur]) == value


@pytest.mark.parametrize(("column", "value", "problem"), [
    ("amount", "45.00", "stored balance differs"),
    ("balance_after", "999.00", "stored balance differs"),
    ("amount", "4.5.0", "amount:"),
])
def test_ledger_reconcile_reports_tampering(store: Store, column: str, value: str, problem: str) -> None:
    fid = _fund(store)
    first = ledger.record_contribution(store, fid, "40.00", source="UE", date=DAY, who="tester")["entry"]["id"]
    ledger.record_contribution(store, fid, "2.00", source="UE", date=DAY, who="tester")
    assert ledger.reconcile(store)["ok"]
    with store.engine.begin() as conn:  # someone edits the table behind the ledger's back
        conn.execute(update(t.ledger_entries).where(t.ledger_entries.c.id == first).values({column: value}))
    check = ledger.reconcile(store)
    assert not check["ok"]
    assert check["mismatches"][0]["entry"] == first and problem in check["mismatches"][0]["problem"]


def test_ledger_every_entry_audited(store: Store) -> None:
    fid = _fund(store)
    c = ledger.record_contribution(store, fid, "10.00", source="UE", date=DAY, who="ana", purpose="May Day")
    g = ledger.record_grant(store, fid, "4.00", to="FAT", date=DAY, who="ben")
    r = ledger.reverse_entry(store, g["entry"]["id"], who="ana", note="wrong grantee")
    with store.connect() as conn:
        rows = conn.execute(select(t.curations).order_by(t.curations.c.id)).all()
    assert [(x.action, x.who) for x in rows] == [("fund_add", "tester"), ("ledger_contribution", "ana"),
                                                ("ledger_grant", "ben"), ("ledger_reversal", "ana")]
    assert [x.target for x in rows[1:]] == [f"ledger_entry {o['entry']['id']}" for o in (c, g, r)]
    assert rows[1].after["amount"] == "10.00" and rows[1].note == "May Day" and rows[3].note == "wrong grantee"


def test_ledger_failed_write_leaves_nothing_behind(store: Store) -> None:
    fid = _fund(store)
    with store.engine.begin() as conn:  # the audit log cannot be written: the entry must not stay either
        conn.execute(text("ALTER TABLE curations RENAME TO curations_away"))
    with pytest.raises(SQLAlchemyError):
        ledger.record_contribution(store, fid, "10.00", source="UE", date=DAY, who="tester")
    with store.engine.begin() as conn:
        conn.execute(text("ALTER TABLE curations_away RENAME TO curations"))
    assert _count(store, t.ledger_entries) == 0
    assert ledger.fund_ledger(store, fid)["balances"] == {"USD": "0.00"}


def test_ledger_csv_export_reads_back(store: Store) -> None:
    fid = _fund(store)
    ledger.record_contribution(store, fid, "0.10", source="UE Local 506", date="2024-05-01", who="tester")
    ledger.record_contribution(store, fid, "0.20", source="UE Local 618", date="2024-05-02", who="tester")
    g = ledger.record_grant(store, fid, "0.25", to="Frente Auténtico del Trabajo", date="2024-05-03", who="tester", purpose="delegation, May")
    ledger.reverse_entry(store, g["entry"]["id"], who="tester", note="wrong")
    buf = io.StringIO()
    assert ledger.export_fund_csv(store, fid, buf) == 4
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert [r["kind"] for r in rows] == ["contribution", "contribution", "grant", "reversal"]
    assert [r["amount"] for r in rows] == ["0.10", "0.20", "0.25", "0.25"]
    assert [r["change"] for r in rows] == ["0.10", "0.20", "-0.25", "0.25"]
    assert [r["balance"] for r in rows] == ["0.10", "0.30", "0.05", "0.30"]
    assert rows[2]["to"] == "Frente Auténtico del Trabajo" and rows[2]["purpose"] == "delegation, May"
    assert rows[3]["reverses"] == rows[2]["entry"]
    assert all(re.fullmatch(r"-?\d+\.\d{2}", r[k]) for r in rows for k in ("amount", "change", "balance"))
    assert rows[-1]["balance"] == ledger.fund_ledger(store, fid)["balances"]["USD"]


def test_ledger_event_link_survives_reextraction(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(insert(t.documents).values(id="d1", content_hash="h1", source="x.txt", text="UE gave to the FAT fund.",
                                                ingested_at="2024-05-01T00:00:00"))
        conn.execute(insert(t.events).values(id=7, document_id="d1", type="fund_contribution", status="happened", trigger="gave",
                                             start=0, end=24, quote="UE gave to the FAT fund.", extractor="x", confidence=1.0,
                                             fingerprint="fp-7"))
    fid = _fund(store)
    ledger.record_contribution(store, fid, "5.00", source="UE", date=DAY, who="tester", event=7)
    with store.engine.begin() as conn:  # re-extraction gives the same event a new id
        conn.execute(t.events.delete().where(t.events.c.id == 7))
        conn.execute(insert(t.events).values(id=9, document_id="d1", type="fund_contribution", status="happened", trigger="gave",
                                             start=0, end=24, quote="UE gave to the FAT fund.", extractor="x", confidence=1.0,
                                             fingerprint="fp-7"))
    (entry,) = ledger.fund_ledger(store, fid)["entries"]
    assert entry["event_id"] is None and entry["event"]["id"] == 9


# ---- the command line and the HTTP API -----------------------------------------------------------
def test_ledger_cli(store: Store, tmp_path: Path) -> None:
    db = store.engine.url.render_as_string(hide_password=False)
    run = CliRunner().invoke
    assert run(main, ["fund", "add", "UE-FAT Solidarity Fund", "--currency", "usd", "--db", db]).exit_code == 0
    res = run(main, ["fund", "contribute", "UE-FAT Solidarity Fund", "0.10", "--from", "UE", "--date", DAY, "--db", db])
    assert res.exit_code == 0 and "now holds 0.10 USD" in res.output
    res = run(main, ["fund", "contribute", "1", "0.20", "--from", "UE", "--date", DAY, "--purpose", "May Day", "--db", db])
    assert "now holds 0.30 USD" in res.output
    res = run(main, ["fund", "grant", "1", "1,2.3", "--to", "FAT", "--db", db])
    assert res.exit_code == 1 and "field 'amount'" in res.output
    res = run(main, ["fund", "grant", "1", "0.05", "--to", "FAT", "--db", db])
    assert res.exit_code == 0 and "now holds 0.25 USD" in res.output
    res = run(main, ["fund", "reverse", "3", "--note", "wrong grantee", "--db", db])
    assert res.exit_code == 0 and "now holds 0.30 USD" in res.output
    res = run(main, ["funds", "--db", db])
    assert "UE-FAT Solidarity Fund (USD): 0.30 USD; 4 entries" in res.output
    out = tmp_path / "fund.csv"
    res = run(main, ["fund", "export", "1", "--out", str(out), "--db", db])
    assert res.exit_code == 0
    assert [r["balance"] for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))] == ["0.10", "0.30", "0.25", "0.30"]
    shown = json.loads(run(main, ["fund", "show", "1", "--format", "json", "--db", db]).output)
    assert shown["balances"] == {"USD": "0.30"} and _floats(shown) == []
    res = run(main, ["fund", "reconcile", "--db", db])
    assert res.exit_code == 0 and "all balances reconcile" in res.output


def test_ledger_http(store: Store) -> None:
    from solidarity_graph.web.app import create_app

    client = TestClient(create_app(store=store))
    fid = client.post("/api/v1/funds", json={"name": "UE-FAT Solidarity Fund", "currency": "USD"}).json()["id"]
    entry = {"kind": "contribution", "amount": "0.10", "from": "UE", "date": DAY}
    assert client.post(f"/api/v1/funds/{fid}/entries", json=entry).json()["balance"] == {"currency": "USD", "amount": "0.10"}
    as_float = client.post(f"/api/v1/funds/{fid}/entries", json={**entry, "amount": 0.2})
    assert as_float.status_code == 400 and as_float.json()["errors"][0]["field"] == "body.amount"
    bad = client.post(f"/api/v1/funds/{fid}/entries", json={**entry, "amount": "1,2.3"})
    assert bad.status_code == 400 and "field 'amount'" in bad.json()["error"]
    refused = client.post(f"/api/v1/funds/{fid}/entries", json=entry, headers={"Origin": "http://evil.example"})
    assert refused.status_code == 403
    client.post(f"/api/v1/funds/{fid}/entries", json={**entry, "amount": "0.20"})
    grant = client.post(f"/api/v1/funds/{fid}/entries", json={"kind": "grant", "amount": "0.05", "to": "FAT", "date": DAY}).json()
    rev = client.post(f"/api/v1/ledger/{grant['entry']['id']}/reverse", json={"note": "wrong"}).json()
    assert rev["balance"]["amount"] == "0.30"
    page = client.get(f"/funds/{fid}.json").json()
    assert page == client.get(f"/api/v1/funds/{fid}").json()
    assert page["balances"] == {"USD": "0.30"} and _floats(page) == []
    assert '"0.30"' in client.get("/funds.json").text
    html = client.get(f"/funds/{fid}").text
    assert 'id="balance-USD">0.30<' in html
    got = client.get(f"/funds/{fid}.csv")
    assert got.headers["content-type"].startswith("text/csv")
    assert [r["balance"] for r in csv.DictReader(io.StringIO(got.text))] == ["0.10", "0.30", "0.25", "0.30"]
    assert client.get("/api/v1/ledger/reconcile").json()["ok"] is True
    assert client.get("/funds/999.json").json()["status"] == 404
