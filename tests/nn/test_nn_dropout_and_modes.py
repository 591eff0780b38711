"""Dropout > 0 in training mode, module by module, and eval-mode determinism.

Every dropout site must act in training (the output changes with the random seed) and be
silent in eval (the output is deterministic and equals a dropout-free twin with the same
weights); masking must still hold while dropout is on.
"""

from __future__ import annotations

import pytest
import torch

from transformer_lib import nn as tnn

D, H, T, S, P = 16, 2, 5, 6, 0.5


def run(module, *args, seed, **kw):
    torch.manual_seed(seed)
    return module(*args, **kw)


def differs(a, b):
    return not torch.allclose(a, b, atol=1e-6, rtol=0)


def inputs(seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(2, T, D, generator=g), torch.randn(2, S, D, generator=g)


# ------------------------------------------------------------------------------ attention
@pytest.mark.parametrize("fused", [True, False])
def test_attention_dropout_acts_in_training_and_not_in_eval(fused):
    x, _ = inputs()
    torch.manual_seed(0)
    mha = tnn.MultiHeadAttention(D, H, dropout=P, fused=fused)
    twin = tnn.MultiHeadAttention(D, H, dropout=0.0, fused=fused)
    twin.load_state_dict(mha.state_dict())
    mha.train()
    a, b = run(mha, x, x, x, seed=1)[0], run(mha, x, x, x, seed=2)[0]
    assert differs(a, b)
    assert differs(a, twin.eval()(x, x, x)[0])
    mha.eval()
    e1, e2 = run(mha, x, x, x, seed=1)[0], run(mha, x, x, x, seed=2)[0]
    assert torch.equal(e1, e2)
    torch.testing.assert_close(e1, twin(x, x, x)[0], atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("fused", [True, False])
def test_causal_mask_holds_under_dropout(fused):
    """With the same dropout draw, changing future tokens never changes earlier outputs."""
    torch.manual_seed(0)
    mha = tnn.MultiHeadAttention(D, H, dropout=P, fused=fused).train()
    x, _ = inputs()
    mask = tnn.causal_mask(T)
    for t in range(T - 1):
        y = x.clone()
        y[:, t + 1:] = torch.randn_like(y[:, t + 1:]) * 5
        a, b = run(mha, x, x, x, mask=mask, seed=3)[0], run(mha, y, y, y, mask=mask, seed=3)[0]
        torch.testing.assert_close(a[:, : t + 1], b[:, : t + 1], atol=1e-6, rtol=1e-6)
        assert differs(a[:, t + 1:], b[:, t + 1:])


@pytest.mark.parametrize("fused", [True, False])
def test_padded_keys_are_never_read_under_dropout(fused):
    torch.manual_seed(0)
    mha = tnn.MultiHeadAttention(D, H, dropout=P, fused=fused).train()
    x, mem = inputs()
    mask = tnn.padding_mask(torch.tensor([S, 3]), S)  # (B, 1, 1, S)
    other = mem.clone()
    other[1, 3:] = torch.randn(S - 3, D) * 5
    a, b = run(mha, x, mem, mem, mask=mask, seed=4)[0], run(mha, x, other, other, mask=mask, seed=4)[0]
    torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-6)


def test_masked_keys_get_zero_weight_in_training_mode_with_dropout():
    torch.manual_seed(0)
    mha = tnn.MultiHeadAttention(D, H, dropout=P).train()
    x, _ = inputs()
    mask = tnn.causal_mask(T)
    _, w = run(mha, x, x, x, mask=mask, need_weights=True, seed=5)
    assert (w[..., ~mask] == 0).all()
    torch.testing.assert_close(w.sum(-1), torch.ones(2, H, T))  # the weights the book draws: before dropout


# ---------------------------------------------------------------------------- the layers
ENCODER_SITES = ["self_attn", "dropout1", "dropout", "dropout2"]
DECODER_SITES = ["self_attn", "cross_attn", "dropout1", "dropout2", "dropout", "dropout3"]


def only(layer, site):
    """Silence every dropout of ``layer`` except ``site`` (built with dropout P)."""
    for name, m in layer.named_children():
        if name == site:
            continue
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
        elif isinstance(m, tnn.MultiHeadAttention):
            m.dropout = 0.0
    return layer


def call(layer, x, mem):
    return layer(x) if isinstance(layer, tnn.EncoderLayer) else layer(x, mem, self_mask=tnn.causal_mask(T))


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("kind,site", [("encoder", s) for s in ENCODER_SITES] + [("decoder", s) for s in DECODER_SITES])
def test_every_dropout_site_acts_in_training(kind, site, norm_first):
    torch.manual_seed(0)
    cls = tnn.EncoderLayer if kind == "encoder" else tnn.DecoderLayer
    layer = only(cls(D, H, 32, dropout=P, norm_first=norm_first), site)
    x, mem = inputs()
    reference = call(layer.eval(), x, mem)
    layer.train()
    torch.manual_seed(6)
    assert differs(call(layer, x, mem), reference), f"dropout at {site} does nothing in training"


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("cls", [tnn.EncoderLayer, tnn.DecoderLayer])
def test_layers_in_eval_mode_are_deterministic_and_equal_a_dropout_free_twin(cls, norm_first):
    torch.manual_seed(0)
    layer = cls(D, H, 32, dropout=P, norm_first=norm_first).eval()
    twin = cls(D, H, 32, dropout=0.0, norm_first=norm_first)
    twin.load_state_dict(layer.state_dict())
    x, mem = inputs()
    torch.manual_seed(1)
    a = call(layer, x, mem)
    torch.manual_seed(2)
    assert torch.equal(a, call(layer, x, mem))
    torch.testing.assert_close(a, call(twin.train(), x, mem), atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("cls", [tnn.SinusoidalPositionalEncoding, tnn.LearnedPositionalEmbedding])
def test_positional_dropout_acts_in_training_only(cls):
    torch.manual_seed(0)
    module = cls(D, 10, dropout=P)
    x, _ = inputs()
    clean = module.eval()(x)
    assert torch.equal(clean, run(module, x, seed=1))
    module.train()
    a, b = run(module, x, seed=1), run(module, x, seed=2)
    assert differs(a, b) and differs(a, clean)
    kept = a != 0
    torch.testing.assert_close(a[kept], clean[kept] / (1 - P))  # inverted dropout: kept entries scaled up


def test_transformer_eval_is_deterministic_and_training_is_not():
    cfg = tnn.TransformerConfig(src_vocab_size=11, tgt_vocab_size=11, d_model=D, n_heads=H, n_encoder_layers=1,
                                n_decoder_layers=1, d_ff=32, dropout=0.3, max_len=16)
    torch.manual_seed(0)
    model = tnn.Transformer(cfg)
    twin = tnn.Transformer(tnn.TransformerConfig(**{**cfg.__dict__, "dropout": 0.0}))
    twin.load_state_dict(model.state_dict())
    src = torch.tensor([[4, 5, 6, 2, 0], [7, 3, 2, 0, 0]])
    tgt = torch.tensor([[1, 4, 5, 6], [1, 8, 9, 0]])
    model.eval()
    a, b = run(model, src, tgt, seed=1), run(model, src, tgt, seed=2)
    assert torch.equal(a, b)
    torch.testing.assert_close(a, twin.eval()(src, tgt), atol=1e-5, rtol=1e-5)
    model.train()
    assert differs(run(model, src, tgt, seed=1), run(model, src, tgt, seed=2))
