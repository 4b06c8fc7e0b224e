"""The ``solidarity`` command: thin commands over the library."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from solidarity_graph.errors import SolidarityGraphError

F = TypeVar("F", bound=Callable[..., Any])


def db_option(f: F) -> F:
    """``--db``: a file path or SQLAlchemy URL; also SOLIDARITY_DB; default ./solidarity.db."""
    return click.option("--db", envvar="SOLIDARITY_DB", default=None,
                        help="SQLite file or SQLAlchemy URL (env SOLIDARITY_DB; default ./solidarity.db).")(f)


def _open(db: str | None) -> Any:
    from solidarity_graph.store import Store

    try:
        store = Store.open(db)
    except SolidarityGraphError as e:
        raise click.ClickException(str(e)) from e
    ctx = click.get_current_context(silent=True)
    if ctx is not None:  # a server's connections are closed when the command ends, not left to the GC (issue 7)
        ctx.call_on_close(store.close)
        _guard_output(store, ctx)
    return store


# commands whose output must stay whole (a backup) or that name protected people only when told to
_UNREDACTED = {"dump", "restore"}


class _RedactingStream:
    """Standard output with protected people's names replaced (what a command prints never names them
    unless it was asked to with --reveal-protected)."""

    def __init__(self, stream: Any, redactor: Any) -> None:
        self._stream, self._redactor = stream, redactor

    def write(self, text: str) -> int:
        self._stream.write(self._redactor.text(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _guard_output(store: Any, ctx: click.Context) -> None:
    if ctx.command.name in _UNREDACTED or ctx.params.get("reveal_protected") or isinstance(sys.stdout, _RedactingStream):
        return
    from solidarity_graph.program.protect import Redactor

    redactor = Redactor.load(store)
    if not redactor.active:
        return
    plain = sys.stdout
    sys.stdout = _RedactingStream(plain, redactor)

    def restore() -> None:
        sys.stdout = plain

    ctx.call_on_close(restore)


class _Commands(click.Group):
    """The command group: a store that cannot be reached mid-command (its PostgreSQL server stopped or
    restarting) ends any command with one line saying so, not a traceback (issue 7)."""

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        from solidarity_graph.store import unavailable

        try:
            return super().invoke(ctx)
        except SQLAlchemyError as e:
            reason = unavailable(e)
            if reason is None:
                raise
            raise click.ClickException(f"{reason} ({str(getattr(e, 'orig', None) or e).strip().splitlines()[0]}); what is "
                                       "stored is whole: run the command again once the store is back") from e


@click.group(cls=_Commands)
@click.version_option(package_name="solidarity-graph")
def main() -> None:
    """Solidarity Graph: union documents in, a knowledge graph with sources out."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@db_option
