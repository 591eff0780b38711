"""The self-check and exercise of chapter "It -> animal" (transformer_lib/exercises/it_animal.py)."""

from __future__ import annotations

import numpy as np
import pytest

from transformer_lib.exercises import it_animal as ex


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


