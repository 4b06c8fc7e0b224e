"""The engines the store and query tests run on: SQLite files, and a private PostgreSQL server.

The server is started once per test session: ``initdb`` into a temporary folder (as the ``postgres``
user when we are root, since initdb refuses root), ``pg_ctl`` listening on 127.0.0.1 on a free port
with a random password, stopped and removed at the end. With ``SOLIDARITY_TEST_PG_URL`` (a URL to
an existing server, as a user who may create databases) that server is used instead. Each test
gets a database of its own, copied from a template migrated once per session, and dropped after.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import make_url

from solidarity_graph.store import Store

# pytest parameters for a fixture that runs each test on both engines
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
ENGINE_ENV = "SOLIDARITY_TEST_ENGINE"  # "postgresql": the plain ``store`` fixture is PostgreSQL too
PG_URL_ENV = "SOLIDARITY_TEST_PG_URL"
SERVER_FLAGS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"  # a throwaway test server


class PgUnavailable(Exception):
    """No PostgreSQL server can be had here (the message says why)."""


def pg_bin() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<newest>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    versions.sort(key=lambda b: int(b.parent.name) if b.parent.name.isdigit() else 0)
    return versions[-1] if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _libpq(url: str) -> str:
    """An SQLAlchemy URL as a libpq connection string."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(as_user: list[str], folder: Path, *args: object) -> None:
    done = subprocess.run([*as_user, *map(str, args)], cwd=folder, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise PgUnavailable(f"{Path(str(args[0])).name} failed: {(done.stderr or done.stdout).strip()[-800:]}")


class PgServer:
    """A PostgreSQL server the tests may create and drop databases on (``stop``: how to stop a private one)."""

    def __init__(self, url: str, folder: Path | None = None, stop: list[str] | None = None) -> None:
        self.url = make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        self.folder, self.stop = folder, stop
        self.template: str | None = None

    @classmethod
    def start(cls) -> PgServer:
        """initdb and start a private server; raises PgUnavailable saying why it cannot."""
        bindir = pg_bin()
        if bindir is None:
            raise PgUnavailable("PostgreSQL's initdb is not installed (Debian: apt-get install postgresql)")
        as_user: list[str] = []
        owner = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError as e:
                raise PgUnavailable("running as root, and there is no postgres user to run initdb as") from e
            as_user = ["runuser", "-u", "postgres", "--"]
        folder = Path(tempfile.mkdtemp(prefix="solidarity-pg-"))
        password = secrets.token_hex(16)
        (folder / "pw").write_text(password, encoding="utf-8")
        if owner is not None:
            os.chown(folder, owner.pw_uid, owner.pw_gid)
            os.chown(folder / "pw", owner.pw_uid, owner.pw_gid)
        data = str(folder / "data")
        try:
            _run(as_user, folder, bindir / "initdb", "-D", data, "-U", "solidarity", "--pwfile", folder / "pw",
                 "-A", "scram-sha-256", "-E", "UTF8", "--locale", "C.UTF-8", "--no-sync")
            for _ in range(3):  # another process may take the free port first
                port = _free_port()
                try:
                    _run(as_user, folder, bindir / "pg_ctl", "-D", data, "-l", folder / "log", "-w", "-t", "60",
                         "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 {SERVER_FLAGS}", "start")
                    break
                except PgUnavailable:
                    if "Address already in use" not in (folder / "log").read_text(errors="replace"):
                        raise
            else:
                raise PgUnavailable("no free port for the test server")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return cls(f"postgresql+psycopg://solidarity:{password}@127.0.0.1:{port}/postgres", folder,
                   [*as_user, str(bindir / "pg_ctl"), "-D", data, "-m", "immediate", "stop"])

    def _admin(self, *sql: str) -> None:
        import psycopg

        with psycopg.connect(_libpq(self.url), autocommit=True) as conn:
            for statement in sql:
                conn.execute(statement)  # type: ignore[arg-type]

    def _url(self, name: str) -> str:
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def create_database(self, *, migrated: bool = True) -> str:
        """A new database (a copy of a migrated template unless ``migrated`` is false); returns its URL."""
        if migrated and self.template is None:
            template = f"solidarity_template_{secrets.token_hex(4)}"
            self._admin(f"CREATE DATABASE {template}")
            Store.open(self._url(template)).close()
            self.template = template
        name = f"solidarity_test_{secrets.token_hex(6)}"
        self._admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {self.template}" if migrated else ""))
        return self._url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by create_database, whoever is still connected to it."""
        self._admin(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)")

    def close(self) -> None:
        """Stop and remove a private server; drop the template on a server we were lent."""
        if self.folder is None or self.stop is None:
            if self.template:
                self.drop_database(self._url(self.template))
            return
        try:
            subprocess.run(self.stop, cwd=self.folder, capture_output=True, timeout=60, check=False)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> PgServer:
    """The server of ``SOLIDARITY_TEST_PG_URL``, else a private one (PgUnavailable says why there is none)."""
    if importlib.util.find_spec("psycopg") is None:
        raise PgUnavailable("psycopg is not installed (pip install -e '.[dev]')")
    url = os.environ.get(PG_URL_ENV)
    return PgServer(url) if url else PgServer.start()


@contextmanager
def database(request: pytest.FixtureRequest, engine: str, folder: Path) -> Iterator[str]:
    """A fresh, migrated database on ``engine``: an SQLite file in ``folder``, or a PostgreSQL URL (dropped after)."""
    if engine == "sqlite":
        yield str(folder / "test.db")
        return
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.create_database()
    try:
        yield url
    finally:
        server.drop_database(url)


@contextmanager
def open_store(request: pytest.FixtureRequest, engine: str, folder: Path) -> Iterator[Store]:
    """A fresh store on ``engine``, closed (and its database dropped) after."""
    with database(request, engine, folder) as url:
        store = Store.open(url)
        try:
            yield store
        finally:
            store.close()
