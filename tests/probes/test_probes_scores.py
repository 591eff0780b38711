"""The raw-score probe of chapter "Self-attention": the scores it reads are the ones the module
softmaxes, and the asymmetry measure is 0 exactly for symmetric matrices."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from transformer_lib import probes
from transformer_lib.nn import MultiHeadAttention


def test_scores_are_the_ones_the_module_softmaxes():
    torch.manual_seed(0)
    attn = MultiHeadAttention(d_model=8, n_heads=2).eval()
    x = torch.randn(3, 5, 8)  # (B, T, D)
    mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2, [True] * 4 + [False]])[:, None, None, :]  # (B, 1, 1, S)
    s = probes.attention_scores(attn, lambda: attn(x, x, x, mask=mask))
    assert s.shape == (3, 2, 5, 5)
    with torch.no_grad():
        _, w = attn(x, x, x, mask=mask, need_weights=True)
    torch.testing.assert_close(torch.softmax(s.masked_fill(~mask, float("-inf")), -1), w)


def test_the_hook_is_removed_and_bad_inputs_get_messages():
    attn = MultiHeadAttention(d_model=8, n_heads=2)
    x = torch.randn(1, 4, 8)
    probes.attention_scores(attn, lambda: attn(x, x, x))
    assert not attn._forward_pre_hooks
    with pytest.raises(ValueError, match="never called"):
        probes.attention_scores(attn, lambda: None)
    assert not attn._forward_pre_hooks
    with pytest.raises(TypeError, match="MultiHeadAttention"):
        probes.attention_scores(torch.nn.Linear(2, 2), lambda: None)


def test_asymmetry_is_zero_for_symmetric_scores_and_large_for_antisymmetric_ones():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((6, 6))
    sym = probes.score_asymmetry([a + a.T, (a + a.T)[:4, :4]])
    assert sym["relative"] == 0 and sym["top_differs"] == 0 and sym["n_tokens"] == 10 and sym["n_matrices"] == 2
    anti = probes.score_asymmetry([a - a.T])
    assert anti["relative"] == pytest.approx(2.0)  # S^T = -S: |S - S^T| = 2|S|
    assert anti["top_differs"] > 0.5


def test_asymmetry_refuses_non_square_or_empty_input():
    with pytest.raises(ValueError, match="square"):
        probes.score_asymmetry([np.zeros((3, 4))])
    with pytest.raises(ValueError, match="no"):
        probes.score_asymmetry([])
