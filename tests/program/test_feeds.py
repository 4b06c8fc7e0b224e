"""Feeds against real HTTP servers on 127.0.0.1 that honor If-None-Match and If-Modified-Since.

Covers: the first poll ingests every item, the next gets a 304 and ingests none, a new item alone is
ingested, a restart (a new Store on the same file) ingests nothing again, a poller killed between
storing and recording loses and duplicates nothing, a malformed feed is an error naming the URL
with nothing stored, intervals are parsed strictly, a feed item raises an alert through the hook,
``watch-feed`` stops cleanly on Ctrl-C, and the web pages and API.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import closing
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from solidarity_graph.cli import main
from solidarity_graph.errors import InputError
from solidarity_graph.pipeline import ingest_documents
from solidarity_graph.program import feeds as fd
from solidarity_graph.program.watch import add_watch, list_alerts
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t
from solidarity_graph.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
ITEMS = [
    ("urn:news:1", "Dockworkers strike in Rotterdam", "2024-03-04",
     "<p>Dockworkers of the <b>FNV</b> union went on strike at the port of Rotterdam on March 4, 2024.</p>"),
    ("urn:news:2", "Teachers march in Santiago", "2024-04-11",
     "<p>Members of the Colegio de Profesores marched in Santiago on April 11, 2024, demanding higher pay.</p>"),
    ("urn:news:3", "Metalworkers reach agreement", "2024-05-02",
     "<p>IG Metall reached an agreement with employers in Stuttgart on May 2, 2024.</p>"),
]
NEW_ITEM = ("urn:news:4", "Hotel workers strike in Los Angeles", "2024-07-08",
            "<p>Members of UNITE HERE Local 11 went on strike at the Hilton hotel in Los Angeles on July 8, 2024.</p>")


def rss(items: list[tuple[str, str, str, str]]) -> bytes:
    parts = [f"<item><guid isPermaLink=\"false\">{g}</guid><title>{escape(ti)}</title><link>https://news.example/{g[-1]}</link>"
             f"<pubDate>{formatdate(time.mktime(time.strptime(d, '%Y-%m-%d')), usegmt=True)}</pubDate>"
             f"<description>{escape(html)}</description></item>" for g, ti, d, html in items]
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Labor news</title>'
            f'<link>https://news.example/</link><description>News</description>{"".join(parts)}</channel></rss>').encode()


def atom(items: list[tuple[str, str, str, str]]) -> bytes:
    parts = [f'<entry><id>{g}</id><title>{escape(ti)}</title><link href="https://news.example/{g[-1]}"/>'
             f'<updated>{d}T08:00:00Z</updated><content type="html">{escape(html)}</content></entry>' for g, ti, d, html in items]
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>urn:labor-news</id>'
            f'<title>Labor news</title><updated>2024-07-08T08:00:00Z</updated>{"".join(parts)}</feed>').encode()


class FeedServer:
    """Feeds on 127.0.0.1: each path has a body and validators; every request is counted with its answer."""

    def __init__(self) -> None:
        self.sites: dict[str, dict[str, Any]] = {}
        self.log: list[tuple[str, int, str | None, str | None]] = []  # path, status, If-None-Match, If-Modified-Since
        self.version = 0

    def publish(self, path: str, body: bytes, *, etag: bool = True, kind: str = "application/rss+xml") -> None:
        """Put a new version of the feed at ``path`` (new validators)."""
        self.version += 1
        self.sites[path] = {"body": body, "type": kind, "etag": f'"v{self.version}"' if etag else None,
                            "modified": formatdate(1_700_000_000 + self.version * 60, usegmt=True)}

    def statuses(self, path: str) -> list[int]:
        return [s for p, s, _, _ in self.log if p == path]


@pytest.fixture
def server() -> Iterator[tuple[FeedServer, str]]:
    state = FeedServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            site = state.sites.get(self.path)
            inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
            if site is None:
                status = 404
            elif inm is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
                status = 304 if inm == site["etag"] else 200
            else:
                status = 304 if ims is not None and ims == site["modified"] else 200
            state.log.append((self.path, status, inm, ims))
            self.send_response(status)
            if site is not None:
                if site["etag"]:
                    self.send_header("ETag", site["etag"])
                self.send_header("Last-Modified", site["modified"])
            if status == 200:
                self.send_header("Content-Type", site["type"])
                self.send_header("Content-Length", str(len(site["body"])))
            self.end_headers()
            if status == 200:
                self.wfile.write(site["body"])

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def count(store: Store, table: Any) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.mark.parametrize(("path", "build", "etag", "kind"), [
    ("/rss.xml", rss, True, "application/rss+xml"),  # ETag and Last-Modified
    ("/atom.xml", atom, False, "application/atom+xml"),  # Last-Modified only
])
def test_feeds_ingest_each_item_once_across_polls_and_restarts(server: tuple[FeedServer, str], tmp_path: Path,
                                                               path: str, build: Any, etag: bool, kind: str) -> None:
    srv, base = server
    url = base + path
    srv.publish(path, build(ITEMS), etag=etag, kind=kind)
    store = Store.open(str(tmp_path / "f.db"))
    first = fd.poll_feed(store, url, every=900)
    assert (first.status, first.new, first.failed) == (200, 3, [])
    assert count(store, t.documents) == 3 and count(store, t.feed_items) == 3
    with store.connect() as conn:
        doc = conn.execute(select(t.documents).where(t.documents.c.title == "Dockworkers strike in Rotterdam")).one()
    assert doc.source == "https://news.example/1" and doc.published == "2024-03-04"
    assert "<b>" not in doc.text and "Dockworkers of the FNV union went on strike" in doc.text

    second = fd.poll_feed(store, url)
    assert (second.status, second.new) == (304, 0) and srv.statuses(path) == [200, 304]
    _, _, inm, ims = srv.log[-1]
    assert (inm is not None) == etag and ims is not None  # the validators the server sent, sent back

    srv.publish(path, build([*ITEMS, NEW_ITEM]), etag=etag, kind=kind)
    third = fd.poll_feed(store, url)
    assert (third.status, third.new) == (200, 1) and count(store, t.documents) == 4
    store.close()

    store = Store.open(str(tmp_path / "f.db"))  # a restart
    assert fd.poll_feed(store, url).status == 304
    srv.publish(path, build([*ITEMS, NEW_ITEM]), etag=etag, kind=kind)  # same items, new validators: a full fetch
    again = fd.poll_feed(store, url)
    assert (again.status, again.new, again.known) == (200, 0, 0) and count(store, t.documents) == 4
    [row] = fd.list_feeds(store)
    assert row["items"] == 4 and row["last_status"] == 200 and row["every_seconds"] == 900 and row["last_error"] is None
    store.close()


def test_feeds_poller_killed_between_store_and_record_loses_and_duplicates_nothing(server: tuple[FeedServer, str],
                                                                                    store: Store) -> None:
    srv, base = server
    srv.publish("/rss.xml", rss(ITEMS))
    url = base + "/rss.xml"
    # what a poller killed after storing the documents and before recording the items leaves behind
    entries = fd.parse_feed(url, rss(ITEMS))
    docs = [d for _, d in (x for x in (fd.entry_document(e, url) for e in entries) if x is not None)]
    assert ingest_documents(docs, store).new == 3 and count(store, t.feed_items) == 0
    result = fd.poll_feed(store, url)
    assert (result.new, result.known) == (0, 3)
    assert count(store, t.documents) == 3 and count(store, t.feed_items) == 3


def test_feeds_item_raises_an_alert_through_the_hook(server: tuple[FeedServer, str], store: Store) -> None:
    srv, base = server
    srv.publish("/rss.xml", rss([ITEMS[0], ("urn:news:0", "Hotel workers rally", "2024-06-01",
                                            "<p>UNITE HERE Local 11 held a rally in Los Angeles on June 1, 2024.</p>")]))
    fd.poll_feed(store, base + "/rss.xml")
    add_watch(store, "UNITE HERE", who="ana")
    srv.publish("/rss.xml", rss([ITEMS[0], NEW_ITEM]))
    result = fd.poll_feed(store, base + "/rss.xml")
    assert result.new == 1 and result.program["watch"]["alerts"] == 1 and "1 alerts" in result.line()
    [alert] = list_alerts(store)
    assert alert["via"] == "local" and alert["source"] == "https://news.example/4"


@pytest.mark.parametrize("body", [
    b"<html><body><p>Not a feed at all</p></body></html>",
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title><item><title>Half',
    b"\x00\x01 garbage",
])
def test_feeds_malformed_feed_is_an_error_naming_the_url(server: tuple[FeedServer, str], store: Store, tmp_path: Path,
                                                         body: bytes) -> None:
    srv, base = server
    srv.publish("/bad.xml", body)
    url = base + "/bad.xml"
    with pytest.raises(InputError) as err:
        fd.poll_feed(store, url)
    assert str(err.value).startswith(url) and "feed" in str(err.value)
    result = CliRunner().invoke(main, ["watch-feed", url, "--once", "--db", str(tmp_path / "test.db")])
    assert result.exit_code == 1 and f"Error: {url}" in result.output
    assert count(store, t.feeds) == 0 and count(store, t.documents) == 0 and count(store, t.feed_items) == 0


def test_feeds_unreachable_registered_feed_records_the_error(server: tuple[FeedServer, str], store: Store) -> None:
    srv, base = server
    srv.publish("/rss.xml", rss(ITEMS[:1]))
    fd.poll_feed(store, base + "/rss.xml")
    srv.sites.clear()  # now a 404
    result = fd.poll_feed(store, base + "/rss.xml")
    assert result.error is not None and "HTTP 404" in result.error
    assert "HTTP 404" in fd.list_feeds(store)[0]["last_error"] and count(store, t.documents) == 1


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("15m", 900), ("1h", 3600), ("2d", 172800), (" 30M ", 1800)])
def test_feeds_parse_interval(text: str, seconds: int) -> None:
    assert fd.parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["15", "15 min", "1.5h", "-5m", "0s", "5s", "1h30m", "m"])
def test_feeds_parse_interval_rejects(text: str) -> None:
    with pytest.raises(InputError) as err:
        fd.parse_interval(text)
    assert err.value.field == "every" and repr(text) in str(err.value)


def test_feeds_cli_once_list_and_bad_interval(server: tuple[FeedServer, str], tmp_path: Path) -> None:
    srv, base = server
    srv.publish("/rss.xml", rss(ITEMS))
    db = str(tmp_path / "c.db")
    out = CliRunner().invoke(main, ["watch-feed", base + "/rss.xml", "--every", "1h", "--once", "--db", db])
    assert out.exit_code == 0 and "3 new" in out.output
    out = CliRunner().invoke(main, ["watch-feed", "--once", "--db", db])
    assert out.exit_code == 0 and "not modified" in out.output
    listing = CliRunner().invoke(main, ["feeds", "--db", db]).output
    assert f"{base}/rss.xml  every 3600s  3 items" in listing and "HTTP 304" in listing
    bad = CliRunner().invoke(main, ["watch-feed", base + "/rss.xml", "--every", "15x", "--db", db])
    assert bad.exit_code == 1 and "'15x' is not an interval" in bad.output


def _polled(db: str) -> bool:
    """True once the poller in the other process has recorded its first poll."""
    if not Path(db).exists():
        return False
    try:
        with closing(sqlite3.connect(db, timeout=1)) as conn:
            return bool(conn.execute("SELECT count(*) FROM feeds WHERE last_status = 200").fetchone()[0])
    except sqlite3.OperationalError:  # not migrated yet
        return False


@pytest.mark.slow
def test_feeds_watch_feed_stops_cleanly_on_ctrl_c_and_goes_on_after_restart(server: tuple[FeedServer, str], tmp_path: Path) -> None:
    srv, base = server
    srv.publish("/rss.xml", rss(ITEMS))
    db = str(tmp_path / "loop.db")
    cmd = [str(Path(sys.executable).parent / "solidarity"), "watch-feed", base + "/rss.xml", "--every", "10s", "--db", db]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not _polled(db):
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "3 new" in out and "stopped" in err
    store = Store.open(db)
    assert count(store, t.documents) == 3 and fd.poll_feed(store, base + "/rss.xml").status == 304
    store.close()


def test_feeds_web_page_and_api(server: tuple[FeedServer, str], store: Store) -> None:
    srv, base = server
    srv.publish("/rss.xml", rss(ITEMS))
    srv.publish("/bad.xml", b"<html>no feed</html>")
    client = TestClient(create_app(store=store))
    r = client.post("/api/v1/feeds", json={"url": base + "/rss.xml", "every": "30m"})
    assert r.status_code == 200 and r.json()["result"]["new"] == 3
    bad = client.post("/api/v1/feeds", json={"url": base + "/bad.xml"})
    assert bad.status_code == 400 and bad.json()["error"].startswith(base + "/bad.xml")
    assert client.post("/api/v1/feeds", json={"url": base + "/rss.xml", "every": "soon"}).status_code == 400
    assert client.post("/api/v1/feeds", json={"url": "file:///etc/passwd"}).status_code == 400
    assert client.post("/api/v1/feeds", data={"url": base + "/rss.xml"}).status_code == 415
    [feed] = client.get("/feeds.json").json()["feeds"]
    assert (feed["every"], feed["items"]) == ("30m", 3)
    assert client.post("/api/v1/feeds/poll", json={"feed": feed["id"]}).json()["result"]["status"] == 304
    page = client.get("/feeds")
    assert page.status_code == 200 and base + "/rss.xml" in page.text
    assert client.post("/api/v1/feeds/remove", json={"feed": feed["id"]}).json()["removed"] is True
    assert client.get("/api/v1/feeds").json()["feeds"] == [] and count(store, t.documents) == 3
