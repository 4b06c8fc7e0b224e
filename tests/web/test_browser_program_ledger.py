"""In Debian's Chromium: record a contribution on a fund's page and see the balance change; open the
Wabtec chain page and see its gaps marked in the table, the side list and the map."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solidarity_graph.pipeline import ingest_paths
from solidarity_graph.program import ledger
from solidarity_graph.program.chain import resolve_org
from solidarity_graph.store import Store
from tests.web.conftest import HAVE_CHROMIUM, live_server, new_page

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not HAVE_CHROMIUM, reason="Debian's chromium is not installed")]
WABTEC = Path(__file__).resolve().parents[2] / "solidarity_graph" / "data" / "sample" / "07_global_network_wabtec.txt"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    store = Store.open(str(tmp_path_factory.mktemp("ledger") / "b.db"))
    ingest_paths([WABTEC], store)
    fund = ledger.create_fund(store, "UE-FAT Solidarity Fund", "USD", who="tester")
    ledger.record_contribution(store, fund["id"], "100.00", source="UE", date="2024-05-01", who="tester")
    with live_server(store) as url:
        yield {"url": url, "store": store, "fund": fund["id"]}
    store.close()


@pytest.fixture
def page(browser: Any, site: dict[str, Any]) -> Iterator[Any]:
    with new_page(browser, site["url"]) as p:
        yield p


def test_browser_contribution_changes_the_balance(page: Any, site: dict[str, Any]) -> None:
    page.goto(f"{site['url']}/funds/{site['fund']}")
    assert page.inner_text("#balance-USD") == "100.00"
    page.fill("#entry-form input[name=amount]", "0.10")
    page.fill("#entry-form input[name=party]", "UE Local 506")
    page.fill("#entry-form input[name=purpose]", "May Day collection")
    with page.expect_navigation():
        page.click("#entry-form button")
    assert page.inner_text("#balance-USD") == "100.10"
    assert "May Day collection" in page.inner_text("#entries")
    page.fill("#entry-form input[name=amount]", "1,2.3")  # refused, and said so on the page
    page.fill("#entry-form input[name=party]", "UE")
    page.click("#entry-form button")
    page.wait_for_function("document.getElementById('entry-status').textContent.length > 0")
    assert "amount" in page.inner_text("#entry-status")
    assert page.inner_text("#balance-USD") == "100.10"
    assert ledger.reconcile(site["store"])["ok"]


def test_browser_wabtec_chain_marks_gaps(page: Any, site: dict[str, Any]) -> None:
    wabtec = int(resolve_org(site["store"], "Wabtec")["id"])
    page.goto(f"{site['url']}/employers")
    page.click("a.employer >> text=Wabtec")
    page.wait_for_url(f"**/employers/{wabtec}")
    assert page.locator("section#country-MX.gap").is_visible()
    assert "no union, the source says" in page.inner_text("section#country-MX")
    assert "no known union" in page.inner_text("section#country-BR tr.site.gap")
    assert "Contagem" in page.inner_text("#gaps")
    assert page.locator("#chain-map g.country.gap").count() == 2  # Brazil and Mexico shaded as gaps
    assert page.locator("#chain-map g.country.covered").count() == 3  # US, Italy, France
    before = page.evaluate("window.scrollY")
    page.locator("#chain-map g.country.mx").click()  # a shaded country leads to its rows
    assert page.evaluate("window.scrollY") > before
