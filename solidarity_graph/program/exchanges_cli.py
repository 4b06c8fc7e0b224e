"""``solidarity exchanges`` and ``solidarity exchange ...``: delegations and exchanges from the command line."""

from __future__ import annotations

import json
from typing import Any

import click

__all__ = ["register"]


def _names(members: list[dict[str, Any]]) -> str:
    return ", ".join(m["name"] for m in members) or "-"


def _dates(x: dict[str, Any]) -> str:
    return (x["date_start"] or "?") + (f"..{x['date_end']}" if x["date_end"] else "")


def _echo_exchange(x: dict[str, Any]) -> None:
    click.echo(f"[{x['id']}] {x['title']}  ({x['kind']}, {x['status']})")
    click.echo(f"  when: {_dates(x)}   where: {x['place']['name'] if x['place'] else '?'}")
    for role in ("traveler", "host", "organizer", "participant"):
        people = [m for m in x["members"] if m["role"] == role]
        if people:
            click.echo(f"  {role}s: {_names(people)}")
    if x["produced"]:
        click.echo(f"  produced: {x['produced']}")
    if x["notes"]:
        click.echo(f"  notes: {x['notes']}")
    for title, items in (("Itinerary", x["itinerary"]), ("Follow-ups", x["follow_ups"])):
        if items:
            click.echo(f"{title}:")
            for i in items:
                status = f" [{i['status']}]" if i["status"] else ""
                src = f"  [{i['event']['document']}]" if i["event"] else ""
                click.echo(f"  #{i['id']} {i['date'] or '?':10} {i['kind']}{status}: {i['description']}{src}")
    if x["commitments"]:
        click.echo("Commitments:")
        for c in x["commitments"]:
            click.echo(f"  [{c['id']}] {c['status']:11} {c['kind']}: {c['text']}")
    for s in x["sources"]:
        click.echo(f"Source ({s['type']}, {s['document']}): “{s['quote']}”")


