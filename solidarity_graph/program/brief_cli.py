"""``solidarity brief NAME --out FILE.pdf|FILE.html``: a briefing pack on an ally."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from solidarity_graph.errors import SolidarityGraphError

__all__ = ["register", "brief_text"]


def brief_text(brief: dict[str, Any]) -> str:
    """The brief as plain text (for the terminal): sections, lines with [n], then the sources."""
    lines = [brief["entity"]["name"], " · ".join(n["name"] for n in brief["names"][1:]), f"as of {brief['as_of']}", ""]
    for s in brief["sections"]:
        lines.append(s["title"].upper() + (f"\n  ({s['note']})" if s.get("note") else ""))
        for line in s["lines"] or [{"text": s["empty"], "refs": [], "date": None, "label": None}]:
            head = " ".join(x for x in (line["date"], line["label"]) if x)
            refs = "".join(f"[{n}]" for n in line["refs"])
            lines.append(f"  {head + ': ' if head else ''}{line['text']} {refs}".rstrip())
        lines.append("")
    lines.append("SOURCES")
    for src in brief["sources"]:
        where = ", ".join(x for x in (src["title"], src["date"]) if x)
        lines.append(f"  [{src['n']}] {where}" + (f"\n      “{src['quote']}”" if src["quote"] else ""))
    return "\n".join(lines)


def register(main: click.Group) -> None:
    """Add ``brief`` to the ``solidarity`` group."""
    from solidarity_graph.cli import _open, _who, db_option

    @main.command(name="home-org")
    @click.argument("name", required=False)
    @db_option
    def home_org_cmd(name: str | None, db: str | None) -> None:
        """Show, or set to NAME, our own organization ("us" in briefs; audited)."""
        from solidarity_graph.program.brief import home_org, set_home_org

        try:
            org = set_home_org(_open(db), name, who=_who()) if name else home_org(_open(db))
        except SolidarityGraphError as e:
            raise click.ClickException(str(e)) from e
        click.echo(f"[{org.id}] {org.name}" if org is not None else "No home organization set (solidarity home-org NAME).")

    @main.command(name="brief")
    @click.argument("name")
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write FILE.pdf or FILE.html (default: text on standard output).")
    @click.option("--us", help="Our organization (name or id); default the home_org setting.")
    @click.option("--as-of", help="Brief as of this date (YYYY-MM-DD; default today): later events count as ahead.")
    @click.option("--recent", default=6, show_default=True, type=click.IntRange(1, 50), help="How many recent events.")
    @click.option("--reveal-protected", is_flag=True, help="Name protected people (redacted by default).")
    @db_option
    def brief_cmd(name: str, out: Path | None, us: str | None, as_of: str | None, recent: int, reveal_protected: bool,
                  db: str | None) -> None:
        """A briefing pack on an ally: names, federation, people, our history, recent events, open campaigns; every line sourced."""
        from solidarity_graph.program.brief import build_brief
        from solidarity_graph.program.brief_render import write_brief

        started = time.perf_counter()
        try:
            brief = build_brief(_open(db), name, us=us, as_of=as_of, reveal_protected=reveal_protected, recent=recent)
            if out is None:
                click.echo(brief_text(brief))
                return
            write_brief(brief, out)
        except SolidarityGraphError as e:
            raise click.ClickException(str(e)) from e
        pages = ""
        if out.suffix.lower() == ".pdf":
            from pypdf import PdfReader

            pages = f"{len(PdfReader(str(out)).pages)} pages, "
        click.echo(f"wrote {out} ({pages}{len(brief['sources'])} sources) in {time.perf_counter() - started:.1f} s", err=True)
