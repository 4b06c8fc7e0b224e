"""``solidarity dump`` and ``solidarity restore``: back the store up as JSON Lines, and load it back."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click

from solidarity_graph.errors import SolidarityGraphError

__all__ = ["register"]


def register(main: click.Group) -> None:
    """Add ``dump`` and ``restore`` to the ``solidarity`` command group."""
    from solidarity_graph.cli import _open, db_option

    @main.command(name="dump")
    @db_option
    @click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path),
                  help="Write to FILE (gzip-compressed when it ends in .gz); default standard output.")
    def dump_cmd(db: str | None, out: Path | None) -> None:
        """Back up the whole store (documents, facts, curations and audit log, program) as JSON Lines."""
        from solidarity_graph.store.dump import dump, dump_file

        store = _open(db)
        try:
            if out is None:
                stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
                counts = dump(store, stdout)
                stdout.flush()
                stdout.detach()  # standard output stays open for click
            else:
                counts = dump_file(store, out)
        except SolidarityGraphError as e:
            raise click.ClickException(str(e)) from e
        finally:
            store.close()
        tables = sum(1 for n in counts.values() if n)
        click.echo(f"dumped {sum(counts.values())} rows of {tables} tables" + (f" to {out}" if out else ""), err=True)

    @main.command(name="restore")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @db_option
    def restore_cmd(file: Path, db: str | None) -> None:
        """Load a dump into an empty store (a new --db); all or nothing."""
        from solidarity_graph.store.dump import restore

        store = _open(db)
        try:
            counts = restore(store, file)
        except SolidarityGraphError as e:
            raise click.ClickException(str(e)) from e
        finally:
            store.close()
        tables = sum(1 for n in counts.values() if n)
        click.echo(f"restored {sum(counts.values())} rows of {tables} tables from {file}")
