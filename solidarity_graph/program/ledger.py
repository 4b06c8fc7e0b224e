"""The solidarity-fund ledger: contributions in, grants out, corrections only by reversal.

Money is ``decimal.Decimal`` from end to end: amounts are parsed strictly from text, stored as
decimal text with the currency's minor units ("0.10", "5000" for KRW), summed under a context that
raises rather than rounds, and given out as strings (never a float, JSON included).

- A fund has a home currency; an entry in another currency is allowed, and balances are kept per
  fund *and* currency (no exchange rates are guessed).
- An entry is never edited or deleted. A wrong one is cancelled by a ``reversal`` entry that points at
  it (``reverses``); an entry is reversed at most once, and a reversal is not itself reversed.
- Each entry stores the fund's balance in its currency after it (``balance_after``, in the order of
  recording); :func:`reconcile` recomputes every balance from the amounts and reports any mismatch.
- A grant may not take a balance below zero; a reversal may (it tells the truth about an error).
- Every fund and entry is written in one transaction together with its row in the audit log.

    >>> fund = create_fund(store, "UE-FAT Solidarity Fund", "USD", who="ana")
    >>> record_contribution(store, fund["id"], "250.00", source="UE Local 506", date="2024-05-01", who="ana")
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, Inexact, InvalidOperation, localcontext
from typing import Any, TextIO

import pycountry
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from solidarity_graph.accounts import records
from solidarity_graph.accounts.visibility import EVERYTHING, Visibility
from solidarity_graph.curation import log_change
from solidarity_graph.errors import InputError
from solidarity_graph.query import find_entity
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["KINDS", "minor_units", "parse_amount", "parse_currency", "parse_date", "create_fund", "find_fund",
           "record_contribution", "record_grant", "reverse_entry", "fund_ledger", "list_funds", "reconcile",
           "export_fund_csv"]

KINDS = ("contribution", "grant", "reversal")
# ISO 4217 minor units where they are not 2
_MINOR = {0: {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"},
          3: {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}, 4: {"CLF", "UYW"}}
# ISO 4217 codes that are no money one gives (precious metals, units of account, test and "no currency")
_NOT_MONEY = {"XAU", "XAG", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA", "XTS", "XXX"}
_AMOUNT = re.compile(r"^([0-9]+)(?:\.([0-9]+))?$", re.ASCII)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", re.ASCII)
MAX_DIGITS = 15  # whole-number digits of one amount


@contextmanager
def _exact() -> Iterator[None]:
    """Decimal arithmetic that raises instead of rounding."""
    with localcontext() as ctx:
        ctx.prec = 60
        ctx.traps[Inexact] = True
        yield


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# ---- parsing -----------------------------------------------------------------------------------
def minor_units(currency: str) -> int:
    """Decimal places of a currency (ISO 4217): 2 for most, 0 for JPY and KRW, 3 for KWD."""
    return next((n for n, codes in _MINOR.items() if currency in codes), 2)


def parse_currency(text: str, *, field: str = "currency") -> str:
    """An ISO 4217 currency code ("usd" -> "USD"), checked against pycountry."""
    code = (text or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code) or pycountry.currencies.get(alpha_3=code) is None:
        raise InputError(f"{text!r} is not an ISO 4217 currency code (USD, EUR, KRW...)", field=field)
    if code in _NOT_MONEY:
        raise InputError(f"{code} is not a currency money is given in", field=field)
    return code


def parse_amount(amount: str | Decimal | int, currency: str, *, field: str = "amount") -> Decimal:
    """A positive amount, exact: digits with at most one point and the currency's decimal places.

    Refused, naming the field: "1,2.3" and other separators, negatives, NaN, exponents, zero, floats,
    and more decimal places than the currency has ("1.005" USD, "10.5" KRW).
    """
    if isinstance(amount, bool) or isinstance(amount, float):
        raise InputError("an amount is given as text (\"12.50\"), never as a floating-point number", field=field)
    text = str(amount).strip()
    if isinstance(amount, Decimal) and amount.is_finite():
        text = f"{amount:f}"
    if text.startswith("-"):
        raise InputError(f"{text!r}: an amount is positive (a correction is a reversal)", field=field)
    m = _AMOUNT.match(text)
    if m is None:
        raise InputError(f"{text!r} is not an amount: write digits with one decimal point and no separators (1234.50)", field=field)
    units = minor_units(currency)
    if len(m.group(2) or "") > units:
        raise InputError(f"{text!r} has more decimal places than {currency} has ({units})", field=field)
    if len(m.group(1).lstrip("0")) > MAX_DIGITS:
        raise InputError(f"{text!r} is too large", field=field)
    value = Decimal(text)
    if value == 0:
        raise InputError("an amount is more than zero", field=field)
    return value


def _text(value: Decimal, currency: str) -> str:
    """Decimal text with exactly the currency's minor units ("0.10", "5000")."""
    with _exact():
        return f"{value.quantize(Decimal(1).scaleb(-minor_units(currency))):f}"


