"""FlashAttention's idea in NumPy: attention without the T x S matrix (chapter "The cost of attention").

``softmax(Q K^T / sqrt(d_k)) V`` needs each row's softmax normaliser, a sum over ALL keys, before
any weight is known; the obvious code therefore holds the whole (T, S) score matrix. The *online
softmax* (Milakov & Gimelshein 2018) removes that need: walk over the keys block by block and keep,
per query, the running maximum m, the running sum l = sum_s exp(score_s - m), and the running
output acc = sum_s exp(score_s - m) v_s. When a new block raises the maximum from m to m', the old
sum and accumulator are rescaled by exp(m - m'), so that at the end acc / l is exactly the softmax-
weighted sum. FlashAttention (Dao et al. 2022) does this in tiles that fit in a GPU's fast memory;
here the point is the memory: the largest array is (T, block_size), not (T, S).
"""

from __future__ import annotations

import numpy as np

from transformer_lib._checks import check_mask, check_qkv


def flash_attention(Q, K, V, mask=None, block_size: int = 64, causal: bool = False):
    """Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V, computed over key blocks with an online
    softmax; equal to :func:`transformer_lib.ref.scaled_dot_product_attention`'s output.

    Args:
        Q: queries (..., T, Dk).
        K: keys (..., S, Dk).
        V: values (..., S, Dv).
        mask: optional boolean, True = may attend, broadcastable to (..., T, S). It is only ever
            read one (T, block_size) slice at a time.
        block_size: keys per block (the last block may be shorter).
        causal: also mask s > t, built per block, so that no (T, S) array is needed at all.

    Returns:
        output (..., T, Dv). A query whose keys are all masked gets zeros (as in the reference).
        No weights: they are never formed, which is the point.
    """
    Q, K, V = np.asarray(Q), np.asarray(K), np.asarray(V)
    check_qkv(Q, K, V)
    T, S = Q.shape[-2], K.shape[-2]
    check_mask(mask, T, S, np.broadcast_shapes(Q.shape[:-2], K.shape[:-2]))
    if isinstance(block_size, bool) or int(block_size) != block_size or block_size < 1:
        raise ValueError(f"flash_attention needs a positive integer block_size (>= 1), got {block_size!r}")
    block_size = int(block_size)
    if mask is not None:  # a read-only view, so that a (T, 1) or (1, S) mask can be sliced by key block
        mask = np.broadcast_to(mask, np.broadcast_shapes(np.shape(mask), (T, S)))  # (..., T, S)
    dtype = np.result_type(Q, K, V, np.float32)
    lead = np.broadcast_shapes(Q.shape[:-2], K.shape[:-2])
    m = np.full((*lead, T, 1), -np.inf, dtype)  # running maximum of each query's scores
    l = np.zeros((*lead, T, 1), dtype)  # running sum of exp(score - m)
    acc = np.zeros((*lead, T, V.shape[-1]), dtype)  # running sum of exp(score - m) * v
    rows = np.arange(T)[:, None]  # (T, 1) query positions, for the causal mask
    for start in range(0, S, block_size):
        stop = min(start + block_size, S)
        scores = Q @ np.swapaxes(K[..., start:stop, :], -1, -2) / float(np.sqrt(Q.shape[-1]))  # (..., T, b)
        if mask is not None:
            scores = np.where(mask[..., start:stop], scores, -np.inf)
        if causal:
            scores = np.where(np.arange(start, stop)[None, :] <= rows, scores, -np.inf)  # (T, b) mask
        m_new = np.maximum(m, scores.max(axis=-1, keepdims=True))  # (..., T, 1)
        # A query that has seen only masked keys so far has m_new = -inf; shift by 0 instead so that
        # exp(-inf - 0) = 0 and no -inf - (-inf) = NaN appears.
        shift = np.where(np.isfinite(m_new), m_new, 0.0)
        p = np.exp(scores - shift)  # (..., T, b), the block's unnormalised weights
        rescale = np.exp(m - shift)  # (..., T, 1), exp(m - m'): 0 for the first finite block
        l = l * rescale + p.sum(axis=-1, keepdims=True)
        acc = acc * rescale + p @ V[..., start:stop, :]  # (..., T, Dv)
        m = m_new
    return acc / np.where(l == 0, 1.0, l)  # (..., T, Dv); zero rows stay zero
