"""Attention in the NumPy reference (chapters "Self-attention" and "Multi-head attention"):
softmax, scaled dot-product attention against torch's, fully masked rows, the heads'
split and merge, the low-rank value map, head permutation equivariance, bad input.

The module :class:`transformer_lib.nn.MultiHeadAttention` is tested in tests/nn/test_nn_attention.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from transformer_lib import ref

B, H, T, S, DH = 2, 3, 5, 7, 4


pytestmark = pytest.mark.usefixtures("float64")  # parity in float64 (tests/conftest.py)


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _masks():
    """The four mask situations the contract names, as bool arrays broadcastable to (B, H, T, S)."""
    lengths = np.array([S, 3])
    causal = np.tril(np.ones((T, S), dtype=bool), k=S - T)  # query t sees keys up to t + (S - T)
    pad = ref.padding_mask(lengths, S)  # (B, 1, 1, S)
    return {"none": None, "causal": causal, "padding": pad, "both": causal & pad}


def _weights(D, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((D, D)) / np.sqrt(D) for _ in range(4)], [rng.standard_normal(D) * 0.1 for _ in range(4)]


def test_softmax_rows_sum_to_one_and_handle_all_masked_rows():
    x = np.array([[1.0, 2.0, 3.0], [-np.inf, -np.inf, -np.inf], [1000.0, 0.0, -1000.0]])
    p = ref.softmax(x)
    np.testing.assert_allclose(p[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    np.testing.assert_array_equal(p[1], 0.0)
    assert np.all(np.isfinite(p)) and p[2, 0] == pytest.approx(1.0)


@pytest.mark.parametrize("case", ["none", "causal", "padding", "both"])
def test_ref_sdpa_matches_torch(case):
    q, k, v = _rand(B, H, T, DH, seed=1), _rand(B, H, S, DH, seed=2), _rand(B, H, S, 6, seed=3)
    mask = _masks()[case]
    out, w = ref.scaled_dot_product_attention(q, k, v, mask)
    tm = None if mask is None else torch.from_numpy(np.broadcast_to(mask, (B, H, T, S)).copy())
    expected = F.scaled_dot_product_attention(*map(torch.from_numpy, (q, k, v)), attn_mask=tm)
    np.testing.assert_allclose(out, expected.numpy(), atol=1e-12)
    np.testing.assert_allclose(w.sum(-1), 1.0)
    if mask is not None:
        assert np.all(w[~np.broadcast_to(mask, w.shape)] == 0.0), "masked keys must get exactly zero weight"


def test_fully_masked_row_is_zero_not_nan():
    q, k, v = _rand(6, 8, seed=2), _rand(6, 8, seed=3), _rand(6, 8, seed=4)
    mask = np.ones((6, 6), bool)
    mask[2] = False  # query 2 may attend to nothing
    out, w = ref.scaled_dot_product_attention(q, k, v, mask=mask)
    assert np.isfinite(out).all() and np.isfinite(w).all()
    assert np.all(w[2] == 0) and np.all(out[2] == 0)
    np.testing.assert_allclose(w[[0, 1, 3, 4, 5]].sum(-1), 1.0)


@pytest.mark.parametrize("shape,H", [((5, 12), 3), ((2, 4, 16), 4), ((1, 1, 8), 8)])
def test_split_then_merge_is_the_identity(shape, H):
    x = np.random.default_rng(0).standard_normal(shape)
    h = ref.split_heads(x, H)
    assert h.shape == (*shape[:-2], H, shape[-2], shape[-1] // H)
    np.testing.assert_array_equal(h[..., 1, :, :], x[..., shape[-1] // H: 2 * shape[-1] // H])
    np.testing.assert_array_equal(ref.merge_heads(h), x)


def test_value_map_is_a_sum_of_low_rank_head_products():
    D, H, T = 32, 4, 5
    Dh = D // H
    (W_Q, W_K, W_V, W_O), _ = _weights(D, 3)
    X = np.random.default_rng(2).standard_normal((T, D))
    out, w = ref.multi_head_attention(X, X, W_Q, W_K, W_V, W_O, n_heads=H)
    W_OV = [W_V[:, i * Dh:(i + 1) * Dh] @ W_O[i * Dh:(i + 1) * Dh] for i in range(H)]
    np.testing.assert_allclose(sum(w[i] @ X @ W_OV[i] for i in range(H)), out, atol=1e-12)
    assert all(np.linalg.matrix_rank(m) == Dh for m in W_OV)


def test_heads_are_permutation_equivariant():
    """Permuting the heads (their blocks of W_Q, W_K, W_V columns and W_O rows) changes nothing."""
    D, H = 24, 3
    Dh = D // H
    Ws, _ = _weights(D, 4)
    X = np.random.default_rng(3).standard_normal((6, D))
    perm = [2, 0, 1]
    cols = np.concatenate([np.arange(h * Dh, (h + 1) * Dh) for h in perm])
    out, w = ref.multi_head_attention(X, X, *Ws, n_heads=H)
    out_p, w_p = ref.multi_head_attention(X, X, Ws[0][:, cols], Ws[1][:, cols], Ws[2][:, cols], Ws[3][cols], n_heads=H)
    np.testing.assert_allclose(out_p, out, atol=1e-12)
    np.testing.assert_allclose(w_p, w[perm], atol=1e-12)


@pytest.mark.parametrize("bad,match", [
    (lambda: ref.scaled_dot_product_attention(np.zeros((T, 4)), np.zeros((S, 5)), np.zeros((S, 3))),
     r"Q and K disagree on d_k.*\(5, 4\).*\(7, 5\)"),
    (lambda: ref.scaled_dot_product_attention(np.zeros((T, 4)), np.zeros((S, 4)), np.zeros((6, 3))),
     r"K and V disagree on length.*\(7, 4\).*\(6, 3\)"),
    (lambda: ref.scaled_dot_product_attention(np.zeros((T, 4)), np.zeros((S, 4)), np.zeros((S, 3)),
                                              mask=np.ones((4, 4), dtype=bool)), r"\(4, 4\) does not broadcast.*\(5, 7\)"),
    (lambda: ref.scaled_dot_product_attention(np.zeros((T, 4)), np.zeros((S, 4)), np.zeros((S, 3)), mask=np.ones((T, S))),
     r"must be boolean.*float64"),
    (lambda: ref.multi_head_attention(np.zeros((T, 10)), np.zeros((T, 10)), *[np.zeros((10, 10))] * 4, n_heads=3),
     r"d_model % n_heads != 0.*d_model=10.*n_heads=3"),
    (lambda: ref.multi_head_attention(np.ones((2, 8)), np.ones((2, 6)), *[np.eye(8)] * 4, n_heads=2), "x_kv"),
    (lambda: ref.multi_head_attention(np.ones((2, 8)), np.ones((2, 8)), np.eye(8), np.eye(8), np.eye(8), np.eye(6), n_heads=2),
     "W_O must have shape"),
])
def test_bad_inputs_raise_clear_messages(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()
