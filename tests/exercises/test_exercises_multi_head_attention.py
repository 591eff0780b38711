"""Chapter "Multi-head attention": its questions are well formed and right, and its checks
accept a right answer and name what is wrong in plausible wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from transformer_lib.exercises import multi_head_attention as ex


def _numeric_answer(q):
    lo, hi = q["answers"][0]["range"]
    return (lo + hi) / 2


def test_numeric_answers_match_an_independent_recomputation():
    params, rank = [_numeric_answer(q) for q in ex.questions() if q["type"] == "numeric"]
    assert params == pytest.approx(4 * 768 * 768)
    assert rank == pytest.approx(256 // 8)


def _split(x, n_heads):
    *lead, T, D = x.shape
    return np.moveaxis(x.reshape(*lead, T, n_heads, D // n_heads), -2, -3)


def _softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _mha(X, W_Q, W_K, W_V, W_O, n_heads, scale_by="head", project=True):
    q, k, v = (_split(X @ W, n_heads) for W in (W_Q, W_K, W_V))  # (H, T, Dh)
    d = q.shape[-1] if scale_by == "head" else X.shape[-1]
    heads = _softmax(q @ np.swapaxes(k, -1, -2) / np.sqrt(d)) @ v  # (H, T, Dh)
    concat = np.concatenate(list(heads), axis=-1)  # (T, D)
    return concat @ W_O if project else concat


def test_check_split_heads():
    assert ex.check_split_heads(_split).ok
    no_transpose = ex.check_split_heads(lambda x, h: x.reshape(*x.shape[:-2], h, x.shape[-2], -1))
    assert not no_transpose.ok and "entry" in no_transpose.message
    wrong_axis = ex.check_split_heads(lambda x, h: x.reshape(*x.shape[:-1], h, -1))  # (T, H, Dh)
    assert not wrong_axis.ok and "shape" in wrong_axis.message


def test_check_multi_head_attention():
    assert ex.check_multi_head_attention(_mha).ok
    by_d_model = ex.check_multi_head_attention(lambda *a: _mha(*a, scale_by="model"))
    assert not by_d_model.ok and "entry" in by_d_model.message
    no_W_O = ex.check_multi_head_attention(lambda *a: _mha(*a, project=False))
    assert not no_W_O.ok and "Not yet" in no_W_O.message


def test_checks_do_not_raise_on_a_function_that_raises():
    def broken(*args):
        raise ValueError("shapes")

    for check in (ex.check_split_heads, ex.check_multi_head_attention):
        v = check(broken)
        assert not v.ok and "ValueError" in v.message
    assert "not written yet" in ex.check_split_heads(lambda *a: (_ for _ in ()).throw(NotImplementedError)).message


def test_numeric_feedback_says_which_side_before_the_hint():
    for q in (q for q in ex.questions() if q["type"] == "numeric"):
        low, high = q["answers"][1]["feedback"], q["answers"][2]["feedback"]
        assert low.startswith("Too small.") and high.startswith("Too large."), (low, high)
