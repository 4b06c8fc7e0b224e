"""Exchanges and commitments in Debian's Chromium: confirm a proposed exchange from the list and see it
confirmed; set a commitment's status and see it kept. Skipped, saying why, where Chromium is absent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.program import commitments as cm
from solidarity_graph.program import exchanges as ex
from solidarity_graph.store import Store
from tests.web.conftest import HAVE_CHROMIUM, live_server, new_page

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not HAVE_CHROMIUM, reason="Debian's chromium is not installed")]
SAMPLE = Path(__file__).resolve().parents[2] / "solidarity_graph" / "data" / "sample"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    store = Store.open(str(tmp_path_factory.mktemp("browser_exchanges") / "b.db"))
    ingest_paths([SAMPLE / "01_delegation_seoul.txt", SAMPLE / "02_convention_resolution.md"], store)
    with live_server(store) as url:
        yield {"url": url, "store": store}


def test_browser_exchanges_confirm_and_commitment_status(browser: Any, site: dict[str, Any]) -> None:
    store = site["store"]
    proposed = next(x for x in ex.list_exchanges(store, status="proposed") if x["items"])
    with new_page(browser, site["url"]) as page:
        page.goto(site["url"] + "/exchanges")
        row = page.locator(f"li.exchange[data-exchange='{proposed['id']}']")
        assert row.locator(".xstatus").inner_text() == "proposed"
        with page.expect_navigation():
            row.locator("button.confirm").click()
        assert page.locator(f"li.exchange[data-exchange='{proposed['id']}'] .xstatus").inner_text() == "confirmed"
        page.click(f"li.exchange[data-exchange='{proposed['id']}'] a.title")
        page.wait_for_url(f"**/exchanges/{proposed['id']}")
        assert page.locator("#exchange-status").inner_text() == "confirmed"
        assert page.locator("ol.itinerary a.src").count() > 0  # every item links to its sentence

        target = cm.list_commitments(store, status="open")[0]
        page.goto(site["url"] + "/commitments")
        form = page.locator(f"form.status-form[data-id='{target['id']}']")
        form.locator("select[name=status]").select_option("in_progress")
        form.locator("input[name=note]").fill("raised with the board")
        with page.expect_navigation():
            form.locator("button").click()
        assert page.locator(f"#c{target['id']} .cstatus").inner_text() == "in progress"
    assert ex.get_exchange(store, proposed["id"])["status"] == "confirmed"
    kept = cm.get_commitment(store, target["id"])
    assert kept["status"] == "in_progress" and kept["history"][-1]["note"] == "raised with the board"
