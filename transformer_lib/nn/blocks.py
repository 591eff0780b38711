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
from transformer_lib.ref.blocks import swiglu_hidden_width


def feed_forward(x: torch.Tensor, linear1: nn.Linear, linear2: nn.Linear, dropout: nn.Module) -> torch.Tensor:
    """FFN(x) = max(0, x W_1 + b_1) W_2 + b_2, the same for every position (chapter "The feed-forward block")."""
    return linear2(dropout(F.relu(linear1(x))))  # (B, T, D) -> (B, T, d_ff) -> (B, T, D)


def _check_width(name: str, x: torch.Tensor, d_model: int) -> None:
    if x.ndim != 3 or x.shape[-1] != d_model:
        raise ValueError(f"{name} must have shape (B, length, d_model={d_model}), got {tuple(x.shape)}")


def _check_d_ff(d_ff: int) -> None:
    if int(d_ff) != d_ff or d_ff <= 0:
        raise ValueError(f"d_ff must be a positive integer (the paper uses 4 x d_model), got {d_ff!r}")


def to_torch_state_dict(layer: nn.Module) -> dict[str, torch.Tensor]:
    """The weights of an :class:`EncoderLayer` or :class:`DecoderLayer` under the names of
    ``torch.nn.TransformerEncoderLayer`` / ``TransformerDecoderLayer``.

    Torch packs W_Q, W_K and W_V of one attention into ``in_proj_weight`` (3D, D) and calls
    W_O ``out_proj``; the decoder's cross-attention is ``multihead_attn``. Everything else
    (``linear1``, ``linear2``, ``norm1..3``) already has torch's name. Use it as
    ``torch_layer.load_state_dict(to_torch_state_dict(layer))``.
    """
    out = {}
    for mine, theirs in (("self_attn", "self_attn"), ("cross_attn", "multihead_attn")):
        mha = getattr(layer, mine, None)
        if mha is None:
            continue
        out[f"{theirs}.in_proj_weight"] = torch.cat([mha.W_Q.weight, mha.W_K.weight, mha.W_V.weight])  # (3D, D)
        out[f"{theirs}.in_proj_bias"] = torch.cat([mha.W_Q.bias, mha.W_K.bias, mha.W_V.bias])  # (3D,)
        out[f"{theirs}.out_proj.weight"] = mha.W_O.weight
        out[f"{theirs}.out_proj.bias"] = mha.W_O.bias
    for name, t in layer.state_dict().items():
        if not name.startswith(("self_attn.", "cross_attn.")):
            out[name] = t
    return {k: v.detach().clone() for k, v in out.items()}


