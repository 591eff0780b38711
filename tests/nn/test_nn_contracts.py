"""Contracts of the torch modules that the parity tests leave open: distinct keys and values,
which attention path runs, the model's masks, and the configuration's bounds."""

from __future__ import annotations

import math

import pytest
import torch

from transformer_lib import nn as tnn
import transformer_lib.nn.attention as attention_module


pytestmark = pytest.mark.usefixtures("float64")  # parity in float64 (tests/conftest.py)


def written_out_mha(mha, query, key, value, mask=None):
    """MultiHead(Q, K, V) = Concat(head_1..head_H) W_O, head_i = softmax(Q_i K_i^T / sqrt(Dh)) V_i, one head at a time."""
    H, Dh = mha.n_heads, mha.d_head
    q, k, v = mha.W_Q(query), mha.W_K(key), mha.W_V(value)  # (B, T, D), (B, S, D), (B, S, D)
    heads = []
    for i in range(H):
        cols = slice(i * Dh, (i + 1) * Dh)
        scores = q[..., cols] @ k[..., cols].transpose(-1, -2) / math.sqrt(Dh)  # (B, T, S)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        heads.append(scores.softmax(-1) @ v[..., cols])  # (B, T, Dh)
    return mha.W_O(torch.cat(heads, dim=-1))


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("need_weights", [False, True])
def test_keys_and_values_may_come_from_different_tensors(fused, need_weights):
    torch.manual_seed(0)
    mha = tnn.MultiHeadAttention(12, 3, fused=fused)
    query, key, value = torch.randn(2, 4, 12), torch.randn(2, 6, 12), torch.randn(2, 6, 12)
    mask = torch.rand(4, 6) > 0.3
    mask[:, 0] = True
    out = mha(query, key, value, mask=mask, need_weights=need_weights)
    out = out[0] if need_weights else out
    torch.testing.assert_close(out, written_out_mha(mha, query, key, value, mask))


@pytest.mark.parametrize("fused,need_weights,expect_sdpa", [(True, False, True), (True, True, False), (False, False, False)])
def test_the_fused_flag_chooses_the_path(monkeypatch, fused, need_weights, expect_sdpa):
    calls = []
    real = attention_module.F.scaled_dot_product_attention

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(attention_module.F, "scaled_dot_product_attention", counting)
    x = torch.randn(1, 3, 8)
    tnn.MultiHeadAttention(8, 2, fused=fused)(x, x, x, need_weights=need_weights)
    assert bool(calls) == expect_sdpa


def test_model_masks_are_causal_and_hide_padding():
    cfg = tnn.TransformerConfig(src_vocab_size=9, tgt_vocab_size=9, d_model=8, n_heads=2, n_encoder_layers=1,
                                n_decoder_layers=1, d_ff=16, max_len=8)
    model = tnn.Transformer(cfg)
    src = torch.tensor([[3, 4, 0], [5, 0, 0]])
    assert model.src_mask(src).tolist() == [[[[True, True, False]]], [[[True, False, False]]]]
    tgt = torch.tensor([[1, 6, 0]])
    m = model.tgt_mask(tgt)  # (B, 1, T, T)
    expected = [[t >= s and tgt[0, s] != 0 for s in range(3)] for t in range(3)]
    assert m.shape == (1, 1, 3, 3) and m[0, 0].tolist() == expected


@pytest.mark.parametrize("field,value,match", [
    ("dropout", 1.0, "dropout"),
    ("dropout", -0.1, "dropout"),
    ("n_decoder_layers", -1, "negative"),
    ("n_encoder_layers", -1, "negative"),
])
def test_config_rejects_out_of_range_values(field, value, match):
    with pytest.raises(ValueError, match=match):
        tnn.TransformerConfig(**{field: value})
