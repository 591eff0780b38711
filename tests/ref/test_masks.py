"""Masks (chapter "Masking"): construction, their effect on attention, fully masked rows,
the causal invariance a decoder relies on, and messages for bad masks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from transformer_lib import nn as tnn
from transformer_lib import ref


@pytest.mark.parametrize("T", [1, 2, 7])
def test_causal_mask_numpy_and_torch_agree(T):
    m = ref.causal_mask(T)
    np.testing.assert_array_equal(m, tnn.causal_mask(T).numpy())
    assert m.dtype == bool
    for t in range(T):
        assert m[t].tolist() == [s <= t for s in range(T)]


def test_padding_mask_numpy_and_torch_agree():
    lengths = [3, 0, 5]
    m = ref.padding_mask(lengths, 5)  # (B, 1, S)
    assert m.shape == (3, 1, 5)
    np.testing.assert_array_equal(m[:, 0], tnn.padding_mask(torch.tensor(lengths), 5)[:, 0, 0].numpy())
    assert m[0, 0].tolist() == [True, True, True, False, False]
    assert not m[1].any()


@pytest.mark.parametrize("bad,match", [
    (lambda: ref.causal_mask(0), "positive length"),
    (lambda: tnn.causal_mask(0), "positive length"),
    (lambda: ref.padding_mask([2, 7], 5), r"every length must lie in 0..S=5"),
    (lambda: tnn.padding_mask(torch.tensor([2, 7]), 5), r"every length must lie in 0..S=5"),
    (lambda: tnn.padding_mask(torch.tensor([-1, 2]), 5), r"every length must lie in 0..S=5"),
    (lambda: ref.padding_mask([[2]], 5), "1-D"),
    (lambda: tnn.padding_mask(torch.tensor([[2]]), 5), "1-D"),
    (lambda: ref.scaled_dot_product_attention(np.ones((3, 4)), np.ones((3, 4)), np.ones((3, 4)), mask=np.ones((3, 3))),
     "mask must be boolean"),
    (lambda: ref.scaled_dot_product_attention(np.ones((3, 4)), np.ones((3, 4)), np.ones((3, 4)),
                                              mask=np.ones((2, 3), bool)), "does not broadcast"),
    (lambda: tnn.to_torch_blocked(torch.ones(3, 3)), "must be boolean"),
])
def test_bad_masks_get_a_message(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()


def _qkv(seed, T=6, d=8):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((T, d)) for _ in range(3))


def test_masked_keys_get_exactly_zero_and_rows_still_sum_to_one():
    Q, K, V = _qkv(0)
    mask = ref.causal_mask(6) & ref.padding_mask([4], 6)[0]  # (T, S)
    _, w = ref.scaled_dot_product_attention(Q, K, V, mask=mask)
    assert np.all(w[~mask] == 0.0)  # exact zeros, not small numbers
    np.testing.assert_allclose(w.sum(-1), 1.0)


def test_minus_inf_equals_renormalised_zeroing_and_differs_from_the_wrong_ways():
    scores = np.array([2.0, 1.0, 0.5, 3.0, -1.0])
    keep = np.array([True, True, False, True, False])
    right = ref.softmax(np.where(keep, scores, -np.inf))
    zero_after = ref.softmax(scores) * keep
    np.testing.assert_allclose(right, zero_after / zero_after.sum())
    assert zero_after.sum() < 1 - 1e-3  # zeroing after the softmax loses weight
    assert ref.softmax(np.where(keep, scores, 0.0))[~keep].sum() > 1e-3  # zeroing scores leaks weight


def test_numpy_attention_with_mask_matches_torch_sdpa():
    Q, K, V = _qkv(1)
    mask = ref.causal_mask(6)
    out, _ = ref.scaled_dot_product_attention(Q, K, V, mask=mask)
    t = F.scaled_dot_product_attention(*(torch.from_numpy(a)[None] for a in (Q, K, V)), attn_mask=torch.from_numpy(mask))
    np.testing.assert_allclose(out, t[0].numpy(), atol=1e-12)


def test_fully_masked_row_is_zero_not_nan():
    Q, K, V = _qkv(2)
    mask = np.ones((6, 6), bool)
    mask[2] = False  # query 2 may attend to nothing
    out, w = ref.scaled_dot_product_attention(Q, K, V, mask=mask)
    assert np.isfinite(out).all() and np.isfinite(w).all()
    assert np.all(w[2] == 0) and np.all(out[2] == 0)
    np.testing.assert_allclose(w[[0, 1, 3, 4, 5]].sum(-1), 1.0)


@pytest.mark.parametrize("need_weights", [False, True])  # fused and explicit paths
def test_module_fully_masked_sequence_is_finite(need_weights):
    torch.manual_seed(0)
    mha = tnn.MultiHeadAttention(16, 4).eval()
    x = torch.randn(2, 5, 16)
    mask = tnn.padding_mask(torch.tensor([5, 0]), 5)  # second sequence is all padding
    out = mha(x, x, x, mask=mask, need_weights=need_weights)
    out, w = out if need_weights else (out, None)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out[1], mha.W_O.bias.expand(5, 16))  # zero attention, then W_O's bias
    if w is not None:
        assert (w[1] == 0).all()


@pytest.mark.parametrize("fused", [True, False])
def test_causal_mask_future_tokens_never_change_earlier_outputs(fused):
    torch.manual_seed(1)
    mha = tnn.MultiHeadAttention(16, 2, fused=fused).eval()
    x = torch.randn(1, 7, 16)
    y = x.clone()
    y[0, 4:] = torch.randn(3, 16)  # change the future of position 3
    mask = tnn.causal_mask(7)
    with torch.no_grad():
        a, b = mha(x, x, x, mask=mask), mha(y, y, y, mask=mask)
        torch.testing.assert_close(a[0, :4], b[0, :4])
        assert (a[0, 4:] - b[0, 4:]).abs().max() > 1e-3
        # without the mask the past does feel the future
        assert (mha(x, x, x)[0, :4] - mha(y, y, y)[0, :4]).abs().max() > 1e-3


def test_masked_parallel_pass_equals_incremental_prefixes():
    torch.manual_seed(2)
    mha = tnn.MultiHeadAttention(8, 2).eval()
    x = torch.randn(1, 6, 8)
    with torch.no_grad():
        full = mha(x, x, x, mask=tnn.causal_mask(6))
        for t in range(6):
            p = x[:, : t + 1]
            torch.testing.assert_close(mha(p, p, p)[0, t], full[0, t])


def test_padding_positions_never_change_the_real_tokens_outputs():
    torch.manual_seed(3)
    mha = tnn.MultiHeadAttention(8, 2).eval()
    x = torch.randn(1, 6, 8)
    y = x.clone()
    y[0, 4:] = torch.randn(2, 8)  # different padding vectors
    mask = tnn.padding_mask(torch.tensor([4]), 6)
    with torch.no_grad():
        torch.testing.assert_close(mha(x, x, x, mask=mask)[0, :4], mha(y, y, y, mask=mask)[0, :4])


def test_to_torch_blocked_matches_nn_multiheadattention():
    torch.manual_seed(4)
    ours = tnn.MultiHeadAttention(8, 2).double().eval()
    theirs = torch.nn.MultiheadAttention(8, 2, batch_first=True).double().eval()
    with torch.no_grad():
        theirs.in_proj_weight.copy_(torch.cat([ours.W_Q.weight, ours.W_K.weight, ours.W_V.weight]))
        theirs.in_proj_bias.copy_(torch.cat([ours.W_Q.bias, ours.W_K.bias, ours.W_V.bias]))
        theirs.out_proj.weight.copy_(ours.W_O.weight)
        theirs.out_proj.bias.copy_(ours.W_O.bias)
        x = torch.randn(1, 5, 8, dtype=torch.float64)
        mask = tnn.causal_mask(5)
        a = ours(x, x, x, mask=mask)
        b, _ = theirs(x, x, x, attn_mask=tnn.to_torch_blocked(mask))
    torch.testing.assert_close(a, b)
