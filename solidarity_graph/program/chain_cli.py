"""Commands for employer chains: ``chain``, ``employers``, ``sites import|add|remove|refresh``, ``contact add|list``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from solidarity_graph.errors import SolidarityGraphError

__all__ = ["register"]


def _short(s: str | None, n: int = 200) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _echo_source(src: dict[str, Any], indent: str = "      ") -> None:
    if src["quote"]:
        click.echo(f"{indent}“{_short(src['quote'])}” [{src['document'] or src['origin']}]")
    else:
        click.echo(f"{indent}({src['origin']}: {_short(src['note'])})")


def echo_chain(chain: dict[str, Any]) -> None:
    """The chain as text: countries, sites with their unions and quotes, then the gaps."""
    e, n = chain["employer"], chain["counts"]
    click.echo(f"{e['name']}  [{e['id']}]" + (f" {e['kind']}" if e["kind"] else "") + (f", {e['country']}" if e["country"] else "")
               + f": {n['sites']} sites in {n['countries']} countries, {n['unions']} unions")
    for c in chain["countries"]:
        click.echo(f"{c['name']} ({c['country'] or '?'})" + ("  [gap]" if c["gap"] else ""))
        for s in c["sites"]:
            where = s["city"] or "city not given"
            names = f" ({', '.join(s['names'])})" if s["names"] else ""
            unions = ", ".join(u["name"] + ("" if u["contacts"] else " (no contact)") for u in s["unions"])
            click.echo(f"  {where}{names}: " + (unions or ("no union, the source says" if s["stated_no_union"] else "no known union")))
            for src in s["sources"]:
                _echo_source(src)
        for src in c["evidence"]:
            _echo_source(src, "    also: ")
    gaps = chain["gaps"]
    click.echo(f"Gaps: {n['sites_without_union']} sites without a union, {n['unions_without_contact']} unions without a contact")
    for g in gaps["sites_without_union"]:
        ask = f"; named in the same source: {', '.join(c['name'] for c in g['candidates'])}" if g["candidates"] else ""
        click.echo(f"  no union: {g['country_name']}" + (f", {g['city']}" if g["city"] else "") + ask)
    for u in gaps["unions_without_contact"]:
        click.echo(f"  no contact: {u['name']}" + (f" (a contact at {u['via_parent']})" if u["via_parent"] else ""))


def chain_records(chain: dict[str, Any]) -> list[dict[str, Any]]:
    """The chain as flat records (JSON Lines): one per site, then one per gap."""
    emp = chain["employer"]["name"]
    out: list[dict[str, Any]] = []
    for c in chain["countries"]:
        for s in c["sites"]:
            out.append({"kind": "site", "employer": emp, "country": c["country"], "city": s["city"], "names": s["names"],
                        "unions": [u["name"] for u in s["unions"]], "gap": s["gap"], "sources": s["sources"]})
    for g in chain["gaps"]["sites_without_union"]:
        out.append({"kind": "gap", "gap": "site_without_union", "employer": emp, "country": g["country"], "city": g["city"],
                    "stated_no_union": g["stated_no_union"], "candidates": [x["name"] for x in g["candidates"]]})
    for u in chain["gaps"]["unions_without_contact"]:
        out.append({"kind": "gap", "gap": "union_without_contact", "employer": emp, "union": u["name"], "union_id": u["id"]})
    return out


def register(main: click.Group) -> None:
    """Add the chain commands to the ``solidarity`` group."""
    from solidarity_graph.cli import _open, _who, db_option
    from solidarity_graph.program import chain as lib
    from solidarity_graph.program import chain_sites as sites_lib

    def run(fn: Any) -> Any:
        try:
            return fn()
        except SolidarityGraphError as e:
            raise click.ClickException(str(e)) from e

    @main.command(name="chain")
    @click.argument("employer")
    @db_option
    @click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text", show_default=True)
    def chain_cmd(employer: str, db: str | None, fmt: str) -> None:
        """An employer's sites by country, the union at each with its source, and the gaps."""
        store = _open(db)
        emp = run(lambda: lib.resolve_org(store, employer, field="employer"))
        chain = lib.employer_chain(store, int(emp["id"]))
        if fmt == "json":
            click.echo(json.dumps(chain, ensure_ascii=False, indent=1))
        elif fmt == "jsonl":
            for rec in chain_records(chain):
                click.echo(json.dumps(rec, ensure_ascii=False))
        else:
            echo_chain(chain)

    @main.command(name="employers")
    @db_option
    def employers_cmd(db: str | None) -> None:
        """Employers with known sites: countries, sites, unions and gaps."""
        rows = lib.list_employers(_open(db))
        for e in rows:
            n = e["counts"]
            click.echo(f"[{e['id']}] {e['name']}: {n['sites']} sites in {', '.join(c or '?' for c in e['countries'])}; "
                       f"{n['unions']} unions; gaps: {n['sites_without_union']} sites without a union, "
                       f"{n['unions_without_contact']} unions without a contact")
        if not rows:
            click.echo("No employer with a known site.")

    @main.group(name="sites")
    def sites() -> None:
        """Sites of employers: import a CSV, add or remove one, refresh the extracted ones."""

    @sites.command(name="import")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--employer", help="The employer of every row (else the file's employer column).")
    @db_option
    def sites_import(file: Path, employer: str | None, db: str | None) -> None:
        """Import sites from a CSV file (columns: employer, country, city, site, union, workers, note); all or nothing."""
        store = _open(db)
        out = run(lambda: sites_lib.import_sites_csv(store, file, employer, who=_who()))
        click.echo(f"{file}: {out['rows']} rows; {len(out['added'])} sites added, {len(out['updated'])} updated, "
                   f"{out['unchanged']} unchanged (audit #{out['curation']})")
        if out["created_unions"]:
            click.echo("new organizations: " + ", ".join(out["created_unions"]))

    @sites.command(name="add")
    @click.argument("employer")
    @click.option("--country", required=True, help="ISO code or name.")
    @click.option("--city")
    @click.option("--site", "name", help="The site's own name (\"Erie plant\").")
    @click.option("--union", help="The union there (name, alias or id).")
    @click.option("--workers", type=click.IntRange(min=0))
    @click.option("--note")
    @db_option
    def sites_add(employer: str, country: str, city: str | None, name: str | None, union: str | None, workers: int | None,
                  note: str | None, db: str | None) -> None:
        """Add one site of EMPLOYER by hand."""
        store = _open(db)
        out = run(lambda: sites_lib.add_site(store, employer, who=_who(), country=country, city=city, name=name, union=union,
                                             workers=workers, note=note))
        click.echo(f"site {out['site']['id']} added (audit #{out['curation']})")

    @sites.command(name="remove")
    @click.argument("site_id", type=int)
    @click.option("--note", help="Why.")
    @db_option
    def sites_remove(site_id: int, note: str | None, db: str | None) -> None:
        """Remove a site entered by hand or CSV."""
        store = _open(db)
        out = run(lambda: sites_lib.remove_site(store, site_id, who=_who(), note=note))
        click.echo(f"site {site_id} removed (audit #{out['curation']})")

    @sites.command(name="refresh")
    @db_option
    def sites_refresh(db: str | None) -> None:
        """Read the extracted sites of every employer again from the graph (changes nothing when nothing changed)."""
        out = lib.refresh_sites(_open(db))
        click.echo(f"{out['employers']} employers: {out['added']} sites added, {out['removed']} removed")

    @main.group(name="contact")
    def contact() -> None:
        """Our contacts at organizations."""

    @contact.command(name="add")
    @click.argument("org")
    @click.option("--person")
    @click.option("--email")
    @click.option("--phone")
    @click.option("--since", help="YYYY, YYYY-MM or YYYY-MM-DD.")
    @click.option("--note")
    @db_option
    def contact_add(org: str, person: str | None, email: str | None, phone: str | None, since: str | None,
                    note: str | None, db: str | None) -> None:
        """Add a contact at ORG (name, alias or id)."""
        store = _open(db)
        out = run(lambda: lib.add_contact(store, org, who=_who(), person=person, email=email, phone=phone, since=since, note=note))
        click.echo(f"contact {out['contact']['id']} at {out['contact']['organization']} (audit #{out['curation']})")

    @contact.command(name="list")
    @click.argument("org", required=False)
    @db_option
    def contact_list(org: str | None, db: str | None) -> None:
        """Our contacts (at ORG, or everywhere)."""
        store = _open(db)
        rows = run(lambda: lib.list_contacts(store, org))
        for r in rows:
            click.echo(f"[{r['id']}] {r['organization']}: " + ", ".join(x for x in (r["person"], r["email"], r["phone"]) if x)
                       + (f" (since {r['since']})" if r["since"] else ""))
        if not rows:
            click.echo("No contacts.")
