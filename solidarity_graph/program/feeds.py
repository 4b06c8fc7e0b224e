"""Feeds: poll RSS and Atom feeds and ingest each new item once, through the pipeline.

A feed is registered in the store (``feeds``) with its polling interval and the ETag and
Last-Modified its server last sent, so a poll asks with ``If-None-Match`` / ``If-Modified-Since``
and a ``304 Not Modified`` costs nothing. Each item (by its guid, else its link) becomes a
Document (title and text, HTML stripped, the item's date, the item's link as source) and goes
through :func:`solidarity_graph.pipeline.ingest_documents`, so the program's hooks (alerts...)
run on it. An item is recorded in ``feed_items`` only after its document is stored; a poller
killed in between finds the document stored on restart (document ids make ingest idempotent) and
records it then, so nothing is lost or stored twice. The validators are saved only when every new
item was stored, so a failed item is tried again at the next poll.

>>> poll_feed(store, "http://127.0.0.1:8000/rss.xml", every=900)   # doctest: +SKIP
PollResult(url='http://127.0.0.1:8000/rss.xml', status=200, new=3, ...)
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import http.client
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import feedparser
from sqlalchemy import delete, func, insert, or_, select, update

from solidarity_graph.errors import InputError
from solidarity_graph.model import Document
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t

__all__ = ["parse_interval", "PollResult", "add_feed", "remove_feed", "list_feeds", "fetch_feed", "parse_feed",
           "entry_document", "poll_feed", "due_in", "run_feeds", "DEFAULT_EVERY"]

DEFAULT_EVERY = 15 * 60
MAX_BYTES = 20 * 1024 * 1024
TIMEOUT = 30.0
USER_AGENT = "solidarity-graph-feeds/1"
_INTERVAL = re.compile(r"(\d+)([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# feedparser's complaints that still leave a readable feed (a charset or content type that lied)
_BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType, feedparser.UndeclaredNamespace)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def parse_interval(text: str) -> int:
    """Seconds in ``"90s"``, ``"15m"``, ``"1h"``, ``"1d"`` (a whole number and one unit; at least 10 seconds)."""
    m = _INTERVAL.fullmatch(text.strip().lower())
    if not m:
        raise InputError(f"{text!r} is not an interval such as 90s, 15m, 1h or 1d", field="every")
    seconds = int(m[1]) * _UNITS[m[2]]
    if seconds < 10:
        raise InputError(f"{text!r} is too short: poll at most every 10s", field="every")
    return seconds


def _check_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError as e:  # "Invalid IPv6 URL" and the like: a 500 before (issue 7)
        raise InputError(f"not a valid URL ({e})", path=url) from None
    if parts.scheme not in ("http", "https") or not parts.netloc:  # never file:// and the like
        raise InputError("a feed is an http or https URL", path=url)
    return url


# ---- the register -------------------------------------------------------------------------------
def _feed_row(conn: Any, url_or_id: str | int) -> Any:
    key = str(url_or_id)
    cond = t.feeds.c.id == int(key) if key.isdigit() else t.feeds.c.url == key
    return conn.execute(select(t.feeds).where(cond)).first()


def add_feed(store: Store, url: str, every: int = DEFAULT_EVERY) -> dict[str, Any]:
    """Register a feed (or change its interval) without polling it."""
    _check_url(url)
    with store.engine.begin() as conn:
        row = _feed_row(conn, url)
        if row is None:
            conn.execute(insert(t.feeds).values(url=url, every_seconds=every, created_at=_now()))
        else:
            conn.execute(update(t.feeds).where(t.feeds.c.id == row.id).values(every_seconds=every))
        return dict(_feed_row(conn, url)._mapping)


def remove_feed(store: Store, url_or_id: str | int) -> dict[str, Any]:
    """Stop polling a feed (its documents stay)."""
    with store.engine.begin() as conn:
        row = _feed_row(conn, url_or_id)
        if row is None:
            raise InputError(f"no feed {url_or_id}", field="feed")
        conn.execute(delete(t.feeds).where(t.feeds.c.id == row.id))
    return {"feed": int(row.id), "url": row.url, "removed": True}


def list_feeds(store: Store) -> list[dict[str, Any]]:
    """Every feed with its interval, last poll, last status and error, and how many items it gave."""
    n = select(t.feed_items.c.feed_id, func.count().label("n_items")).group_by(t.feed_items.c.feed_id).subquery()
    q = select(t.feeds, func.coalesce(n.c.n_items, 0).label("items")).outerjoin(n, n.c.feed_id == t.feeds.c.id).order_by(t.feeds.c.id)
    with store.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


# ---- fetching and parsing ------------------------------------------------------------------------
@dataclass
class Fetched:
    """What the server answered: status, body, and its validators for the next poll."""

    status: int
    body: bytes
    etag: str | None
    modified: str | None


def fetch_feed(url: str, etag: str | None = None, modified: str | None = None, timeout: float = TIMEOUT) -> Fetched:
    """GET the feed, conditional on the validators; a 304 comes back as ``status=304`` with no body."""
    req = urllib.request.Request(_check_url(url), headers={
        "User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"})
    if etag:
        req.add_header("If-None-Match", etag)
    if modified:
        req.add_header("If-Modified-Since", modified)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # an http(s) URL, checked above
            body = resp.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise InputError(f"bigger than {MAX_BYTES // (1024 * 1024)} MB", path=url)
            return Fetched(int(resp.status), body, resp.headers.get("ETag"), resp.headers.get("Last-Modified"))
    except urllib.error.HTTPError as e:
        if e.code == 304:
            return Fetched(304, b"", etag, modified)
        raise InputError(f"HTTP {e.code} {e.reason}", path=url) from e
    except (urllib.error.URLError, OSError) as e:
        raise InputError(f"cannot fetch: {getattr(e, 'reason', e)}", path=url) from e
    except (ValueError, http.client.HTTPException) as e:  # a host IDNA refuses, a space in the path, a
        # server that answers no HTTP: each was a 500 (issue 7)
        raise InputError(f"cannot fetch: {type(e).__name__}: {e}", path=url) from e


def parse_feed(url: str, body: bytes) -> list[Any]:
    """The entries of an RSS or Atom document; a malformed one raises InputError naming the URL and line."""
    try:
        parsed = feedparser.parse(body, response_headers={"content-location": url})
    except Exception as e:  # feedparser raises on some damaged input (a NUL in the declared encoding; issue 7)
        raise InputError(f"not a well-formed RSS or Atom feed: {type(e).__name__}: {e}", path=url) from None
    exc = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(exc, _BENIGN):
        line = exc.getLineNumber() if exc is not None and hasattr(exc, "getLineNumber") else None
        raise InputError(f"not a well-formed RSS or Atom feed: {exc}", path=url, line=line)
    if not parsed.get("version"):
        raise InputError("not an RSS or Atom feed", path=url)
    return list(parsed.entries)


def _item_key(entry: Any) -> str | None:
    key = entry.get("id") or entry.get("link")
    if not key:
        return None
    return str(key) if len(key) <= 300 else "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _plain(value: str) -> str:
    """Text of an entry field: HTML stripped by the project's HTML reader when it holds markup."""
    from solidarity_graph.ingest.html import html_to_text

    return html_to_text(value) if re.search(r"<[a-zA-Z!/]", value) else value.strip()


