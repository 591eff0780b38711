"""The self-attention chapter's self-check and exercise: questions well formed, numeric answers
equal to an independent recomputation, and the check tells right attention from plausible wrong ones."""

from __future__ import annotations

import math

import numpy as np
import torch

from transformer_lib.exercises import self_attention as ex


def _answer(q):
    lo, hi = q["answers"][0]["range"]
    return (lo + hi) / 2


def test_numeric_answers_equal_an_independent_recomputation():
    numeric = [q for q in ex.questions() if q["type"] == "numeric"]
    assert math.isclose(_answer(numeric[0]), math.exp(3) / (math.exp(3) + 1), abs_tol=1e-6)  # 24/8 = 3 vs 0
    # Thinking Machines: q1.k1 = 16 * (4 + 1 + 1 + 1) = 112, q1.k2 = 16 * (4 + 1 + 1 + 0) = 96; / 8 -> 14, 12
    assert math.isclose(_answer(numeric[1]), 1 / (1 + math.exp(-2)), abs_tol=1e-6)


def _attention(scale=True, axis=-1, stable=True):
    def f(Q, K, V):
        s = Q @ np.swapaxes(K, -1, -2) / (np.sqrt(Q.shape[-1]) if scale else 1.0)
        if stable:
            s = s - s.max(axis, keepdims=True)
        with np.errstate(over="ignore", invalid="ignore"):
            w = np.exp(s) / np.exp(s).sum(axis, keepdims=True)
        return w @ V
    return f


def test_check_accepts_right_answers_in_numpy_and_torch():
    assert ex.check_attention(_attention()).ok
    torch_version = lambda Q, K, V: torch.nn.functional.scaled_dot_product_attention(
        *(torch.as_tensor(m) for m in (Q, K, V)))
    assert ex.check_attention(torch_version).ok


def test_check_names_what_is_wrong_in_plausible_wrong_answers():
    for wrong, where in ((_attention(scale=False), "input 1"),  # forgot the scaling
                         (_attention(axis=-2), "input 1"),  # softmax over the queries (transposed)
                         (_attention(stable=False), "input 4")):  # overflows on huge scores
        v = ex.check_attention(wrong)
        assert not v.ok and where in v.message and "expected" in v.message, v.message
    def with_K_T(Q, K, V):  # K.T reverses every axis: right for (S, Dk), wrong with batch dimensions
        return _attention()(Q, np.swapaxes(K.T, -1, -2), V)

    v = ex.check_attention(with_K_T)
    assert not v.ok and "(2, 3, 4, 8)" in v.message and "raised" in v.message, v.message


