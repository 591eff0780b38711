"""Chapter "One block, three families": its questions are well formed and its check tells right from wrong."""

from __future__ import annotations

import numpy as np
import pytest

from transformer_lib.exercises import families as ex


def _correct_answer(q):
    return next(a for a in q["answers"] if a.get("correct"))


def test_numeric_answers_match_an_independent_count():
    qs = [q for q in ex.questions() if q["type"] == "numeric"]
    # prefix_lm_mask(3, 8): row t sees max(t + 1, 3) keys
    pairs = sum(max(t + 1, 3) for t in range(8))
    D, F = 768, 3072
    layer = (4 * D * D + 4 * D) + (2 * D * F + F + D) + 2 * 2 * D
    for q, want in zip(qs, (pairs, layer)):
        lo, hi = _correct_answer(q)["range"]
        assert lo <= want <= hi, (q["question"], want, lo, hi)


def right(prefix_len, T):
    t = np.arange(T)
    return (t[None, :] <= t[:, None]) | (t[None, :] < prefix_len)


def causal_only(prefix_len, T):  # forgot the prefix
    return np.tril(np.ones((T, T), dtype=bool))


def prefix_rows_full(prefix_len, T):  # the prefix sees the whole sentence, not only itself
    m = right(prefix_len, T)
    m[:prefix_len] = True
    return m


def off_by_one(prefix_len, T):
    t = np.arange(T)
    return (t[None, :] <= t[:, None]) | (t[None, :] <= prefix_len)


def test_check_accepts_a_correct_mask():
    v = ex.check_prefix_lm_mask(right)
    assert v.ok and v.message.startswith("Correct"), v.message


@pytest.mark.parametrize("wrong", [causal_only, prefix_rows_full, off_by_one])
def test_check_names_what_is_wrong(wrong):
    v = ex.check_prefix_lm_mask(wrong)
    assert not v.ok and v.message.startswith("Not yet") and "entry" in v.message, v.message


def test_numeric_feedback_says_which_side_before_the_hint():
    for q in (q for q in ex.questions() if q["type"] == "numeric"):
        low, high = q["answers"][1]["feedback"], q["answers"][2]["feedback"]
        assert low.startswith("Too small.") and high.startswith("Too large."), (low, high)
