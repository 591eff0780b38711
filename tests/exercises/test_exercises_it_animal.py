"""The self-check and exercise of chapter "It -> animal" (transformer_lib/exercises/it_animal.py)."""

from __future__ import annotations

import numpy as np
import pytest

from transformer_lib.exercises import it_animal as ex


def test_questions_are_well_formed():
    qs = ex.questions()
    assert len(qs) >= 3
    assert {q["type"] for q in qs} >= {"multiple_choice", "numeric"}
    for q in qs:
        assert q["question"].strip()
        for a in q["answers"]:
            assert a["feedback"].strip()
        if q["type"] == "multiple_choice":
            assert sum(a["correct"] for a in q["answers"]) == 1
            assert all(len(a["feedback"]) > 30 for a in q["answers"]), "every option explains why"


def test_numeric_answer_equals_an_independent_count():
    words = "the animal didn't cross the street because it was too tired .".split()
    n = words.index("it") + 1
    (q,) = [q for q in ex.questions() if q["type"] == "numeric"]
    lo, hi = q["answers"][0]["range"]
    assert n == 8 and lo <= n <= hi and not lo <= n - 1 <= hi and not lo <= n + 1 <= hi


def _right(T, query, keys):
    keep = np.ones((T, T), dtype=bool)
    for k in keys:
        keep[query, k] = False
    return keep


def _transposed(T, query, keys):
    return _right(T, query, keys).T


def _whole_column(T, query, keys):
    keep = np.ones((T, T), dtype=bool)
    keep[:, list(keys)] = False
    return keep


def _inverted(T, query, keys):
    return ~_right(T, query, keys)


def test_check_cut_edges_accepts_a_right_answer():
    v = ex.check_cut_edges(_right)
    assert v.ok and v.message.startswith("Correct"), v.message


@pytest.mark.parametrize("wrong", [_transposed, _whole_column, _inverted])
def test_check_cut_edges_names_what_is_wrong(wrong):
    v = ex.check_cut_edges(wrong)
    assert not v.ok and v.message.startswith("Not yet") and "input" in v.message, v.message


def test_check_cut_edges_does_not_raise():
    def stub(T, query, keys):
        raise NotImplementedError

    assert "not written yet" in ex.check_cut_edges(stub).message
    v = ex.check_cut_edges(lambda T, q, k: np.ones((T, T)) @ np.ones((T + 1, T)))
    assert not v.ok and "raised" in v.message
    assert not ex.check_cut_edges(lambda T, q, k: None).ok