def parse_date(text: str, *, field: str = "date") -> str:
    """A calendar date, YYYY-MM-DD, not after today (a ledger records what happened)."""
    value = (text or "").strip()
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError as e:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)", field=field) from e
    if day > dt.date.today():
        raise InputError(f"{value} is in the future", field=field)
    return value


# ---- funds -------------------------------------------------------------------------------------
def create_fund(store: Store, name: str, currency: str, *, who: str, description: str | None = None) -> dict[str, Any]:
    """A new fund with its home currency (audited)."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InputError("a fund's name has 1 to 200 characters", field="name")
    code = parse_currency(currency)
    with store.engine.begin() as conn:
        if conn.execute(select(t.funds.c.id).where(func.lower(t.funds.c.name) == name.lower())).first():
            raise InputError(f"there is already a fund named {name!r}", field="name")
        row = {"name": name, "currency": code, "description": (description or "").strip() or None}
        key = conn.execute(insert(t.funds).values(created_at=_now(), **row)).inserted_primary_key
        assert key is not None
        fid = int(key[0])
        audit = log_change(conn, who, "fund_add", f"fund {fid}", None, row, None)
    return {"id": fid, **row, "curation": audit}


def find_fund(store: Store, ref: str | int) -> dict[str, Any]:
    """A fund by id or by name (case does not matter)."""
    text = str(ref).strip()
    q = select(t.funds).where(t.funds.c.id == int(text)) if text.isdigit() else select(t.funds).where(func.lower(t.funds.c.name) == text.lower())
    with store.connect() as conn:
        row = conn.execute(q).first()
    if row is None:
        raise InputError(f"no fund {text!r}", field="fund")
    return dict(row._mapping)


# ---- entries -----------------------------------------------------------------------------------
def record_contribution(store: Store, fund: str | int, amount: str | Decimal | int, *, source: str, date: str, who: str,
                        currency: str | None = None, purpose: str | None = None, event: int | None = None,
                        exchange: int | None = None) -> dict[str, Any]:
    """Money into the fund from ``source`` (an organization or person of the graph, or any name)."""
    if not (source or "").strip():
        raise InputError("a contribution comes from someone", field="from")
    return _record(store, fund, "contribution", amount, currency, date, who, {"from": source, "purpose": purpose,
                                                                             "event": event, "exchange": exchange})


def record_grant(store: Store, fund: str | int, amount: str | Decimal | int, *, to: str, date: str, who: str,
                 currency: str | None = None, purpose: str | None = None, event: int | None = None,
                 exchange: int | None = None) -> dict[str, Any]:
    """Money out of the fund to ``to``; refused when the fund's balance in that currency is too small."""
    if not (to or "").strip():
        raise InputError("a grant goes to someone", field="to")
    return _record(store, fund, "grant", amount, currency, date, who, {"to": to, "purpose": purpose,
                                                                      "event": event, "exchange": exchange})


