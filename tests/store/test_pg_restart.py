"""The PostgreSQL server stopped and started again under a running web server or ingest (issue 7).

While it is down, every request answers 503 with Retry-After in the one error shape, at once; when it
is back, requests succeed again without restarting the web server. An ingest that loses its server
stops with one line saying so, and the same command run again stores the rest. The tests run on a
private server of their own (they stop it), and skip where none can be started.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import func, make_url, select

from solidarity_graph.cli import main
from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t
from tests import engines
from tests.web.conftest import live_server

pytestmark = [pytest.mark.postgresql, pytest.mark.slow, pytest.mark.issue(7)]

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "solidarity_graph" / "data" / "sample"


@pytest.fixture(scope="module")
def server() -> Iterator[engines.PgServer]:
    """A private server that these tests may stop and start (never the session's, nor one we were lent)."""
    try:
        if importlib.util.find_spec("psycopg") is None:
            raise engines.PgUnavailable("psycopg is not installed")
        own = engines.PgServer.start()
    except engines.PgUnavailable as e:
        pytest.skip(f"no private PostgreSQL server to restart: {e}")
    yield own
    own.close()


def _ctl(server: engines.PgServer, *args: str) -> int:
    assert server.stop is not None and server.folder is not None
    base = server.stop[:-3]  # [runuser -u postgres --] pg_ctl -D DATA  (without "-m immediate stop")
    done = subprocess.run([*base, *args], cwd=server.folder, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 or args[-1] == "status", done.stderr or done.stdout
    return done.returncode


def stop(server: engines.PgServer) -> None:
    """A fast shutdown: sessions are ended, as on a restart for an upgrade."""
    _ctl(server, "-m", "fast", "-w", "stop")


def start(server: engines.PgServer) -> None:
    """Start it again on the same port, as tests/engines.py did."""
    assert server.folder is not None
    port = make_url(server.url).port
    _ctl(server, "-w", "-t", "60", "-l", str(server.folder / "log"), "-o",
         f"-p {port} -k {server.folder} -c listen_addresses=127.0.0.1 {engines.SERVER_FLAGS}", "start")


@pytest.fixture
def db(server: engines.PgServer) -> Iterator[str]:
    """A fresh database on the private server (the server running again after the test, whatever happened)."""
    url = server.create_database()
    try:
        yield url
    finally:
        if _ctl(server, "status") != 0:
            start(server)
        server.drop_database(url)


def _documents(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.documents)).scalar_one())


def test_pg_restart_web_answers_503_while_down_and_recovers(server: engines.PgServer, db: str) -> None:
    store = Store.open(db)
    ingest_paths([SAMPLE], store)
    with store.connect() as conn:
        kctu = conn.execute(select(t.entities.c.id).where(t.entities.c.gazetteer_key == "kctu")).scalar_one()
    paths = ["/api/v1/search?q=KCTU", f"/entity/{kctu}.json", f"/api/v1/graph/{kctu}?depth=2", "/index.json"]
    try:
        with live_server(store) as base, httpx.Client(base_url=base, timeout=15) as client:
            assert [client.get(p).status_code for p in paths] == [200] * len(paths)
            stop(server)
            for p in paths:
                t0 = time.perf_counter()
                r = client.get(p)
                assert time.perf_counter() - t0 < 5, f"{p} took {time.perf_counter() - t0:.1f} s"
                assert r.status_code == 503, (p, r.status_code, r.text[:300])
                assert r.headers["retry-after"] == "5"
                body = r.json()
                assert body == {"ok": False, "error": body["error"], "errors": [], "status": 503}
                assert "database server" in body["error"]
            page = client.get(f"/entity/{kctu}")  # a page, not JSON: the error page, with the same status
            assert page.status_code == 503 and "text/html" in page.headers["content-type"] and "try again" in page.text
            start(server)
            after = [client.get(p) for p in paths + [f"/entity/{kctu}"]]  # no restart of the web server
            assert [r.status_code for r in after] == [200] * len(after)
            assert any(e["name"] == "Korean Confederation of Trade Unions" for e in after[0].json()["entities"])
    finally:
        store.close()


def _copies(folder: Path, n: int) -> Path:
    """``n`` documents: the sample's, each told again under its own heading (new text, new hash)."""
    folder.mkdir()
    sample = sorted(SAMPLE.glob("*.txt"))
    for i in range(n):
        src = sample[i % len(sample)]
        (folder / f"{i:03d}_{src.name}").write_text(f"Copy {i}\n\n{src.read_text(encoding='utf-8')}", encoding="utf-8")
    return folder


def test_pg_restart_cli_ingest_against_a_stopped_server_says_so(server: engines.PgServer, db: str, tmp_path: Path) -> None:
    stop(server)
    res = CliRunner().invoke(main, ["ingest", "--db", db, "-q", str(SAMPLE)])
    assert res.exit_code == 1
    assert res.output.startswith("Error: cannot open the store at postgresql+psycopg://solidarity:***@127.0.0.1:")
    assert "connection" in res.output and "Traceback" not in res.output
    assert make_url(db).password not in res.output


def test_pg_restart_cli_ingest_losing_its_server_stops_cleanly_and_reruns(server: engines.PgServer, db: str,
                                                                           tmp_path: Path) -> None:
    folder = _copies(tmp_path / "docs", 40)
    cmd = [str(Path(sys.executable).parent / "solidarity"), "ingest", "--db", db, "-q", "-p", "1", str(folder)]
    watcher = Store.open(db)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while _documents(watcher) < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        stored = _documents(watcher)
        watcher.close()
        stop(server)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert 3 <= stored < 40, "the ingest was not caught half-way"
    assert proc.returncode == 1, out + err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "database server" in last and "run the command again" in last, err
    start(server)
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    store = Store.open(db)
    try:
        assert _documents(store) == 40
        with store.connect() as conn:  # the program's work owed by the stopped run is done (store/faults.py)
            assert conn.execute(select(t.settings.c.key).where(t.settings.c.key.startswith("pending_hooks:"))).first() is None
    finally:
        store.close()
