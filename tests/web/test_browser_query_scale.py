"""A hub's entity page and graph in Debian's Chromium (issue 7): page through its events and relations, see the cap.

Skipped, saying why, where Chromium is absent.
"""

from __future__ import annotations

from typing import Any

import pytest

from solidarity_graph.store import Store
from tests.test_query_scale import HUB, build
from tests.web.conftest import HAVE_CHROMIUM, live_server, new_page

pytestmark = [pytest.mark.browser, pytest.mark.issue(7), pytest.mark.skipif(not HAVE_CHROMIUM, reason="Debian's chromium is not installed")]


def test_query_browser_pages_through_a_hub(browser: Any, store: Store) -> None:
    h = build(store)
    with live_server(store) as url, new_page(browser, url) as page:
        page.goto(f"{url}/entity/{HUB}")
        assert page.locator("ol.timeline > li").count() == 50
        assert "1–50 of 65" in page.inner_text("#events-pager")
        page.click("#events-pager a[rel=next]")
        page.wait_for_url("**events_page=2**")
        assert page.locator("ol.timeline > li").count() == 15 and "51–65 of 65" in page.inner_text("#events-pager")
        assert f"Event {h.events[-1]} happened." in page.inner_text("ol.timeline")
        page.click("#relations-pager a[rel=next]")
        page.wait_for_url("**relations_page=2**")
        assert "events_page=2" in page.url and page.locator("li[data-relation]").count() == 8
        page.goto(f"{url}/graph/{HUB}")
        page.wait_for_function("window.solidarityNetwork !== undefined")
        assert "(61)" in page.inner_text("#graph-capped")
        assert page.evaluate("window.solidarityNetwork.body.data.edges.get().find(e => e.to === 2).label") in ("3 events", "allied with ×2")
