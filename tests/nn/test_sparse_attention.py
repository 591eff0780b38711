"""Block-sparse attention (chapter "The cost of attention"): it equals dense attention under the
expanded mask -- torch's F.scaled_dot_product_attention and the library's NumPy reference -- in
outputs and gradients, for BigBird-style layouts, causal or not, and it gives a query with no key
zeros rather than NaN."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from transformer_lib import nn as tnn
from transformer_lib import ref


def _qkv(shape, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(*shape, generator=g, dtype=dtype, requires_grad=True) for _ in range(3)]


LAYOUTS = {
    "band": dict(window=2),
    "band+global": dict(window=2, n_global=1),
    "bigbird": dict(window=2, n_global=1, n_random=2, seed=3),
    "diagonal": dict(window=1),
    "full": dict(window=99),
}


@pytest.mark.parametrize("name", list(LAYOUTS))
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("shape,block", [((2, 3, 24, 5), 4), ((12, 4), 3), ((1, 1, 16, 8), 8)])
def test_block_sparse_attention_equals_dense_masked_attention_and_its_gradients(name, causal, shape, block):
    T = shape[-2]
    layout = tnn.block_sparse_layout(T // block, causal=causal, **LAYOUTS[name])
    q, k, v = _qkv(shape)
    out = tnn.block_sparse_attention(q, k, v, layout, causal=causal)
    mask = tnn.dense_mask_of(layout, block, causal=causal)  # (T, T)
    want = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out, want, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out.detach().numpy(),
                               ref.scaled_dot_product_attention(q.detach().numpy(), k.detach().numpy(),
                                                                v.detach().numpy(), mask=mask.numpy())[0], atol=1e-12)
    g = torch.randn(out.shape, dtype=out.dtype, generator=torch.Generator().manual_seed(9))
    for a, b in zip(torch.autograd.grad(out, (q, k, v), g), torch.autograd.grad(want, (q, k, v), g)):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)


def test_the_dense_mask_is_the_block_sparse_mask_of_the_same_arguments():
    layout = tnn.block_sparse_layout(6, 2, 1, 1, seed=4, causal=True)
    assert torch.equal(tnn.dense_mask_of(layout, 5, causal=True), tnn.block_sparse_mask(30, 5, 2, 1, 1, seed=4, causal=True))


def test_float32_agrees_to_float_tolerance():
    layout = tnn.block_sparse_layout(8, 2, 1, 1, seed=0)
    q, k, v = _qkv((2, 4, 64, 16), dtype=torch.float32)
    want = F.scaled_dot_product_attention(q, k, v, attn_mask=tnn.dense_mask_of(layout, 8))
    torch.testing.assert_close(tnn.block_sparse_attention(q, k, v, layout), want, rtol=1e-5, atol=1e-5)


def test_a_query_block_with_no_kept_key_block_gets_zeros_and_finite_gradients():
    layout = torch.tensor([[True, False, False], [False, False, False], [True, True, True]])
    q, k, v = _qkv((2, 9, 4))
    out = tnn.block_sparse_attention(q, k, v, layout)
    assert torch.all(out[:, 3:6] == 0)
    want, _ = ref.scaled_dot_product_attention(q.detach().numpy(), k.detach().numpy(), v.detach().numpy(),
                                               mask=tnn.dense_mask_of(layout, 3).numpy())
    np.testing.assert_allclose(out.detach().numpy(), want, atol=1e-12)
    grads = torch.autograd.grad(out.sum(), (q, k, v))
    assert all(torch.isfinite(g).all() for g in grads)
    assert torch.all(grads[0][:, 3:6] == 0)  # the empty rows read nothing


def test_causal_queries_whose_kept_blocks_all_lie_ahead_get_zeros_not_nan():
    layout = torch.tensor([[False, True], [True, True]])  # block 0 keeps only block 1: all in its future
    q, k, v = _qkv((2, 8, 4))
    out = tnn.block_sparse_attention(q, k, v, layout, causal=True)
    assert torch.all(out[:, :4] == 0)
    want, _ = ref.scaled_dot_product_attention(q.detach().numpy(), k.detach().numpy(), v.detach().numpy(),
                                               mask=tnn.dense_mask_of(layout, 4, causal=True).numpy())
    np.testing.assert_allclose(out.detach().numpy(), want, atol=1e-12)
    assert all(torch.isfinite(g).all() for g in torch.autograd.grad(out.sum(), (q, k, v)))


def test_changing_a_dropped_block_changes_nothing_but_a_kept_one_does():
    layout = tnn.block_sparse_layout(4, window=1)  # each query block sees only its own block
    q, k, v = _qkv((8, 3))
    out = tnn.block_sparse_attention(q, k, v, layout)
    v2 = v.detach().clone()
    v2[6:] += 1.0  # the last block's values
    out2 = tnn.block_sparse_attention(q, k, v2, layout)
    torch.testing.assert_close(out2[:6], out[:6], rtol=0, atol=0)
    assert not torch.allclose(out2[6:], out[6:])


@pytest.mark.parametrize("layout,shape,match", [
    (torch.ones(3, 3, dtype=torch.bool), (10, 4), r"a layout of 3 x 3 blocks does not cut T=10 queries and S=10 keys"),
    (torch.ones(2, 4, dtype=torch.bool), (8, 4), r"T / nT and S / nS must be the same whole number"),
    (torch.ones(2, 2), (8, 4), r"layout must be a 2-D boolean tensor \(nT, nS\), got shape \(2, 2\) of dtype torch.float32"),
    (np.ones((2, 2), bool), (8, 4), r"layout must be a 2-D boolean tensor"),
])
def test_bad_layouts_get_a_message(layout, shape, match):
    q, k, v = _qkv(shape)
    with pytest.raises(ValueError, match=match):
        tnn.block_sparse_attention(q, k, v, layout)


def test_mismatched_qkv_get_the_librarys_message():
    layout = tnn.block_sparse_layout(2)
    with pytest.raises(ValueError, match="Q and K disagree on d_k"):
        tnn.block_sparse_attention(torch.ones(8, 4), torch.ones(8, 3), torch.ones(8, 3), layout)
    with pytest.raises(ValueError, match="share their leading shape"):
        tnn.block_sparse_attention(torch.ones(2, 8, 4), torch.ones(3, 8, 4), torch.ones(3, 8, 4), layout)
