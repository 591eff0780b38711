"""Grouped-query and multi-query attention as torch code (chapter "The modern block").

GQA (Ainslie et al. 2023): H query heads share H_kv key/value heads in groups of H / H_kv
consecutive heads; H_kv = 1 is multi-query attention (Shazeer 2019), H_kv = H multi-head
attention. Mirrors :mod:`transformer_lib.ref.gqa`. The fused path is
``F.scaled_dot_product_attention(..., enable_gqa=True)``, whose boolean ``attn_mask`` already
means True = may attend, the book's convention, so the mask goes in as it is (no conversion).
"""

from __future__ import annotations

import torch
from torch import nn

from transformer_lib._checks import check_heads, check_kv_heads, check_mask
from transformer_lib.nn.attention import attend, repeat_kv  # noqa: F401 (repeat_kv is also reached as nn.gqa.repeat_kv)
from transformer_lib.nn.rotary import apply_rotary


def grouped_attention(q, k, v, mask=None, need_weights: bool = False, dropout_p: float = 0.0):
    """Attention of H query heads over H_kv shared key/value heads (chapter "The modern block").

    GQA, Ainslie et al. 2023; MQA (Shazeer 2019) when H_kv = 1.

    Equal to :func:`transformer_lib.ref.grouped_attention` and to
    ``F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)``, except that a
    query whose keys are all masked gets zeros (never NaN), as in
    :class:`transformer_lib.nn.MultiHeadAttention`.

    Args:
        q: (B, H, T, Dh); k, v: (B, H_kv, S, Dh), H_kv dividing H.
        mask: boolean, True = may attend, broadcastable to (B, H, T, S).
        need_weights: take the explicit path and return the weights (B, H, T, S) too.

    Returns:
        (output (B, H, T, Dh), weights (B, H, T, S) or None).
    """
    for name, t in (("q", q), ("k", k), ("v", v)):
        if not isinstance(t, torch.Tensor) or t.ndim != 4:
            shape = tuple(getattr(t, "shape", ()))
            raise ValueError(f"{name} must be a tensor of shape (B, heads, length, Dh), got {shape}")
    if k.shape != v.shape or k.shape[0] != q.shape[0] or k.shape[-1] != q.shape[-1]:
        raise ValueError(f"k and v must both be (B={q.shape[0]}, H_kv, S, Dh={q.shape[-1]}), "
                         f"got k {tuple(k.shape)} and v {tuple(v.shape)}")
    H, H_kv = q.shape[1], k.shape[1]
    check_kv_heads(H, H_kv)
    check_mask(mask, q.shape[2], k.shape[2], (q.shape[0], H))
    return attend(q, k, v, mask, dropout_p, need_weights)  # (B, H, T, Dh), (B, H, T, S) or None


class GroupedQueryAttention(nn.Module):
    """Grouped-query attention: H query heads, H_kv key/value heads (chapter "The modern block").

    Ainslie et al. 2023 (GQA); ``n_kv_heads=1`` is multi-query attention (Shazeer 2019),
    ``n_kv_heads=n_heads`` multi-head attention. W_K and W_V project to H_kv * Dh features
    instead of D, which is where the parameters and the KV cache shrink. No biases by default,
    as in LLaMA. Returns ``(output, weights)`` like :class:`transformer_lib.nn.MultiHeadAttention`.

    Args:
        d_model: D.  n_heads: H (dividing D).  n_kv_heads: H_kv (dividing H).
        dropout: on the attention weights (training only).
        bias: whether the four projections have a bias.
        rotary: rotate queries and keys by their positions (RoPE, :func:`~transformer_lib.nn.apply_rotary`).
    """

    def __init__(self, d_model: int, n_heads: int, n_kv_heads: int, dropout: float = 0.0, bias: bool = False,
                 rotary: bool = False):
        super().__init__()
        check_heads(d_model, n_heads)
        check_kv_heads(n_heads, n_kv_heads)
        self.d_model, self.n_heads, self.n_kv_heads = d_model, n_heads, n_kv_heads
        self.d_head = d_model // n_heads
        self.W_Q = nn.Linear(d_model, d_model, bias=bias)
        self.W_K = nn.Linear(d_model, n_kv_heads * self.d_head, bias=bias)
        self.W_V = nn.Linear(d_model, n_kv_heads * self.d_head, bias=bias)
        self.W_O = nn.Linear(d_model, d_model, bias=bias)
        self.dropout, self.rotary = dropout, rotary

    def forward(self, query, key, value, mask=None, need_weights: bool = False):
        """Attend from ``query`` (B, T, D) to ``key``/``value`` (B, S, D).

        Returns:
            (output (B, T, D), weights (B, H, T, S) or None unless ``need_weights``).
        """
        for name, x in (("query", query), ("key", key), ("value", value)):
            if x.ndim != 3 or x.shape[-1] != self.d_model:
                raise ValueError(f"{name} must have shape (B, length, d_model={self.d_model}), got {tuple(x.shape)}")
        if key.shape[:2] != value.shape[:2] or query.shape[0] != key.shape[0]:
            raise ValueError(f"query (B, T, D), key and value (B, S, D) must agree on B and S, got "
                             f"{tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}")
        B, T, D = query.shape
        S = key.shape[1]
        q = self.W_Q(query).view(B, T, self.n_heads, self.d_head).transpose(1, 2)  # (B, T, D) -> (B, H, T, Dh)
        k = self.W_K(key).view(B, S, self.n_kv_heads, self.d_head).transpose(1, 2)  # (B, H_kv, S, Dh)
        v = self.W_V(value).view(B, S, self.n_kv_heads, self.d_head).transpose(1, 2)  # (B, H_kv, S, Dh)
        if self.rotary:
            q, k = apply_rotary(q), apply_rotary(k)  # positions 0..T-1 and 0..S-1
        p = self.dropout if self.training else 0.0
        heads, weights = grouped_attention(q, k, v, mask, need_weights, p)  # (B, H, T, Dh), (B, H, T, S) | None
        out = self.W_O(heads.transpose(1, 2).reshape(B, T, D))  # (B, H, T, Dh) -> (B, T, H, Dh) -> (B, T, D)
        return out, weights

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, n_heads={self.n_heads}, n_kv_heads={self.n_kv_heads}, rotary={self.rotary}"
