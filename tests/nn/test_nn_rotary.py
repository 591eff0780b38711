"""RoPE in torch (chapter "The modern block"): equal to the NumPy reference; positions after a KV cache."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from transformer_lib import nn as tnn
from transformer_lib import ref

pytestmark = pytest.mark.usefixtures("float64")


@pytest.mark.parametrize("shape", [(1, 4), (2, 3, 5, 8), (1, 1, 9, 16)])
@pytest.mark.parametrize("base", [10000.0, 500.0])
def test_apply_rotary_equals_ref(shape, base):
    x = torch.randn(shape, generator=torch.Generator().manual_seed(0))
    positions = torch.arange(shape[-2]) * 7 + 3
    for pos in (None, positions):
        got = tnn.apply_rotary(x, pos, base=base).numpy()
        want = ref.apply_rotary(x.numpy(), None if pos is None else pos.numpy(), base=base)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tnn.rotary_frequencies(shape[-1], base).numpy(), ref.rotary_frequencies(shape[-1], base))


def test_module_with_offset_continues_the_positions_of_a_kv_cache():
    rope = tnn.RotaryEmbedding(8)
    x = torch.randn(2, 4, 10, 8)  # (B, H, T, Dh)
    full = rope(x)
    torch.testing.assert_close(rope(x[:, :, 6:], offset=6), full[:, :, 6:], rtol=1e-12, atol=1e-12)
    assert not torch.allclose(rope(x[:, :, 6:]), full[:, :, 6:])
    assert list(rope.parameters()) == []  # nothing to learn


def test_scores_of_rotated_heads_depend_only_on_the_distance():
    q1, k1 = torch.randn(1, 1, 1, 16), torch.randn(1, 1, 1, 16)
    q, k = q1.expand(1, 1, 12, 16), k1.expand(1, 1, 12, 16)  # the same query and key vector at every position
    scores = (tnn.apply_rotary(q) @ tnn.apply_rotary(k).transpose(-2, -1))[0, 0]  # (T, S)
    for d in range(-11, 12):
        diag = torch.diagonal(scores, offset=d)  # all pairs with n - m = d
        torch.testing.assert_close(diag, diag[0].expand_as(diag), rtol=1e-10, atol=1e-10)


def test_float32_input_keeps_its_dtype_and_stays_accurate_at_large_positions():
    x = torch.randn(3, 64, dtype=torch.float32)
    pos = torch.tensor([0, 5000, 100_000])
    y = tnn.apply_rotary(x, pos)
    assert y.dtype == torch.float32
    want = ref.apply_rotary(x.double().numpy(), pos.numpy())
    np.testing.assert_allclose(y.numpy(), want, atol=1e-5)


def test_bad_input_gets_clear_messages():
    with pytest.raises(ValueError, match="d_head must be a positive even number"):
        tnn.RotaryEmbedding(7)
    with pytest.raises(ValueError, match=r"Dh=8"):
        tnn.RotaryEmbedding(8)(torch.zeros(2, 3, 6))
    with pytest.raises(ValueError, match="offset must be a non-negative integer"):
        tnn.RotaryEmbedding(8)(torch.zeros(2, 3, 8), offset=-1)
    with pytest.raises(ValueError, match=r"positions must have shape \(T,\) = \(3,\)"):
        tnn.apply_rotary(torch.zeros(3, 8), positions=torch.arange(4))
    with pytest.raises(ValueError, match="base must be a number > 1"):
        tnn.RotaryEmbedding(8, base=0.5)
