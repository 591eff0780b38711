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
from transformer_lib.nn.rotary import apply_rotary


class MultiHeadAttention(nn.Module):
    """MultiHead(Q, K, V) = Concat(head_1..head_H) W_O  (Vaswani et al. 2017, section 3.2.2).

    Args:
        d_model: D.
        n_heads: H, dividing D; each head has width Dh = D / H.
        dropout: dropout on the attention weights (training only).
        bias: whether the four projections have a bias.
        fused: use ``F.scaled_dot_product_attention`` when no weights are asked for.
        rotary: rotate queries and keys by their positions before the scores (RoPE, Su et al.
            2021; chapter "The modern block"); with ``past_kv`` the new positions start at S_past.
            Self-attention only: query t and key t are the same position.
    """

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0, bias: bool = True, fused: bool = True,
                 rotary: bool = False):
        super().__init__()
        check_heads(d_model, n_heads)
        self.d_model, self.n_heads, self.d_head = d_model, n_heads, d_model // n_heads
        self.W_Q = nn.Linear(d_model, d_model, bias=bias)
        self.W_K = nn.Linear(d_model, d_model, bias=bias)
        self.W_V = nn.Linear(d_model, d_model, bias=bias)
        self.W_O = nn.Linear(d_model, d_model, bias=bias)
        self.dropout = dropout
        self.fused = fused
        if rotary and self.d_head % 2:
            raise ValueError(f"RoPE rotates pairs of features: d_head = d_model / n_heads = {self.d_head} must be even")
        self.rotary = rotary

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        B, L, _ = x.shape
        return x.view(B, L, self.n_heads, self.d_head).transpose(1, 2)  # (B, H, L, Dh)

    def forward(self, query, key, value, mask=None, need_weights: bool = False, past_kv=None, use_cache: bool = False):
        """Attend from ``query`` (B, T, D) to ``key``/``value`` (B, S, D).

        Args:
            mask: boolean, True = may attend, broadcastable to (B, H, T, S); with ``past_kv``,
                S counts the cached keys too (S = S_past + new keys).
            need_weights: compute the attention weights (B, H, T, S) too; this takes the
                explicit path. Without it the fused path runs and ``weights`` is None.
            past_kv: the KV cache (chapter "Decoder-only models (GPT)"): a pair (K, V) of the
                earlier positions' projected keys and values, each (B, H, S_past, Dh), put in
                front of this call's keys and values.
            use_cache: also return this call's full (K, V), each (B, H, S, Dh), for the next call.

        Returns:
            ``(output, weights)``, as ``torch.nn.MultiheadAttention`` does: output
            (B, T, D); weights (B, H, T, S) (per head, before dropout) or None unless
            ``need_weights``. With ``use_cache``: ``(output, weights, (K, V))``.
        """
        self._check(query, key, value, mask, past_kv)
        B, T, D = query.shape
        q = self._split(self.W_Q(query))  # (B, H, T, Dh)
        k = self._split(self.W_K(key))  # (B, H, S, Dh)
        v = self._split(self.W_V(value))  # (B, H, S, Dh)
        if self.rotary:  # the cached keys were rotated when they were new: only these positions turn now
            S_past = 0 if past_kv is None else past_kv[0].shape[2]
            q = apply_rotary(q, torch.arange(S_past, S_past + T, device=q.device))  # (B, H, T, Dh)
            k = apply_rotary(k, torch.arange(S_past, S_past + k.shape[2], device=k.device))  # (B, H, S, Dh)
        if past_kv is not None:  # the cached positions were projected once, by earlier calls
            k = torch.cat([past_kv[0], k], dim=2)  # (B, H, S_past + S, Dh)
            v = torch.cat([past_kv[1], v], dim=2)  # (B, H, S_past + S, Dh)
        p = self.dropout if self.training else 0.0
        heads, weights = attend(q, k, v, mask, p, need_weights, self.fused)  # (B, H, T, Dh), (B, H, T, S) or None
        out = self.W_O(heads.transpose(1, 2).reshape(B, T, D))  # (B, H, T, Dh) -> (B, T, H, Dh) -> (B, T, D)
        if use_cache:
            return out, weights if need_weights else None, (k, v)
        return out, (weights if need_weights else None)  # as torch: weights only when asked

    def _check(self, query, key, value, mask, past_kv=None) -> None:
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
        S_past = 0
        if past_kv is not None:
            want = (query.shape[0], self.n_heads)
            if (len(past_kv) != 2 or any(t.ndim != 4 or tuple(t.shape[:2]) != want or t.shape[-1] != self.d_head
                                         for t in past_kv) or past_kv[0].shape != past_kv[1].shape):
                raise ValueError(f"past_kv must be a pair (K, V) of tensors (B={want[0]}, H={want[1]}, S_past, "
                                 f"Dh={self.d_head}), got {[tuple(t.shape) for t in past_kv]}")
            S_past = past_kv[0].shape[2]
        check_mask(mask, query.shape[1], S_past + key.shape[1], (query.shape[0], self.n_heads))


def repeat_kv(x: torch.Tensor, n_rep: int) -> torch.Tensor:
    """(B, H_kv, S, Dh) -> (B, H_kv * n_rep, S, Dh): kv head j serves query heads j*n_rep .. j*n_rep + n_rep - 1.

    Chapter "The modern block"; GQA, Ainslie et al. 2023. Equal to :func:`transformer_lib.ref.repeat_kv`.
    """
    return x.repeat_interleave(n_rep, dim=-3)  # (B, H, S, Dh)


def attend(q, k, v, mask=None, dropout_p: float = 0.0, need_weights: bool = False, fused: bool = True):
    """softmax(Q K^T / sqrt(Dh)) V per head: the core that :class:`MultiHeadAttention` and
    grouped-query attention (:func:`transformer_lib.nn.grouped_attention`) share.

    Args:
        q: (B, H, T, Dh); k, v: (B, H_kv, S, Dh), H_kv dividing H (H_kv = H: multi-head attention;
            fewer: each key/value head serves H / H_kv query heads, chapter "The modern block").
        mask: boolean, True = may attend, broadcastable to (B, H, T, S); it goes to
            ``F.scaled_dot_product_attention`` as it is (torch's boolean mask means the same).
        dropout_p: dropout on the weights (pass 0.0 in eval mode).
        need_weights: take the explicit path and return the weights too.
        fused: use ``F.scaled_dot_product_attention`` when no weights are asked for.

    Returns:
        (heads (B, H, T, Dh), weights (B, H, T, S) or None). A query whose keys are all masked
        gets zeros, never NaN.
    """
    H, H_kv = q.shape[1], k.shape[1]
    empty = None
    if mask is not None:
        # A query whose keys are all masked has nothing to read. Let it attend everywhere
        # (finite, unlike softmax over all -inf) and zero its output below, so that neither
        # the output nor the gradient is ever NaN.
        empty = ~mask.any(dim=-1, keepdim=True)  # broadcastable to (B, H, T, 1)
        mask = mask | empty
    if fused and not need_weights:
        heads = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p,
                                               enable_gqa=H_kv != H)  # (B, H, T, Dh)
        weights = None
    else:
        if H_kv != H:
            k, v = repeat_kv(k, H // H_kv), repeat_kv(v, H // H_kv)  # (B, H, S, Dh) each
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, T, S)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)  # (B, H, T, S)
        heads = F.dropout(weights, dropout_p) @ v  # (B, H, T, Dh)
    if empty is not None:
        heads = heads.masked_fill(empty, 0.0)
        if weights is not None:
            weights = weights.masked_fill(empty, 0.0)
    return heads, weights
