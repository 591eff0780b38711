"""shape_trace: depth limits, keyword tensors, and calls of a module nested in itself."""

from __future__ import annotations

import torch

from transformer_lib import nn as tnn


def tiny():
    torch.manual_seed(0)
    return tnn.Transformer(tnn.TransformerConfig(src_vocab_size=9, tgt_vocab_size=9, d_model=8, n_heads=2,
                                                 n_encoder_layers=1, n_decoder_layers=1, d_ff=16, max_len=8))


def test_max_depth_keeps_exactly_the_calls_that_shallow():
    model = tiny()
    src, tgt = torch.tensor([[3, 4, 5]]), torch.tensor([[1, 6]])
    full, _ = tnn.shape_trace(model, src, tgt)
    for depth in (0, 1, 2):
        rows, _ = tnn.shape_trace(model, src, tgt, max_depth=depth)
        assert [(r.name, r.output) for r in rows] == [(r.name, r.output) for r in full if r.depth <= depth]
    names = {r.name for r in tnn.shape_trace(model, src, tgt, max_depth=0)[0]}
    assert {"src_embed", "tgt_embed", "pos", "generator"} <= names


def test_keyword_tensors_are_listed_after_the_positional_ones():
    model = tiny()
    src, tgt = torch.tensor([[3, 4, 5]]), torch.tensor([[1, 6]])
    rows, _ = tnn.shape_trace(model, src, tgt)
    by = {r.name: r for r in rows}
    # the encoder's self-attention gets x, x, x positionally and mask= by keyword: (B, 1, 1, S)
    assert by["encoder_layers.0.self_attn"].inputs == ((1, 3, 8),) * 3 + ((1, 1, 1, 3),)


class Nested(torch.nn.Module):
    """Calls itself once: the inner call returns (B, 4), the outer one sums it to (B, 1)."""

    def forward(self, x, depth: int = 1):
        if depth == 0:
            return x * 2
        return self(x, depth - 1).sum(-1, keepdim=True)


class Holder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = Nested()

    def forward(self, x):
        return self.inner(x)


def test_a_module_called_inside_itself_gets_one_row_per_call_with_its_own_output():
    rows, out = tnn.shape_trace(Holder(), torch.ones(2, 4))
    assert [(r.name, r.level, r.output) for r in rows] == [("inner", 0, ((2, 1),)), ("inner", 1, ((2, 4),))]
    assert out.shape == (2, 1)
