"""Self-check and exercise of the chapter "Training: from logits to loss"."""

import math

import numpy as np
import pytest

from transformer_lib.data import make_corpus
from transformer_lib.exercises import training as ex


def my_smoothed_targets(targets, V, epsilon, *, spread_over=None, zero_pad=True):
    q = np.full(targets.shape + (V,), epsilon / (spread_over or V - 2))
    if zero_pad:
        q[..., 0] = 0.0
    np.put_along_axis(q, targets[..., None], 1.0 - epsilon, axis=-1)
    if zero_pad:
        q[targets == 0] = 0.0
    return q


@pytest.fixture(scope="module")
def qs():
    return ex.questions()


def test_numeric_answers_equal_an_independent_recomputation(qs):
    peak, floor = qs[0], qs[1]
    lo, hi = peak["answers"][0]["range"]
    assert lo <= 1e4 / math.sqrt(512 * 4000) <= hi
    V, eps = len(make_corpus(seed=0).tgt_vocab), 0.1
    other = eps / (V - 2)
    h = -((1 - eps) * math.log(1 - eps) + (V - 2) * other * math.log(other))
    lo, hi = floor["answers"][0]["range"]
    assert lo <= h <= hi and hi - lo < 0.01


def test_check_accepts_a_right_answer():
    verdict = ex.check_smoothed_targets(my_smoothed_targets)
    assert verdict.ok and verdict.message.startswith("Correct")


@pytest.mark.parametrize("wrong", [dict(spread_over=-1), dict(zero_pad=False)])
def test_check_names_what_is_wrong(wrong):
    if wrong.get("spread_over") == -1:  # the textbook form: spread over V - 1 tokens
        fn = lambda t, V, e: my_smoothed_targets(t, V, e, spread_over=V - 1)  # noqa: E731
    else:
        fn = lambda t, V, e: my_smoothed_targets(t, V, e, **wrong)  # noqa: E731
    verdict = ex.check_smoothed_targets(fn)
    assert not verdict.ok and verdict.message.startswith("Not yet") and "input" in verdict.message


