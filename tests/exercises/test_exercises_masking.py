"""The masking chapter's self-check and exercise: questions well formed, numeric answers equal to an
independent recomputation, and the check catches the masking mistakes the chapter warns about."""

from __future__ import annotations

import math

import numpy as np

from transformer_lib.exercises import masking as ex


def _answer(q):
    lo, hi = q["answers"][0]["range"]
    return (lo + hi) / 2


def test_numeric_answers_equal_an_independent_recomputation():
    numeric = [q for q in ex.questions() if q["type"] == "numeric"]
    e = [math.exp(s) for s in (2.0, 1.0, 0.5)]
    assert math.isclose(_answer(numeric[0]), 3 / (sum(e) + 3), abs_tol=1e-6)  # three hidden keys at e^0 = 1
    assert round(_answer(numeric[1])) == 1 + 2 + 3 + 3 * 3


def test_the_fp16_option_marked_right_says_inf():
    q = next(q for q in ex.questions() if "float16" in q["question"])
    right = next(a for a in q["answers"] if a["correct"])
    assert right["answer"].startswith("-inf")


def _softmax(s, guard=True):
    m = s.max(-1, keepdims=True)
    if guard:
        m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(invalid="ignore"):
        e = np.exp(s - m)
        total = e.sum(-1, keepdims=True)
        return e / (np.where(total == 0, 1.0, total) if guard else total)


def test_check_accepts_a_right_answer():
    v = ex.check_masked_softmax(lambda s, m: _softmax(np.where(m, s, -np.inf)))
    assert v.ok and v.message.startswith("Correct")


def test_check_catches_the_chapters_wrong_ways():
    wrong = {
        "zero after": lambda s, m: _softmax(s) * m,
        "zero scores": lambda s, m: _softmax(np.where(m, s, 0.0)),
        "-1e9, no guard needed?": lambda s, m: _softmax(np.where(m, s, -1e9)),  # uniform on the empty row
        "no guard": lambda s, m: _softmax(np.where(m, s, -np.inf), guard=False),  # NaN on the empty row
        "inverted mask": lambda s, m: _softmax(np.where(~m, s, -np.inf)),
    }
    for name, fn in wrong.items():
        v = ex.check_masked_softmax(fn)
        assert not v.ok and "expected" in v.message, (name, v.message)
    assert "input 4" in ex.check_masked_softmax(wrong["no guard"]).message  # the fully masked row