def reverse_entry(store: Store, entry_id: int, *, who: str, note: str, date: str | None = None) -> dict[str, Any]:
    """Cancel an entry by a reversing one (the only correction there is); ``note`` says why."""
    if not (note or "").strip():
        raise InputError("a reversal says why", field="note")
    with store.connect() as conn:
        old = conn.execute(select(t.ledger_entries).where(t.ledger_entries.c.id == entry_id)).first()
    if old is None:
        raise InputError(f"no ledger entry {entry_id}", field="entry")
    if old.kind == "reversal":
        raise InputError(f"entry {entry_id} is a reversal: record the entry again instead", field="entry")
    return _record(store, old.fund_id, "reversal", old.amount, old.currency, date or dt.date.today().isoformat(), who,
                   {"parties": (old.from_id, old.from_name, old.to_id, old.to_name), "purpose": note, "reverses": old})


def _party(store: Store, name: str | None) -> tuple[int | None, str | None]:
    """(entity id, name) of a contributor or grantee: the graph's entity when the name is known."""
    text = (name or "").strip()
    if not text:
        return None, None
    if len(text) > 300:
        raise InputError("a name has at most 300 characters", field="name")
    found = [e for e in find_entity(store, text) if e["type"] in ("organization", "person")] if not text.isdigit() else []
    return (int(found[0]["id"]), str(found[0]["name"])) if found else (None, text)


def _record(store: Store, fund_ref: str | int, kind: str, amount: str | Decimal | int, currency: str | None, date: str,
            who: str, extra: dict[str, Any]) -> dict[str, Any]:
    fund = find_fund(store, fund_ref)
    code = parse_currency(currency) if currency else fund["currency"]
    value = parse_amount(amount, code)
    day = parse_date(date)
    purpose = (extra.get("purpose") or "").strip() or None
    from_id, from_name, to_id, to_name = extra.get("parties") or (*_party(store, extra.get("from")), *_party(store, extra.get("to")))
    reversed_row = extra.get("reverses")
    with store.engine.begin() as conn:
        conn.execute(select(t.funds.c.id).where(t.funds.c.id == fund["id"]).with_for_update())  # one writer per fund
        event_id, event_fp = _event(conn, extra.get("event"))
        exchange_id = _exchange(conn, extra.get("exchange"))
        before = _balance(conn, fund["id"], code)
        with _exact():
            delta = _signed(kind, value, reversed_row.kind if reversed_row is not None else None)
            after = before + delta
        if kind == "grant" and after < 0:
            raise InputError(f"the fund holds {_text(before, code)} {code}: a grant of {_text(value, code)} is more", field="amount")
        row = {"fund_id": fund["id"], "date": day, "kind": kind, "amount": _text(value, code), "currency": code,
               "from_id": from_id, "from_name": from_name, "to_id": to_id, "to_name": to_name, "purpose": purpose,
               "event_id": event_id, "event_fingerprint": event_fp, "exchange_id": exchange_id,
               "reverses": reversed_row.id if reversed_row is not None else None, "balance_after": _text(after, code)}
        try:
            key = conn.execute(insert(t.ledger_entries).values(created_at=_now(), created_by=who, **row)).inserted_primary_key
        except IntegrityError as e:  # the unique constraint on `reverses`: reversed meanwhile
            raise InputError(f"entry {row['reverses']} is already reversed", field="entry") from e
        assert key is not None
        eid = int(key[0])
        audit = log_change(conn, who, f"ledger_{kind}", f"ledger_entry {eid}", None, {**row, "fund": fund["name"]}, purpose)
    return {"entry": {"id": eid, **row}, "fund": fund["name"], "balance": {"currency": code, "amount": row["balance_after"]},
            "curation": audit}


def _signed(kind: str, value: Decimal, reversed_kind: str | None) -> Decimal:
    """What an entry does to the balance: + for a contribution, - for a grant, the opposite for a reversal."""
    if kind == "reversal":
        return -_signed(str(reversed_kind), value, None)
    return value if kind == "contribution" else -value


