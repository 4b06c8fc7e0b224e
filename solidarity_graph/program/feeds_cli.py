"""``solidarity watch-feed`` and ``solidarity feeds``: poll RSS and Atom feeds into the graph."""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

import click

from solidarity_graph.errors import SolidarityGraphError

__all__ = ["register"]


def _stop_on_term(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # a service manager's SIGTERM stops the poller as Ctrl-C does


def feed_line(f: dict[str, Any]) -> str:
    """One feed: number, URL, interval, items, last poll and its outcome."""
    outcome = f"error: {f['last_error']}" if f["last_error"] else (f"HTTP {f['last_status']}" if f["last_status"] else "never polled")
    return f"#{f['id']}  {f['url']}  every {f['every_seconds']}s  {f['items']} items  last {f['last_polled'] or '-'}  {outcome}"


def register(main: click.Group) -> None:
    """Add ``watch-feed`` and ``feeds`` to ``main``."""
    from solidarity_graph.cli import _open, db_option
    from solidarity_graph.program import feeds as fd

    @main.command(name="watch-feed")
    @click.argument("url", required=False)
    @db_option
    @click.option("--every", help="How often to poll: 90s, 15m, 1h, 1d (default 15m; kept in the store).")
    @click.option("--once", is_flag=True, help="Poll once and stop.")
    def watch_feed(url: str | None, db: str | None, every: str | None, once: bool) -> None:
        """Poll the RSS or Atom feed URL (default: every registered feed) and ingest each new item once.

        Runs until Ctrl-C; the feeds, their validators and the items seen live in the store, so a
        restart goes on where it stopped.
        """
        store = _open(db)
        try:
            seconds = fd.parse_interval(every) if every else None
            registered = {f["url"] for f in fd.list_feeds(store)}
            if url and url not in registered:  # the first poll registers it, or fails and stores nothing
                click.echo(fd.poll_feed(store, url, every=seconds).line())
                if once:
                    return
            elif url and seconds:
                fd.add_feed(store, url, seconds)
            if not url and not registered:
                raise click.UsageError("no feed registered: give a URL")
        except SolidarityGraphError as e:
            raise click.ClickException(str(e)) from e
        previous = signal.signal(signal.SIGTERM, _stop_on_term)
        try:
            fd.run_feeds(store, [url] if url else None, once=once, report=lambda r: click.echo(r.line()), sleep=time.sleep)
        except KeyboardInterrupt:
            click.echo("stopped", err=True)
        except SolidarityGraphError as e:
            raise click.ClickException(str(e)) from e
        finally:
            signal.signal(signal.SIGTERM, previous)

    @main.group(invoke_without_command=True)
    @db_option
    @click.pass_context
    def feeds(ctx: click.Context, db: str | None) -> None:
        """The feeds polled: interval, items, last poll and its status."""
        ctx.ensure_object(dict)["db"] = db
        if ctx.invoked_subcommand is not None:
            return
        rows = fd.list_feeds(_open(db))
        for f in rows:
            click.echo(feed_line(f))
        if not rows:
            click.echo("No feeds.")

    @feeds.command(name="remove")
    @click.argument("feed")
    @db_option
    @click.pass_obj
    def feeds_remove(obj: dict[str, Any], feed: str, db: str | None) -> None:
        """Stop polling FEED (its URL or number); its documents stay."""
        try:
            out = fd.remove_feed(_open(db or obj.get("db")), feed)
        except SolidarityGraphError as e:
            raise click.ClickException(str(e)) from e
        click.echo(f"feed #{out['feed']} removed")
