"""Chapter "The modern block": its questions are well formed and its checks tell right from wrong."""

from __future__ import annotations

import numpy as np
import pytest

from transformer_lib.exercises import modern_block as ex


def _correct_answer(q):
    return next(a for a in q["answers"] if a.get("correct"))


def test_numeric_answers_match_an_independent_count():
    qs = [q for q in ex.questions() if q["type"] == "numeric"]
    wants = (1.0, round(8 * 768 / 3), 64 / 8)
    assert len(qs) == len(wants)
    for q, want in zip(qs, wants):
        lo, hi = _correct_answer(q)["range"]
        assert lo <= want <= hi, (q["question"], want, lo, hi)


# ---------------------------------------------------------------- RMSNorm
def rms(x, gamma, eps):
    return x / np.sqrt((x ** 2).mean(-1, keepdims=True) + eps) * gamma


def layer_norm_instead(x, gamma, eps):  # subtracts the mean
    c = x - x.mean(-1, keepdims=True)
    return c / np.sqrt((c ** 2).mean(-1, keepdims=True) + eps) * gamma


def eps_outside(x, gamma, eps):  # eps added after the square root
    with np.errstate(all="ignore"):
        return x / (np.sqrt((x ** 2).mean(-1, keepdims=True)) + eps) * gamma


def mean_over_wrong_axis(x, gamma, eps):
    return x / np.sqrt((x ** 2).mean(0, keepdims=True) + eps) * gamma


def test_rms_check_accepts_a_correct_function():
    v = ex.check_rms_norm(rms)
    assert v.ok, v.message


@pytest.mark.parametrize("wrong", [layer_norm_instead, eps_outside, mean_over_wrong_axis])
def test_rms_check_names_what_is_wrong(wrong):
    v = ex.check_rms_norm(wrong)
    assert not v.ok and v.message.startswith("Not yet") and "entry" in v.message, v.message


# ---------------------------------------------------------------- RoPE
def _angles(x):
    T, Dh = x.shape[-2], x.shape[-1]
    theta = 10000.0 ** (-2 * np.arange(Dh // 2) / Dh)
    return np.arange(T)[:, None] * theta[None, :]


def rotate_half(x):
    a = _angles(x)
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return np.concatenate([x1 * np.cos(a) - x2 * np.sin(a), x1 * np.sin(a) + x2 * np.cos(a)], -1)


def interleaved(x):  # the paper's pairing of neighbours: a valid RoPE, not the library's layout
    a = _angles(x)
    x1, x2 = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2], out[..., 1::2] = x1 * np.cos(a) - x2 * np.sin(a), x1 * np.sin(a) + x2 * np.cos(a)
    return out


def wrong_sign(x):  # rotates the other way
    a = _angles(x)
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return np.concatenate([x1 * np.cos(a) + x2 * np.sin(a), -x1 * np.sin(a) + x2 * np.cos(a)], -1)


def test_rotary_check_accepts_a_correct_function():
    v = ex.check_apply_rotary(rotate_half)
    assert v.ok, v.message


@pytest.mark.parametrize("wrong", [interleaved, wrong_sign])
def test_rotary_check_names_what_is_wrong(wrong):
    v = ex.check_apply_rotary(wrong)
    assert not v.ok and "entry" in v.message, v.message


def test_numeric_feedback_says_which_side_before_the_hint():
    for q in (q for q in ex.questions() if q["type"] == "numeric"):
        low, high = q["answers"][1]["feedback"], q["answers"][2]["feedback"]
        assert low.startswith("Too small.") and high.startswith("Too large."), (low, high)
