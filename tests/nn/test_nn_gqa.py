"""Grouped-query attention in torch (chapter "The modern block"): equal to torch's SDPA with enable_gqa
and to the NumPy reference; causal and empty rows; the KV cache's size with fewer key/value heads."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from transformer_lib import nn as tnn
from transformer_lib import ref

pytestmark = pytest.mark.usefixtures("float64")

B, H, T, S, Dh = 2, 4, 5, 6, 8


def _qkv(H_kv):
    g = torch.Generator().manual_seed(0)
    return (torch.randn(B, H, T, Dh, generator=g), torch.randn(B, H_kv, S, Dh, generator=g),
            torch.randn(B, H_kv, S, Dh, generator=g))


@pytest.mark.parametrize("H_kv", [1, 2, 4])
@pytest.mark.parametrize("need_weights", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_grouped_attention_matches_torch_sdpa_and_ref(H_kv, need_weights, masked):
    q, k, v = _qkv(H_kv)
    mask = (torch.arange(S)[None, :] < torch.tensor([6, 3])[:, None])[:, None, None, :] if masked else None  # (B, 1, 1, S)
    out, w = tnn.grouped_attention(q, k, v, mask, need_weights=need_weights)
    want = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)
    torch.testing.assert_close(out, want, rtol=1e-10, atol=1e-12)
    r_out, r_w = ref.grouped_attention(q.numpy(), k.numpy(), v.numpy(), None if mask is None else mask.numpy())
    np.testing.assert_allclose(out.numpy(), r_out, rtol=1e-10, atol=1e-12)
    if need_weights:
        np.testing.assert_allclose(w.numpy(), r_w, rtol=1e-10, atol=1e-12)
    else:
        assert w is None


def test_a_query_with_every_key_masked_gets_zeros_not_nan():
    q, k, v = _qkv(2)
    mask = torch.ones(T, S, dtype=torch.bool)
    mask[1] = False
    for nw in (False, True):
        out, w = tnn.grouped_attention(q, k, v, mask, need_weights=nw)
        assert torch.isfinite(out).all() and (out[:, :, 1] == 0).all()
        if nw:
            assert (w[:, :, 1] == 0).all()


@pytest.mark.parametrize("n_kv_heads", [1, 2, 4])
@pytest.mark.parametrize("rotary", [False, True])
def test_module_equals_ref_with_copied_weights(n_kv_heads, rotary):
    torch.manual_seed(1)
    D = 16
    m = tnn.GroupedQueryAttention(D, 4, n_kv_heads, rotary=rotary)
    x = torch.randn(B, T, D)
    mask = tnn.causal_mask(T)
    out, w = m(x, x, x, mask, need_weights=True)
    fused, none = m(x, x, x, mask)
    assert none is None
    torch.testing.assert_close(fused, out, rtol=1e-10, atol=1e-12)
    Ws = [getattr(m, n).weight.detach().numpy().T for n in ("W_Q", "W_K", "W_V", "W_O")]  # (D_out, D_in) -> (D_in, D_out)
    r_out, r_w = ref.grouped_query_attention(x.numpy(), x.numpy(), *Ws, n_heads=4, n_kv_heads=n_kv_heads,
                                             mask=mask.numpy(), rotary=rotary)
    np.testing.assert_allclose(out.detach().numpy(), r_out, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.detach().numpy(), r_w, rtol=1e-10, atol=1e-12)


def test_key_and_value_projections_shrink_by_the_group_size():
    counts = {h: sum(p.numel() for p in tnn.GroupedQueryAttention(64, 8, h).parameters()) for h in (8, 2, 1)}
    assert counts == {8: 4 * 64 * 64, 2: 2 * 64 * 64 + 2 * 64 * 16, 1: 2 * 64 * 64 + 2 * 64 * 8}


@pytest.mark.parametrize("rotary", [False, True])
def test_future_tokens_never_change_earlier_outputs_under_a_causal_mask(rotary):
    torch.manual_seed(2)
    m = tnn.GroupedQueryAttention(16, 4, 2, rotary=rotary)
    x = torch.randn(1, 6, 16)
    y = x.clone()
    y[:, 4:] = torch.randn(1, 2, 16)
    mask = tnn.causal_mask(6)
    torch.testing.assert_close(m(x, x, x, mask)[0][:, :4], m(y, y, y, mask)[0][:, :4])


def test_bad_input_gets_one_clear_message():
    with pytest.raises(ValueError, match=r"n_heads % n_kv_heads != 0: n_heads=6 .* n_kv_heads=4"):
        tnn.GroupedQueryAttention(12, 6, 4)
    q, k, v = _qkv(3)[0], torch.zeros(B, 3, S, Dh), torch.zeros(B, 3, S, Dh)
    with pytest.raises(ValueError, match=r"n_heads % n_kv_heads != 0"):
        tnn.grouped_attention(q, k, v)
    with pytest.raises(ValueError, match=r"k and v must both be"):
        tnn.grouped_attention(q, k, v[..., :4])
    with pytest.raises(ValueError, match=r"mask must be boolean"):
        tnn.grouped_attention(*_qkv(2), torch.ones(T, S))
    with pytest.raises(ValueError, match=r"d_model=16"):
        m = tnn.GroupedQueryAttention(16, 4, 2)
        m(torch.zeros(1, 3, 8), torch.zeros(1, 3, 8), torch.zeros(1, 3, 8))


# ---------------------------------------------------------------- the KV cache with fewer key/value heads
def test_kv_cache_bytes_with_grouped_query_attention_on_llama_2_70b():
    # Llama 2 70B (Touvron et al. 2023, "Llama 2", uses GQA for 34B and 70B; its published config:
    # 80 layers, d_model 8192, 64 heads, 8 key/value heads), context 4096, float16:
    mha = tnn.kv_cache_bytes(80, 8192, 4096)
    gqa = tnn.kv_cache_bytes(80, 8192, 4096, n_kv_heads=8, n_heads=64)
    assert gqa == 2 * 80 * 4096 * (8 * 128) * 2 == 1_342_177_280  # 1.25 GiB per sequence
    assert mha == 8 * gqa  # 10 GiB without grouping
    assert tnn.kv_cache_bytes(80, 8192, 4096, n_kv_heads=64, n_heads=64) == mha
    assert tnn.kv_cache_bytes(2, 64, 10, batch=3, n_kv_heads=1, n_heads=4, bytes_per_number=4) == 2 * 2 * 3 * 10 * 16 * 4


def test_kv_cache_bytes_bad_head_counts():
    with pytest.raises(ValueError, match="together"):
        tnn.kv_cache_bytes(2, 64, 10, n_kv_heads=2)
    with pytest.raises(ValueError, match=r"n_heads % n_kv_heads != 0"):
        tnn.kv_cache_bytes(2, 64, 10, n_kv_heads=3, n_heads=4)
    with pytest.raises(ValueError, match="d_model % n_heads != 0"):
        tnn.kv_cache_bytes(2, 64, 10, n_kv_heads=1, n_heads=5)
    with pytest.raises(ValueError, match="n_kv_heads must be a positive integer"):
        tnn.kv_cache_bytes(2, 64, 10, n_kv_heads=0, n_heads=4)


@pytest.mark.parametrize("need_weights", [False, True])
def test_a_fully_masked_query_leaves_the_gradients_finite(need_weights):
    q, k, v = (t.requires_grad_(True) for t in _qkv(2))
    mask = torch.ones(T, S, dtype=torch.bool)
    mask[1] = False  # query 1 may attend to nothing
    out, _ = tnn.grouped_attention(q, k, v, mask, need_weights=need_weights)
    out.sum().backward()
    assert all(torch.isfinite(t.grad).all() for t in (q, k, v))
