"""The self-check on the page "Positional encoding" works with no kernel: answer a numeric and a
multiple-choice question wrong, then right, and see the feedback each time (jupyterquiz)."""

from __future__ import annotations

import pytest

from conftest import open_page

pytestmark = [pytest.mark.book, pytest.mark.browser]


def test_positional_quiz_gives_feedback_for_wrong_and_right_answers(browser, site_url):
    with open_page(browser, f"{site_url}/chapters/positional_encoding.html") as (page, errors, loaded):
        # jupyterquiz: each question is a div.Quiz holding the question (.NumericQn or
        # .MultipleChoiceQn), its answer area and its .Feedback
        numeric = page.locator(".Quiz").filter(has=page.locator(".NumericQn")).first
        numeric.wait_for(timeout=15_000)
        box, feedback = numeric.locator("input.Input-text"), numeric.locator(".Feedback")
        box.click()
        box.type("1")
        box.press("Enter")
        assert "Try again" in feedback.inner_text()
        box.click()  # focus clears the box
        box.type("32")  # d_model / 2 for d_model = 64
        box.press("Enter")
        assert feedback.inner_text().startswith("Correct")

        choice = page.locator(".Quiz").filter(has=page.locator(".MultipleChoiceQn")).first
        choice.locator(".MCButton", has_text="They stay in the original order.").click()
        assert "Not quite" in choice.locator(".Feedback").inner_text()
        choice.locator(".MCButton", has_text="They are shuffled the same way").click()
        assert "Correct" in choice.locator(".Feedback").inner_text()
        assert not errors, errors
