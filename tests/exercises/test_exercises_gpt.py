"""The self-check and exercise of chapter "Decoder-only models (GPT)" (transformer_lib/exercises/gpt.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from transformer_lib.exercises import gpt as ex


def _numeric(qs, needle):
    (q,) = [q for q in qs if q["type"] == "numeric" and needle in q["question"]]
    lo, hi = q["answers"][0]["range"]
    return lo, hi


def test_numeric_answers_equal_an_independent_recomputation():
    qs = ex.questions()
    # top-p by hand: sort, keep while the mass ranked above is below p
    probs, p, mass, kept = sorted(ex.TOP_P_PROBS, reverse=True), ex.TOP_P, 0.0, 0
    for x in probs:
        if mass >= p:
            break
        kept, mass = kept + 1, mass + x
    lo, hi = _numeric(qs, "top-p")
    assert kept == 3 and lo <= kept <= hi and not lo <= kept - 1 <= hi and not lo <= kept + 1 <= hi
    mb = 2 * 12 * 1024 * 768 * 2 / 1e6  # K and V, layers, positions, d_model, bytes
    lo, hi = _numeric(qs, "GPT-2 small")
    assert lo <= mb <= hi and hi - lo < 0.05 * mb


def _right(logits, p):
    probs = torch.softmax(logits, -1)
    sorted_p, order = probs.sort(-1, descending=True)
    keep_sorted = (sorted_p.cumsum(-1) - sorted_p) < p
    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
    return logits.masked_fill(~keep, float("-inf"))


def _cumsum_includes_self(logits, p):  # drops the token that crosses p
    probs = torch.softmax(logits, -1)
    sorted_p, order = probs.sort(-1, descending=True)
    keep = torch.zeros_like(sorted_p, dtype=torch.bool).scatter(-1, order, sorted_p.cumsum(-1) < p)
    return logits.masked_fill(~keep, float("-inf"))


def _last_axis_only_for_1d(logits, p):  # sorts the flattened tensor: wrong with batch dimensions
    flat = logits.reshape(-1)
    return _right(flat, p).reshape(logits.shape) if logits.ndim > 1 else _right(logits, p)


def _zeros_instead_of_minus_inf(logits, p):
    out = _right(logits, p)
    return out.masked_fill(out == float("-inf"), 0.0)


def test_check_top_p_accepts_a_right_answer():
    v = ex.check_top_p(_right)
    assert v.ok and v.message.startswith("Correct"), v.message


@pytest.mark.parametrize("wrong", [_cumsum_includes_self, _last_axis_only_for_1d, _zeros_instead_of_minus_inf])
def test_check_top_p_names_what_is_wrong(wrong):
    v = ex.check_top_p(wrong)
    assert not v.ok and v.message.startswith("Not yet") and "input" in v.message, v.message


def test_the_reference_passes_its_own_cases():
    for logits, p in ex._top_p_cases():
        out = _right(logits, p)
        assert np.isfinite(out.numpy()).any(axis=-1).all()  # the top token always survives