def _balance(conn: Connection, fund_id: int, currency: str) -> Decimal:
    last = conn.execute(select(t.ledger_entries.c.balance_after).where(
        t.ledger_entries.c.fund_id == fund_id, t.ledger_entries.c.currency == currency)
        .order_by(t.ledger_entries.c.id.desc()).limit(1)).scalar()
    return Decimal(last) if last is not None else Decimal(0)


def _event(conn: Connection, event: int | None) -> tuple[int | None, str | None]:
    if event is None:
        return None, None
    row = conn.execute(select(t.events.c.id, t.events.c.fingerprint).where(t.events.c.id == int(event))).first()
    if row is None:
        raise InputError(f"no event {event}", field="event")
    return int(row.id), row.fingerprint


def _exchange(conn: Connection, exchange: int | None) -> int | None:
    if exchange is None:
        return None
    if conn.execute(select(t.exchanges.c.id).where(t.exchanges.c.id == int(exchange))).first() is None:
        raise InputError(f"no exchange {exchange}", field="exchange")
    return int(exchange)


# ---- reading -----------------------------------------------------------------------------------
def _entries(conn: Connection, fund_id: int) -> list[dict[str, Any]]:
    rows = [dict(r._mapping) for r in conn.execute(select(t.ledger_entries).where(t.ledger_entries.c.fund_id == fund_id)
                                                   .order_by(t.ledger_entries.c.id))]
    reversed_by = {r["reverses"]: r["id"] for r in rows if r["reverses"]}
    for r in rows:
        r["reversed_by"] = reversed_by.get(r["id"])
    return rows


