"""The solidarity-fund ledger on the web: ``/funds``, ``/funds/{id}`` (each also ``.json``), ``/funds/{id}.csv``,
and ``/api/v1/funds``, ``/api/v1/ledger``.

Amounts travel as strings both ways (a JSON number is refused: it would be a float). Changes are
JSON-only and same-origin, like curation.
"""

from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from solidarity_graph.errors import InputError
from solidarity_graph.program import ledger as lib
from solidarity_graph.web.auth import visibility
from solidarity_graph.web.common import render as _render
from solidarity_graph.web.common import run_change as _run
from solidarity_graph.web.common import store_of as _store
from solidarity_graph.web.curate import _guard

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(_guard)])


def funds_data(request: Request) -> dict[str, Any]:
    """Every fund with its balances."""
    return {"ok": True, "funds": lib.list_funds(_store(request))}


def fund_data(request: Request, fund_id: int) -> dict[str, Any]:
    """One fund: balances and entries."""
    try:
        return {"ok": True, **lib.fund_ledger(_store(request), fund_id, visible=visibility(request))}
    except InputError as e:
        raise HTTPException(status_code=404, detail=f"no fund {fund_id}") from e


def _csv(request: Request, fund_id: int) -> Response:
    fund_data(request, fund_id)  # a 404 for a fund that is not there
    buf = io.StringIO()
    lib.export_fund_csv(_store(request), fund_id, buf, visible=visibility(request))
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="fund-{fund_id}.csv"'})


# ---- pages ---------------------------------------------------------------------------------------
@router.get("/funds.json", include_in_schema=False)
def funds_json(request: Request) -> dict[str, Any]:
    return funds_data(request)


@router.get("/funds", response_class=HTMLResponse, include_in_schema=False)
def funds_page(request: Request) -> HTMLResponse:
    return _render(request, "funds.html", funds_data(request))


@router.get("/funds/{fund_id}.json", include_in_schema=False)
def fund_json(request: Request, fund_id: int) -> dict[str, Any]:
    return fund_data(request, fund_id)


@router.get("/funds/{fund_id}.csv", include_in_schema=False)
def fund_csv(request: Request, fund_id: int) -> Response:
    return _csv(request, fund_id)


@router.get("/funds/{fund_id}", response_class=HTMLResponse, include_in_schema=False)
def fund_page(request: Request, fund_id: int) -> HTMLResponse:
    import datetime as dt

    return _render(request, "fund.html", {**fund_data(request, fund_id), "today": dt.date.today().isoformat()})


# ---- API ------------------------------------------------------------------------------------------
class Who(BaseModel):
    """Who makes a change."""

    who: str = Field("web", max_length=120)


class NewFund(Who):
    name: str = Field(..., max_length=200)
    currency: str = Field(..., max_length=3)
    description: str | None = Field(None, max_length=2000)


class NewEntry(Who):
    kind: str = Field(..., pattern="^(contribution|grant)$")
    amount: str = Field(..., max_length=40, description="Decimal text (\"250.00\"); a JSON number is refused.")
    currency: str | None = Field(None, max_length=3)
    date: str = Field(..., max_length=10)
    source: str | None = Field(None, alias="from", max_length=300)
    to: str | None = Field(None, max_length=300)
    purpose: str | None = Field(None, max_length=2000)
    event: int | None = None
    exchange: int | None = None


class Reversal(Who):
    note: str = Field(..., min_length=1, max_length=2000)
    date: str | None = Field(None, max_length=10)


@router.get("/api/v1/funds", tags=["program"])
def api_funds(request: Request) -> dict[str, Any]:
    """Every fund with its balance in each currency (amounts as strings)."""
    return funds_data(request)


@router.post("/api/v1/funds", tags=["program"])
def api_add_fund(request: Request, body: NewFund) -> dict[str, Any]:
    """Create a fund with its home currency (ISO 4217)."""
    return _run(lambda: lib.create_fund(_store(request), body.name, body.currency, who=body.who, description=body.description))


@router.get("/api/v1/funds/{fund_id}", tags=["program"])
def api_fund(request: Request, fund_id: int) -> dict[str, Any]:
    """A fund's balances and entries."""
    return fund_data(request, fund_id)


@router.get("/api/v1/funds/{fund_id}/export.csv", tags=["program"])
def api_fund_csv(request: Request, fund_id: int) -> Response:
    """A fund's ledger as CSV with a running balance."""
    return _csv(request, fund_id)


@router.post("/api/v1/funds/{fund_id}/entries", tags=["program"])
def api_add_entry(request: Request, fund_id: int, body: NewEntry) -> dict[str, Any]:
    """Record a contribution (``from``) or a grant (``to``)."""
    store = _store(request)
    common: dict[str, Any] = {"date": body.date, "who": body.who, "currency": body.currency, "purpose": body.purpose,
                              "event": body.event, "exchange": body.exchange}
    if body.kind == "contribution":
        return _run(lambda: lib.record_contribution(store, fund_id, body.amount, source=body.source or "", **common))
    return _run(lambda: lib.record_grant(store, fund_id, body.amount, to=body.to or "", **common))


@router.post("/api/v1/ledger/{entry_id}/reverse", tags=["program"])
def api_reverse(request: Request, entry_id: int, body: Reversal) -> dict[str, Any]:
    """Cancel an entry by a reversing one; the note says why."""
    return _run(lambda: lib.reverse_entry(_store(request), entry_id, who=body.who, note=body.note, date=body.date))


@router.get("/api/v1/ledger/reconcile", tags=["program"])
def api_reconcile(request: Request) -> dict[str, Any]:
    """Recompute every balance from the entries; ``ok`` is false and ``mismatches`` lists them when any differs."""
    return lib.reconcile(_store(request))
