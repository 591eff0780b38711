"""The embeddings chapter's self-check questions and its coding exercise check."""

import math

import numpy as np
import pytest

from transformer_lib.exercises import embeddings as ex


def _numeric_answer(q):
    lo, hi = next(a["range"] for a in q["answers"] if a.get("correct"))
    return (lo + hi) / 2


def test_numeric_answers_match_an_independent_count():
    qs = [q for q in ex.questions() if q["type"] == "numeric"]
    saved, pe_len = (_numeric_answer(q) for q in qs)
    assert saved == pytest.approx(2 * 37000 * 512 / 1e6, abs=1e-3)  # two (V, D) matrices
    assert pe_len == pytest.approx(math.sqrt(512 / 2), abs=1e-3)  # d/2 (sin, cos) pairs of length 1


def test_lengths_follow_the_initialisation():
    raw, scaled, pe = ex.token_vs_position_length()
    assert raw == pytest.approx(1.0, abs=0.1)  # entries of std 1/sqrt(D): length about 1
    assert scaled == pytest.approx(raw * math.sqrt(512), rel=1e-5)


def right(ids, W_E):
    return W_E[ids] * np.sqrt(W_E.shape[1])


def test_check_accepts_a_right_answer():
    v = ex.check_embed(right)
    assert v.ok and v.message.startswith("Correct")


@pytest.mark.parametrize("wrong, words", [
    (lambda ids, W: W[ids], "forgot to multiply by sqrt(d_model)"),
    (lambda ids, W: W[ids] / np.sqrt(W.shape[1]), "divided by sqrt(d_model)"),
    (lambda ids, W: np.eye(W.shape[0])[ids] * np.sqrt(W.shape[1]), "shape"),  # one-hot, no table
    (lambda ids, W: W[np.ravel(ids)] * np.sqrt(W.shape[1]), "shape"),  # flattened the batch
    (lambda ids, W: W[ids] * np.sqrt(W.shape[0]), "expected"),  # sqrt(V), not sqrt(D)
])
def test_check_names_what_is_wrong(wrong, words):
    v = ex.check_embed(wrong)
    assert not v.ok and v.message.startswith("Not yet") and words in v.message


