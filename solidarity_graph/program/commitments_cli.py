"""``solidarity commitments`` and ``solidarity commitment ...``: commitments and demands from the command line."""

from __future__ import annotations

import json
from typing import Any

import click

__all__ = ["register"]


def _party(entity: dict[str, Any] | None, text: str | None) -> str:
    if entity is not None:
        return str(entity["name"])
    return text or "?"


def _line(c: dict[str, Any]) -> str:
    age = f"{c['age_days']} days" if c["age_days"] is not None else "?"
    due = f" (due {c['due']}{', overdue' if c['overdue'] else ''})" if c["due"] else ""
    to = f" → {_party(c['object'], c['object_text'])}" if c["object"] or c["object_text"] else ""
    return f"[{c['id']}] {c['status']:11} {age:>10}  {c['kind']:10} {_party(c['subject'], c['subject_text'])}{to}: {c['text']}{due}"


def register(main: click.Group) -> None:
    """Add ``commitments`` and the ``commitment`` group to the ``solidarity`` command."""
    from solidarity_graph.cli import _open, _who, db_option
    from solidarity_graph.cli import _run as run
    from solidarity_graph.program import commitments as cm

    def changed(out: dict[str, Any]) -> None:
        c = out["commitment"]
        click.echo(f"done (audit #{out['curation']}): [{c['id']}] {c['status']} {c['kind']}: {c['text']}")

    @main.command(name="commitments")
    @db_option
    @click.option("--status", type=click.Choice(cm.STATUSES), help="Only open, in_progress, done or dropped ones.")
    @click.option("--kind", type=click.Choice(cm.KINDS), help="Only commitments or only demands.")
    @click.option("--entity", help="Only those made by or of this organization or person (name or id).")
    @click.option("--exchange", "exchange_id", type=int, help="Only those made on this exchange.")
    @click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
    def commitments_cmd(db: str | None, status: str | None, kind: str | None, entity: str | None, exchange_id: int | None,
                        fmt: str) -> None:
        """Commitments and demands, open ones first with their age in days."""
        from solidarity_graph.program.entity_refs import find_ref

        store = _open(db)
        eid = None
        if entity:
            with store.connect() as conn:
                eid = find_ref(conn, entity, ("organization", "person", "place"))
            if eid is None:
                raise click.ClickException(f"no entity named {entity!r}")
        rows = run(lambda: {"rows": cm.list_commitments(store, status=status, kind=kind, entity_id=eid, exchange_id=exchange_id)})["rows"]
        for c in rows:
            click.echo(json.dumps(c, ensure_ascii=False, default=str) if fmt == "jsonl" else _line(c))
        if not rows and fmt == "text":
            click.echo("No commitments.")

    @main.group(name="commitment")
    def commitment() -> None:
        """One commitment or demand: show, set its status, add one by hand, tie it to an exchange."""

    @commitment.command(name="show")
    @click.argument("commitment_id", type=int)
    @db_option
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    def show(commitment_id: int, db: str | None, fmt: str) -> None:
        """A commitment with its source sentence and its history."""
        try:
            c = cm.get_commitment(_open(db), commitment_id)
        except KeyError as e:
            raise click.ClickException(f"no commitment {commitment_id}") from e
        if fmt == "json":
            click.echo(json.dumps(c, ensure_ascii=False, default=str, indent=1))
            return
        click.echo(_line(c))
        if c["exchange"]:
            click.echo(f"  exchange: [{c['exchange']['id']}] {c['exchange']['title']}")
        where = f"document {c['document']['id']} ({c['document']['title']})" if c["document"] else "curator's note"
        click.echo(f"  “{c['quote']}” [{where}]")
        for h in c["history"]:
            click.echo(f"  #{h['id']} {h['at']} {h['who']} {h['action']}: {h['after']}" + (f" - {h['note']}" if h["note"] else ""))

    @commitment.command(name="set")
    @click.argument("commitment_id", type=int)
    @click.argument("status", type=click.Choice(cm.STATUSES))
    @db_option
    @click.option("--note", help="Why (for the audit log).")
    def set_cmd(commitment_id: int, status: str, db: str | None, note: str | None) -> None:
        """Set a commitment's status: open, in_progress, done or dropped."""
        store = _open(db)
        changed(run(lambda: cm.set_status(store, commitment_id, status, who=_who(), note=note)))

    @commitment.command(name="add")
    @db_option
    @click.option("--kind", type=click.Choice(cm.KINDS), required=True)
    @click.option("--text", required=True, help="What is committed to or demanded.")
    @click.option("--by", "subject", help="Who commits or demands (name or id; other words are kept as written).")
    @click.option("--to", "object_", help="To or from whom.")
    @click.option("--due", help="When it is due (YYYY, YYYY-MM or YYYY-MM-DD).")
    @click.option("--exchange", "exchange_id", type=int, help="The exchange it was made on.")
    @click.option("--note", required=True, help="Where it comes from (kept as its source).")
    def add(db: str | None, kind: str, text: str, subject: str | None, object_: str | None, due: str | None,
            exchange_id: int | None, note: str) -> None:
        """Record a commitment or demand by hand."""
        store = _open(db)
        changed(run(lambda: cm.add_commitment(store, kind, text, who=_who(), note=note, subject=subject, object_=object_,
                                              due=due, exchange_id=exchange_id)))

    @commitment.command(name="link")
    @click.argument("commitment_id", type=int)
    @click.argument("exchange_id", type=int, required=False)
    @db_option
    @click.option("--note", help="Why.")
    def link(commitment_id: int, exchange_id: int | None, db: str | None, note: str | None) -> None:
        """Tie a commitment to the exchange it was made on (no EXCHANGE_ID: untie it)."""
        store = _open(db)
        changed(run(lambda: cm.link_exchange(store, commitment_id, exchange_id, who=_who(), note=note)))

    @commitment.command(name="scan")
    @db_option
    @click.option("--document", "documents", multiple=True, help="Only this document id (repeatable; default all).")
    def scan(db: str | None, documents: tuple[str, ...]) -> None:
        """Find commitments and demands in the stored documents again (ingest does this by itself)."""
        from sqlalchemy import select

        from solidarity_graph.store import tables as t

        store = _open(db)
        ids = list(documents)
        if not ids:
            with store.connect() as conn:
                ids = [r[0] for r in conn.execute(select(t.documents.c.id).order_by(t.documents.c.id))]
        out = cm.scan_documents(store, ids)
        click.echo(f"found {out['found']} commitments and demands in {len(ids)} documents: {out['new']} new, "
                   f"{out['kept']} kept, {out['removed']} removed")
