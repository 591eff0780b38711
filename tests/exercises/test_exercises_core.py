"""The check cells' core: a right function is "Correct", a wrong one gets the first thing that is
wrong (with the input), and nothing the reader writes makes the check itself raise."""

from __future__ import annotations

import numpy as np
import torch

from transformer_lib import ref
from transformer_lib.exercises import Verdict, compare

CASES = [(np.array([1.0, 2.0, 3.0]),), (np.array([[0.0, 1000.0], [-5.0, 5.0]]),)]


def check(fn):
    return compare(fn, ref.softmax, CASES, what="my_softmax")


def test_a_right_answer_is_correct_and_says_what_was_checked():
    def good(z):
        e = np.exp(z - z.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)

    v = check(good)
    assert v.ok and bool(v) and "Correct" in v.message and "2 inputs" in v.message


def test_torch_answers_are_compared_as_arrays():
    assert check(lambda z: torch.softmax(torch.as_tensor(z), -1)).ok


def test_wrong_values_name_the_input_and_the_entry():
    with np.errstate(over="ignore", invalid="ignore"):
        v = check(lambda z: np.exp(z) / np.exp(z).sum(-1, keepdims=True))  # overflows on 1000
    assert not v.ok and "input 2" in v.message and "expected" in v.message


def test_wrong_shape_stub_none_and_exceptions_are_reported_not_raised():
    assert "shape" in check(lambda z: z.sum(-1)).message
    assert "returned None" in check(lambda z: None).message
    assert "not written yet" in check(lambda z: (_ for _ in ()).throw(NotImplementedError())).message
    v = check(lambda z: 1 / 0)
    assert not v.ok and "ZeroDivisionError" in v.message
    assert "pass your function" in compare(3, ref.softmax, CASES, what="f").message


def test_booleans_must_match_exactly():
    def ref_mask(n):
        return np.tril(np.ones((n, n), dtype=bool))

    cases = [(3,), (4,)]
    assert compare(lambda n: np.tril(np.ones((n, n), dtype=bool)), ref_mask, cases, what="m").ok
    v = compare(lambda n: np.triu(np.ones((n, n), dtype=bool)), ref_mask, cases, what="m")
    assert not v.ok and "entry" in v.message


def test_verdict_shows_its_message_escaped():
    v = Verdict(False, "Not yet: <b>")
    assert repr(v) == "Not yet: <b>"
    assert "&lt;b&gt;" in v._repr_html_() and "#b00020" in v._repr_html_()


def test_values_are_compared_entry_by_entry():
    """Weights in the wrong order sum to the same total: the check still finds the entry."""
    v = check(lambda z: ref.softmax(z)[..., ::-1])
    assert not v.ok and "input 1" in v.message and "entry (0,)" in v.message
