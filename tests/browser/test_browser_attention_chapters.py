"""The pages "Masking", "Multi-head attention" and "Positional encoding" in headless Chromium.

bertviz's head view and model view draw (with require.js, d3 and jQuery loaded from the site's
own _static/vendor; open_page fails a test on any request to another host) and show the tokens
as text; hovering a token in a kernel-free heatmap highlights its row. (tests/browser/test_browser.py
already checks every page for console errors and every explorer's controls, and
tests/book/test_book_build.py every page's size.)
"""

from __future__ import annotations

import pytest

from conftest import open_page

pytestmark = [pytest.mark.book, pytest.mark.browser]

def test_bertviz_views_draw_with_the_tokens_as_text(browser, site_url):
    with open_page(browser, f"{site_url}/chapters/multi_head_attention.html") as (page, errors, loaded):
        for script in ("requirejs/require.js", "d3/d3.min.js", "jquery/jquery.min.js"):
            assert loaded.get(f"/_static/vendor/{script}") == 200, f"{script} was not loaded from the site: {sorted(loaded)}"
        roots = page.locator("div[id^='bertviz-']")
        assert roots.count() == 2, "expected a head view and a model view"
        head, model = roots.nth(0), roots.nth(1)
        page.wait_for_function("r => r.querySelectorAll('svg text').length > 0", arg=head.element_handle(), timeout=15_000)
        tokens = head.evaluate("r => Array.from(r.querySelectorAll('svg text')).map(t => t.textContent)")
        assert "<s>" in tokens, tokens  # the start token is drawn as text, not parsed as HTML
        assert head.locator("svg image, svg img, img").count() == 0
        lines = head.evaluate("r => r.querySelectorAll('svg line, svg path').length")
        assert lines > 20, "the head view drew no attention lines"
        layer_options = head.locator("select#layer option").count()
        assert layer_options == 2  # the lookup model has two layers
        page.wait_for_function("r => r.querySelectorAll('svg line, svg path').length > 0", arg=model.element_handle(), timeout=15_000)
        heads_and_layers = model.evaluate("r => Array.from(r.querySelectorAll('svg text')).map(t => t.textContent)")
        assert "Heads" in heads_and_layers and "Layers" in heads_and_layers
        box = model.bounding_box()
        assert box["width"] <= page.locator("main").bounding_box()["width"] + 1, "the model view overflows the page"
        # clicking a thumbnail opens bertviz's detail view with the tokens
        n_text = len(heads_and_layers)
        model.locator("svg rect[style*='opacity: 0']").last.dispatch_event("click")
        page.wait_for_timeout(300)
        after = model.evaluate("r => Array.from(r.querySelectorAll('svg text')).map(t => t.textContent)")
        assert len(after) > n_text and "<s>" in after, "clicking a thumbnail opened no detail view"
        # switching the head view's layer redraws it
        before = head.locator("#vis").inner_html()
        head.locator("select#layer").select_option(index=1)
        page.wait_for_timeout(300)
        assert head.locator("#vis").inner_html() != before
        assert not errors, errors


@pytest.mark.parametrize("chapter", ["masking", "multi_head_attention"])
def test_hovering_a_token_highlights_where_it_attends(browser, site_url, chapter):
    with open_page(browser, f"{site_url}/chapters/{chapter}.html") as (page, _, _):
        ex = page.locator(".aho-explorer").first
        label = ex.locator("text.aho-rowlabel").nth(1)
        label.scroll_into_view_if_needed()
        label.hover()
        faded = ex.evaluate("e => Array.from(e.querySelectorAll('rect[opacity]')).filter(r => r.getAttribute('opacity') !== '1').length")
        assert faded > 0, "hovering a row label faded nothing"
        page.mouse.move(0, 0)
        faded = ex.evaluate("e => Array.from(e.querySelectorAll('rect[opacity]')).filter(r => r.getAttribute('opacity') !== '1').length")
        assert faded == 0


def test_pad_tokens_are_shown_as_text_on_the_masking_page(browser, site_url):
    with open_page(browser, f"{site_url}/chapters/masking.html") as (page, _, _):
        ex = page.locator(".aho-explorer").first
        labels = ex.evaluate("e => Array.from(e.querySelectorAll('text')).map(t => t.textContent)")
        assert "<pad>" in labels
        assert ex.locator("pad").count() == 0  # never parsed as an element
