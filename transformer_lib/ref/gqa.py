"""Grouped-query and multi-query attention in NumPy (chapter "The modern block").

Multi-query attention (Shazeer 2019, "Fast Transformer Decoding: One Write-Head is All You
Need") keeps H query heads but only one key head and one value head, shared by all of them.
Grouped-query attention (Ainslie et al. 2023, "GQA: Training Generalized Multi-Query
Transformer Models from Multi-Head Checkpoints") sits between: H_kv key/value heads, H_kv
dividing H, each shared by a group of H / H_kv consecutive query heads. H_kv = H is ordinary
multi-head attention, H_kv = 1 is multi-query attention. The KV cache shrinks by H / H_kv
(:func:`transformer_lib.nn.kv_cache_bytes` with ``n_kv_heads``).

Query head h reads key/value head h // (H / H_kv), the grouping of
``F.scaled_dot_product_attention(..., enable_gqa=True)``.
"""

from __future__ import annotations

import numpy as np

from transformer_lib._checks import check_heads, check_kv_heads, check_mask
from transformer_lib.ref.attention import merge_heads, scaled_dot_product_attention, split_heads
from transformer_lib.ref.rotary import apply_rotary


def repeat_kv(x, n_rep: int):
    """(..., H_kv, S, Dh) -> (..., H_kv * n_rep, S, Dh): each key/value head repeated for its n_rep query heads.

    Copies are consecutive (head j becomes heads j*n_rep .. j*n_rep + n_rep - 1), so query head
    h meets key/value head h // n_rep. Chapter "The modern block"; GQA, Ainslie et al. 2023.
    """
    x = np.asarray(x)
    return np.repeat(x, n_rep, axis=-3)  # (..., H_kv * n_rep, S, Dh)


def grouped_attention(q, k, v, mask=None):
    """softmax(q_h k_g^T / sqrt(Dh)) v_g for every query head h, with g = h // (H / H_kv).

    Chapter "The modern block"; GQA (Ainslie et al. 2023), MQA (Shazeer 2019) when H_kv = 1.
    Equal to ``F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)``.

    Args:
        q: queries (..., H, T, Dh).
        k, v: keys and values (..., H_kv, S, Dh), H_kv dividing H.
        mask: boolean, True = may attend, broadcastable to (..., H, T, S).

    Returns:
        (output (..., H, T, Dh), weights (..., H, T, S)).
    """
    q, k, v = np.asarray(q), np.asarray(k), np.asarray(v)
    for name, a in (("q", q), ("k", k), ("v", v)):
        if a.ndim < 3:
            raise ValueError(f"{name} must have shape (..., heads, length, Dh), got shape {a.shape}")
    if k.shape[-3] != v.shape[-3]:
        raise ValueError(f"k and v must have the same number of heads H_kv, got k {k.shape} and v {v.shape}")
    check_kv_heads(q.shape[-3], k.shape[-3])
    n_rep = q.shape[-3] // k.shape[-3]
    k, v = repeat_kv(k, n_rep), repeat_kv(v, n_rep)  # (..., H, S, Dh) each
    return scaled_dot_product_attention(q, k, v, mask)  # (..., H, T, Dh), (..., H, T, S)


def grouped_query_attention(x_q, x_kv, W_Q, W_K, W_V, W_O, n_heads: int, n_kv_heads: int, mask=None,
                            rotary: bool = False):
    """Grouped-query attention from the residual stream: H query heads, H_kv key/value heads.

    Chapter "The modern block"; Ainslie et al. 2023 (GQA), Shazeer 2019 (MQA, n_kv_heads=1).
    Weights are (D_in, D_out), as in :func:`transformer_lib.ref.multi_head_attention`; no biases
    (as in LLaMA). With ``rotary`` the queries and keys are rotated by their positions 0..T-1
    and 0..S-1 (RoPE, :func:`transformer_lib.ref.apply_rotary`) after the split into heads.

    Args:
        x_q: (..., T, D); x_kv: (..., S, D).
        W_Q: (D, D); W_K, W_V: (D, H_kv * Dh); W_O: (D, D), with Dh = D / H.
        n_heads: H; n_kv_heads: H_kv, dividing H.
        mask: boolean, True = may attend, broadcastable to (..., H, T, S).

    Returns:
        (output (..., T, D), weights (..., H, T, S)).
    """
    x_q, x_kv = np.asarray(x_q), np.asarray(x_kv)
    D = x_q.shape[-1]
    check_heads(D, n_heads)
    check_kv_heads(n_heads, n_kv_heads)
    if x_kv.shape[-1] != D:
        raise ValueError(f"x_q has d_model={D} (shape {x_q.shape}) but x_kv has {x_kv.shape[-1]} (shape {x_kv.shape})")
    D_kv = n_kv_heads * (D // n_heads)
    shapes = {"W_Q": (D, D), "W_K": (D, D_kv), "W_V": (D, D_kv), "W_O": (D, D)}
    for (name, want), W in zip(shapes.items(), (W_Q, W_K, W_V, W_O)):
        if np.shape(W) != want:
            raise ValueError(f"{name} must have shape {want} (d_model={D}, n_heads={n_heads}, "
                             f"n_kv_heads={n_kv_heads}), got {np.shape(W)}")
    q = split_heads(x_q @ W_Q, n_heads)  # (..., H, T, Dh)
    k = split_heads(x_kv @ W_K, n_kv_heads)  # (..., H_kv, S, Dh)
    v = split_heads(x_kv @ W_V, n_kv_heads)  # (..., H_kv, S, Dh)
    if rotary:
        q, k = apply_rotary(q), apply_rotary(k)  # positions 0..T-1 and 0..S-1
    if mask is not None:
        check_mask(mask, q.shape[-2], k.shape[-2], q.shape[:-2])
    heads, weights = grouped_attention(q, k, v, mask)  # (..., H, T, Dh), (..., H, T, S)
    return merge_heads(heads) @ W_O, weights  # (..., T, D), (..., H, T, S)
