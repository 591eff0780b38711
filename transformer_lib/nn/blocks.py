"""Encoder and decoder layers (chapter "Encoder, decoder and cross-attention").

Each sublayer (attention or feed-forward) is wrapped in a residual connection and a
LayerNorm, either after the sum (post-norm, the paper: ``LayerNorm(x + f(x))``) or before
the sublayer (pre-norm: ``x + f(LayerNorm(x))``), chosen by ``norm_first``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from transformer_lib.nn.attention import MultiHeadAttention
from transformer_lib.nn.norms import LayerNorm


def feed_forward(x: torch.Tensor, linear1: nn.Linear, linear2: nn.Linear, dropout: nn.Module) -> torch.Tensor:
    """FFN(x) = max(0, x W_1 + b_1) W_2 + b_2, the same for every position (chapter "The feed-forward block")."""
    return linear2(dropout(F.relu(linear1(x))))  # (B, T, D) -> (B, T, d_ff) -> (B, T, D)


def _check_width(name: str, x: torch.Tensor, d_model: int) -> None:
    if x.ndim != 3 or x.shape[-1] != d_model:
        raise ValueError(f"{name} must have shape (B, length, d_model={d_model}), got {tuple(x.shape)}")


class EncoderLayer(nn.Module):
    """Self-attention then feed-forward, each with residual + LayerNorm.

    Submodule names follow ``torch.nn.TransformerEncoderLayer`` so weights copy across.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0, norm_first: bool = False):
        super().__init__()
        self.d_model, self.norm_first = d_model, norm_first
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.norm1, self.norm2 = LayerNorm(d_model), LayerNorm(d_model)
        self.dropout, self.dropout1, self.dropout2 = nn.Dropout(dropout), nn.Dropout(dropout), nn.Dropout(dropout)

    def _sa(self, x, mask, need_weights):
        out = self.self_attn(x, x, x, mask=mask, need_weights=need_weights)
        out, w = out if need_weights else (out, None)
        return self.dropout1(out), w

    def _ff(self, x):
        return self.dropout2(feed_forward(x, self.linear1, self.linear2, self.dropout))

    def forward(self, x: torch.Tensor, mask=None, need_weights: bool = False):
        """x (B, S, D), mask True = may attend, broadcastable to (B, H, S, S).

        Returns (B, S, D), or (output, self-attention weights (B, H, S, S)) with ``need_weights``.
        """
        _check_width("x", x, self.d_model)
        if self.norm_first:
            a, w = self._sa(self.norm1(x), mask, need_weights)
            x = x + a
            x = x + self._ff(self.norm2(x))
        else:
            a, w = self._sa(x, mask, need_weights)
            x = self.norm1(x + a)
            x = self.norm2(x + self._ff(x))
        return (x, w) if need_weights else x


class DecoderLayer(nn.Module):
    """Masked self-attention, cross-attention to the encoder's output, feed-forward.

    In cross-attention the queries come from the decoder (``x``) and the keys and values from
    the encoder's output (``memory``). Names follow ``torch.nn.TransformerDecoderLayer``.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0, norm_first: bool = False):
        super().__init__()
        self.d_model, self.norm_first = d_model, norm_first
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.cross_attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.norm1, self.norm2, self.norm3 = LayerNorm(d_model), LayerNorm(d_model), LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)
        self.dropout1, self.dropout2, self.dropout3 = nn.Dropout(dropout), nn.Dropout(dropout), nn.Dropout(dropout)

    def _attn(self, module, x, mem, mask, need_weights):
        out = module(x, mem, mem, mask=mask, need_weights=need_weights)
        return out if need_weights else (out, None)

    def _ff(self, x):
        return self.dropout3(feed_forward(x, self.linear1, self.linear2, self.dropout))

    def forward(self, x, memory, self_mask=None, memory_mask=None, need_weights: bool = False):
        """x (B, T, D) decoder stream; memory (B, S, D) encoder output.

        self_mask broadcasts to (B, H, T, T) (usually causal); memory_mask to (B, H, T, S)
        (usually the source padding mask). Returns (B, T, D), or with ``need_weights``
        (output, self weights (B, H, T, T), cross weights (B, H, T, S)).
        """
        _check_width("x", x, self.d_model)
        _check_width("memory", memory, self.d_model)
        if memory.shape[0] != x.shape[0]:
            raise ValueError(f"memory batch {memory.shape[0]} != decoder batch {x.shape[0]}")
        if self.norm_first:
            h = self.norm1(x)
            a, ws = self._attn(self.self_attn, h, h, self_mask, need_weights)
            x = x + self.dropout1(a)
            c, wc = self._attn(self.cross_attn, self.norm2(x), memory, memory_mask, need_weights)
            x = x + self.dropout2(c)
            x = x + self._ff(self.norm3(x))
        else:
            a, ws = self._attn(self.self_attn, x, x, self_mask, need_weights)
            x = self.norm1(x + self.dropout1(a))
            c, wc = self._attn(self.cross_attn, x, memory, memory_mask, need_weights)
            x = self.norm2(x + self.dropout2(c))
            x = self.norm3(x + self._ff(x))
        return (x, ws, wc) if need_weights else x
