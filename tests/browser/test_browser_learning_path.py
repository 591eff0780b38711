"""The learning-path page in Chromium: clicking a box of the chapter map, or of figure 1, opens the
chapter it names (the links work on the static page, with no kernel)."""

from __future__ import annotations

import pytest

from conftest import open_page
from transformer_lib import book_map

pytestmark = [pytest.mark.book, pytest.mark.browser]


@pytest.mark.parametrize("selector, chapter", [
    (".aho-book-map g.aho-map-box[data-chapter='masking']", "masking"),
    (".aho-architecture g.aho-arch-box[data-component='cross_attention']", book_map.TEACHES["cross_attention"]),
    (".aho-architecture g.aho-arch-box[data-component='feed_forward']", book_map.TEACHES["feed_forward"]),
])
def test_clicking_a_box_opens_its_chapter(browser, site_url, selector, chapter):
    with open_page(browser, f"{site_url}/chapters/{book_map.MAP_PAGE}.html") as (page, errors, _):
        assert page.locator(".aho-book-map g.aho-map-box").count() == len(book_map.CHAPTERS)
        box = page.locator(selector).first
        box.scroll_into_view_if_needed()
        with page.expect_navigation():
            box.click()
        assert page.url.endswith(f"/chapters/{chapter}.html"), page.url
        assert page.locator("h1").first.inner_text().startswith(book_map.chapter(chapter).title[:12])
        assert not errors, errors
