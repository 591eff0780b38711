"""The built "It -> animal" page in headless Chromium: the explorer answers like the model,
the bertviz views draw, and the page stays light."""

from __future__ import annotations

import pytest

from cdn import route_cdn

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "chapters/it_animal"


def _open(browser, site_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    route_cdn(page)
    page.goto(f"{site_url}/{PAGE}.html")
    page.wait_for_load_state("networkidle")
    return page, errors


def test_page_is_under_two_megabytes(built_book):
    size = (built_book / f"{PAGE}.html").stat().st_size
    assert size < 2_000_000, f"{PAGE}.html is {size / 1e6:.2f} MB"


def test_explorer_flips_the_answer_with_the_adjective(browser, site_url):
    import transformer_lib as tl

    model = tl.load_it_model()
    page, errors = _open(browser, site_url)
    try:
        ex = page.locator(".aho-explorer").first
        assert ex.get_attribute("data-aho-mounted") == "1"
        adjective = ex.locator("[data-aho-control='adjective']")
        options = adjective.evaluate("e => Array.from(e.options).map(o => o.textContent)")
        for word, noun in (("tired", "animal"), ("wide", "street")):
            adjective.select_option(str(options.index(word)))
            caption = ex.locator(".aho-caption").inner_text()
            assert f"too {word}" in caption
            expected = model.predict(f"the animal didn't cross the street because it was too {word} .")
            assert expected == noun and f"reads it as the {noun}" in caption
        assert not errors, errors
    finally:
        page.close()


def test_bertviz_views_draw(browser, site_url):
    page, errors = _open(browser, site_url)
    try:
        page.wait_for_selector("[id^='bertviz'] svg text", timeout=15_000)
        words = page.eval_on_selector_all("[id^='bertviz'] svg text", "els => els.map(e => e.textContent)")
        assert "animal" in words and "it" in words
        assert not errors, errors
    finally:
        page.close()
