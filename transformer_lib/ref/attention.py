"""Attention in NumPy, written like the equations.

Introduced in chapter "Self-attention: queries, keys and values" (scaled dot-product and
additive attention) and chapter "Multi-head attention" (``multi_head_attention``).
"""

from __future__ import annotations

import numpy as np

from transformer_lib._checks import check_heads, check_mask, check_qkv


def softmax(x, axis: int = -1):
    """softmax(x)_i = exp(x_i) / sum_j exp(x_j), along ``axis``.

    Subtracting the maximum first changes nothing mathematically and keeps ``exp`` from
    overflowing. A slice that is entirely ``-inf`` (every key masked) gives zeros, not NaN.
    """
    x = np.asarray(x, dtype=np.result_type(x, np.float32))
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)  # an all -inf row: exp(-inf - 0) = 0 everywhere
    e = np.exp(x - m)
    total = np.sum(e, axis=axis, keepdims=True)
    return e / np.where(total == 0, 1.0, total)


def scaled_dot_product_attention(Q, K, V, mask=None):
    """Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V   (Vaswani et al. 2017, eq. 1).

    Args:
        Q: queries (..., T, Dk).
        K: keys (..., S, Dk).
        V: values (..., S, Dv).
        mask: optional boolean array, True = may attend, broadcastable to (..., T, S).
            Masked scores are set to -inf *before* the softmax, so they get exactly zero weight.

    Returns:
        (output (..., T, Dv), weights (..., T, S)). Each row of ``weights`` sums to 1, or is
        all zeros if every key of that row is masked.
    """
    Q, K, V = np.asarray(Q), np.asarray(K), np.asarray(V)
    check_qkv(Q, K, V)
    T, S = Q.shape[-2], K.shape[-2]
    check_mask(mask, T, S, np.broadcast_shapes(Q.shape[:-2], K.shape[:-2]))
    d_k = Q.shape[-1]
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(d_k)  # (..., T, S)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = softmax(scores, axis=-1)  # (..., T, S)
    return weights @ V, weights  # (..., T, Dv), (..., T, S)


def additive_attention(Q, K, V, W_q, W_k, v, mask=None):
    """Additive (Bahdanau) attention: score(q, k) = v^T tanh(W_q q + W_k k).

    The paper compares it with dot-product attention (section 3.2.1): similar in theoretical
    complexity, but the dot product is one matrix multiply and so much faster in practice; in
    quality the two are similar for small d_k, and additive attention beats the *unscaled* dot
    product for larger d_k (the reason for the 1/sqrt(d_k) scale).

    Args:
        Q: (..., T, Dq); K: (..., S, Dk); V: (..., S, Dv).
        W_q: (Dq, A), W_k: (Dk, A), v: (A,) with A the hidden size of the scoring MLP.

    Returns:
        (output (..., T, Dv), weights (..., T, S)).
    """
    Q, K, V = np.asarray(Q), np.asarray(K), np.asarray(V)
    if K.shape[-2] != V.shape[-2]:
        check_qkv(K, K, V)
    hidden = np.tanh((Q @ W_q)[..., :, None, :] + (K @ W_k)[..., None, :, :])  # (..., T, S, A)
    scores = hidden @ v  # (..., T, S)
    if mask is not None:
        check_mask(mask, Q.shape[-2], K.shape[-2], scores.shape[:-2])
        scores = np.where(mask, scores, -np.inf)
    weights = softmax(scores, axis=-1)
    return weights @ V, weights


def split_heads(x, n_heads: int):
    """(..., T, D) -> (..., H, T, Dh): give each head its own slice of the features."""
    *lead, T, D = x.shape
    x = x.reshape(*lead, T, n_heads, D // n_heads)  # (..., T, H, Dh)
    return np.swapaxes(x, -3, -2)  # (..., H, T, Dh)


def merge_heads(x):
    """(..., H, T, Dh) -> (..., T, H*Dh): concatenate the heads' outputs."""
    *lead, H, T, Dh = x.shape
    x = np.swapaxes(x, -3, -2)  # (..., T, H, Dh)
    return x.reshape(*lead, T, H * Dh)  # (..., T, D)


def multi_head_attention(x_q, x_kv, W_Q, W_K, W_V, W_O, n_heads: int, mask=None, biases=None):
    """MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W_O,
    head_i = Attention(x_q W_Q_i, x_kv W_K_i, x_kv W_V_i)   (Vaswani et al. 2017, section 3.2.2).

    Weights are stored as (D_in, D_out), so a projection is ``x @ W``. Head i uses columns
    ``i*Dh:(i+1)*Dh`` of W_Q, W_K and W_V, and rows ``i*Dh:(i+1)*Dh`` of W_O.

    Args:
        x_q: (..., T, D), where the queries come from.
        x_kv: (..., S, D), where the keys and values come from (x_q itself for self-attention).
        W_Q, W_K, W_V, W_O: (D, D).
        n_heads: H; D must be divisible by it.
        mask: boolean, True = may attend, broadcastable to (..., H, T, S).
        biases: optional (b_Q, b_K, b_V, b_O), each (D,).

    Returns:
        (output (..., T, D), weights (..., H, T, S)).
    """
    x_q, x_kv = np.asarray(x_q), np.asarray(x_kv)
    D = x_q.shape[-1]
    check_heads(D, n_heads)
    if x_kv.shape[-1] != D:
        raise ValueError(f"x_q has d_model={D} (shape {x_q.shape}) but x_kv has {x_kv.shape[-1]} (shape {x_kv.shape})")
    for name, W in (("W_Q", W_Q), ("W_K", W_K), ("W_V", W_V), ("W_O", W_O)):
        if np.shape(W) != (D, D):
            raise ValueError(f"{name} must have shape (d_model, d_model) = ({D}, {D}), got {np.shape(W)}")
    b_Q, b_K, b_V, b_O = biases if biases is not None else (0.0, 0.0, 0.0, 0.0)
    q = split_heads(x_q @ W_Q + b_Q, n_heads)  # (..., H, T, Dh)
    k = split_heads(x_kv @ W_K + b_K, n_heads)  # (..., H, S, Dh)
    v = split_heads(x_kv @ W_V + b_V, n_heads)  # (..., H, S, Dh)
    if mask is not None:
        check_mask(mask, q.shape[-2], k.shape[-2], q.shape[:-2])
    heads, weights = scaled_dot_product_attention(q, k, v, mask)  # (..., H, T, Dh), (..., H, T, S)
    return merge_heads(heads) @ W_O + b_O, weights  # (..., T, D), (..., H, T, S)
