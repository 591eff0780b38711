"""Multi-head attention (chapter "Multi-head attention"): split/merge, parity of the NumPy
reference, the module and torch.nn.MultiheadAttention, the low-rank value map, head
and permutation equivariance (the lookup task the chapter trains: tests/tasks/test_lookup.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from transformer_lib import nn as tnn
from transformer_lib import ref


def _weights(D, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((D, D)) / np.sqrt(D) for _ in range(4)], [rng.standard_normal(D) * 0.1 for _ in range(4)]


@pytest.mark.parametrize("shape,H", [((5, 12), 3), ((2, 4, 16), 4), ((1, 1, 8), 8)])
def test_split_then_merge_is_the_identity(shape, H):
    x = np.random.default_rng(0).standard_normal(shape)
    h = ref.split_heads(x, H)
    assert h.shape == (*shape[:-2], H, shape[-2], shape[-1] // H)
    np.testing.assert_array_equal(h[..., 1, :, :], x[..., shape[-1] // H: 2 * shape[-1] // H])
    np.testing.assert_array_equal(ref.merge_heads(h), x)


def _copy_into(mha, torch_mha, Ws, bs):
    with torch.no_grad():
        for lin, W, b in zip((mha.W_Q, mha.W_K, mha.W_V, mha.W_O), Ws, bs):
            lin.weight.copy_(torch.from_numpy(W.T))
            lin.bias.copy_(torch.from_numpy(b))
        torch_mha.in_proj_weight.copy_(torch.from_numpy(np.concatenate([W.T for W in Ws[:3]])))
        torch_mha.in_proj_bias.copy_(torch.from_numpy(np.concatenate(bs[:3])))
        torch_mha.out_proj.weight.copy_(torch.from_numpy(Ws[3].T))
        torch_mha.out_proj.bias.copy_(torch.from_numpy(bs[3]))


@pytest.mark.parametrize("D,H,T,S", [(16, 4, 5, 5), (24, 3, 4, 7), (8, 1, 3, 3), (32, 8, 6, 2)])
@pytest.mark.parametrize("masked", [False, True])
def test_reference_module_and_torch_agree_in_float64(D, H, T, S, masked):
    Ws, bs = _weights(D, D + T)
    rng = np.random.default_rng(1)
    xq, xkv = rng.standard_normal((2, T, D)), rng.standard_normal((2, S, D))
    mask = (ref.padding_mask([S, max(1, S - 2)], S)[:, None]) if masked else None  # (B, 1, 1, S)
    out, w = ref.multi_head_attention(xq, xkv, *Ws, n_heads=H, mask=mask, biases=bs)
    mha = tnn.MultiHeadAttention(D, H).double().eval()
    torch_mha = torch.nn.MultiheadAttention(D, H, batch_first=True).double().eval()
    _copy_into(mha, torch_mha, Ws, bs)
    tq, tkv = torch.from_numpy(xq), torch.from_numpy(xkv)
    tmask = torch.from_numpy(mask) if masked else None
    with torch.no_grad():
        ours, ours_w = mha(tq, tkv, tkv, mask=tmask, need_weights=True)
        fused = mha(tq, tkv, tkv, mask=tmask)
        kpm = tnn.to_torch_blocked(tmask[:, 0, 0]) if masked else None
        theirs, theirs_w = torch_mha(tq, tkv, tkv, key_padding_mask=kpm, need_weights=True, average_attn_weights=False)
    np.testing.assert_allclose(ours.numpy(), out, atol=1e-12)
    np.testing.assert_allclose(fused.numpy(), out, atol=1e-12)
    np.testing.assert_allclose(theirs.numpy(), out, atol=1e-12)
    np.testing.assert_allclose(ours_w.numpy(), w, atol=1e-12)
    np.testing.assert_allclose(theirs_w.numpy(), w, atol=1e-12)


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
    (lambda: tnn.MultiHeadAttention(10, 3), r"d_model % n_heads != 0"),
    (lambda: ref.multi_head_attention(np.ones((2, 8)), np.ones((2, 8)), *[np.eye(8)] * 4, n_heads=3), "d_model % n_heads"),
    (lambda: ref.multi_head_attention(np.ones((2, 8)), np.ones((2, 6)), *[np.eye(8)] * 4, n_heads=2), "x_kv"),
    (lambda: ref.multi_head_attention(np.ones((2, 8)), np.ones((2, 8)), np.eye(8), np.eye(8), np.eye(8), np.eye(6), n_heads=2), "W_O must have shape"),
    (lambda: tnn.MultiHeadAttention(8, 2)(torch.ones(1, 3, 6), torch.ones(1, 3, 6), torch.ones(1, 3, 6)), "d_model=8"),
])
def test_bad_shapes_get_a_message(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()
