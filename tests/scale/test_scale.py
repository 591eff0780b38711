"""Parameters from shape (chapter "One block, three families"): the formula equals the real
parameter count of the library's models, and the published totals within a stated tolerance."""

from __future__ import annotations

import pytest
import torch

from transformer_lib import nn as tnn
from transformer_lib import scale


def _real(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())  # each tied tensor once


@pytest.mark.parametrize("kw", [
    dict(d_model=16, n_heads=2, d_ff=32, src_vocab_size=50, tgt_vocab_size=50, n_encoder_layers=2, n_decoder_layers=3),
    dict(d_model=24, n_heads=3, d_ff=40, src_vocab_size=30, tgt_vocab_size=30, n_encoder_layers=1, n_decoder_layers=1,
         norm_first=True),
    dict(d_model=16, n_heads=4, d_ff=8, src_vocab_size=20, tgt_vocab_size=35, n_encoder_layers=2, n_decoder_layers=1,
         share_embeddings=False),
    dict(d_model=32, n_heads=4, d_ff=64, src_vocab_size=40, tgt_vocab_size=40, n_encoder_layers=0, n_decoder_layers=2,
         norm_first=True),
])
def test_formula_equals_the_real_count_of_a_library_transformer(kw):
    config = tnn.TransformerConfig(**kw)
    assert scale.parameter_count(config) == _real(tnn.Transformer(config))


@pytest.mark.parametrize("kw", [
    dict(vocab_size=24, block_size=48, d_model=64, n_heads=4, n_layers=2, d_ff=256),  # the tiny GPT's shape
    dict(vocab_size=30, block_size=10, d_model=48, n_heads=3, n_layers=3, d_ff=100),
    dict(vocab_size=17, block_size=5, d_model=16, n_heads=2, n_layers=1, d_ff=8, tie_weights=False),
])
def test_formula_equals_the_real_count_of_a_library_gpt(kw):
    config = tnn.GPTConfig(**kw)
    assert scale.parameter_count(config) == _real(tnn.GPT(config))


@pytest.mark.weights
def test_formula_equals_the_shipped_tiny_gpts_count():
    from transformer_lib.tasks.gpt import load_tiny_gpt

    model = load_tiny_gpt()[0]
    assert scale.parameter_count(model.config) == _real(model)


@pytest.mark.parametrize("D,H,F,N", [(16, 2, 32, 1), (24, 4, 96, 3), (8, 8, 8, 2)])
def test_formula_equals_the_real_count_of_an_encoder_stack_and_a_decoder_stack(D, H, F, N):
    enc = torch.nn.ModuleList([tnn.EncoderLayer(D, H, F) for _ in range(N)])
    assert scale.parameter_count(scale.ModelShape(D, H, F, vocab_size=0, n_encoder_layers=N)) == _real(enc)
    dec = torch.nn.ModuleList([tnn.DecoderLayer(D, H, F) for _ in range(N)])
    shape = scale.ModelShape(D, H, F, vocab_size=0, n_decoder_layers=N, cross_attention=True)
    assert scale.parameter_count(shape) == _real(dec)
    # a decoder without cross-attention (GPT) has an encoder layer's parameters
    gpt_like = scale.ModelShape(D, H, F, vocab_size=0, n_decoder_layers=N)
    assert scale.parameter_count(gpt_like) == _real(enc)


def test_the_attention_term_is_four_d_by_h_dh_plus_biases():
    mha = tnn.MultiHeadAttention(d_model=12, n_heads=3)
    one_layer = scale.parameter_breakdown(scale.ModelShape(12, 3, 1, vocab_size=0, n_encoder_layers=1))
    ffn_and_norms = (12 * 1 + 1) + (1 * 12 + 12) + 2 * 24
    assert one_layer["encoder layers"] - ffn_and_norms == _real(mha)


@pytest.mark.parametrize("p", scale.PUBLISHED, ids=lambda p: p.name)
def test_formula_matches_each_published_total_within_the_tolerance(p):
    got = scale.parameter_count(p.shape)
    gap = abs(got - p.parameters) / p.parameters
    assert gap <= scale.TOLERANCE, f"{p.name}: formula {got:,} vs published {p.parameters:,}"
    assert p.source and (gap <= 0.01 or p.note), f"{p.name}: a gap of {gap:.1%} needs its note"


def test_the_published_table_holds_the_papers_shapes():
    gpt3 = scale.published("GPT-3 175B")
    assert (gpt3.n_layers, gpt3.shape.n_heads, gpt3.shape.d_model, gpt3.context) == (96, 96, 12288, 2048)
    t5 = scale.published("T5-11B")
    assert t5.shape.n_heads * t5.shape.head_width == 16384 != t5.shape.d_model
    # GPT-2 small's released checkpoint: the formula gives its 124M, not the paper's 117M
    assert round(scale.parameter_count(scale.published("GPT-2 small").shape), -6) == 124_000_000


@pytest.mark.parametrize("bad,match", [
    (lambda: scale.ModelShape(10, 3, 8, 5), r"d_model \(10\) must be divisible by n_heads \(3\)"),
    (lambda: scale.ModelShape(0, 1, 8, 5), "d_model must be positive"),
    (lambda: scale.ModelShape(8, 2, 8, -1), "vocab_size cannot be negative"),
    (lambda: scale.parameter_count({"d_model": 8}), "expected a ModelShape, a TransformerConfig or a GPTConfig"),
    (lambda: scale.published("GPT-5"), "no published model called 'GPT-5'"),
])
def test_bad_shapes_get_a_message(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()
