"""End to end in Debian's Chromium, driven by Playwright (executable /usr/bin/chromium).

Covers: search -> entity page -> graph -> click to a neighbor; merge two entities and see the result
everywhere; reject a fact and extract again; a Korean document in Korean glyphs; no request to any
other host; document text never runs as script. Skipped, saying why, where Chromium is absent
(.ci/run installs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solidarity_graph.pipeline import ingest_paths, reextract
from solidarity_graph.query import find_entity
from solidarity_graph.store import Store
from tests.web.conftest import HAVE_CHROMIUM, live_server, new_page

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not HAVE_CHROMIUM, reason="Debian's chromium is not installed")]
ROOT = Path(__file__).resolve().parents[2]


def _font(name: str) -> bool:
    import subprocess

    try:
        out = subprocess.run(["fc-list"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return name.lower() in out.lower()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("browser")
    store = Store.open(str(folder / "b.db"))
    (folder / "evil.txt").write_text("Evil\nDate: 2024-05-01\n\n<img src=x onerror=\"window.pwned=1\"> <script>window.pwned=1</script> KCTU rallied in Seoul on May 1, 2024.", encoding="utf-8")
    ingest_paths([ROOT / "solidarity_graph" / "data" / "sample", ROOT / "tests" / "data" / "browser", folder / "evil.txt"], store)
    with live_server(store) as url:
        yield {"url": url, "store": store}


@pytest.fixture
def page(browser: Any, site: dict[str, Any]) -> Iterator[Any]:
    with new_page(browser, site["url"]) as p:
        yield p


def test_browser_search_entity_graph_neighbor(page: Any, site: dict[str, Any]) -> None:
    page.goto(site["url"] + "/")
    page.fill("header input[type=search]", "KCTU")
    page.press("header input[type=search]", "Enter")
    page.click("a.entity >> text=Korean Confederation of Trade Unions")
    assert page.locator("h1").inner_text().startswith("Korean Confederation of Trade Unions")
    page.click("#graph-link")
    page.wait_for_function("window.solidarityNetwork !== undefined")
    page.wait_for_timeout(1500)  # let the layout settle
    center = int(page.get_attribute("#graph", "data-center"))
    target = page.evaluate("""(center) => {
        const net = window.solidarityNetwork; const ids = net.body.data.nodes.getIds().filter(i => i !== center);
        const id = ids[0]; const pos = net.canvasToDOM(net.getPositions([id])[id]);
        const box = document.getElementById('graph').getBoundingClientRect();
        return {id, x: box.left + pos.x, y: box.top + pos.y}; }""", center)
    page.mouse.dblclick(target["x"], target["y"])
    page.wait_for_url(f"**/entity/{target['id']}")
    assert page.locator("h1").is_visible()


def test_browser_merge_seen_everywhere(page: Any, site: dict[str, Any]) -> None:
    store = site["store"]
    keep = int(find_entity(store, "Korean Metal Workers' Union")[0]["id"])
    drop = int(find_entity(store, "KMWU Hyundai Motor Branch")[0]["id"])
    page.goto(f"{site['url']}/entity/{keep}")
    page.click("details.curate summary")
    page.fill("#merge-form input[name=drop]", str(drop))
    with page.expect_navigation():
        page.click("#merge-form button")
    assert "KMWU Hyundai Motor Branch" in page.inner_text("p.aliases")
    assert page.goto(f"{site['url']}/entity/{drop}").status == 404
    page.goto(f"{site['url']}/search?q=Hyundai+Motor+Branch")
    assert page.locator(f"a.entity[href='/entity/{keep}']").count() == 1


def test_browser_reject_then_extract_again(page: Any, site: dict[str, Any]) -> None:
    store = site["store"]
    eid = int(find_entity(store, "Carl Rosen")[0]["id"])
    page.goto(f"{site['url']}/entity/{eid}")
    first = page.locator("button.reject").first
    rel = first.get_attribute("data-id")
    fact = page.locator(f"li[data-relation='{rel}']").inner_text().split("reject")[0].strip()
    with page.expect_navigation():
        first.click()
    assert page.locator(f"li[data-relation='{rel}']").count() == 0
    reextract(store)
    page.goto(f"{site['url']}/entity/{int(find_entity(store, 'Carl Rosen')[0]['id'])}")
    shown = [li.split("reject")[0].strip() for li in page.locator("ul.facts li").all_inner_texts()]
    assert fact not in shown  # extracted again, and still not shown
    with site["store"].connect() as conn:
        from sqlalchemy import select

        from solidarity_graph.store import tables as t
        status = conn.execute(select(t.relations.c.review).where(t.relations.c.review.is_not(None))).scalars().all()
    assert status == ["rejected"]  # extracted again, still rejected


@pytest.mark.skipif(not _font("NanumGothic"), reason="fonts-nanum is not installed")
def test_browser_korean_glyphs_and_no_script(page: Any, site: dict[str, Any]) -> None:
    page.goto(site["url"] + "/search?q=노동절")
    page.click("text=민주노총 노동절 대회")
    assert "노동절" in page.inner_text("article.doctext")
    widths = page.evaluate("""() => { const c = document.createElement('canvas').getContext('2d');
        c.font = '32px NanumGothic'; const nanum = c.measureText('민주노총 노동절').width;
        c.font = '32px NoSuchFontAtAll'; const fallback = c.measureText('민주노총 노동절').width;
        return [nanum, fallback, getComputedStyle(document.body).fontFamily]; }""")
    assert widths[0] != widths[1], "NanumGothic is not installed (fonts-nanum)"
    assert widths[2].startswith('"NanumGothic"') or widths[2].startswith("NanumGothic")
    page.goto(site["url"] + "/search?q=rallied")
    page.click("ul.list a >> text=Evil")
    assert page.evaluate("window.pwned") is None
    assert "<script>" in page.inner_text("article.doctext")


@pytest.mark.skipif(not _font("Noto Sans CJK"), reason="fonts-noto-cjk is not installed")
def test_browser_japanese_glyphs(page: Any, site: dict[str, Any]) -> None:
    page.goto(site["url"] + "/search?q=全労連が東京で集会")
    page.click("ul.list a >> text=全労連が東京で集会")
    assert "メーデー" in page.inner_text("article.doctext")
    widths = page.evaluate("""() => { const c = document.createElement('canvas').getContext('2d');
        c.font = '32px "Noto Sans CJK JP"'; const cjk = c.measureText('全労連メーデー集会').width;
        c.font = '32px NoSuchFontAtAll'; const fallback = c.measureText('全労連メーデー集会').width;
        return [cjk, fallback]; }""")
    assert widths[0] != widths[1], "no Japanese font (fonts-noto-cjk)"