@click.option("--published", help="Publication date of the documents: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--source", help="Where the documents came from (a URL); default the file path.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False), help="A spreadsheet (CSV): each row is a document.")
@click.option("--text-column", help="With --csv: the column that holds the text.")
@click.option("--id-column", help="With --csv: the column that holds the row's id (the document id).")
@click.option("--date-column", help="With --csv: a column with the row's date (used as its publication date).")
@click.option("--published-column", help="With --csv: a column with the publication date (wins over --date-column).")
@click.option("--processes", "-p", type=int, default=None, help="Extraction processes (default: all cores for batches).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--cluster", metavar="ADDRESS", help="Extract on the workers of a Dask cluster (tcp://HOST:8786); "
              "files are read and stored here. Needs the 'cluster' extra.")
@click.option("--cluster-timeout", type=float, default=10.0, show_default=True,
              help="Seconds to reach the --cluster scheduler and find a worker.")
@click.option("--collection", help="Put the documents in this collection (solidarity collection add) before they are stored.")
def ingest(paths: tuple[str, ...], db: str | None, published: str | None, source: str | None,
           csv_file: str | None, text_column: str | None, id_column: str | None, date_column: str | None,
           published_column: str | None, processes: int | None, quiet: bool, cluster: str | None,
           cluster_timeout: float, collection: str | None) -> None:
    """Read files and folders (or the rows of a CSV), extract facts, store them. Re-running changes nothing."""
    from tqdm import tqdm

    from solidarity_graph.ingest import iter_paths, parse_published
    from solidarity_graph.ingest.table import read_csv_documents
    from solidarity_graph.pipeline import default_processes, ingest_documents, read_all

    if not paths and not csv_file:
        raise click.UsageError("give PATH... or --csv FILE")
    if cluster and processes:
        raise click.UsageError("--processes and --cluster exclude each other: the cluster's workers extract")
    if csv_file and not (text_column and id_column):
        raise click.UsageError("--csv needs --text-column and --id-column")
    try:
        if published:
            published = parse_published(published)
        files = list(iter_paths(paths)) if paths else []
        rows = list(read_csv_documents(csv_file, text_column=str(text_column), id_column=str(id_column),
                                       date_column=date_column, published_column=published_column,
                                       published=published, source=source)) if csv_file else []
    except SolidarityGraphError as e:
        raise click.ClickException(str(e)) from e
    store = _open(db)
    total = len(files) + len(rows)
    procs = processes or (default_processes() if total >= 20 else 1)
    bar = tqdm(total=total, unit="doc", disable=quiet or total < 5, file=sys.stderr)
    items: Iterator[Any] = itertools.chain(read_all(files, published=published, source=source), rows)
    if collection:  # each document is in its collection before it is stored, never visible to all (issue 7)
        from solidarity_graph.accounts.collections import assign_before_storing, find_collection

        try:
            find_collection(store, collection)
        except SolidarityGraphError as e:
            raise click.ClickException(str(e)) from e
        items = assign_before_storing(store, collection, items, who=_who())
    try:
        if cluster:  # Dask is imported only here (issue 7)
            from solidarity_graph.pipeline_cluster import ingest_on_cluster

            summary = ingest_on_cluster(items, store, cluster, timeout=cluster_timeout, progress=bar.update)
        else:
            summary = ingest_documents(items, store, processes=procs, progress=bar.update)
    except SolidarityGraphError as e:
        raise click.ClickException(str(e)) from e
    finally:
        bar.close()
    for path, reason in summary.failed:
        click.echo(f"Error: {path}: {reason}", err=True)
    for w in summary.warnings[:20]:
        click.echo(f"Warning: {w}", err=True)
    click.echo(summary.line())
    if summary.failed:
        sys.exit(1)


@main.command()
@click.argument("text")
@db_option
@click.option("--limit", default=10, show_default=True)
def search(text: str, db: str | None, limit: int) -> None:
    """Full-text search over names and documents."""
    from solidarity_graph.store.search import search_documents, search_names

    store = _open(db)
    with store.connect() as conn:
        names = search_names(conn, text, limit)
        docs = search_documents(conn, text, limit)
    if names:
        click.echo("Entities:")
        for r in names:
            where = ", ".join(x for x in (r["kind"], r["country"]) if x)
            click.echo(f"  [{r['id']}] {r['name']} ({r['type']}{'; ' + where if where else ''}) - {r['mentions']} mentions")
    if docs:
        click.echo("Documents:")
        for d in docs:
            click.echo(f"  {d['id']}  {d['published'] or '':10}  {d['title'] or d['source']}")
            if d.get("snippet"):
                click.echo(f"      {d['snippet']}")
    if not names and not docs:
        click.echo("Nothing found.")


@main.command()
@click.argument("name")
@db_option
def show(name: str, db: str | None) -> None:
    """An entity: aliases, kind, country, parent, roles, relations and events with quotes."""
    from solidarity_graph.query import entity_page, find_entity

    store = _open(db)
    found = find_entity(store, name)
    if not found:
        raise click.ClickException(f"no entity named {name!r}")
    page = entity_page(store, found[0]["id"])
    click.echo(f"{page['name']}  [{page['id']}] {page['type']}" + (f", {page['kind']}" if page["kind"] else "")
               + (f", {page['country']}" if page["country"] else ""))
    if len(found) > 1:
        click.echo("  also: " + "; ".join(f"[{f['id']}] {f['name']} ({f['type']})" for f in found[1:6]))
    if page["aliases"]:
        click.echo("  aliases: " + ", ".join(page["aliases"]))
    if page["parent"]:
        click.echo(f"  part of: {page['parent']}")
    click.echo(f"  mentions: {page['mentions']}")
    roles = [r for r in page["relations"] if r["predicate"] == "holds_role"]
    others = [r for r in page["relations"] if r["predicate"] != "holds_role"]
    for title, rows in (("Roles", roles), ("Relations", others)):
        if rows:
            click.echo(f"{title}:")
            for r in rows:
                extra = f" ({r['attributes']['title']})" if r["attributes"].get("title") else ""
                click.echo(f"  {r['subject']} —{r['predicate']}→ {r['object']}{extra}")
                click.echo(f"      “{_short(r['quote'])}” [{r['document']}]")
    if page["events"]:
        click.echo("Events:")
        for ev in page["events"]:
            _echo_event(ev)


def _short(s: str, n: int = 220) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _echo_event(ev: dict[str, Any]) -> None:
    date = ev["date"] or "?"
    if ev.get("date_end"):
        date += f"..{ev['date_end']}"
    size = f", {int(ev['size']):,} people" if ev.get("size") else ""
    click.echo(f"  {date:12} {ev['type']} ({ev['status']}) at {ev['place'] or '?'}: {', '.join(ev['participants']) or '?'}{size}")
    click.echo(f"      “{_short(ev['quote'])}” [{ev['document']}]")


@main.command()
@db_option
@click.option("--entity", help="Only events involving this entity (name or alias).")
@click.option("--type", "type_", help="Only this event type (see the codebook).")
@click.option("--since", help="Only events on or after this date (YYYY[-MM[-DD]]).")
def events(db: str | None, entity: str | None, type_: str | None, since: str | None) -> None:
    """A timeline of events."""
    from solidarity_graph.query import find_entity, timeline
    from solidarity_graph.schema import load_schema

    if type_:
        try:
            load_schema().check_event_type(type_)
        except SolidarityGraphError as e:
            raise click.ClickException(str(e)) from e
    store = _open(db)
    ids = None
    if entity:
        ids = [e["id"] for e in find_entity(store, entity)]
        if not ids:
            raise click.ClickException(f"no entity named {entity!r}")
    rows = timeline(store, entity_ids=ids, type_=type_, since=since)
    for ev in rows:
        _echo_event(ev)
    if not rows:
        click.echo("No events.")


@main.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "graphml"]), default="jsonl", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: standard output).")
@click.option("--reveal-protected", is_flag=True, help="Name protected people (redacted by default).")
def export(db: str | None, fmt: str, out: Path | None, reveal_protected: bool) -> None:
    """Export the graph as JSON Lines, CSV or GraphML."""
    from solidarity_graph.export import export_csv, export_graphml, export_jsonl

    store = _open(db)
    writer = {"jsonl": export_jsonl, "csv": export_csv, "graphml": export_graphml}[fmt]
    if out is None:
        writer(store, sys.stdout, reveal_protected=reveal_protected)
        return
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        n = writer(store, fh, reveal_protected=reveal_protected)
    tmp.replace(out)
    click.echo(f"wrote {n} records to {out}", err=True)


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (the data is sensitive: localhost unless you mean it).")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--allow-reveal", is_flag=True, help="Let ?reveal=1 name protected people (redacted otherwise; an admin's, once there are accounts).")
@click.option("--secure-cookies", is_flag=True, help="Mark the login cookie Secure (behind an https proxy that talks plain http to us).")
def serve(db: str | None, host: str, port: int, allow_reveal: bool, secure_cookies: bool) -> None:
    """Serve the web UI and the HTTP API."""
    import uvicorn

    from solidarity_graph.web.app import create_app

    app = create_app(store=_open(db))
    app.state.allow_reveal = allow_reveal  # read by solidarity_graph.web.program_protect.reveal_requested
    app.state.secure_cookies = secure_cookies  # read by solidarity_graph.web.auth.secure_request
    click.echo(f"Solidarity Graph on http://{host}:{port}/ (API docs at /docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _who() -> str:
    import getpass

    return getpass.getuser()


def _run(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``fn()``, with the library's errors (bad input, a missing entity) as one-line command errors."""
    try:
        return fn()
    except SolidarityGraphError as e:
        raise click.ClickException(str(e)) from e


def _curate(fn: Callable[[], dict[str, Any]]) -> None:
    out = _run(fn)
    entity = out.get("entity")
    click.echo(f"done (audit #{out['curation']})" + (f": [{entity['id']}] {entity['name']}" if entity else ""))


@main.command()
@click.argument("keep", type=int)
@click.argument("drop", type=int)
@db_option
@click.option("--note", help="Why.")
def merge(keep: int, drop: int, db: str | None, note: str | None) -> None:
    """Merge entity DROP into entity KEEP (ids from search or show)."""
    from solidarity_graph.curation import merge_entities

    store = _open(db)
    _curate(lambda: merge_entities(store, keep, drop, who=_who(), note=note))


@main.command()
@click.argument("entity", type=int)
@click.argument("alias")
@db_option
@click.option("--note", help="Why.")
def split(entity: int, alias: str, db: str | None, note: str | None) -> None:
    """Split ALIAS off ENTITY into an entity of its own."""
    from solidarity_graph.curation import split_alias

    store = _open(db)
    _curate(lambda: split_alias(store, entity, alias, who=_who(), note=note))


@main.command()
@click.argument("entity", type=int)
@click.argument("name")
@db_option
@click.option("--note", help="Why.")
def rename(entity: int, name: str, db: str | None, note: str | None) -> None:
    """Give ENTITY a new canonical NAME (the old one stays an alias)."""
    from solidarity_graph.curation import rename_entity

    store = _open(db)
    _curate(lambda: rename_entity(store, entity, name, who=_who(), note=note))


@main.command(name="set")
@click.argument("entity", type=int)
@click.argument("field", type=click.Choice(["kind", "country"]))
@click.argument("value")
@db_option
@click.option("--note", help="Why.")
def set_(entity: int, field: str, value: str, db: str | None, note: str | None) -> None:
    """Set an entity's kind or country."""
    from solidarity_graph.curation import set_attribute

    store = _open(db)
    _curate(lambda: set_attribute(store, entity, field, value, who=_who(), note=note))


@main.command()
@click.argument("verdict", type=click.Choice(["accept", "reject"]))
@click.argument("kind", type=click.Choice(["relation", "event"]))
@click.argument("fact_id", type=int)
@db_option
@click.option("--note", help="Why.")
def review(verdict: str, kind: str, fact_id: int, db: str | None, note: str | None) -> None:
    """Accept or reject an extracted relation or event (the verdict survives re-extraction)."""
    from solidarity_graph.curation import review_fact

    store = _open(db)
    _curate(lambda: review_fact(store, kind, fact_id, verdict + "ed", who=_who(), note=note))


@main.command(name="add-fact")
@click.argument("subject", type=int)
@click.argument("predicate")
@click.argument("object_", metavar="OBJECT", type=int)
@click.option("--note", required=True, help="Where the fact comes from (shown as its quote).")
@click.option("--title", help="For holds_role: the title.")
@db_option
def add_fact_cmd(subject: int, predicate: str, object_: int, note: str, title: str | None, db: str | None) -> None:
    """Add a relation by hand, with a note saying where it comes from."""
    from solidarity_graph.curation import add_fact

    store = _open(db)
    _curate(lambda: add_fact(store, subject, predicate, object_, who=_who(), note=note,
                             attributes={"title": title} if title else None))


@main.command()
@db_option
@click.option("--document", "documents", multiple=True, help="Only this document id (repeatable).")
def reextract(db: str | None, documents: tuple[str, ...]) -> None:
    """Extract stored documents again and replace their facts; curators' work holds."""
    from solidarity_graph.pipeline import reextract as run

    store = _open(db)
    summary = run(store, list(documents) or None)
    click.echo(f"re-extracted {summary.new} documents; added {summary.added['entities']} entities, "
               f"{summary.added['events']} events, {summary.added['relations']} relations")
    for path, reason in summary.failed:
        click.echo(f"Error: {path}: {reason}", err=True)


@main.command()
@db_option
@click.option("--limit", default=50, show_default=True)
def audit(db: str | None, limit: int) -> None:
    """The curation log: who changed what, when."""
    from solidarity_graph.curation import audit_log

    for row in audit_log(_open(db), limit):
        click.echo(f"#{row['id']} {row['at']} {row['who']} {row['action']} {row['target']}" + (f" - {row['note']}" if row["note"] else ""))


@main.command(name="eval")
@click.option("--shared", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder holding eval/ (default: ../shared beside the project, or SOLIDARITY_SHARED).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("docs/quality.md"), show_default=True)
@click.option("--only", multiple=True, help="Run only these sets (seeds, mass_mobilization, collective_action, wnut17, semeval_timeline).")
@click.option("--limit", type=int, default=None, help="Only the first N items of each set (a quick look; not for reporting).")
@click.option("--processes", "-p", type=int, default=2, show_default=True)
def eval_(shared: Path | None, out: Path, only: tuple[str, ...], limit: int | None, processes: int) -> None:
    """Score extraction on the labelled data in ../shared/eval and write docs/quality.md."""
    import os

    from solidarity_graph.evaluation.report import run_evaluation

    if shared is None:
        env = os.environ.get("SOLIDARITY_SHARED")
        here = [Path.cwd().parent / "shared", Path(__file__).resolve().parent.parent.parent / "shared"]
        shared = Path(env) if env else next((p for p in here if (p / "eval").is_dir()), here[0])
    if not (shared / "eval").is_dir():
        raise click.ClickException(f"{shared}: no eval/ folder here (give --shared)")
    run_evaluation(shared, out, only=list(only) or None, limit=limit, processes=processes, echo=click.echo)


def _register_program_commands() -> None:
    """The international program's commands live beside their library modules."""
    import importlib

    from solidarity_graph.program import AREAS

    for area in AREAS:
        try:
            module = importlib.import_module(f"solidarity_graph.program.{area}_cli")
        except ModuleNotFoundError as e:  # an area not built yet; a missing package is an error
            if e.name != f"solidarity_graph.program.{area}_cli":
                raise
            continue
        module.register(main)


_register_program_commands()
from solidarity_graph.store.dump_cli import register as _register_dump_commands  # noqa: E402 (dump, restore)

_register_dump_commands(main)
from solidarity_graph.accounts.cli import register as _register_account_commands  # noqa: E402 (user, token, collection)

_register_account_commands(main)


if __name__ == "__main__":
    main()
