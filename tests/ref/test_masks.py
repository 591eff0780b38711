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
