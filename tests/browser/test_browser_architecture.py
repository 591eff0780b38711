"""Browser checks specific to the architecture chapters (embeddings, residuals and norms,
feed-forward, encoder-decoder): the normalisation explorer shows the library's frames, the
shape trace is an expandable table. (Page sizes: tests/book/test_book_build.py.)"""

from __future__ import annotations

import pytest

from conftest import open_page
from transformer_lib.views import norms

pytestmark = [pytest.mark.book, pytest.mark.browser]

def test_normalisation_explorer_shows_the_library_frames(browser, site_url):
    with open_page(browser, f"{site_url}/chapters/residuals_and_norms.html") as (page, errors, _):
        ex = page.locator(".aho-explorer").first
        assert ex.get_attribute("data-aho-mounted") == "1"
        norm_ctl = ex.locator("[data-aho-control='norm']")
        pad_ctl = ex.locator("[data-aho-control='pad_to']")
        for i, norm in enumerate(norms.NORMS):
            norm_ctl.select_option(str(i))
            for j, pad_to in enumerate(norms.PAD_TO):
                pad_ctl.evaluate("(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }", j)
                caption = ex.locator(".aho-caption").inner_text()
                assert caption == norms.normalisation_frame(norm, pad_to)["caption"]
        assert not errors, errors


def test_shape_trace_is_an_expandable_table(browser, site_url):
    with open_page(browser, f"{site_url}/chapters/encoder_decoder.html") as (page, errors, _):
        full = page.locator("details.hide").filter(has_text="Show code cell output")
        assert full.count() == 1, "the full shape trace should sit behind one 'Show code cell output' toggle"
        row = page.get_by_text("decoder_layers.0.cross_attn.W_Q", exact=False)
        assert not row.first.is_visible()
        full.first.locator("summary").click()
        assert row.first.is_visible()
        assert page.locator("pre").filter(has_text="generator").count() >= 2  # outline + full table
        assert not errors, errors
