"""Watchlists and alerts against real parts: an aiosmtpd SMTP server and an HTTP webhook receiver on 127.0.0.1.

Covers: a strike by a local of a watched union raises one alert, mailed with its quote and POSTed to
the webhook; a second report of the same strike (merged into the same event, or stored as an
event of its own) raises none, nor does re-extraction; an unwatched type and a rejected event raise
none; with the SMTP server down the alert is kept with the error and ``alerts deliver`` sends it
later; the Atom feed parses with feedparser; the CLI's JSON Lines carry the fields; the API is
JSON-only and same-origin.
"""

from __future__ import annotations

import json
import threading
import time
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import feedparser
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from solidarity_graph.cli import main
from solidarity_graph.curation import review_fact
from solidarity_graph.ingest import read_text
from solidarity_graph.pipeline import IngestSummary, ingest_documents, reextract
from solidarity_graph.program.alert_delivery import configure, get_settings
from solidarity_graph.program.watch import add_watch, list_alerts
from solidarity_graph.store import Store
from solidarity_graph.store import tables as t
from solidarity_graph.web.app import create_app
from tests.web.conftest import free_port

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from aiosmtpd.controller import Controller
    from fastapi.testclient import TestClient

UNION = ("UNITE HERE convention", "UNITE HERE held its convention in Las Vegas in June 2024.", "2024-06-30")
STRIKE = ("Hotel workers strike in Los Angeles",
          "Members of UNITE HERE Local 11 went on strike at the Hilton hotel in Los Angeles on July 8, 2024, demanding higher wages.",
          "2024-07-08")
# the same strike again: the writer merges this one into the first report's event...
SAME_MERGED = ("Los Angeles hotel strike continues",
               "On July 8, 2024, UNITE HERE Local 11 began a strike at the Hilton in Los Angeles. Talks resume next week.",
               "2024-07-09")
# ...and keeps this one apart (no place, dated by the document): same type, same day, same union
SAME_APART = ("Strike news", "The strike by UNITE HERE Local 11 continues, the union said.", "2024-07-08")
RALLY = ("Rally for hotel workers", "UNITE HERE Local 11 held a rally in Los Angeles on July 20, 2024.", "2024-07-21")
NURSES = ("Nurses strike", "The New York State Nurses Association went on strike in New York on January 9, 2023.", "2023-01-10")
PARENT_STRIKE = ("Boston hotel strike", "UNITE HERE went on strike at Marriott hotels in Boston on October 1, 2024.", "2024-10-02")


def ingest(store: Store, doc: tuple[str, str, str]) -> IngestSummary:
    title, body, published = doc
    return ingest_documents([read_text(f"{title}\n\n{body}", source=f"https://news.example/{title.replace(' ', '-')}",
                                       published=published)], store)


def alerts_raised(summary: IngestSummary) -> int:
    return int(summary.program.get("watch", {}).get("alerts", 0))


