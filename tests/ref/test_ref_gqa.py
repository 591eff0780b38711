"""Grouped-query and multi-query attention in NumPy (chapter "The modern block"): equal to
F.scaled_dot_product_attention(..., enable_gqa=True); H_kv = H is multi-head attention."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from transformer_lib import ref

B, H, T, S, Dh = 2, 8, 5, 7, 4


def _qkv(H_kv, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((B, H, T, Dh)), rng.standard_normal((B, H_kv, S, Dh)), rng.standard_normal((B, H_kv, S, Dh))


MASKS = {
    "none": None,
    "padding": (np.arange(S)[None, :] < np.array([7, 4])[:, None])[:, None, None, :],  # (B, 1, 1, S)
    "per-query": np.random.default_rng(9).random((T, S)) < 0.7,  # (T, S), some rows may be empty
}


@pytest.mark.parametrize("H_kv", [1, 2, 4, 8])
@pytest.mark.parametrize("mask", MASKS, ids=list(MASKS))
def test_grouped_attention_matches_torch_sdpa_with_enable_gqa(H_kv, mask):
    q, k, v = _qkv(H_kv)
    m = MASKS[mask]
    if m is not None and not m.any(-1).all():
        m = m.copy()
        m[..., 0] = True  # torch gives NaN on an empty row; ours gives zeros (tested in tests/nn)
    out, w = ref.grouped_attention(q, k, v, m)
    want = F.scaled_dot_product_attention(*(torch.tensor(a) for a in (q, k, v)),
                                          attn_mask=None if m is None else torch.tensor(m), enable_gqa=True)
    np.testing.assert_allclose(out, want.numpy(), rtol=1e-10, atol=1e-12)
    assert w.shape == (B, H, T, S)
    np.testing.assert_allclose(w.sum(-1), 1.0)


def test_query_head_h_reads_kv_head_h_over_group_size():
    q, k, v = _qkv(2)
    out, _ = ref.grouped_attention(q, k, v)
    for h in range(H):
        g = h // (H // 2)  # heads 0-3 read kv head 0, heads 4-7 kv head 1
        np.testing.assert_allclose(out[:, h], ref.scaled_dot_product_attention(q[:, h], k[:, g], v[:, g])[0])
    np.testing.assert_array_equal(ref.repeat_kv(np.arange(2)[:, None, None], 3)[:, 0, 0], [0, 0, 0, 1, 1, 1])


def test_n_kv_heads_equal_to_n_heads_is_multi_head_attention():
    rng = np.random.default_rng(1)
    D = 16
    x = rng.standard_normal((B, T, D))
    W = [rng.standard_normal((D, D)) / 4 for _ in range(4)]
    mask = np.tril(np.ones((T, T), dtype=bool))
    got = ref.grouped_query_attention(x, x, *W, n_heads=4, n_kv_heads=4, mask=mask)
    want = ref.multi_head_attention(x, x, *W, n_heads=4, mask=mask)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)


def test_multi_query_attention_is_multi_head_attention_with_one_key_and_value_head_copied():
    rng = np.random.default_rng(2)
    D, n_heads = 16, 4
    x = rng.standard_normal((B, T, D))
    W_Q, W_O = rng.standard_normal((D, D)), rng.standard_normal((D, D))
    W_K1, W_V1 = rng.standard_normal((D, D // n_heads)), rng.standard_normal((D, D // n_heads))
    got = ref.grouped_query_attention(x, x, W_Q, W_K1, W_V1, W_O, n_heads=n_heads, n_kv_heads=1)
    want = ref.multi_head_attention(x, x, W_Q, np.tile(W_K1, n_heads), np.tile(W_V1, n_heads), W_O, n_heads=n_heads)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-10)


def test_rotary_changes_scores_only_through_relative_positions():
    rng = np.random.default_rng(3)
    D = 16
    W = [rng.standard_normal((D, D)) / 4, rng.standard_normal((D, 8)) / 4, rng.standard_normal((D, 8)) / 4,
         rng.standard_normal((D, D)) / 4]
    x = rng.standard_normal((1, 1, D)).repeat(6, axis=1)  # one token repeated: only positions tell them apart
    _, w = ref.grouped_query_attention(x, x, *W, n_heads=4, n_kv_heads=2, rotary=True)  # (1, 4, 6, 6)
    _, w0 = ref.grouped_query_attention(x, x, *W, n_heads=4, n_kv_heads=2)
    np.testing.assert_allclose(w0, 1 / 6)  # without positions: uniform
    assert np.abs(w - 1 / 6).max() > 1e-3


def test_bad_input_gets_one_clear_message():
    q, k, v = _qkv(3)  # 8 query heads, 3 kv heads
    with pytest.raises(ValueError, match=r"n_heads % n_kv_heads != 0: n_heads=8 .* n_kv_heads=3"):
        ref.grouped_attention(q, k, v)
    x = np.zeros((1, 3, 12))
    with pytest.raises(ValueError, match=r"n_heads % n_kv_heads != 0"):
        ref.grouped_query_attention(x, x, *[np.zeros((12, 12))] * 4, n_heads=6, n_kv_heads=4)
    with pytest.raises(ValueError, match=r"W_K must have shape \(12, 4\)"):
        ref.grouped_query_attention(x, x, *[np.zeros((12, 12))] * 4, n_heads=6, n_kv_heads=2)
    with pytest.raises(ValueError, match="n_kv_heads must be a positive integer"):
        ref.check_kv_heads(4, 0)
