"""Chapter "The cost of attention": its questions are well formed and its checks tell right from wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest

from transformer_lib.exercises import attention_cost as ex


def _correct_answer(q):
    return next(a for a in q["answers"] if a.get("correct"))


def test_numeric_answers_match_an_independent_count():
    qs = [q for q in ex.questions() if q["type"] == "numeric"]
    wants = (8192 ** 2 * 4 / 1e6, 2 * 4 - 1, math.ceil(15 / 3))
    assert len(qs) == len(wants)
    for q, want in zip(qs, wants):
        lo, hi = _correct_answer(q)["range"]
        assert lo <= want <= hi, (q["question"], want, lo, hi)


# ---------------------------------------------------------------- the dilated mask
def dilated(T, window, dilation):
    gap = np.arange(T)[:, None] - np.arange(T)[None, :]
    return (np.abs(gap) < window * dilation) & (gap % dilation == 0)


def dilated_window_not_scaled(T, window, dilation):  # |t - s| < window: fewer keys, not spread out
    gap = np.arange(T)[:, None] - np.arange(T)[None, :]
    return (np.abs(gap) < window) & (gap % dilation == 0)


def dilated_one_sided(T, window, dilation):  # only looks back
    gap = np.arange(T)[:, None] - np.arange(T)[None, :]
    return (gap >= 0) & (gap < window * dilation) & (gap % dilation == 0)


def test_dilated_check_accepts_a_correct_mask():
    v = ex.check_dilated_mask(dilated)
    assert v.ok, v.message


@pytest.mark.parametrize("wrong", [dilated_window_not_scaled, dilated_one_sided])
def test_dilated_check_names_what_is_wrong(wrong):
    v = ex.check_dilated_mask(wrong)
    assert not v.ok and "entry" in v.message, v.message


# ---------------------------------------------------------------- the online softmax
def online(x, block_size):
    x = np.asarray(x, dtype=float)
    m = np.full(x.shape[:-1] + (1,), -np.inf)
    total = np.zeros_like(m)
    for start in range(0, x.shape[-1], block_size):
        block = x[..., start:start + block_size]
        m_new = np.maximum(m, block.max(-1, keepdims=True))
        shift = np.where(np.isfinite(m_new), m_new, 0.0)
        total = total * np.exp(m - shift) + np.exp(block - shift).sum(-1, keepdims=True)
        m = m_new
    shift = np.where(np.isfinite(m), m, 0.0)
    return np.exp(x - shift) / np.where(total == 0, 1.0, total)


def no_running_max(x, block_size):  # exp overflows on large scores
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        total = sum(np.exp(x[..., s:s + block_size]).sum(-1, keepdims=True) for s in range(0, x.shape[-1], block_size))
        return np.exp(x) / total


def no_rescale(x, block_size):  # keeps the old sum when the maximum grows
    x = np.asarray(x, dtype=float)
    m = np.full(x.shape[:-1] + (1,), -np.inf)
    total = np.zeros_like(m)
    for start in range(0, x.shape[-1], block_size):
        block = x[..., start:start + block_size]
        m_new = np.maximum(m, block.max(-1, keepdims=True))
        shift = np.where(np.isfinite(m_new), m_new, 0.0)
        total = total + np.exp(block - shift).sum(-1, keepdims=True)
        m = m_new
    shift = np.where(np.isfinite(m), m, 0.0)
    return np.exp(x - shift) / np.where(total == 0, 1.0, total)


def nan_on_masked_row(x, block_size):  # the textbook formula: 0/0 on a row of -inf
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        e = np.exp(x - x.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)


def test_online_softmax_check_accepts_a_correct_function():
    v = ex.check_online_softmax(online)
    assert v.ok, v.message


@pytest.mark.parametrize("wrong", [no_running_max, no_rescale, nan_on_masked_row])
def test_online_softmax_check_names_what_is_wrong(wrong):
    v = ex.check_online_softmax(wrong)
    assert not v.ok and v.message.startswith("Not yet") and "entry" in v.message, v.message


def test_numeric_feedback_says_which_side_before_the_hint():
    for q in (q for q in ex.questions() if q["type"] == "numeric"):
        low, high = q["answers"][1]["feedback"], q["answers"][2]["feedback"]
        assert low.startswith("Too small.") and high.startswith("Too large."), (low, high)
