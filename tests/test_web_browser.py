"""The site in a real browser (Debian's chromium through Playwright) against a real server.

Skips when /usr/bin/chromium or Playwright is missing. With ARCHIVE_SCREENSHOTS=1
it also saves docs/screenshots/search.png and document.png, taken on the
bundled corpus (corpus/) when it is there.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

if not CHROMIUM.exists():
    pytest.skip("no /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)
playwright_sync = pytest.importorskip("playwright.sync_api")

sys.path.insert(0, str(Path(__file__).parent))
from test_web_api import LiveServer, build_index  # noqa: E402  (helpers shared with the HTTP tests)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from search.web import create_app

    info = build_index(tmp_path_factory.mktemp("browser"))
    live = LiveServer(create_app(info["index_dir"])).start()
    info["url"] = live.url
    yield info
    live.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: problems.append(str(exc)))
    tab.problems = problems
    yield tab
    context.close()


def hits(page) -> list[str]:
    return page.locator("ol.hits .hit-title a").all_inner_texts()


def search(page, site, query: str) -> None:
    page.goto(site["url"] + "/")
    page.fill("#q", query)
    with page.expect_navigation():
        page.press("#q", "Enter")


def test_search_then_a_facet_narrows_the_results(page, site):
    search(page, site, "ECPAT")
    assert re.search(rf"\b{site['public_count']} documents\b", page.inner_text("#result-count"))
    assert len(hits(page)) == 10
    page.locator(".facet-lang a.facet-link", has_text="Dutch").click()
    page.wait_for_load_state()
    assert "lang=nl" in page.url
    count = int(re.search(r"(\d+) documents?", page.inner_text("#result-count")).group(1))
    assert 0 < count < site["public_count"]
    assert all("Dutch" in meta for meta in page.locator("ol.hits .hit-meta").all_inner_texts())
    chip = page.locator(".chips a.chip", has_text="Dutch")
    assert chip.is_visible()
    chip.click()
    page.wait_for_load_state()
    assert "lang=" not in page.url and len(hits(page)) == 10
    assert page.problems == []  # no CSP violation, no script error


def test_pagination_to_page_two(page, site):
    search(page, site, "ECPAT")
    first_page = hits(page)
    page.locator("nav.pagination a[rel=next]").click()
    page.wait_for_load_state()
    assert "page=2" in page.url
    second_page = hits(page)
    assert len(second_page) == site["public_count"] - 10
    assert not set(first_page) & set(second_page)
    assert page.get_attribute("ol.hits", "start") == "11"
    assert page.locator("nav.pagination a[aria-current=page] span[aria-hidden=true]").inner_text() == "2"


def test_document_page_highlights_the_query(page, site):
    search(page, site, "kinderhandel")
    title = page.locator("ol.hits .hit-title a").first
    title.click()
    page.wait_for_load_state()
    assert "/documents/" in page.url and "q=kinderhandel" in page.url
    marks = page.locator(".passage-text mark").all_inner_texts()
    assert marks and all(m.lower() == "kinderhandel" for m in marks)
    assert page.locator("h1#doc-title").is_visible()
    assert page.locator("aside.similar h2").inner_text() == "Similar documents"


def test_language_switch_changes_the_interface(page, site):
    page.goto(site["url"] + "/?q=ECPAT")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("form.search-form button[type=submit] >> nth=0") == "Search"
    page.locator("nav.lang-switch a[hreflang=fr]").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "fr"
    assert page.inner_text("form.search-form button[type=submit] >> nth=0") == "Rechercher"
    assert "q=ECPAT" in page.url  # the switch keeps the search
    page.goto(site["url"] + "/stats")  # the choice is remembered (cookie)
    assert page.get_attribute("html", "lang") == "fr"
    assert page.locator("h1").inner_text() == "Vue d’ensemble des archives"
    page.locator("nav.lang-switch a[hreflang=nl]").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Overzicht van het archief"


def test_keyboard_only_use(page, site):
    page.goto(site["url"] + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("/")  # the script's shortcut to the search box
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("traite")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=traite" in page.url and hits(page)


def test_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False, locale="nl-BE")
    page = context.new_page()
    try:
        page.goto(site["url"] + "/")
        assert page.get_attribute("html", "lang") == "nl"
        page.fill("#q", "ECPAT")
        page.select_option("#sort", "date")
        page.locator("form.search-form button.secondary").click()
        page.wait_for_load_state()
        assert "sort=date" in page.url and len(hits(page)) == 10
        page.locator(".facet-year a.facet-link").first.click()
        page.wait_for_load_state()
        assert "year=" in page.url and hits(page)
    finally:
        context.close()


def test_overview_chart_renders(page, site):
    page.goto(site["url"] + "/stats")
    chart = page.locator("svg.chart").first
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 150
    assert page.locator("svg.chart rect").count() > 5
    page.locator("details summary").first.click()
    assert page.locator("table").first.is_visible()
    assert page.problems == []


# --- screenshots for the documentation -------------------------------------------------------


@pytest.mark.skipif(os.environ.get("ARCHIVE_SCREENSHOTS") != "1", reason="set ARCHIVE_SCREENSHOTS=1 to refresh docs/screenshots")
def test_screenshots(browser, tmp_path):
    from indexer.sync import sync
    from search.web import create_app

    corpus = ROOT / "corpus"
    if corpus.is_dir() and any(corpus.rglob("*.html")):
        index_dir = tmp_path / "index"
        sync([corpus], index_dir)
        query = os.environ.get("ARCHIVE_SCREENSHOT_QUERY", "traite enfants")
    else:
        index_dir = build_index(tmp_path)["index_dir"]
        query = "ECPAT"
    live = LiveServer(create_app(index_dir)).start()
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="fr-BE", viewport={"width": 1280, "height": 1000})
    try:
        page = context.new_page()
        page.goto(live.url + "/?q=" + query)
        page.screenshot(path=str(out / "search.png"))
        page.locator("ol.hits .hit-title a").first.click()
        page.wait_for_load_state()
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(out / "document.png"))
        page.goto(live.url + "/stats")
        page.screenshot(path=str(out / "stats.png"), full_page=True)
    finally:
        context.close()
        live.stop()
    assert (out / "search.png").stat().st_size > 10_000
