"""Browser checks specific to the chapters "Training" and "Decoding"."""

from __future__ import annotations

import re

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


@pytest.mark.weights
def test_decoding_page_reports_the_bleu_the_library_computes(browser, site_url):
    """The BLEU and exact-match figures the page prints equal those the library computes now
    for the shipped translator on the held-out split (a page showing BLEU 3 would fail)."""
    from transformer_lib.data import make_corpus
    from transformer_lib.tasks.translator import bleu_and_exact, load_translator, translate_batch

    with open_page(browser, f"{site_url}/chapters/decoding.html") as (page, errors, _):
        text = page.locator("main").inner_text()
        assert "beam size 1 == greedy decoding" in text
        bleu = re.search(r"held-out BLEU \(sacrebleu\): greedy ([\d.]+), beam 4 ([\d.]+)", text)
        exact = re.search(r"exact match: greedy ([\d.]+)%, beam 4 ([\d.]+)%", text)
        assert bleu and exact, "the page does not print the held-out BLEU and exact match"
        assert page.locator("main img").count() >= 4  # the figures
        assert not errors, errors
    translator = load_translator("translator")
    test = make_corpus(**translator.info["corpus"]).test
    references = [en for _, en in test]
    for i, k in enumerate((1, 4)):
        hyps = translate_batch(translator, [fr for fr, _ in test], beam=k, batch_size=len(test))
        want = bleu_and_exact(hyps, references)
        assert float(bleu.group(i + 1)) == pytest.approx(want["bleu"], abs=0.006), f"BLEU, beam {k}"  # printed to 2 decimals
        assert float(exact.group(i + 1)) == pytest.approx(want["exact"], abs=0.06), f"exact match, beam {k}"  # 1 decimal
