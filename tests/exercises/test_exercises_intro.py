"""The introduction's self-check and exercise: questions well formed, numeric answers equal to an
independent count, and the check tells a right connection matrix from plausible wrong ones."""

from __future__ import annotations

import math

import numpy as np

from transformer_lib.exercises import intro as ex


def _answer(q):
    lo, hi = q["answers"][0]["range"]
    return (lo + hi) / 2


def test_numeric_answers_equal_an_independent_count():
    numeric = [q for q in ex.questions() if q["type"] == "numeric"]
    assert round(_answer(numeric[0])) == math.ceil(99 / 2)  # centred window of 5: 2 positions per layer
    assert round(_answer(numeric[1])) == sum(range(1, 129))  # causal pairs: 1 + 2 + ... + 128


def _reads(n, k, lo_offset=0, centred=False):
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    if centred:
        return np.abs(i - j) < k
    return (i - k + lo_offset < j) & (j <= i)


def test_check_accepts_a_right_answer():
    v = ex.check_conv_reads(lambda n, k: _reads(n, k))
    assert v.ok and v.message.startswith("Correct") and "layers" in v.message


def test_check_names_what_is_wrong_in_plausible_wrong_answers():
    for wrong in (lambda n, k: _reads(n, k, lo_offset=-1),  # one position too many (width k + 1)
                  lambda n, k: _reads(n, k, centred=True),  # reads the future too
                  lambda n, k: _reads(n, k).T):  # transposed: input j reads output i
        v = ex.check_conv_reads(wrong)
        assert not v.ok and "Not yet" in v.message and "expected" in v.message


