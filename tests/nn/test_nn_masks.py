"""Masks as torch tensors (chapter "Masking"): equal to the NumPy reference's, in the same
shapes, the conversion to torch's "True = blocked", and messages for bad input.

What a mask does to attention is tested in tests/nn/test_nn_attention.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from transformer_lib import nn as tnn
from transformer_lib import ref


@pytest.mark.parametrize("T", [1, 2, 7])
def test_causal_mask_numpy_and_torch_agree(T):
    m = tnn.causal_mask(T)
    assert m.dtype == torch.bool
    np.testing.assert_array_equal(m.numpy(), ref.causal_mask(T))


def test_padding_mask_numpy_and_torch_agree():
    lengths = [3, 0, 5]
    m = tnn.padding_mask(torch.tensor(lengths), 5)
    assert m.shape == (3, 1, 1, 5) and m.dtype == torch.bool
    np.testing.assert_array_equal(m.numpy(), ref.padding_mask(lengths, 5))


def test_padding_mask_from_ids_numpy_and_torch_agree():
    ids = torch.tensor([[5, 9, 0, 0], [0, 4, 4, 0], [7, 7, 7, 7]])
    for pad_id in (0, 7):
        m = tnn.padding_mask_from_ids(ids, pad_id)
        assert m.shape == (3, 1, 1, 4) and m.dtype == torch.bool
        np.testing.assert_array_equal(m.numpy(), ref.padding_mask_from_ids(ids.numpy(), pad_id))


def test_to_torch_blocked_flips_the_convention():
    m = tnn.causal_mask(4)
    assert torch.equal(tnn.to_torch_blocked(m), torch.ones(4, 4, dtype=torch.bool).triu(1))


@pytest.mark.parametrize("bad,match", [
    (lambda: tnn.causal_mask(0), "positive length"),
    (lambda: tnn.causal_mask(2.5), "positive length"),
    (lambda: tnn.padding_mask(torch.tensor([2, 7]), 5), r"every length must lie in 0..S=5"),
    (lambda: tnn.padding_mask(torch.tensor([-1, 2]), 5), r"every length must lie in 0..S=5"),
    (lambda: tnn.padding_mask(torch.tensor([[2]]), 5), "1-D"),
    (lambda: tnn.padding_mask_from_ids(torch.tensor([1, 2, 0]), 0), r"2-D tensor of integer token ids \(B, S\), got \(3,\)"),
    (lambda: tnn.padding_mask_from_ids(torch.ones(2, 3), 0), r"integer token ids.*torch.float32"),
    (lambda: tnn.padding_mask_from_ids([[1, 2]], 0), "integer token ids"),
    (lambda: tnn.to_torch_blocked(torch.ones(3, 3)), "must be boolean"),
])
def test_bad_masks_get_a_message(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()


@pytest.mark.parametrize("T", [1, 2, 5])
def test_family_masks_numpy_and_torch_agree(T):
    for p in range(T + 1):
        m = tnn.prefix_lm_mask(p, T)
        assert m.dtype == torch.bool and m.shape == (T, T)
        np.testing.assert_array_equal(m.numpy(), ref.prefix_lm_mask(p, T))
    for S in (None, 1, 3):
        m = tnn.full_mask(T, S)
        assert m.dtype == torch.bool
        np.testing.assert_array_equal(m.numpy(), ref.full_mask(T, S))


@pytest.mark.parametrize("impl", [ref, tnn], ids=["ref", "nn"])
@pytest.mark.parametrize("name,args,match", [
    ("prefix_lm_mask", (5, 4), r"prefix length in 0..T=4, got 5"),
    ("prefix_lm_mask", (-1, 4), r"prefix length in 0..T=4, got -1"),
    ("prefix_lm_mask", (1.5, 4), r"prefix length in 0..T=4"),
    ("prefix_lm_mask", (True, 4), r"prefix length in 0..T=4"),
    ("prefix_lm_mask", (False, 4), r"prefix length in 0..T=4"),
    ("prefix_lm_mask", (0, 0), r"prefix_lm_mask needs a positive length T, got 0"),
    ("full_mask", (0,), r"full_mask needs a positive length T, got 0"),
    ("full_mask", (3, 0), r"full_mask needs a positive length S, got 0"),
    ("full_mask", (2.5,), "positive length T"),
    ("full_mask", (True,), "positive length T"),
])
def test_bad_family_masks_get_the_same_message_from_ref_and_nn(impl, name, args, match):
    with pytest.raises(ValueError, match=match):
        getattr(impl, name)(*args)


# ---------------------------------------------------------------- sparse patterns (chapter "The cost of attention")
@pytest.mark.parametrize("causal", [False, True])
def test_sparse_masks_numpy_and_torch_agree(causal):
    for T, w in [(1, 1), (7, 2), (9, 4)]:
        m = tnn.sliding_window_mask(T, w, causal=causal)
        assert m.dtype == torch.bool
        np.testing.assert_array_equal(m.numpy(), ref.sliding_window_mask(T, w, causal=causal))
        for dil in (1, 2, 3):
            np.testing.assert_array_equal(tnn.dilated_mask(T, w, dil, causal=causal).numpy(),
                                          ref.dilated_mask(T, w, dil, causal=causal))
    for seed in (0, 1):
        layout = tnn.block_sparse_layout(9, 2, 1, 2, seed=seed, causal=causal)
        assert layout.dtype == torch.bool and layout.shape == (9, 9)
        np.testing.assert_array_equal(layout.numpy(), ref.block_sparse_layout(9, 2, 1, 2, seed=seed, causal=causal))
        np.testing.assert_array_equal(tnn.block_sparse_mask(24, 4, 1, 1, 1, seed=seed, causal=causal).numpy(),
                                      ref.block_sparse_mask(24, 4, 1, 1, 1, seed=seed, causal=causal))
        np.testing.assert_array_equal(tnn.block_layout_to_mask(layout, 3).numpy(),
                                      ref.block_layout_to_mask(layout.numpy(), 3))


@pytest.mark.parametrize("impl", [ref, tnn], ids=["ref", "nn"])
@pytest.mark.parametrize("name,args,match", [
    ("sliding_window_mask", (0, 2), r"sliding_window_mask needs a positive length T, got 0"),
    ("sliding_window_mask", (5, 0), r"sliding_window_mask needs a positive integer window \(>= 1\), got 0"),
    ("sliding_window_mask", (5, 1.5), r"positive integer window \(>= 1\), got 1.5"),
    ("sliding_window_mask", (5, True), r"positive integer window"),
    ("dilated_mask", (5, 2, 0), r"dilated_mask needs a positive integer dilation \(>= 1\), got 0"),
    ("dilated_mask", (5, -1, 2), r"dilated_mask needs a positive integer window \(>= 1\), got -1"),
    ("block_sparse_layout", (0,), r"block_sparse_layout needs a positive length n_blocks, got 0"),
    ("block_sparse_layout", (4, 0), r"positive integer window \(>= 1\), got 0"),
    ("block_sparse_layout", (4, 1, 5), r"block_sparse_layout needs n_global in 0..4, got 5"),
    ("block_sparse_layout", (4, 1, 0, -1), r"block_sparse_layout needs n_random in 0..4, got -1"),
    ("block_sparse_mask", (10, 4), r"block_sparse_mask: block_size=4 does not divide the length T=10; "
                                   r"pick a divisor of T or pad the sequence to a multiple of 4"),
    ("block_sparse_mask", (10, 0), r"block_sparse_mask needs a positive integer block_size \(>= 1\), got 0"),
    ("block_sparse_mask", (0, 2), r"block_sparse_mask needs a positive length T, got 0"),
    ("block_layout_to_mask", ("layout", 0), r"block_layout_to_mask needs a positive integer block_size \(>= 1\), got 0"),
])
def test_bad_sparse_masks_get_the_same_message_from_ref_and_nn(impl, name, args, match):
    if args[0] == "layout":  # a valid layout of the implementation's own kind
        args = (impl.block_sparse_layout(2),) + args[1:]
    with pytest.raises(ValueError, match=match):
        getattr(impl, name)(*args)


def test_a_layout_that_is_not_boolean_gets_a_message():
    with pytest.raises(ValueError, match=r"layout must be a 2-D boolean tensor \(nT, nS\), got shape \(2, 2\) of dtype torch.float32"):
        tnn.block_layout_to_mask(torch.ones(2, 2), 2)
    with pytest.raises(ValueError, match=r"layout must be a 2-D boolean array \(nT, nS\), got shape \(2,\)"):
        ref.block_layout_to_mask(np.ones(2, bool), 2)
