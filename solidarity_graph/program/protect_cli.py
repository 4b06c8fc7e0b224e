"""``solidarity protect``, ``unprotect`` and ``protected``: mark people whose names must not leave."""

from __future__ import annotations

import click

from solidarity_graph.errors import SolidarityGraphError

__all__ = ["register"]


def register(main: click.Group) -> None:
    """Add the protection commands to the ``solidarity`` group."""
    from solidarity_graph.cli import _open, _who, db_option
    from solidarity_graph.program import protect as lib

    @main.command(name="protect")
    @click.argument("person")
    @click.option("--note", help="Why (kept in the audit log).")
    @db_option
    def protect_cmd(person: str, note: str | None, db: str | None) -> None:
        """Protect PERSON (entity id or name): redacted in exports, briefings and pages."""
        try:
            out = lib.protect_person(_open(db), person, who=_who(), note=note)
        except SolidarityGraphError as e:
            raise click.ClickException(str(e)) from e
        done = f"audit #{out['curation']}" if out["curation"] else "already protected"
        click.echo(f"entity {out['entity']} is protected ({done})")

    @main.command(name="unprotect")
    @click.argument("person")
    @click.option("--note", help="Why (kept in the audit log).")
    @db_option
    def unprotect_cmd(person: str, note: str | None, db: str | None) -> None:
        """Lift the protection of PERSON (entity id or name)."""
        try:
            out = lib.unprotect_person(_open(db), person, who=_who(), note=note)
        except SolidarityGraphError as e:
            raise click.ClickException(str(e)) from e
        click.echo(f"entity {out['entity']} is no longer protected (audit #{out['curation']})")

    @main.command(name="protected")
    @click.option("--reveal-protected", is_flag=True, help="Show their names.")
    @db_option
    def protected_cmd(reveal_protected: bool, db: str | None) -> None:
        """List protected people (names only with --reveal-protected)."""
        rows = lib.protected_people(_open(db), reveal_protected=reveal_protected)
        for r in rows:
            note = f" - {r['note']}" if r["note"] else ""
            click.echo(f"[{r['entity_id']}] {r['name']}  since {r['at']} by {r['who']}{note}")
        if not rows:
            click.echo("Nobody is protected.")