def _balances(rows: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for r in rows:
        out[r["currency"]] = r["balance_after"]
    return dict(sorted(out.items()))


def list_funds(store: Store) -> list[dict[str, Any]]:
    """Every fund with its balance in each currency it holds and its number of entries."""
    with store.connect() as conn:
        funds = [dict(r._mapping) for r in conn.execute(select(t.funds).order_by(t.funds.c.name))]
        for f in funds:
            rows = _entries(conn, f["id"])
            f["balances"] = _balances(rows) or {f["currency"]: _text(Decimal(0), f["currency"])}
            f["entries"] = len(rows)
    return funds


def fund_ledger(store: Store, fund: str | int, *, visible: Visibility = EVERYTHING) -> dict[str, Any]:
    """A fund, its balances and its entries in the order recorded, each with the event or exchange it supports.

    Every entry stays (the balances must add up), but a party, purpose or event that only hidden documents
    speak of is shown as ``[restricted]`` or left out, as ``visible`` says.
    """
    f = find_fund(store, fund)
    with store.connect() as conn:
        rows = _entries(conn, f["id"])
        kinds = {r["id"]: r["kind"] for r in rows}
        for r in rows:
            r["change"] = _text(_signed(r["kind"], Decimal(r["amount"]), kinds.get(r["reverses"])), r["currency"])
            r["event"] = _event_info(conn, r["event_id"], r["event_fingerprint"])
            r["exchange"] = _exchange_info(conn, r["exchange_id"])
            if visible.active:
                r["from_name"], r["to_name"] = visible.party(r["from_id"], r["from_name"]), visible.party(r["to_id"], r["to_name"])
                r["purpose"] = visible.party(None, r["purpose"])
                if r["event"] is not None and not visible.event_ok(r["event"]["id"]):
                    r["event"] = r["event_id"] = None
                if r["exchange"] is not None and not records.record_ok(store, visible, "exchange", str(r["exchange"]["id"])):
                    r["exchange"] = r["exchange_id"] = None
    return {**f, "balances": _balances(rows) or {f["currency"]: _text(Decimal(0), f["currency"])}, "entries": rows}


def _event_info(conn: Connection, event_id: int | None, fingerprint: str | None) -> dict[str, Any] | None:
    """The linked event, found again by its fingerprint when re-extraction gave it a new id."""
    q = select(t.events.c.id, t.events.c.type, t.events.c.date, t.events.c.quote, t.events.c.document_id)
    row = conn.execute(q.where(t.events.c.id == event_id)).first() if event_id else None
    if row is None and fingerprint:
        row = conn.execute(q.where(t.events.c.fingerprint == fingerprint).limit(1)).first()
    return row._asdict() if row is not None else None


def _exchange_info(conn: Connection, exchange_id: int | None) -> dict[str, Any] | None:
    row = conn.execute(select(t.exchanges.c.id, t.exchanges.c.title).where(t.exchanges.c.id == exchange_id)).first() if exchange_id else None
    return row._asdict() if row is not None else None


def reconcile(store: Store) -> dict[str, Any]:
    """Recompute every balance from the amounts and compare with what is stored; report each mismatch."""
    problems: list[dict[str, Any]] = []
    balances: dict[str, dict[str, str]] = {}
    n = 0
    with store.connect() as conn:
        funds = conn.execute(select(t.funds).order_by(t.funds.c.id)).all()
        for f in funds:
            rows = _entries(conn, f.id)
            n += len(rows)
            balances[f.name] = _recompute(f.name, rows, problems)
    return {"ok": not problems, "funds": len(funds), "entries": n, "balances": balances, "mismatches": problems}


def _recompute(fund: str, rows: list[dict[str, Any]], problems: list[dict[str, Any]]) -> dict[str, str]:
    by_id = {r["id"]: r for r in rows}
    running: dict[str, Decimal] = {}

    def bad(r: dict[str, Any], problem: str, computed: str | None = None) -> None:
        problems.append({"fund": fund, "entry": r["id"], "currency": r["currency"], "problem": problem,
                         "stored": r["balance_after"], "computed": computed})

    for r in rows:
        code = r["currency"]
        try:
            value = parse_amount(r["amount"], code)
        except InputError as e:
            bad(r, f"amount: {e.message}")
            continue
        target = by_id.get(r["reverses"]) if r["reverses"] else None
        if r["kind"] not in KINDS:
            bad(r, f"unknown kind {r['kind']!r}")
            continue
        if r["kind"] == "reversal" and (target is None or target["kind"] == "reversal" or target["amount"] != r["amount"]
                                        or target["currency"] != code):
            bad(r, "a reversal that does not match the entry it reverses")
            continue
        with _exact():
            running[code] = running.get(code, Decimal(0)) + _signed(r["kind"], value, target["kind"] if target else None)
        computed = _text(running[code], code)
        try:
            stored_ok = Decimal(r["balance_after"]) == running[code]
        except InvalidOperation:
            stored_ok = False
        if not stored_ok:
            bad(r, "stored balance differs from the sum of the entries", computed)
    return {code: _text(v, code) for code, v in sorted(running.items())}


def export_fund_csv(store: Store, fund: str | int, out: TextIO, *, visible: Visibility = EVERYTHING) -> int:
    """Write a fund's ledger as CSV (amounts as plain decimal text, a running balance per currency); returns rows."""
    ledger = fund_ledger(store, fund, visible=visible)
    w = csv.writer(out)
    w.writerow(["entry", "date", "kind", "from", "to", "amount", "currency", "change", "balance", "purpose",
                "event", "exchange", "reverses", "recorded_at", "recorded_by"])
    running: dict[str, Decimal] = {}
    for r in ledger["entries"]:
        code = r["currency"]
        with _exact():
            running[code] = running.get(code, Decimal(0)) + Decimal(r["change"])
        w.writerow([r["id"], r["date"], r["kind"], r["from_name"] or "", r["to_name"] or "", r["amount"], code,
                    r["change"], _text(running[code], code), r["purpose"] or "",
                    r["event"]["id"] if r["event"] else "", r["exchange_id"] or "", r["reverses"] or "",
                    r["created_at"], r["created_by"]])
    return len(ledger["entries"])
