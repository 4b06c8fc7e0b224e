"""Commands for the solidarity-fund ledger: ``funds`` and ``fund add|contribute|grant|reverse|show|export|reconcile``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from solidarity_graph.errors import SolidarityGraphError

__all__ = ["register"]


def _balances(b: dict[str, str]) -> str:
    return ", ".join(f"{amount} {code}" for code, amount in b.items())


def register(main: click.Group) -> None:
    """Add the ledger commands to the ``solidarity`` group."""
    from solidarity_graph.cli import _open, _who, db_option
    from solidarity_graph.program import ledger as lib

    def run(fn: Any) -> Any:
        try:
            return fn()
        except SolidarityGraphError as e:
            raise click.ClickException(str(e)) from e

    def done(out: dict[str, Any]) -> None:
        e = out["entry"]
        click.echo(f"entry {e['id']}: {e['kind']} {e['amount']} {e['currency']}; {out['fund']} now holds "
                   f"{out['balance']['amount']} {out['balance']['currency']} (audit #{out['curation']})")

    @main.command(name="funds")
    @db_option
    def funds_cmd(db: str | None) -> None:
        """Every fund with its balance in each currency."""
        rows = lib.list_funds(_open(db))
        for f in rows:
            click.echo(f"[{f['id']}] {f['name']} ({f['currency']}): {_balances(f['balances'])}; {f['entries']} entries")
        if not rows:
            click.echo("No funds.")

    @main.group(name="fund")
    def fund() -> None:
        """One solidarity fund: add it, record contributions and grants, reverse an entry, show, export."""

    @fund.command(name="add")
    @click.argument("name")
    @click.option("--currency", required=True, help="ISO 4217 code (USD, EUR, KRW...).")
    @click.option("--description")
    @db_option
    def fund_add(name: str, currency: str, description: str | None, db: str | None) -> None:
        """Create a fund."""
        store = _open(db)
        out = run(lambda: lib.create_fund(store, name, currency, who=_who(), description=description))
        click.echo(f"fund {out['id']}: {out['name']} ({out['currency']}) (audit #{out['curation']})")

    def entry_options(f: Any) -> Any:
        for opt in reversed([
            click.option("--date", default=lambda: dt.date.today().isoformat(), show_default="today", help="YYYY-MM-DD."),
            click.option("--currency", help="When not the fund's own."),
            click.option("--purpose"),
            click.option("--event", type=int, help="The id of the event it supports."),
            click.option("--exchange", type=int, help="The id of the exchange it supports."),
            db_option,
        ]):
            f = opt(f)
        return f

    @fund.command(name="contribute")
    @click.argument("fund_ref", metavar="FUND")
    @click.argument("amount")
    @click.option("--from", "source", required=True, help="Who gives (a name in the graph, or any name).")
    @entry_options
    def contribute(fund_ref: str, amount: str, source: str, date: str, currency: str | None, purpose: str | None,
                   event: int | None, exchange: int | None, db: str | None) -> None:
        """Record money into FUND (AMOUNT as text: 250.00)."""
        store = _open(db)
        done(run(lambda: lib.record_contribution(store, fund_ref, amount, source=source, date=date, who=_who(),
                                                 currency=currency, purpose=purpose, event=event, exchange=exchange)))

    @fund.command(name="grant")
    @click.argument("fund_ref", metavar="FUND")
    @click.argument("amount")
    @click.option("--to", required=True, help="Who receives.")
    @entry_options
    def grant(fund_ref: str, amount: str, to: str, date: str, currency: str | None, purpose: str | None,
              event: int | None, exchange: int | None, db: str | None) -> None:
        """Record money out of FUND."""
        store = _open(db)
        done(run(lambda: lib.record_grant(store, fund_ref, amount, to=to, date=date, who=_who(),
                                          currency=currency, purpose=purpose, event=event, exchange=exchange)))

    @fund.command(name="reverse")
    @click.argument("entry_id", type=int)
    @click.option("--note", required=True, help="Why the entry is wrong.")
    @click.option("--date", help="YYYY-MM-DD (default today).")
    @db_option
    def reverse(entry_id: int, note: str, date: str | None, db: str | None) -> None:
        """Cancel entry ENTRY_ID by a reversing entry (entries are never edited)."""
        store = _open(db)
        done(run(lambda: lib.reverse_entry(store, entry_id, who=_who(), note=note, date=date)))

    @fund.command(name="show")
    @click.argument("fund_ref", metavar="FUND")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @db_option
    def show(fund_ref: str, fmt: str, db: str | None) -> None:
        """A fund's entries and balances."""
        store = _open(db)
        ledger = run(lambda: lib.fund_ledger(store, fund_ref))
        if fmt == "json":
            click.echo(json.dumps(ledger, ensure_ascii=False, indent=1))
            return
        click.echo(f"{ledger['name']} ({ledger['currency']}): {_balances(ledger['balances'])}")
        for e in ledger["entries"]:
            who = e["from_name"] if e["kind"] == "contribution" else e["to_name"]
            extra = f" reverses {e['reverses']}" if e["reverses"] else (f" reversed by {e['reversed_by']}" if e["reversed_by"] else "")
            click.echo(f"  #{e['id']} {e['date']} {e['kind']:12} {e['amount']:>12} {e['currency']}  {who or ''}  "
                       f"{e['purpose'] or ''}{extra}  -> {e['balance_after']}")

    @fund.command(name="export")
    @click.argument("fund_ref", metavar="FUND")
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="CSV file (default: standard output).")
    @db_option
    def export(fund_ref: str, out: Path | None, db: str | None) -> None:
        """Write a fund's ledger as CSV, with a running balance."""
        store = _open(db)
        run(lambda: lib.find_fund(store, fund_ref))
        if out is None:
            run(lambda: lib.export_fund_csv(store, fund_ref, sys.stdout))
            return
        tmp = out.with_name(out.name + ".part")
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            n = run(lambda: lib.export_fund_csv(store, fund_ref, fh))
        tmp.replace(out)
        click.echo(f"wrote {n} entries to {out}", err=True)

    @fund.command(name="reconcile")
    @db_option
    def reconcile(db: str | None) -> None:
        """Recompute every balance from the entries; exit 1 on any mismatch."""
        out = lib.reconcile(_open(db))
        for m in out["mismatches"]:
            click.echo(f"MISMATCH {m['fund']} entry {m['entry']} ({m['currency']}): {m['problem']}"
                       + (f" (stored {m['stored']}, computed {m['computed']})" if m["computed"] else ""), err=True)
        click.echo(f"{out['funds']} funds, {out['entries']} entries: " + ("all balances reconcile" if out["ok"] else
                                                                          f"{len(out['mismatches'])} mismatches"))
        if not out["ok"]:
            sys.exit(1)
