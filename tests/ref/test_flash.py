"""FlashAttention's online softmax in NumPy (chapter "The cost of attention"): the output equals
ref.scaled_dot_product_attention to 1e-12 in float64 for every block size and mask -- including a
fully masked key block and a fully masked row -- and its peak memory stays far below the T x S
path's."""

from __future__ import annotations

import numpy as np
import pytest

from transformer_lib import cost, ref


def _qkv(shape_q, S, seed=0, Dv=None):
    rng = np.random.default_rng(seed)
    *lead, T, Dk = shape_q
    return (rng.standard_normal(shape_q), rng.standard_normal((*lead, S, Dk)),
            rng.standard_normal((*lead, S, Dv or Dk)))


def _masks(T, S):
    rng = np.random.default_rng(1)
    holes = np.ones((T, S), bool)
    holes[:, 4:8] = False  # a whole key block masked for every query (block_size 4)
    holes[2] = False  # a query with no key at all
    return {
        "none": None,
        "random": rng.random((T, S)) < 0.4,
        "masked block and row": holes,
        "padding (B,1,1,S)": ref.padding_mask([S - 3, S], S),
        "key column (1, S)": (np.arange(S) % 3 == 0)[None, :],
        "query column (T, 1)": (np.arange(T) % 2 == 0)[:, None],
        "scalar": np.array(True),
    }


@pytest.mark.parametrize("mask_name", list(_masks(10, 13)))
@pytest.mark.parametrize("block_size", [1, 3, 4, 13, 64])
def test_flash_attention_equals_the_reference(mask_name, block_size):
    Q, K, V = _qkv((2, 3, 10, 6), 13, Dv=5)
    mask = _masks(10, 13)[mask_name]
    out = ref.flash_attention(Q, K, V, mask=mask, block_size=block_size)
    want, _ = ref.scaled_dot_product_attention(Q, K, V, mask=mask)
    assert out.shape == want.shape == (2, 3, 10, 5)
    np.testing.assert_allclose(out, want, rtol=0, atol=1e-12)


def test_a_fully_masked_row_gives_zeros_and_a_fully_masked_block_changes_nothing():
    Q, K, V = _qkv((8, 4), 12)
    mask = np.ones((8, 12), bool)
    mask[:, 4:8] = False
    mask[5] = False
    out = ref.flash_attention(Q, K, V, mask=mask, block_size=4)
    assert np.all(out[5] == 0) and np.all(np.isfinite(out))
    kept = np.r_[0:4, 8:12]  # dropping the masked block's keys entirely gives the same result
    np.testing.assert_allclose(np.delete(out, 5, 0),
                               np.delete(ref.flash_attention(Q, K[kept], V[kept], block_size=4), 5, 0), atol=1e-12)


@pytest.mark.parametrize("block_size", [1, 5, 16])
def test_the_causal_flag_equals_the_causal_mask(block_size):
    Q, K, V = _qkv((2, 16, 8), 16)
    want, _ = ref.scaled_dot_product_attention(Q, K, V, mask=ref.causal_mask(16))
    np.testing.assert_allclose(ref.flash_attention(Q, K, V, block_size=block_size, causal=True), want, rtol=0, atol=1e-12)
    sparse = ref.block_sparse_mask(16, 4, window=1, n_global=1, n_random=1, seed=0)
    want, _ = ref.scaled_dot_product_attention(Q, K, V, mask=sparse & ref.causal_mask(16))
    np.testing.assert_allclose(ref.flash_attention(Q, K, V, mask=sparse, block_size=block_size, causal=True), want,
                               rtol=0, atol=1e-12)


def test_large_scores_do_not_overflow():
    Q, K, V = _qkv((6, 4), 20)
    Q = Q * 300.0  # scores in the thousands: exp would overflow without the running maximum
    out = ref.flash_attention(Q, K, V, block_size=3)
    np.testing.assert_allclose(out, ref.scaled_dot_product_attention(Q, K, V)[0], rtol=0, atol=1e-12)


def test_float32_stays_float32():
    Q, K, V = (x.astype(np.float32) for x in _qkv((5, 4), 7))
    out = ref.flash_attention(Q, K, V, block_size=2)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref.scaled_dot_product_attention(Q, K, V)[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("block_size", [0, -2, 1.5, True])
def test_bad_block_size_gets_a_message(block_size):
    Q, K, V = _qkv((4, 2), 4)
    with pytest.raises(ValueError, match=rf"flash_attention needs a positive integer block_size \(>= 1\), got {block_size!r}"):
        ref.flash_attention(Q, K, V, block_size=block_size)


def test_bad_inputs_get_the_references_messages():
    Q, K, V = _qkv((4, 2), 4)
    with pytest.raises(ValueError, match="mask must be boolean"):
        ref.flash_attention(Q, K, V, mask=np.ones((4, 4)))
    with pytest.raises(ValueError, match="does not broadcast"):
        ref.flash_attention(Q, K, V, mask=np.ones((3, 4), bool))
    with pytest.raises(ValueError, match="Q and K disagree on d_k"):
        ref.flash_attention(Q, K[:, :1], V)


def test_flash_peak_memory_is_far_below_the_full_paths_where_t_by_s_dominates():
    T, d = 768, 16  # the (T, S) float64 scores: 4.7 MB; Q, K, V: 0.1 MB each
    Q, K, V = _qkv((T, d), T)
    full, full_peak = cost.numpy_peak_bytes(ref.scaled_dot_product_attention, Q, K, V)
    flash, flash_peak = cost.numpy_peak_bytes(ref.flash_attention, Q, K, V, block_size=64)
    np.testing.assert_allclose(flash, full[0], rtol=0, atol=1e-12)
    assert full_peak >= 2 * T * T * 8  # the scores and the weights, (T, S) each, were held at once
    assert flash_peak < full_peak / 8
    assert flash_peak < T * T * 8 / 2  # not even one (T, S) matrix