def _published(entry: Any) -> str | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not stamp:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(stamp), dt.UTC).date().isoformat()
    except (ValueError, OverflowError, OSError):  # a date out of range ("year 0"): no date (issue 7)
        return None


def entry_document(entry: Any, feed_url: str) -> tuple[str, Document] | None:
    """An entry as ``(item key, Document)``; None for an entry with no guid and no link, or no text."""
    key = _item_key(entry)
    if key is None:
        return None
    title = _plain(entry.get("title") or "")
    bodies = [c.get("value", "") for c in entry.get("content") or []] + [entry.get("summary") or ""]
    body = _plain(max(bodies, key=len))
    text = body if not title or body.startswith(title) else f"{title}\n\n{body}"
    if not text.strip():
        return None
    doc_id = hashlib.sha256(f"{feed_url}\x1f{key}".encode()).hexdigest()[:16]
    doc = Document(text=text, source=entry.get("link") or f"{feed_url}#{key}", title=title or None,
                   published=_published(entry), doc_id=doc_id, meta={"format": "feed", "feed": feed_url, "item": key})
    return key, doc


# ---- polling -------------------------------------------------------------------------------------
@dataclass
class PollResult:
    """What one poll did."""

    url: str
    status: int | None = None
    new: int = 0  # documents stored by this poll
    known: int = 0  # new items whose document was stored already (same text elsewhere, or before a restart)
    failed: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    program: dict[str, Any] = field(default_factory=dict)  # what the hooks reported (alerts raised...)

    def line(self) -> str:
        """One line for people."""
        if self.error:
            return f"{self.url}: error: {self.error}"
        if self.status == 304:
            return f"{self.url}: not modified"
        alerts = (self.program.get("watch") or {}).get("alerts", 0)
        return (f"{self.url}: {self.new} new, {self.known} already stored, {len(self.failed)} failed"
                + (f"; {alerts} alerts" if alerts else ""))


