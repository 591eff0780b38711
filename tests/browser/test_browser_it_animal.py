"""The built "It -> animal" page in headless Chromium: the explorer answers like the model and
the bertviz views draw. (Its size is checked with every page's, in tests/book/test_book_build.py.)"""

from __future__ import annotations

import pytest

from conftest import open_page

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "chapters/it_animal"


@pytest.mark.weights
def test_explorer_flips_the_answer_with_the_adjective(browser, site_url):
    import transformer_lib as tl

    model = tl.load_it_model()
    with open_page(browser, f"{site_url}/{PAGE}.html") as (page, errors, _):
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


def test_bertviz_views_draw(browser, site_url):
    with open_page(browser, f"{site_url}/{PAGE}.html") as (page, errors, _):
        page.wait_for_selector("[id^='bertviz'] svg text", timeout=15_000)
        words = page.eval_on_selector_all("[id^='bertviz'] svg text", "els => els.map(e => e.textContent)")
        assert "animal" in words and "it" in words
        assert not errors, errors
