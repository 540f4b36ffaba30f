"""The search page in a real browser (headless Chromium, Playwright) on a waitress server over the demo index."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlparse

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install playwright (the browser is Debian's chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def base_url(demo_copy, model_path, waitress_server):
    from service import create_app

    return waitress_server(create_app({"DATA_DIR": str(demo_copy), "MODEL_PATH": str(model_path), "API_KEY": ""}),
                           threads=4)


def test_search_facet_and_clear(browser, base_url):
    page = browser.new_page()
    try:
        page.goto(base_url + "/")
        assert "Tìm kiếm" in page.title()
        page.fill("input[name=q]", "khoi nghiep")
        with page.expect_navigation():
            page.press("input[name=q]", "Enter")
        assert parse_qs(urlparse(page.url).query)["q"] == ["khoi nghiep"]
        hits = page.locator("ol.hits li.hit")
        assert hits.count() > 0
        assert page.locator("ol.hits mark").count() > 0  # tone-less words highlighted in their toned form
        marked = {t.lower() for t in page.locator("ol.hits mark").all_inner_texts()}
        assert marked & {"khởi", "nghiệp"}
        total_before = page.locator("#summary strong").inner_text()

        facet = page.locator("section[data-facet=province] li a").first
        province = facet.get_attribute("data-value")
        count = int(page.locator("section[data-facet=province] li .count").first.inner_text())
        with page.expect_navigation():
            facet.click()
        query = parse_qs(urlparse(page.url).query)
        assert query["province"] == [province] and query["q"] == ["khoi nghiep"]
        chip = page.locator(".chip[data-filter=province]")
        assert province in chip.inner_text()
        assert page.locator("section[data-facet=province] li.on a").inner_text() == province
        assert page.locator("#summary strong").inner_text().replace(".", "") == str(count)
        shown = page.locator("ol.hits li.hit")
        assert shown.count() == min(count, 10)
        for i in range(shown.count()):
            assert province in shown.nth(i).locator(".badge.province").all_inner_texts()

        with page.expect_navigation():
            chip.locator("a.remove").click()
        query = parse_qs(urlparse(page.url).query)
        assert "province" not in query and query["q"] == ["khoi nghiep"]
        assert page.locator(".chip[data-filter=province]").count() == 0
        assert page.locator("#summary strong").inner_text() == total_before
    finally:
        page.close()
