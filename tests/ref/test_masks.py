"""Masks in the NumPy reference (chapter "Masking"): construction, one shape for padding
(B, 1, 1, S), the effect of a mask on attention, and messages for bad masks.

The torch masks and the module's masking are tested in tests/nn/test_nn_masks.py and
tests/nn/test_nn_attention.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from transformer_lib import ref


@pytest.mark.parametrize("T", [1, 2, 7])
def test_causal_mask_lets_t_see_0_to_t(T):
    m = ref.causal_mask(T)
    assert m.dtype == bool and m.shape == (T, T)
    for t in range(T):
        assert m[t].tolist() == [s <= t for s in range(T)]


def test_padding_mask_is_b_1_1_s_and_hides_the_keys_past_each_length():
    m = ref.padding_mask([3, 0, 5], 5)
    assert m.shape == (3, 1, 1, 5) and m.dtype == bool
    assert m[0, 0, 0].tolist() == [True, True, True, False, False]
    assert not m[1].any() and m[2].all()
    assert np.broadcast_shapes(m.shape, (3, 4, 6, 5)) == (3, 4, 6, 5)  # to the scores (B, H, T, S)


def test_padding_mask_from_ids_marks_every_pad_wherever_it_sits():
    ids = np.array([[5, 9, 0, 0], [0, 4, 4, 0], [7, 7, 7, 7]])
    m = ref.padding_mask_from_ids(ids, 0)
    assert m.shape == (3, 1, 1, 4) and m.dtype == bool
    assert m[:, 0, 0].tolist() == [[True, True, False, False], [False, True, True, False], [True, True, True, True]]
    assert m[:, 0, 0].tolist() == (ids != 0).tolist()
    assert ref.padding_mask_from_ids(ids, 7)[2].sum() == 0  # pad_id is a parameter, not always 0
    lengths = np.array([2, 4, 1])
    right_padded = np.where(np.arange(4) < lengths[:, None], 3, 0)  # (B, S), padding at the end
    np.testing.assert_array_equal(ref.padding_mask_from_ids(right_padded, 0), ref.padding_mask(lengths, 4))


@pytest.mark.parametrize("bad,match", [
    (lambda: ref.causal_mask(0), "positive length"),
    (lambda: ref.causal_mask(2.5), "positive length"),
    (lambda: ref.padding_mask([2, 7], 5), r"every length must lie in 0..S=5"),
    (lambda: ref.padding_mask([-1, 2], 5), r"every length must lie in 0..S=5"),
    (lambda: ref.padding_mask([[2]], 5), "1-D"),
    (lambda: ref.padding_mask_from_ids(np.array([1, 2, 0]), 0), r"2-D array of integer token ids \(B, S\), got shape \(3,\)"),
    (lambda: ref.padding_mask_from_ids(np.ones((2, 3)), 0), "integer token ids"),
    (lambda: ref.scaled_dot_product_attention(np.ones((3, 4)), np.ones((3, 4)), np.ones((3, 4)), mask=np.ones((3, 3))),
     "mask must be boolean"),
    (lambda: ref.scaled_dot_product_attention(np.ones((3, 4)), np.ones((3, 4)), np.ones((3, 4)),
                                              mask=np.ones((2, 3), bool)), "does not broadcast"),
])
def test_bad_masks_get_a_message(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()


def _qkv(seed, T=6, d=8):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((T, d)) for _ in range(3))


def test_masked_keys_get_exactly_zero_and_rows_still_sum_to_one():
    Q, K, V = _qkv(0)
    mask = ref.causal_mask(6) & ref.padding_mask([4], 6)[0, 0]  # (T, S)
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


# ---------------------------------------------------------------- the families' masks
def test_prefix_lm_mask_matches_its_definition_and_the_docstring_example():
    np.testing.assert_array_equal(ref.prefix_lm_mask(2, 4), [[1, 1, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]])
    for T in (1, 3, 6):
        for p in range(T + 1):
            m = ref.prefix_lm_mask(p, T)
            assert m.shape == (T, T) and m.dtype == bool
            want = [[s <= t or s < p for s in range(T)] for t in range(T)]
            np.testing.assert_array_equal(m, want)


@pytest.mark.parametrize("T", [1, 2, 7])
def test_prefix_lm_mask_spans_causal_to_bidirectional(T):
    np.testing.assert_array_equal(ref.prefix_lm_mask(0, T), ref.causal_mask(T))
    np.testing.assert_array_equal(ref.prefix_lm_mask(T, T), ref.full_mask(T))
    if T > 1:  # a prefix of one token sees only itself, as under the causal mask
        np.testing.assert_array_equal(ref.prefix_lm_mask(1, T), ref.causal_mask(T))


def test_full_mask_is_all_true_in_t_by_s():
    assert ref.full_mask(3).shape == (3, 3) and ref.full_mask(3).all()
    m = ref.full_mask(2, 5)
    assert m.shape == (2, 5) and m.dtype == bool and m.all()


def test_under_a_prefix_lm_mask_a_later_token_changes_no_earlier_output_but_a_prefix_token_changes_all():
    T, p = 6, 3
    Q, K, V = _qkv(3, T=T)
    mask = ref.prefix_lm_mask(p, T)
    out, _ = ref.scaled_dot_product_attention(Q, K, V, mask=mask)
    K2, V2 = K.copy(), V.copy()
    K2[4], V2[4] = K[4] + 1.0, V[4] + 1.0  # a token after the prefix
    out2, _ = ref.scaled_dot_product_attention(Q, K2, V2, mask=mask)
    np.testing.assert_allclose(out2[:4], out[:4])
    assert not np.allclose(out2[4:], out[4:])
    K3, V3 = K.copy(), V.copy()
    K3[2], V3[2] = K[2] + 1.0, V[2] + 1.0  # the prefix's last token: every query sees it
    out3, _ = ref.scaled_dot_product_attention(Q, K3, V3, mask=mask)
    assert all(not np.allclose(out3[t], out[t]) for t in range(T))


# ---------------------------------------------------------------- sparse patterns (chapter "The cost of attention")
@pytest.mark.parametrize("T,window", [(1, 1), (6, 1), (6, 2), (9, 3), (5, 5), (4, 9)])
@pytest.mark.parametrize("causal", [False, True])
def test_sliding_window_mask_keeps_the_keys_within_the_window(T, window, causal):
    m = ref.sliding_window_mask(T, window, causal=causal)
    assert m.shape == (T, T) and m.dtype == bool
    want = [[abs(t - s) < window and (s <= t or not causal) for s in range(T)] for t in range(T)]
    np.testing.assert_array_equal(m, want)
    most = window if causal else 2 * window - 1  # each row's count is bounded whatever T is
    assert m.sum(axis=1).max() == min(most, T) and m.sum(axis=1).min() == (1 if causal else min(window, T))
    np.testing.assert_array_equal(m, m.T if not causal else m & ref.causal_mask(T))


def test_sliding_window_mask_spans_self_only_to_full_and_matches_the_docstring():
    np.testing.assert_array_equal(ref.sliding_window_mask(4, 2), [[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1], [0, 0, 1, 1]])
    np.testing.assert_array_equal(ref.sliding_window_mask(5, 1), np.eye(5, dtype=bool))
    np.testing.assert_array_equal(ref.sliding_window_mask(5, 5), ref.full_mask(5))
    np.testing.assert_array_equal(ref.sliding_window_mask(5, 5, causal=True), ref.causal_mask(5))


@pytest.mark.parametrize("T,window,dilation", [(7, 2, 2), (10, 3, 3), (9, 2, 1), (12, 4, 2)])
@pytest.mark.parametrize("causal", [False, True])
def test_dilated_mask_keeps_every_dilation_th_key_within_reach(T, window, dilation, causal):
    m = ref.dilated_mask(T, window, dilation, causal=causal)
    want = [[(t - s) % dilation == 0 and abs(t - s) < window * dilation and (s <= t or not causal)
             for s in range(T)] for t in range(T)]
    np.testing.assert_array_equal(m, want)
    assert m.sum(axis=1).max() <= (window if causal else 2 * window - 1)
    if dilation == 1:
        np.testing.assert_array_equal(m, ref.sliding_window_mask(T, window, causal=causal))
    np.testing.assert_array_equal(ref.dilated_mask(5, 2, 2), [[1, 0, 1, 0, 0], [0, 1, 0, 1, 0], [1, 0, 1, 0, 1],
                                                              [0, 1, 0, 1, 0], [0, 0, 1, 0, 1]])


@pytest.mark.parametrize("causal", [False, True])
def test_block_sparse_layout_has_the_window_the_global_blocks_and_n_random_more_per_row(causal):
    n, window, n_global, n_random = 10, 2, 1, 2
    layout = ref.block_sparse_layout(n, window, n_global, n_random, seed=5, causal=causal)
    assert layout.shape == (n, n) and layout.dtype == bool
    i = np.arange(n)
    fixed = (np.abs(i[:, None] - i[None, :]) < window) | (i[:, None] < n_global) | (i[None, :] < n_global)
    if causal:
        fixed &= i[None, :] <= i[:, None]
        assert not np.triu(layout, 1).any()
    assert (layout >= fixed).all()  # the window and the global blocks are all kept
    free = (~fixed & (i[None, :] <= i[:, None] if causal else True)).sum(axis=1)
    np.testing.assert_array_equal((layout & ~fixed).sum(axis=1), np.minimum(n_random, free))  # n_random, or what is left
    assert layout[0].all() if not causal else layout[:, 0].all()  # the global block: sees all / seen by all


def test_block_sparse_layout_is_seeded():
    a = ref.block_sparse_layout(16, 1, 0, 3, seed=1)
    np.testing.assert_array_equal(a, ref.block_sparse_layout(16, 1, 0, 3, seed=1))
    assert not np.array_equal(a, ref.block_sparse_layout(16, 1, 0, 3, seed=2))
    np.testing.assert_array_equal(ref.block_sparse_layout(6, 1, 0, 0), np.eye(6, dtype=bool))


@pytest.mark.parametrize("causal", [False, True])
def test_block_sparse_mask_expands_the_layout_to_tokens(causal):
    T, bs = 12, 3
    m = ref.block_sparse_mask(T, bs, window=1, n_global=1, n_random=1, seed=0, causal=causal)
    layout = ref.block_sparse_layout(T // bs, 1, 1, 1, seed=0, causal=causal)
    want = np.array([[layout[t // bs, s // bs] and (s <= t or not causal) for s in range(T)] for t in range(T)])
    np.testing.assert_array_equal(m, want)
    np.testing.assert_array_equal(ref.block_layout_to_mask(layout, bs), layout.repeat(bs, 0).repeat(bs, 1))
    np.testing.assert_array_equal(ref.block_sparse_mask(T, bs, window=T), ref.full_mask(T))  # a window over all blocks
