"""Multi-head attention as a PyTorch module (chapters "Self-attention" and "Multi-head attention").

Two paths compute the same thing, side by side as in nanoGPT: the *fused* path calls
``F.scaled_dot_product_attention`` (fast, returns no weights), the *explicit* path writes
out softmax(Q K^T / sqrt(Dh)) V (slower, returns the weights the book draws).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from transformer_lib._checks import check_heads, check_mask


class MultiHeadAttention(nn.Module):
    """MultiHead(Q, K, V) = Concat(head_1..head_H) W_O  (Vaswani et al. 2017, section 3.2.2).

    Args:
        d_model: D.
        n_heads: H, dividing D; each head has width Dh = D / H.
        dropout: dropout on the attention weights (training only).
        bias: whether the four projections have a bias.
        fused: use ``F.scaled_dot_product_attention`` when no weights are asked for.
    """

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0, bias: bool = True, fused: bool = True):
        super().__init__()
        check_heads(d_model, n_heads)
        self.d_model, self.n_heads, self.d_head = d_model, n_heads, d_model // n_heads
        self.W_Q = nn.Linear(d_model, d_model, bias=bias)
        self.W_K = nn.Linear(d_model, d_model, bias=bias)
        self.W_V = nn.Linear(d_model, d_model, bias=bias)
        self.W_O = nn.Linear(d_model, d_model, bias=bias)
        self.dropout = dropout
        self.fused = fused

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        B, L, _ = x.shape
        return x.view(B, L, self.n_heads, self.d_head).transpose(1, 2)  # (B, H, L, Dh)

    def forward(self, query, key, value, mask=None, need_weights: bool = False):
        """Attend from ``query`` (B, T, D) to ``key``/``value`` (B, S, D).

        Args:
            mask: boolean, True = may attend, broadcastable to (B, H, T, S).
            need_weights: compute the attention weights (B, H, T, S) too; this takes the
                explicit path. Without it the fused path runs and ``weights`` is None.

        Returns:
            ``(output, weights)`` always, as ``torch.nn.MultiheadAttention`` does: output
            (B, T, D); weights (B, H, T, S) (per head, before dropout) or None unless
            ``need_weights``.
        """
        self._check(query, key, value, mask)
        B, T, D = query.shape
        q = self._split(self.W_Q(query))  # (B, H, T, Dh)
        k = self._split(self.W_K(key))  # (B, H, S, Dh)
        v = self._split(self.W_V(value))  # (B, H, S, Dh)
        p = self.dropout if self.training else 0.0
        empty = None
        if mask is not None:
            # A query whose keys are all masked has nothing to read. Let it attend everywhere
            # (finite, unlike softmax over all -inf) and zero its output below, so that neither
            # the output nor the gradient is ever NaN.
            empty = ~mask.any(dim=-1, keepdim=True)  # broadcastable to (B, H, T, 1)
            mask = mask | empty
        if self.fused and not need_weights:
            heads = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)  # (B, H, T, Dh)
            weights = None
        else:
            scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head)  # (B, H, T, S)
            if mask is not None:
                scores = scores.masked_fill(~mask, float("-inf"))
            weights = torch.softmax(scores, dim=-1)  # (B, H, T, S)
            heads = F.dropout(weights, p) @ v  # (B, H, T, Dh)
        if empty is not None:
            heads = heads.masked_fill(empty, 0.0)
            if weights is not None:
                weights = weights.masked_fill(empty, 0.0)
        out = self.W_O(heads.transpose(1, 2).reshape(B, T, D))  # (B, H, T, Dh) -> (B, T, H, Dh) -> (B, T, D)
        return out, (weights if need_weights else None)  # as torch: weights only when asked

    def _check(self, query, key, value, mask) -> None:
        for name, x in (("query", query), ("key", key), ("value", value)):
            if x.ndim != 3 or x.shape[-1] != self.d_model:
                raise ValueError(
                    f"{name} must have shape (B, length, d_model={self.d_model}), got {tuple(x.shape)}"
                )
        if key.shape[:2] != value.shape[:2]:
            raise ValueError(
                f"K and V disagree on length: key has shape {tuple(key.shape)}, value {tuple(value.shape)}"
            )
        if query.shape[0] != key.shape[0]:
            raise ValueError(f"query batch {query.shape[0]} != key batch {key.shape[0]}")
        check_mask(mask, query.shape[1], key.shape[1], (query.shape[0], self.n_heads))