# ---- the real servers ----------------------------------------------------------------------------
class Mailbox:
    """aiosmtpd handler: keeps each message with the moment it arrived."""

    def __init__(self) -> None:
        self.messages: list[tuple[float, Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((time.perf_counter(), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


class Hooks:
    """What the webhook receiver got."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []


@pytest.fixture(scope="module")
def webhook() -> Iterator[tuple[Hooks, str]]:
    hooks = Hooks()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hooks.posts.append({"type": self.headers["Content-Type"], "json": json.loads(body)})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hooks, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


@pytest.fixture
def watched(store: Store, smtp: tuple[Mailbox, int], webhook: tuple[Hooks, str]) -> Store:
    """A store that knows UNITE HERE, watched by ana, alerts going to the SMTP server and the webhook."""
    ingest(store, UNION)
    add_watch(store, "UNITE HERE", who="ana")
    configure(store, who="test", smtp_host="127.0.0.1", smtp_port=smtp[1], mail_from="alerts@union.example",
              mail_to=["intl@union.example"], webhooks=[webhook[1]], base_url="http://127.0.0.1:8000", timeout=5.0)
    smtp[0].messages.clear()
    webhook[0].posts.clear()
    return store


# ---- tests ---------------------------------------------------------------------------------------
def test_watch_strike_of_a_local_alerts_once_by_mail_and_webhook(watched: Store, smtp: tuple[Mailbox, int],
                                                                 webhook: tuple[Hooks, str]) -> None:
    box, hooks = smtp[0], webhook[0]
    started = time.perf_counter()
    summary = ingest(watched, STRIKE)
    returned = time.perf_counter()
    assert summary.new == 1 and alerts_raised(summary) == 1
    [alert] = list_alerts(watched)
    assert (alert["event_type"], alert["entity"], alert["watched"], alert["via"]) == ("strike", "UNITE HERE Local 11", "UNITE HERE", "local")
    assert "went on strike at the Hilton" in alert["quote"] and alert["document"] == summary.stored_ids[0]

    assert len(box.messages) == 1
    arrived, msg = box.messages[0]
    body = msg.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
    assert "strike" in msg["Subject"] and "UNITE HERE Local 11" in msg["Subject"] and msg["To"] == "intl@union.example"
    assert alert["quote"] in body and "Los Angeles" in body and "2024-07-08" in body
    assert f"http://127.0.0.1:8000/document/{alert['document']}?hl=" in body
    print(f"\nalert e-mail arrived {arrived - started:.3f}s after ingest began, {returned - arrived:.3f}s before it returned "
          f"(ingest took {returned - started:.3f}s)")
    assert arrived - started < 60

    assert len(hooks.posts) == 1 and hooks.posts[0]["type"] == "application/json"
    assert hooks.posts[0]["json"]["alert"]["quote"] == alert["quote"]
    delivered = list_alerts(watched)[0]["delivered"]
    assert delivered["email"]["ok"] and delivered[f"webhook {webhook[1]}"]["status"] == 204

    # the same strike from two more reports, and the first extracted again: no second alert
    for doc in (SAME_MERGED, SAME_APART):
        assert alerts_raised(ingest(watched, doc)) == 0
    with watched.connect() as conn:
        strikes = conn.execute(select(func.count()).select_from(t.events).where(t.events.c.type == "strike")).scalar_one()
    assert strikes == 2  # one merged event and one event row of its own: both cases were met
    assert alerts_raised(reextract(watched, summary.stored_ids)) == 0
    assert len(list_alerts(watched)) == 1 and list_alerts(watched)[0]["event_id"] is not None
    assert len(box.messages) == 1 and len(hooks.posts) == 1


def test_watch_ignores_unwatched_types_and_rejected_events(watched: Store, smtp: tuple[Mailbox, int]) -> None:
    assert alerts_raised(ingest(watched, RALLY)) == 0  # a rally is not among the types watched
    nurses = ingest(watched, NURSES)  # nobody watches the nurses yet
    with watched.connect() as conn:
        event_id = conn.execute(select(t.events.c.id).where(t.events.c.document_id == nurses.stored_ids[0],
                                                            t.events.c.type == "strike")).scalar_one()
    review_fact(watched, "event", event_id, "rejected", who="curator", note="not a strike")
    add_watch(watched, "New York State Nurses Association", who="ana")
    assert alerts_raised(reextract(watched, nurses.stored_ids)) == 0  # the rejection holds; the event is there
    assert list_alerts(watched) == [] and smtp[0].messages == []


@pytest.mark.parametrize(("watch", "doc", "via", "entity"), [
    ("UNITE HERE Local 11", PARENT_STRIKE, "parent", "UNITE HERE"),
    ("UNITE HERE Local 11", STRIKE, "watched", "UNITE HERE Local 11"),
])
def test_watch_follows_the_hierarchy(store: Store, watch: str, doc: tuple[str, str, str], via: str, entity: str) -> None:
    ingest(store, RALLY)  # makes the local (and its union) known; a rally is not watched
    add_watch(store, watch, types=["strike"], who="ana")
    ingest(store, doc)
    assert [(a["via"], a["entity"]) for a in list_alerts(store)] == [(via, entity)]


def test_watch_smtp_down_keeps_the_alert_and_deliver_sends_it_later(watched: Store, smtp: tuple[Mailbox, int],
                                                                     webhook: tuple[Hooks, str], tmp_path: Path) -> None:
    configure(watched, who="test", smtp_port=free_port())  # nothing listens there
    summary = ingest(watched, STRIKE)
    assert summary.new == 1 and not summary.failed and alerts_raised(summary) == 1  # the ingest went through
    [alert] = list_alerts(watched)
    assert alert["delivered"]["email"]["ok"] is False and "127.0.0.1" in alert["delivered"]["email"]["error"]
    assert alert["delivered"][f"webhook {webhook[1]}"]["ok"] and smtp[0].messages == []

    configure(watched, who="test", smtp_port=smtp[1])
    result = CliRunner().invoke(main, ["alerts", "deliver", "--db", watched.engine.url.render_as_string(hide_password=False)])
    assert result.exit_code == 0, result.output
    assert "email: 1" in result.output
    assert len(smtp[0].messages) == 1 and alert["quote"] in smtp[0].messages[0][1].get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert list_alerts(watched)[0]["delivered"]["email"]["ok"] is True
    assert len(webhook[0].posts) == 1  # the webhook had it already: not sent twice
    assert CliRunner().invoke(main, ["alerts", "deliver", "--db", watched.engine.url.render_as_string(hide_password=False)]).output.strip() == "nothing to deliver"


def test_watch_atom_feed_parses_and_keeps_ids(watched: Store) -> None:
    ingest(watched, STRIKE)
    client = TestClient(create_app(store=watched))
    r = client.get("/alerts.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    ET.fromstring(r.content)  # well-formed XML
    feed = feedparser.parse(r.content)
    assert not feed.bozo and feed.version == "atom10"
    [entry] = feed.entries
    assert entry.title.startswith("strike: UNITE HERE Local 11") and "went on strike at the Hilton" in entry.summary
    assert entry.link.startswith("http://127.0.0.1:8000/document/")
    assert feedparser.parse(client.get("/alerts.atom").content).entries[0].id == entry.id


def test_watch_cli_lists_alerts_as_json_lines(watched: Store, tmp_path: Path) -> None:
    ingest(watched, STRIKE)
    db = watched.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["alerts", "--db", db, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    rec = json.loads(line)
    assert rec["event_type"] == "strike" and rec["entity"] == "UNITE HERE Local 11" and rec["date"] == "2024-07-08"
    assert "went on strike" in rec["quote"] and rec["document"] and rec["source"].startswith("https://news.example/")
    text = CliRunner().invoke(main, ["alerts", "--db", db, "--unread", "--mark-read"]).output
    assert text.startswith("*[") and "strike (happened)  UNITE HERE Local 11 (local of UNITE HERE)" in text
    assert CliRunner().invoke(main, ["alerts", "--db", db, "--unread"]).output.strip() == "No alerts."


@pytest.mark.parametrize(("args", "message"), [
    (["watch", "add", "Nobody's Union"], "no entity named"),
    (["watch", "add", "UNITE HERE", "--types", "strike,strikes"], "unknown event type 'strikes'"),
    (["alerts", "configure", "--webhook", "ftp://example.org/x"], "is not an http(s) URL"),
    (["alerts", "configure", "--mail-to", "nobody"], "is not an e-mail address"),
])
def test_watch_cli_names_bad_input(watched: Store, tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, [*args, "--db", watched.engine.url.render_as_string(hide_password=False)])
    assert result.exit_code == 1 and message in result.output
    assert get_settings(watched).webhooks != ["ftp://example.org/x"]


def test_watch_api_is_json_only_and_same_origin(watched: Store) -> None:
    ingest(watched, RALLY)  # makes the local known
    client = TestClient(create_app(store=watched))
    host = {"Origin": "http://testserver"}
    r = client.post("/api/v1/watches", json={"entity": "UNITE HERE Local 11", "types": ["strike", "lockout"]}, headers=host)
    assert r.status_code == 200 and r.json()["event_types"] == ["lockout", "strike"]
    assert client.post("/api/v1/watches", json={"entity": "UNITE HERE"}, headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.post("/api/v1/watches", data={"entity": "UNITE HERE"}).status_code == 415
    bad = client.post("/api/v1/watches", json={"entity": "Nobody's Union"})
    assert bad.status_code == 400 and bad.json()["ok"] is False and "no entity named" in bad.json()["error"]
    watches = client.get("/api/v1/watches").json()["watches"]
    assert sorted(w["entity"] for w in watches) == ["UNITE HERE", "UNITE HERE Local 11"]
    assert client.post("/api/v1/watches/remove", json={"watch": r.json()["watch"]}).json()["removed"] is True
    assert [w["entity"] for w in client.get("/api/v1/watches").json()["watches"]] == ["UNITE HERE"]
    page = client.get("/alerts")
    assert page.status_code == 200 and "UNITE HERE" in page.text and 'id="watch-form"' in page.text
    assert client.get("/alerts.json").json()["watches"][0]["who"] == "ana"


def test_watch_alert_leaving_by_mail_hides_a_protected_person(watched: Store, smtp: tuple[Mailbox, int],
                                                              webhook: tuple[Hooks, str]) -> None:
    from solidarity_graph.program.protect import PLACEHOLDER, protect_person

    ingest(watched, ("KMWU rally", "Park Seong-min spoke at a rally of the Korean Metal Workers' Union in Seoul on April 1, 2024.", "2024-04-02"))
    protect_person(watched, "Park Seong-min", who="curator", note="at risk")
    add_watch(watched, "Korean Metal Workers' Union", who="ana")
    summary = ingest(watched, ("Union leader arrested",
                               "Police arrested Park Seong-min, a leader of the Korean Metal Workers' Union, in Seoul on May 3, 2024.",
                               "2024-05-04"))
    assert alerts_raised(summary) == 1
    body = smtp[0].messages[-1][1].get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
    assert "Police arrested" in body and PLACEHOLDER in body and "Park" not in body
    assert "Park" not in json.dumps(webhook[0].posts[-1]) and "Park" not in json.dumps(list_alerts(watched))
    assert "Park Seong-min" in list_alerts(watched, reveal_protected=True)[0]["quote"]
