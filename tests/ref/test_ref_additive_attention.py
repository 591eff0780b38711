"""Additive (Bahdanau) attention and the softmax under it, against loops written from the equations.

Bahdanau et al. 2015 (appendix A.1.2): e_ts = v^T tanh(W q_t + U k_s), alpha_ts = exp(e_ts) / sum_s' exp(e_ts'),
c_t = sum_s alpha_ts v_s. The loops below spell this out one scalar at a time, so they share no
code (and no broadcasting trick) with ``ref.additive_attention``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from transformer_lib import ref


def bahdanau_loop(Q, K, V, W_q, W_k, v, mask=None):
    """One query, one key, one hidden unit at a time. Q (T, Dq), K (S, Dk), V (S, Dv)."""
    T, S, A = len(Q), len(K), len(v)
    weights = np.zeros((T, S))
    for t in range(T):
        e = []
        for s in range(S):
            if mask is not None and not mask[t][s]:
                e.append(None)  # this key may not be attended to
                continue
            total = 0.0
            for a in range(A):
                pre = sum(Q[t][i] * W_q[i][a] for i in range(len(Q[t]))) + sum(K[s][j] * W_k[j][a] for j in range(len(K[s])))
                total += v[a] * math.tanh(pre)
            e.append(total)
        allowed = [x for x in e if x is not None]
        if not allowed:
            continue  # nothing to read: a row of zeros
        z = sum(math.exp(x) for x in allowed)
        for s in range(S):
            weights[t, s] = 0.0 if e[s] is None else math.exp(e[s]) / z
    out = np.array([[sum(weights[t, s] * V[s][d] for s in range(S)) for d in range(len(V[0]))] for t in range(T)])
    return out, weights


def draw(T=3, S=5, Dq=4, Dk=6, Dv=2, A=7, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((T, Dq)), rng.standard_normal((S, Dk)), rng.standard_normal((S, Dv)),
            rng.standard_normal((Dq, A)), rng.standard_normal((Dk, A)), rng.standard_normal(A))


@pytest.mark.parametrize("T,S,Dq,Dk", [(3, 5, 4, 6), (4, 4, 3, 3), (1, 2, 5, 2)])
def test_additive_attention_equals_the_loop(T, S, Dq, Dk):
    Q, K, V, W_q, W_k, v = draw(T, S, Dq, Dk)
    out, w = ref.additive_attention(Q, K, V, W_q, W_k, v)
    want_out, want_w = bahdanau_loop(Q, K, V, W_q, W_k, v)
    np.testing.assert_allclose(w, want_w, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out, want_out, rtol=1e-12, atol=1e-12)


def test_additive_attention_with_a_mask_equals_the_loop_and_gives_masked_keys_zero_weight():
    Q, K, V, W_q, W_k, v = draw(T=4, S=5)
    mask = np.array([[1, 0, 1, 1, 0], [1, 1, 1, 1, 1], [0, 0, 1, 0, 0], [0, 0, 0, 0, 0]], dtype=bool)
    out, w = ref.additive_attention(Q, K, V, W_q, W_k, v, mask=mask)
    want_out, want_w = bahdanau_loop(Q, K, V, W_q, W_k, v, mask=mask)
    np.testing.assert_allclose(w, want_w, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out, want_out, rtol=1e-12, atol=1e-12)
    assert (w[~mask] == 0).all()
    np.testing.assert_allclose(w[:3].sum(-1), 1.0)
    assert (w[3] == 0).all() and (out[3] == 0).all()  # every key masked: zeros, not NaN


def test_additive_attention_broadcasts_over_a_batch():
    rng = np.random.default_rng(3)
    Q, K, V = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 6)), rng.standard_normal((2, 5, 2))
    _, _, _, W_q, W_k, v = draw()
    out, w = ref.additive_attention(Q, K, V, W_q, W_k, v)
    assert out.shape == (2, 3, 2) and w.shape == (2, 3, 5)
    for b in range(2):
        want_out, want_w = bahdanau_loop(Q[b], K[b], V[b], W_q, W_k, v)
        np.testing.assert_allclose(w[b], want_w, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(out[b], want_out, rtol=1e-12, atol=1e-12)


def test_softmax_survives_huge_scores_in_rows_of_very_different_scale():
    x = np.array([[1000.0, 999.0], [-1000.0, -1001.0], [0.0, 0.0]])
    p = ref.softmax(x)
    e = math.e
    np.testing.assert_allclose(p, [[e / (1 + e), 1 / (1 + e)]] * 2 + [[0.5, 0.5]], rtol=1e-12)
    np.testing.assert_allclose(ref.softmax(x.T, axis=0), p.T, rtol=1e-12)


def test_attention_is_not_fooled_by_huge_scores():
    Q = np.array([[30.0, 30.0]])  # scores Q.K / sqrt(2) of several hundred
    K = np.array([[20.0, 20.0], [19.0, 19.0]])
    V = np.array([[1.0], [0.0]])
    out, w = ref.scaled_dot_product_attention(Q, K, V)
    gap = (1200 - 1140) / math.sqrt(2)  # the difference of the two scores
    np.testing.assert_allclose(w, [[1 / (1 + math.exp(-gap)), 1 / (1 + math.exp(gap))]], rtol=1e-12)
    assert np.isfinite(out).all()
