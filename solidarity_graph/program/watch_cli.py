"""``solidarity watch ...`` and ``solidarity alerts ...``: watchlists, alerts and where alerts go."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from solidarity_graph.errors import SolidarityGraphError

__all__ = ["register"]


def _run(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except SolidarityGraphError as e:
        raise click.ClickException(str(e)) from e


def _types(value: str | None) -> list[str] | None:
    return [x for x in value.split(",") if x.strip()] if value else None


def alert_line(a: dict[str, Any]) -> str:
    """One alert on one line: unread mark, number, date, type, entity, quote, document and source."""
    via = {"local": f" (local of {a['watched']})", "parent": f" (parent of {a['watched']})"}.get(a["via"], "")
    mark = " " if a["read"] else "*"
    return (f"{mark}[{a['id']}] {a['date'] or '?':10}  {a['event_type']} ({a['status']})  {a['entity']}{via}  "
            f"“{a['quote']}”  [{a['document']}] {a['source'] or ''}")


def register(main: click.Group) -> None:
    """Add the ``watch`` and ``alerts`` commands to ``main``."""
    from solidarity_graph.cli import _open, db_option
    from solidarity_graph.program import alert_delivery as delivery
    from solidarity_graph.program import watch as w

    @main.group()
    def watch() -> None:
        """Watch entities: an alert when new text tells of a strike, lockout, layoff... involving them."""

    @watch.command(name="add")
    @click.argument("name")
    @db_option
    @click.option("--types", help=f"Event types, comma-separated (default: {','.join(w.DEFAULT_TYPES)}).")
    @click.option("--who", help="Whose watch (default: $USER).")
    def watch_add(name: str, db: str | None, types: str | None, who: str | None) -> None:
        """Watch the entity NAME (a name, an alias or its number), its parents and its locals."""
        store = _open(db)
        out = _run(lambda: w.add_watch(store, name, types=_types(types), who=who))
        click.echo(f"watch #{out['watch']}: [{out['entity']['id']}] {out['entity']['name']} for {', '.join(out['event_types'])} ({out['who']})")

    @watch.command(name="remove")
    @click.argument("name")
    @db_option
    @click.option("--who", help="Whose watch (default: $USER).")
    @click.option("--id", "by_id", is_flag=True, help="NAME is a watch number (from `watch list`).")
    def watch_remove(name: str, db: str | None, who: str | None, by_id: bool) -> None:
        """Stop watching the entity NAME."""
        store = _open(db)
        out = _run(lambda: w.remove_watch(store, name, who=who, by_watch_id=by_id))
        click.echo(f"watch #{out['watch']} removed")

    @watch.command(name="list")
    @db_option
    @click.option("--who", help="Only this user's watches.")
    def watch_list(db: str | None, who: str | None) -> None:
        """The watches: entity, event types, whose."""
        rows = w.list_watches(_open(db), who)
        for r in rows:
            click.echo(f"#{r['id']}  [{r['entity_id']}] {r['entity']}  {', '.join(r['event_types'])}  ({r['who']})")
        if not rows:
            click.echo("No watches.")

    @main.group(invoke_without_command=True)
    @db_option
    @click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
    @click.option("--unread", is_flag=True, help="Only alerts not yet marked read.")
    @click.option("--who", help="Only alerts of this user's watches.")
    @click.option("--limit", type=int, default=None, help="At most this many, newest first.")
    @click.option("--mark-read", is_flag=True, help="Mark the alerts listed as read.")
    @click.option("--reveal-protected", is_flag=True, help="Show protected people's names.")
    @click.pass_context
    def alerts(ctx: click.Context, db: str | None, fmt: str, unread: bool, who: str | None, limit: int | None, mark_read: bool,
               reveal_protected: bool) -> None:
        """List alerts, newest first (one per line); subcommands configure and deliver them."""
        ctx.ensure_object(dict)["db"] = db  # `alerts --db X deliver` means the same store as `alerts deliver --db X`
        if ctx.invoked_subcommand is not None:
            return
        store = _open(db)
        rows = w.list_alerts(store, unread=unread, who=who, limit=limit, reveal_protected=reveal_protected)
        for a in rows:
            click.echo(json.dumps(a, ensure_ascii=False) if fmt == "jsonl" else alert_line(a))
        if mark_read and rows:
            w.mark_read(store, [a["id"] for a in rows])
        if not rows and fmt == "text":
            click.echo("No alerts.")

    @alerts.command(name="read")
    @click.argument("ids", nargs=-1, type=int)
    @db_option
    @click.option("--all", "all_", is_flag=True, help="Every unread alert.")
    @click.pass_obj
    def alerts_read(obj: dict[str, Any], ids: tuple[int, ...], db: str | None, all_: bool) -> None:
        """Mark alerts IDS (or --all) read."""
        if not ids and not all_:
            raise click.UsageError("give alert numbers or --all")
        n = w.mark_read(_open(db or obj.get("db")), None if all_ else list(ids))
        click.echo(f"{n} marked read")

    @alerts.command(name="deliver")
    @db_option
    @click.pass_obj
    def alerts_deliver(obj: dict[str, Any], db: str | None) -> None:
        """Send every alert that a configured channel has not yet taken (after a failure)."""
        counts = delivery.deliver(_open(db or obj.get("db")))
        click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing to deliver")
        if counts.get("failed"):
            raise SystemExit(1)

    @alerts.command(name="configure")
    @db_option
    @click.option("--smtp-host", help="SMTP relay host.")
    @click.option("--smtp-port", type=int, help="SMTP port (default 25).")
    @click.option("--smtp-starttls/--no-smtp-starttls", default=None, help="Upgrade the SMTP session with STARTTLS.")
    @click.option("--smtp-user", help=f"SMTP login name (the password comes from ${delivery.PASSWORD_ENV}).")
    @click.option("--mail-from", help="The From address.")
    @click.option("--mail-to", multiple=True, help="A recipient (repeat; replaces the list).")
    @click.option("--webhook", multiple=True, help="A URL to POST each alert to as JSON (repeat; replaces the list).")
    @click.option("--base-url", help="The web UI's address, for links in messages (http://host:port).")
    @click.option("--timeout", type=float, help="Seconds to wait on a server (default 10).")
    @click.option("--reset", is_flag=True, help="Forget every setting first.")
    @click.pass_obj
    def alerts_configure(obj: dict[str, Any], db: str | None, smtp_host: str | None, smtp_port: int | None, smtp_starttls: bool | None,
                         smtp_user: str | None, mail_from: str | None, mail_to: tuple[str, ...], webhook: tuple[str, ...],
                         base_url: str | None, timeout: float | None, reset: bool) -> None:
        """Set where alerts go: e-mail over SMTP, webhooks. With no option, show the settings."""
        store = _open(db or obj.get("db"))
        changes: dict[str, Any] = dict(smtp_host=smtp_host, smtp_port=smtp_port, smtp_starttls=smtp_starttls, smtp_user=smtp_user,
                                       mail_from=mail_from, mail_to=list(mail_to) or None, webhooks=list(webhook) or None,
                                       base_url=base_url, timeout=timeout)
        if reset or any(v is not None for v in changes.values()):
            s = _run(lambda: delivery.configure(store, who=w.default_who(), reset=reset, **changes))
        else:
            s = delivery.get_settings(store)
        for k, v in vars(s).items():
            click.echo(f"{k}: {', '.join(v) if isinstance(v, list) else ('' if v is None else v)}")
        click.echo(f"channels: {', '.join(s.channels()) or 'none'}")
