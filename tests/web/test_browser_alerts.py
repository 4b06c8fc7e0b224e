"""Alerts end to end in Debian's Chromium: watch a union from its entity page, ingest news of a strike by
one of its locals, see the alert on /alerts, mark it read; watch and unwatch from the alerts page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solidarity_graph.ingest import read_text
from solidarity_graph.pipeline import ingest_documents
from solidarity_graph.program.watch import list_alerts, list_watches
from solidarity_graph.query import find_entity
from solidarity_graph.store import Store
from tests.web.conftest import HAVE_CHROMIUM, live_server, new_page

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not HAVE_CHROMIUM, reason="Debian's chromium is not installed")]

RALLY = "Rally for hotel workers\n\nUNITE HERE Local 11 held a rally in Los Angeles on July 20, 2024."
STRIKE = ("Hotel workers strike in Los Angeles\n\nMembers of UNITE HERE Local 11 went on strike at the Hilton hotel "
          "in Los Angeles on July 8, 2024, demanding higher wages.")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[dict[str, Any]]:
    store = Store.open(str(tmp_path / "alerts.db"))
    ingest_documents([read_text(RALLY, source="https://news.example/rally", published="2024-07-21")], store)
    with live_server(store) as url:
        yield {"url": url, "store": store}
    store.close()


def test_browser_watch_from_entity_page_then_alert_listed(browser: Any, site: dict[str, Any]) -> None:
    store = site["store"]
    union = int(find_entity(store, "UNITE HERE")[0]["id"])
    with new_page(browser, site["url"]) as page:
        page.goto(f"{site['url']}/entity/{union}")
        page.click("#watch-entity button")
        page.wait_for_function("document.getElementById('watch-status').textContent.startsWith('Watching')")
        assert [w["entity"] for w in list_watches(store)] == ["UNITE HERE"]

        ingest_documents([read_text(STRIKE, source="https://news.example/strike", published="2024-07-08")], store)
        page.click("nav a[href='/alerts']")
        item = page.locator("ol.alerts li.unread")
        assert item.count() == 1
        text = item.inner_text()
        assert "strike" in text and "UNITE HERE Local 11" in text and "local of UNITE HERE" in text
        assert "went on strike at the Hilton" in page.inner_text("ol.alerts blockquote")
        assert page.inner_text("#unread-count") == "1"
        with page.expect_navigation():
            page.click("#mark-read")
        assert page.locator("ol.alerts li.unread").count() == 0 and page.inner_text("#unread-count") == "0"
        assert list_alerts(store)[0]["read"] is True


def test_browser_watch_and_unwatch_from_alerts_page(browser: Any, site: dict[str, Any]) -> None:
    with new_page(browser, site["url"]) as page:
        page.goto(site["url"] + "/alerts")
        page.fill("#watch-form input[name=entity]", "UNITE HERE Local 11")
        page.fill("#watch-form input[name=types]", "strike, lockout")
        with page.expect_navigation():
            page.click("#watch-form button")
        row = page.locator("ul.watches li").first
        assert "UNITE HERE Local 11" in row.inner_text() and "lockout, strike" in row.inner_text()
        with page.expect_navigation():
            row.locator("button.unwatch").click()
        assert page.locator("ul.watches li").inner_text() == "Nothing watched."
        page.fill("#watch-form input[name=entity]", "Nobody's Union")
        page.once("dialog", lambda d: d.accept())
        page.click("#watch-form button")
        page.wait_for_timeout(300)
        assert list_watches(site["store"]) == []
