"""Chapter "Positional encoding": its questions are well formed and right, and its checks accept
a right answer and name what is wrong in plausible wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from transformer_lib.exercises import positional_encoding as ex


def _numeric_answer(q):
    lo, hi = q["answers"][0]["range"]
    return (lo + hi) / 2


def test_numeric_answers_match_an_independent_recomputation():
    qs = [q for q in ex.questions() if q["type"] == "numeric"]
    d = 64
    assert _numeric_answer(qs[0]) == pytest.approx(d / 2, abs=1e-6)  # sum of sin^2 + cos^2
    assert _numeric_answer(qs[1]) == pytest.approx(2 * np.pi * 10000 ** (2 / d), abs=1e-6)


def _paper(max_len, d):
    pos, i = np.arange(max_len)[:, None], np.arange(d // 2)[None, :]
    angle = pos / 10000 ** (2 * i / d)
    out = np.zeros((max_len, d))
    out[:, 0::2], out[:, 1::2] = np.sin(angle), np.cos(angle)
    return out


def _concatenated(max_len, d):
    pe = _paper(max_len, d)
    return np.concatenate([pe[:, 0::2], pe[:, 1::2]], axis=1)


def _tensor2tensor_spacing(max_len, d):
    pos, i = np.arange(max_len)[:, None], np.arange(d // 2)[None, :]
    angle = pos / 10000 ** (i / max(d // 2 - 1, 1))
    out = np.zeros((max_len, d))
    out[:, 0::2], out[:, 1::2] = np.sin(angle), np.cos(angle)
    return out


def _i_over_d(max_len, d):  # 10000^(i/d) instead of 10000^(2i/d)
    pos, i = np.arange(max_len)[:, None], np.arange(d // 2)[None, :]
    angle = pos / 10000 ** (i / d)
    out = np.zeros((max_len, d))
    out[:, 0::2], out[:, 1::2] = np.sin(angle), np.cos(angle)
    return out


def test_check_positional_encoding_accepts_the_paper_formula():
    v = ex.check_positional_encoding(_paper)
    assert v.ok and v.message.startswith("Correct")


@pytest.mark.parametrize("wrong", [_concatenated, _tensor2tensor_spacing, _i_over_d])
def test_check_positional_encoding_rejects_plausible_mistakes(wrong):
    v = ex.check_positional_encoding(wrong)
    assert not v.ok and "Not yet" in v.message and "entry" in v.message


def test_checks_do_not_raise_on_a_function_that_raises():
    def broken(*args):
        raise ZeroDivisionError("oops")

    for check in (ex.check_positional_encoding, ex.check_relative_matrix):
        v = check(broken)
        assert not v.ok and "ZeroDivisionError" in v.message


def _rotation(k, d):
    M = np.zeros((d, d))
    for i, w in enumerate(1 / 10000 ** (2 * np.arange(d // 2) / d)):
        c, s = np.cos(k * w), np.sin(k * w)
        M[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[c, s], [-s, c]]
    return M


def test_check_relative_matrix_accepts_a_right_answer_and_rejects_wrong_ones():
    assert ex.check_relative_matrix(_rotation).ok
    transposed = ex.check_relative_matrix(lambda k, d: _rotation(k, d).T)  # rotates the wrong way
    assert not transposed.ok and "entry" in transposed.message
    one_step = ex.check_relative_matrix(lambda k, d: _rotation(1, d))  # ignores k
    assert not one_step.ok and "Not yet" in one_step.message
    shape = ex.check_relative_matrix(lambda k, d: _rotation(k, d)[: d // 2])
    assert not shape.ok and "shape" in shape.message


def test_numeric_feedback_says_which_side_before_the_hint():
    for q in (q for q in ex.questions() if q["type"] == "numeric"):
        low, high = q["answers"][1]["feedback"], q["answers"][2]["feedback"]
        assert low.startswith("Too small.") and high.startswith("Too large."), (low, high)