class EncoderLayer(nn.Module):
    """Self-attention then feed-forward, each with residual + LayerNorm (Vaswani et al. 2017, section 3.1).

    post-norm (``norm_first=False``, the paper): x = LN1(x + SelfAttn(x)); x = LN2(x + FFN(x)).
    pre-norm (``norm_first=True``): x = x + SelfAttn(LN1(x)); x = x + FFN(LN2(x)).

    Submodule names follow ``torch.nn.TransformerEncoderLayer`` so weights copy across
    (:func:`to_torch_state_dict`). Chapter "Encoder, decoder and cross-attention".

    Args:
        d_model: D.  n_heads: H (dividing D).  d_ff: hidden width of the feed-forward block.
        dropout: on attention weights and after each sublayer (training only).
        norm_first: pre-norm instead of the paper's post-norm.
        rotary: RoPE in the self-attention (:class:`MultiHeadAttention`'s ``rotary``; chapter "The modern block").
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0, norm_first: bool = False,
                 rotary: bool = False):
        super().__init__()
        _check_d_ff(d_ff)
        self.d_model, self.norm_first = d_model, norm_first
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout, rotary=rotary)
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.norm1, self.norm2 = LayerNorm(d_model), LayerNorm(d_model)
        self.dropout, self.dropout1, self.dropout2 = nn.Dropout(dropout), nn.Dropout(dropout), nn.Dropout(dropout)

    def _sa(self, x, mask, need_weights, past_kv=None, use_cache=False):
        out, w, *present = self.self_attn(x, x, x, mask=mask, need_weights=need_weights, past_kv=past_kv,
                                          use_cache=use_cache)
        return self.dropout1(out), w, present  # present: [] or [(K, V)]

    def _ff(self, x):
        return self.dropout2(feed_forward(x, self.linear1, self.linear2, self.dropout))

    def forward(self, x: torch.Tensor, mask=None, need_weights: bool = False, past_kv=None, use_cache: bool = False):
        """x (B, S, D), mask True = may attend, broadcastable to (B, H, S, S).

        With a causal mask this is a decoder-only (GPT) block: masked self-attention, no
        cross-attention. ``past_kv`` and ``use_cache`` pass the KV cache through to the
        self-attention (:class:`MultiHeadAttention`): then the mask covers the cached keys too,
        (B, H, S, S_past + S).

        Returns the output (B, S, D), a tensor as ``torch.nn.TransformerEncoderLayer`` returns;
        with ``need_weights``, the pair (output, self-attention weights (B, H, S, S)). With
        ``use_cache``, the layer's (K, V) cache, each (B, H, S_past + S, Dh), is appended:
        (output, cache) or (output, weights, cache).
        """
        _check_width("x", x, self.d_model)
        if self.norm_first:
            a, w, present = self._sa(self.norm1(x), mask, need_weights, past_kv, use_cache)
            x = x + a
            x = x + self._ff(self.norm2(x))
        else:
            a, w, present = self._sa(x, mask, need_weights, past_kv, use_cache)
            x = self.norm1(x + a)
            x = self.norm2(x + self._ff(x))
        if use_cache:
            return (x, w, present[0]) if need_weights else (x, present[0])
        return (x, w) if need_weights else x


def run_encoder_stack(layers, x: torch.Tensor, mask=None, need_weights: bool = False):
    """Run ``x`` (B, S, D) through a stack of :class:`EncoderLayer`, each with the same mask.

    Returns (B, S, D), or with ``need_weights`` (output, a list of per-layer weights
    (B, H, S, S)). Shared by ``Transformer.encode`` and the pronoun model of chapter "It -> animal".
    """
    weights = []
    for layer in layers:
        if need_weights:
            x, w = layer(x, mask, need_weights=True)
            weights.append(w)
        else:
            x = layer(x, mask)
    return (x, weights) if need_weights else x


class DecoderLayer(nn.Module):
    """Masked self-attention, cross-attention to the encoder's output, feed-forward (section 3.1).

    post-norm: x = LN1(x + SelfAttn(x)); x = LN2(x + CrossAttn(x, memory)); x = LN3(x + FFN(x)).
    Arguments as :class:`EncoderLayer`.

    In cross-attention the queries come from the decoder (``x``) and the keys and values from
    the encoder's output (``memory``). Names follow ``torch.nn.TransformerDecoderLayer``.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0, norm_first: bool = False):
        super().__init__()
        _check_d_ff(d_ff)
        self.d_model, self.norm_first = d_model, norm_first
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.cross_attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.norm1, self.norm2, self.norm3 = LayerNorm(d_model), LayerNorm(d_model), LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)
        self.dropout1, self.dropout2, self.dropout3 = nn.Dropout(dropout), nn.Dropout(dropout), nn.Dropout(dropout)

    def _ff(self, x):
        return self.dropout3(feed_forward(x, self.linear1, self.linear2, self.dropout))

    def forward(self, x, memory, self_mask=None, memory_mask=None, need_weights: bool = False):
        """x (B, T, D) decoder stream; memory (B, S, D) encoder output.

        self_mask broadcasts to (B, H, T, T) (usually causal); memory_mask to (B, H, T, S)
        (usually the source padding mask). Returns the output (B, T, D), a tensor as
        ``torch.nn.TransformerDecoderLayer`` returns; with ``need_weights``, the triple
        (output, self weights (B, H, T, T), cross weights (B, H, T, S)).
        """
        _check_width("x", x, self.d_model)
        _check_width("memory", memory, self.d_model)
        if memory.shape[0] != x.shape[0]:
            raise ValueError(f"memory batch {memory.shape[0]} != decoder batch {x.shape[0]}")
        if self.norm_first:
            h = self.norm1(x)
            a, ws = self.self_attn(h, h, h, mask=self_mask, need_weights=need_weights)
            x = x + self.dropout1(a)
            c, wc = self.cross_attn(self.norm2(x), memory, memory, mask=memory_mask, need_weights=need_weights)
            x = x + self.dropout2(c)
            x = x + self._ff(self.norm3(x))
        else:
            a, ws = self.self_attn(x, x, x, mask=self_mask, need_weights=need_weights)
            x = self.norm1(x + self.dropout1(a))
            c, wc = self.cross_attn(x, memory, memory, mask=memory_mask, need_weights=need_weights)
            x = self.norm2(x + self.dropout2(c))
            x = self.norm3(x + self._ff(x))
        return (x, ws, wc) if need_weights else x


class SwiGLU(nn.Module):
    """FFN_SwiGLU(x) = (SiLU(x W) * x V) W_2, the modern block's feed-forward (chapter "The modern block").

    Shazeer 2020, "GLU Variants Improve Transformer" (Swish with beta = 1 is ``F.silu``); no
    biases, as in the paper. Equal to :func:`transformer_lib.ref.swiglu_feed_forward`.

    Args:
        d_model: D.
        d_ff: the hidden width; by default ``swiglu_hidden_width(d_model)``
            (:func:`transformer_lib.ref.swiglu_hidden_width`), the width whose parameter count
            matches a ReLU FFN with d_ff = 4 x d_model.
    """

    def __init__(self, d_model: int, d_ff: int | None = None):
        super().__init__()
        if isinstance(d_model, bool) or int(d_model) != d_model or d_model <= 0:
            raise ValueError(f"d_model must be a positive integer, got {d_model!r}")
        d_ff = swiglu_hidden_width(d_model) if d_ff is None else d_ff
        _check_d_ff(d_ff)
        self.d_model, self.d_ff = int(d_model), int(d_ff)
        self.W = nn.Linear(self.d_model, self.d_ff, bias=False)  # the gate
        self.V = nn.Linear(self.d_model, self.d_ff, bias=False)  # the linear unit
        self.W_2 = nn.Linear(self.d_ff, self.d_model, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (..., T, D) -> (..., T, D)."""
        if x.ndim == 0 or x.shape[-1] != self.d_model:
            raise ValueError(f"SwiGLU expects the last axis to be d_model={self.d_model}, "
                             f"got shape {tuple(x.shape)}")
        return self.W_2(F.silu(self.W(x)) * self.V(x))  # (..., T, D) -> (..., T, d_ff) -> (..., T, D)
