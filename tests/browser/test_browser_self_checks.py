"""Issue 15 on the built page, in headless Chromium with no kernel: every chapter's self-check
renders all its questions; answering one question right and one wrong shows the feedback that
explains why; solutions stay hidden until opened and then show the check's "Correct"; the
glossary's Chinese terms are drawn with a CJK font (no tofu boxes)."""

from __future__ import annotations

import importlib
import re

import pytest

from conftest import chapters, open_page

pytestmark = [pytest.mark.book, pytest.mark.browser]

STEMS = [c.split("/", 1)[1] for c in chapters()]


def _questions(stem):
    return importlib.import_module(f"transformer_lib.exercises.{stem}").questions()


def _quiz_blocks(page):
    """One locator per rendered question (jupyterquiz wraps each in a div.Quiz with data-qnum)."""
    page.wait_for_selector(".Quiz[data-qnum]", timeout=10_000)
    return page.locator(".Quiz[data-qnum]")


@pytest.mark.parametrize("stem", STEMS)
def test_the_self_check_renders_every_question(browser, site_url, stem):
    qs = _questions(stem)
    with open_page(browser, f"{site_url}/chapters/{stem}.html") as (page, errors, _):
        blocks = _quiz_blocks(page)
        assert blocks.count() == len(qs) >= 3
        for i, q in enumerate(qs):
            shown = blocks.nth(i).locator("[id^=quizQn]").inner_text().strip()
            words = re.split(r"[$`\\]", _plain(q["question"]))[0].strip()  # the text before any math
            assert shown.startswith(words[:40]), (shown, words)
        assert not errors, errors


def _first(qs, kind):
    return next((i, q) for i, q in enumerate(qs) if q["type"] == kind)


# Pages answered right and wrong (the issue asks for one; three chapters from different parts).
ANSWERED = ["self_attention", "decoding", "modern_block"]


@pytest.mark.parametrize("stem", ANSWERED)
def test_a_wrong_then_a_right_choice_show_their_feedback(browser, site_url, stem):
    qs = _questions(stem)
    i, q = _first(qs, "multiple_choice")
    right = next(k for k, a in enumerate(q["answers"]) if a["correct"])
    wrong = next(k for k, a in enumerate(q["answers"]) if not a["correct"])
    with open_page(browser, f"{site_url}/chapters/{stem}.html") as (page, errors, _):
        block = _quiz_blocks(page).nth(i)
        feedback = block.locator(".Feedback")
        block.locator(".MCButton").nth(wrong).click()
        assert feedback.inner_text().startswith("Not quite.")
        assert feedback.inner_text() == _plain(q["answers"][wrong]["feedback"])
        block.locator(".MCButton").nth(right).click()
        assert feedback.inner_text().startswith("Correct.")
        assert not errors, errors


@pytest.mark.parametrize("stem", ANSWERED)
def test_a_wrong_then_a_right_number_show_their_feedback(browser, site_url, stem):
    qs = _questions(stem)
    i, q = _first(qs, "numeric")
    lo, hi = q["answers"][0]["range"]
    answer = (lo + hi) / 2
    wrong = hi + max(abs(answer), 1.0)
    with open_page(browser, f"{site_url}/chapters/{stem}.html") as (page, errors, _):
        block = _quiz_blocks(page).nth(i)
        box = block.locator("input.Input-text, input[type=text], input[type=number]").first
        feedback = block.locator(".Feedback")
        box.fill(repr(wrong))
        box.press("Enter")
        assert "Try again" in feedback.inner_text() and feedback.inner_text().startswith("Too large")
        box.fill(repr(answer))
        box.press("Enter")
        assert feedback.inner_text().startswith("Correct.")
        assert not errors, errors


def _plain(s):
    return re.sub(r"<[^>]+>", "", s).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@pytest.mark.parametrize("stem", [s for s in STEMS if s != "learning_path"])
def test_solutions_are_hidden_until_opened_and_their_check_says_correct(browser, site_url, stem):
    with open_page(browser, f"{site_url}/chapters/{stem}.html") as (page, errors, _):
        solutions = page.locator(".solution.dropdown, details.solution, .solution")
        assert solutions.count() >= 1
        sol = solutions.first
        verdict = sol.locator(".aho-verdict")
        assert verdict.count() >= 1 and not verdict.first.is_visible()
        sol.locator(".toggle-button, summary, .admonition-title").first.click()
        verdict.first.wait_for(state="visible", timeout=5_000)
        assert verdict.first.inner_text().startswith("Correct")
        assert not errors, errors


def test_glossary_chinese_terms_are_drawn_with_a_cjk_font(browser, site_url):
    with open_page(browser, f"{site_url}/appendix/glossary.html") as (page, errors, _):
        page.evaluate("document.fonts.ready")
        family = page.evaluate("getComputedStyle(document.body).fontFamily")
        assert "AHO CJK" in family, family
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        terms = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "dl.glossary dt"})["nodeIds"]
        texts = page.locator("dl.glossary dt").all_inner_texts()
        checked = 0
        for node, text in zip(terms, texts):
            n_cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
            if not n_cjk:
                continue
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            cjk = [f for f in fonts if f["isCustomFont"] and "CJK" in f["familyName"]]
            assert cjk and sum(f["glyphCount"] for f in cjk) >= n_cjk, (text, fonts)
            checked += 1
        assert checked >= 30
        assert not errors, errors
