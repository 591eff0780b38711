"""Browser checks specific to the chapters "Training" and "Decoding"."""

from __future__ import annotations

import pytest

from conftest import open_page

pytestmark = [pytest.mark.book, pytest.mark.browser]


def test_translation_view_translates_the_chosen_sentence(browser, site_url):
    with open_page(browser, f"{site_url}/chapters/training.html") as (page, errors, _):
        view = page.locator(".aho-explorer", has_text="French → English")
        assert view.count() == 1
        caption = view.locator(".aho-caption")
        assert caption.inner_text().startswith("je suis étudiant → i am a student")
        select = view.locator("[data-aho-control='sentence']")
        options = select.evaluate("e => Array.from(e.options).map(o => o.textContent)")
        select.select_option(str(options.index("merci")))
        assert caption.inner_text().startswith("merci → thanks")
        # two heatmaps: the per-step distributions and the cross-attention
        assert view.locator(".aho-stage svg").count() == 2
        assert not errors, errors


def test_bertviz_view_draws(browser, site_url):
    with open_page(browser, f"{site_url}/chapters/training.html") as (page, errors, _):
        page.wait_for_selector("[id^='bertviz-'] svg", timeout=15_000)
        options = page.eval_on_selector_all("[id^='bertviz-'] select option", "els => els.map(e => e.textContent)")
        assert options == ["Encoder", "Decoder", "Cross"]
        assert not errors, errors


def test_decoding_page_reports_the_bars(browser, site_url):
    with open_page(browser, f"{site_url}/chapters/decoding.html") as (page, errors, _):
        text = page.locator("main").inner_text()
        assert "beam size 1 == greedy decoding" in text
        assert "held-out BLEU (sacrebleu): greedy" in text
        assert page.locator("main img").count() >= 4  # the figures
        assert not errors, errors