def register(main: click.Group) -> None:
    """Add ``exchanges`` and the ``exchange`` group to the ``solidarity`` command."""
    from solidarity_graph.cli import _open, _who, db_option
    from solidarity_graph.cli import _run as run
    from solidarity_graph.program import exchanges as ex

    def changed(out: dict[str, Any]) -> None:
        x = out["exchange"]
        click.echo(f"done (audit #{out['curation']}): [{x['id']}] {x['title']} ({x['status']})")

    @main.command(name="exchanges")
    @db_option
    @click.option("--status", type=click.Choice(ex.STATUSES), help="Only proposed, confirmed or rejected ones.")
    @click.option("--kind", type=click.Choice(ex.KINDS), help="Only delegations or exchanges.")
    @click.option("--entity", help="Only those an organization, person or place (name or id) takes part in.")
    @click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
    def exchanges_cmd(db: str | None, status: str | None, kind: str | None, entity: str | None, fmt: str) -> None:
        """List exchanges and delegations, newest first."""
        from solidarity_graph.program.entity_refs import find_ref

        store = _open(db)
        eid = None
        if entity:
            with store.connect() as conn:
                eid = find_ref(conn, entity, ("organization", "person", "place"))
            if eid is None:
                raise click.ClickException(f"no entity named {entity!r}")
        rows = run(lambda: {"rows": ex.list_exchanges(store, status=status, kind=kind, entity_id=eid)})["rows"]
        for x in rows:
            if fmt == "jsonl":
                click.echo(json.dumps(x, ensure_ascii=False, default=str))
            else:
                click.echo(f"[{x['id']}] {x['status']:9} {_dates(x):22} {x['kind']:10} {x['title']}")
                click.echo(f"      travelers: {_names(x['travelers'])}; hosts: {_names(x['hosts'])}; "
                           f"{x['items']} items, {x['commitments']} commitments")
        if not rows and fmt == "text":
            click.echo("No exchanges.")

    @main.group(name="exchange")
    def exchange() -> None:
        """One exchange or delegation: show, add, edit, confirm, reject, members, itinerary, follow-ups."""

    @exchange.command(name="show")
    @click.argument("exchange_id", type=int)
    @db_option
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    def show(exchange_id: int, db: str | None, fmt: str) -> None:
        """An exchange with its members, itinerary, follow-ups, commitments and sources."""
        try:
            x = ex.get_exchange(_open(db), exchange_id)
        except KeyError as e:
            raise click.ClickException(f"no exchange {exchange_id}") from e
        if fmt == "json":
            click.echo(json.dumps(x, ensure_ascii=False, default=str, indent=1))
        else:
            _echo_exchange(x)

    @exchange.command(name="add")
    @db_option
    @click.option("--kind", type=click.Choice(ex.KINDS), required=True)
    @click.option("--title", required=True)
    @click.option("--from", "date_start", help="First day (YYYY, YYYY-MM or YYYY-MM-DD).")
    @click.option("--to", "date_end", help="Last day.")
    @click.option("--place", help="Where (a place's name or id; a new name becomes a place).")
    @click.option("--traveler", multiple=True, help="Who traveled (repeatable; name or id).")
    @click.option("--host", multiple=True, help="Who hosted (repeatable).")
    @click.option("--organizer", multiple=True, help="Who organized it (repeatable).")
    @click.option("--produced", help="What came of it (a report, a declaration, a film).")
    @click.option("--notes", help="Notes kept with the record.")
    @click.option("--note", help="Why (for the audit log).")
    def add(db: str | None, kind: str, title: str, date_start: str | None, date_end: str | None, place: str | None,
            traveler: tuple[str, ...], host: tuple[str, ...], organizer: tuple[str, ...], produced: str | None,
            notes: str | None, note: str | None) -> None:
        """Record an exchange or delegation by hand (confirmed)."""
        store = _open(db)
        changed(run(lambda: ex.create_exchange(store, kind=kind, title=title, who=_who(), date_start=date_start, date_end=date_end,
                                               place=place, travelers=traveler, hosts=host, organizers=organizer,
                                               produced=produced, notes=notes, note=note)))

    @exchange.command(name="edit")
    @click.argument("exchange_id", type=int)
    @db_option
    @click.option("--kind", type=click.Choice(ex.KINDS))
    @click.option("--title")
    @click.option("--from", "date_start")
    @click.option("--to", "date_end")
    @click.option("--place")
    @click.option("--produced")
    @click.option("--notes")
    @click.option("--note", help="Why (for the audit log).")
    def edit(exchange_id: int, db: str | None, note: str | None, **fields: str | None) -> None:
        """Change an exchange's kind, title, dates, place, what it produced or its notes."""
        given = {k: v for k, v in fields.items() if v is not None}
        if not given:
            raise click.UsageError("nothing to change")
        store = _open(db)
        changed(run(lambda: ex.update_exchange(store, exchange_id, who=_who(), note=note, **given)))

    def verdict(exchange_id: int, db: str | None, status: str, note: str | None) -> None:
        store = _open(db)
        changed(run(lambda: ex.set_status(store, exchange_id, status, who=_who(), note=note)))

    @exchange.command(name="confirm")
    @click.argument("exchange_id", type=int)
    @db_option
    @click.option("--note", help="Why.")
    def confirm(exchange_id: int, db: str | None, note: str | None) -> None:
        """Confirm a proposed exchange."""
        verdict(exchange_id, db, "confirmed", note)

    @exchange.command(name="reject")
    @click.argument("exchange_id", type=int)
    @db_option
    @click.option("--note", help="Why.")
    def reject(exchange_id: int, db: str | None, note: str | None) -> None:
        """Reject a proposed exchange (it is not proposed again)."""
        verdict(exchange_id, db, "rejected", note)

    @exchange.command(name="done")
    @click.argument("exchange_id", type=int)
    @db_option
    @click.option("--note", help="Why.")
    def done(exchange_id: int, db: str | None, note: str | None) -> None:
        """Mark an exchange done: it took place and its follow-ups are closed."""
        verdict(exchange_id, db, "done", note)

    @exchange.command(name="member")
    @click.argument("exchange_id", type=int)
    @click.argument("entity")
    @db_option
    @click.option("--role", type=click.Choice(ex.ROLES), default="traveler", show_default=True)
    @click.option("--remove", is_flag=True, help="Take ENTITY (an id) off the exchange instead.")
    @click.option("--note", help="Why.")
    def member(exchange_id: int, entity: str, db: str | None, role: str, remove: bool, note: str | None) -> None:
        """Add ENTITY (name or id) as traveler, host, organizer or participant, or --remove it."""
        store = _open(db)
        if remove:
            if not entity.isdigit():
                raise click.UsageError("--remove takes the entity's id")
            changed(run(lambda: ex.remove_member(store, exchange_id, int(entity), who=_who(), note=note)))
        else:
            changed(run(lambda: ex.add_member(store, exchange_id, entity, role, who=_who(), note=note)))

    @exchange.command(name="item")
    @click.argument("exchange_id", type=int)
    @db_option
    @click.option("--kind", type=click.Choice([k for k in ex.ITEM_KINDS if k != "follow_up"]), required=True)
    @click.option("--text", "description", required=True, help="What happened.")
    @click.option("--date")
    @click.option("--place")
    @click.option("--note", help="Why.")
    def item(exchange_id: int, db: str | None, kind: str, description: str, date: str | None, place: str | None,
             note: str | None) -> None:
        """Add a meeting, rally, press conference, visit or other item to the itinerary."""
        store = _open(db)
        changed(run(lambda: ex.add_item(store, exchange_id, kind, description, who=_who(), date=date, place=place, note=note)))

    @exchange.command(name="follow-up")
    @click.argument("exchange_id", type=int)
    @db_option
    @click.option("--text", "description", required=True, help="What is to follow.")
    @click.option("--date", help="When it is due.")
    @click.option("--note", help="Why.")
    def follow_up(exchange_id: int, db: str | None, description: str, date: str | None, note: str | None) -> None:
        """Add a follow-up (open until marked done)."""
        store = _open(db)
        changed(run(lambda: ex.add_item(store, exchange_id, "follow_up", description, who=_who(), date=date, note=note)))

    @exchange.command(name="item-status")
    @click.argument("item_id", type=int)
    @click.argument("status", type=click.Choice(ex.ITEM_STATUSES))
    @db_option
    @click.option("--note", help="Why.")
    def item_status(item_id: int, status: str, db: str | None, note: str | None) -> None:
        """Mark a follow-up open or done."""
        store = _open(db)
        changed(run(lambda: ex.set_item_status(store, item_id, status, who=_who(), note=note)))

    @exchange.command(name="item-remove")
    @click.argument("item_id", type=int)
    @db_option
    @click.option("--note", help="Why.")
    def item_remove(item_id: int, db: str | None, note: str | None) -> None:
        """Take an item off the itinerary."""
        store = _open(db)
        changed(run(lambda: ex.remove_item(store, item_id, who=_who(), note=note)))

    @exchange.command(name="propose")
    @db_option
    @click.option("--document", "documents", multiple=True, help="Only this document id (repeatable; default all).")
    def propose(db: str | None, documents: tuple[str, ...]) -> None:
        """Propose exchanges from the stored documents' events (ingest does this by itself)."""
        from sqlalchemy import select

        from solidarity_graph.store import tables as t

        store = _open(db)
        ids = list(documents)
        if not ids:
            with store.connect() as conn:
                ids = [r[0] for r in conn.execute(select(t.documents.c.id).order_by(t.documents.c.id))]
        out = ex.propose_from_documents(store, ids)
        click.echo(f"proposed {out['proposed']} exchanges from {len(ids)} documents")
