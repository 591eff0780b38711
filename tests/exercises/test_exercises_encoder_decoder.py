"""Self-check and exercise of the chapter "Encoder, decoder and cross-attention"."""

import numpy as np
import pytest

from transformer_lib.exercises import encoder_decoder as ex


def my_cross_attention(y, memory, W_Q, W_K, W_V, memory_mask, *, kv_from="memory", scale=True, mask=True):
    kv = memory if kv_from == "memory" else y
    Q, K, V = y @ W_Q, kv @ W_K, kv @ W_V
    scores = Q @ K.swapaxes(-1, -2) / (np.sqrt(K.shape[-1]) if scale else 1.0)
    if mask:
        scores = np.where(memory_mask, scores, -np.inf)
    w = np.exp(scores - scores.max(-1, keepdims=True))
    return (w / w.sum(-1, keepdims=True)) @ V


@pytest.fixture(scope="module")
def qs():
    return ex.questions()


def test_numeric_answers_equal_an_independent_count(qs):
    B, H, T, S, D = 2, 4, 5, 6, 32
    cross_weights, extra = qs[1], qs[2]
    lo, hi = cross_weights["answers"][0]["range"]
    assert lo <= B * H * T * S <= hi and hi - lo < 2
    lo, hi = extra["answers"][0]["range"]
    assert lo <= 4 * (D * D + D) + 2 * D <= hi and hi - lo < 2  # cross-attention + its LayerNorm


def test_check_accepts_a_right_answer():
    verdict = ex.check_cross_attention(my_cross_attention)
    assert verdict.ok and verdict.message.startswith("Correct")


@pytest.mark.parametrize("wrong", [dict(kv_from="decoder"), dict(scale=False), dict(mask=False)])
def test_check_names_what_is_wrong(wrong):
    verdict = ex.check_cross_attention(lambda *a: my_cross_attention(*a, **wrong))
    assert not verdict.ok and verdict.message.startswith("Not yet")
    assert "input" in verdict.message or "raised" in verdict.message  # says where or what went wrong