def _stored_id(conn: Any, doc: Document) -> str | None:
    row = conn.execute(select(t.documents.c.id).where(or_(t.documents.c.id == doc.id, t.documents.c.content_hash == doc.hash))).first()
    return str(row[0]) if row else None


def _ingest_items(store: Store, feed_id: int, items: list[tuple[str, Document]], result: PollResult) -> bool:
    """Store the new items and record them; True when every one of them is stored."""
    from solidarity_graph.pipeline import ingest_documents

    with store.connect() as conn:
        known = {r[0] for r in conn.execute(select(t.feed_items.c.item_key).where(
            t.feed_items.c.feed_id == feed_id, t.feed_items.c.item_key.in_([k for k, _ in items])))} if items else set()
        fresh = [(k, d) for k, d in dict(items).items() if k not in known]
        before = {k for k, d in fresh if _stored_id(conn, d)}
    summary = ingest_documents([d for _, d in fresh], store) if fresh else None
    if summary is not None:
        result.new, result.failed, result.program = summary.new, summary.failed, summary.program
    recovered: list[str] = []
    with store.engine.begin() as conn:
        for key, doc in fresh:
            doc_id = _stored_id(conn, doc)
            if doc_id is None:
                continue  # failed: not recorded, tried again next time
            conn.execute(insert(t.feed_items).values(feed_id=feed_id, item_key=key, document_id=doc_id, seen_at=_now()))
            if key in before:
                result.known += 1
                recovered.append(doc_id)
    if recovered:
        # stored by a poll killed before it recorded them: the hooks may not have run (they are idempotent)
        from solidarity_graph.program.hooks import after_ingest

        after_ingest(store, recovered)
    return not result.failed


def _record(store: Store, feed_id: int, **values: Any) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(t.feeds).where(t.feeds.c.id == feed_id).values(last_polled=_now(), **values))


def poll_feed(store: Store, url: str, *, every: int | None = None, timeout: float = TIMEOUT) -> PollResult:
    """Poll one feed now, registering it when new and ingesting its new items.

    A new feed that cannot be fetched or parsed raises InputError and nothing is stored; a
    registered one records the error on its row and returns it in the result.
    """
    with store.connect() as conn:
        row = _feed_row(conn, _check_url(url))
    result = PollResult(url=url)
    try:
        got = fetch_feed(url, row.etag if row else None, row.modified if row else None, timeout)
        entries = parse_feed(url, got.body) if got.status != 304 else []
    except InputError as e:
        if row is None:
            raise
        result.error = str(e)
        _record(store, row.id, last_error=result.error)
        return result
    feed = add_feed(store, url, every or (row.every_seconds if row else DEFAULT_EVERY))
    result.status = got.status
    if got.status == 304:
        _record(store, feed["id"], last_status=304, last_error=None)
        return result
    items = [x for x in (entry_document(e, url) for e in entries) if x is not None]
    complete = _ingest_items(store, feed["id"], items, result)
    values: dict[str, Any] = {"last_status": got.status, "last_error": None}
    if complete:  # keep the old validators otherwise, so the failed items come again
        values.update(etag=got.etag, modified=got.modified)
    else:
        values["last_error"] = "; ".join(f"{src}: {why}" for src, why in result.failed)[:2000]
    _record(store, feed["id"], **values)
    return result


def due_in(feed: dict[str, Any], now: dt.datetime | None = None) -> float:
    """Seconds until the feed is due (0 or less: poll it now)."""
    if not feed.get("last_polled"):
        return 0.0
    now = now or dt.datetime.now(dt.UTC)
    last = dt.datetime.fromisoformat(feed["last_polled"])
    return float(feed["every_seconds"]) - (now - last).total_seconds()


def run_feeds(store: Store, urls: list[str] | None, *, once: bool, report: Callable[[PollResult], None],
              sleep: Callable[[float], None]) -> None:
    """Poll ``urls`` (default: every registered feed) as each falls due, until interrupted; with ``once``,
    poll each one now and return. The schedule lives in the store, so a restarted poller goes on."""
    while True:
        feeds = [f for f in list_feeds(store) if urls is None or f["url"] in urls]
        for f in feeds:
            if once or due_in(f) <= 0:
                report(poll_feed(store, f["url"]))
        if once or not feeds:
            return
        wait = min(due_in(f) for f in list_feeds(store) if urls is None or f["url"] in urls)
        sleep(max(1.0, wait))
