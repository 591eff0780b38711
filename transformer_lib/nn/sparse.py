"""Block-sparse attention that skips the masked blocks (chapter "The cost of attention").

A mask alone saves nothing: ``softmax(Q K^T + mask) V`` still scores all T x S pairs and then
throws most of them away. To pay only for the kept pairs, the computation must never form the
masked ones. Here queries, keys and values are cut into blocks; for each kept pair of blocks
(query block i, key block j) of the layout we *gather* the two blocks and score that one
(block_size, block_size) tile, so the work and memory grow with the number of kept pairs: O(T)
for a sliding window with a few global and random blocks, O(T^2) only for a full layout. A row's
softmax then spans the tiles of its row, summed with the online softmax's running sums. This is the block-sparse attention of the Sparse Transformer (Child et al. 2019), Longformer
(Beltagy et al. 2020) and BigBird (Zaheer et al. 2020); the layouts come from
:func:`transformer_lib.nn.masks.block_sparse_layout`. Its result equals dense attention under the
expanded mask (:func:`transformer_lib.nn.masks.block_layout_to_mask`), which the tests check.
"""

from __future__ import annotations

import math

import torch

from transformer_lib._checks import check_qkv
from transformer_lib.nn.masks import block_layout_to_mask


def _block_size(layout: torch.Tensor, T: int, S: int) -> int:
    if not isinstance(layout, torch.Tensor) or layout.dtype != torch.bool or layout.ndim != 2:
        shape = tuple(layout.shape) if hasattr(layout, "shape") else type(layout).__name__
        raise ValueError(f"layout must be a 2-D boolean tensor (nT, nS), got shape {shape}"
                         + (f" of dtype {layout.dtype}" if hasattr(layout, "dtype") else ""))
    nT, nS = layout.shape
    if T % nT or S % nS or T // nT != S // nS:
        raise ValueError(f"a layout of {nT} x {nS} blocks does not cut T={T} queries and S={S} keys into "
                         f"blocks of one size; T / nT and S / nS must be the same whole number")
    return T // nT


def block_sparse_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, layout: torch.Tensor,
                           causal: bool = False) -> torch.Tensor:
    """softmax(Q K^T / sqrt(Dh)) V over the kept blocks only.

    Args:
        q: queries (..., T, Dh), e.g. (B, H, T, Dh).
        k: keys (..., S, Dh), v: values (..., S, Dv), with the same leading shape as ``q``.
        layout: bool (nT, nS), True = query block i may attend to key block j; the block size is
            T / nT = S / nS.
        causal: also mask s > t inside the kept blocks (the token-level causal mask).

    Returns:
        output (..., T, Dv): equal to dense attention with the mask
        ``block_layout_to_mask(layout, T // nT)`` (``& causal_mask(T)`` if causal). A query with
        no key left gets zeros, as in :class:`transformer_lib.nn.MultiHeadAttention`.
    """
    check_qkv(q, k, v)
    if q.shape[:-2] != k.shape[:-2]:
        raise ValueError(f"q and k must share their leading shape (..., T, Dh) / (..., S, Dh), "
                         f"got {tuple(q.shape)} and {tuple(k.shape)}")
    *lead, T, Dh = q.shape
    S, Dv = k.shape[-2], v.shape[-1]
    bs = _block_size(layout, T, S)
    nT, nS = layout.shape
    rows, cols = layout.to(q.device).nonzero(as_tuple=True)  # (P,), (P,): the P kept block pairs
    qb = q.reshape(*lead, nT, bs, Dh)  # (..., nT, bs, Dh)
    kb = k.reshape(*lead, nS, bs, Dh)  # (..., nS, bs, Dh)
    vb = v.reshape(*lead, nS, bs, Dv)  # (..., nS, bs, Dv)

    # One (bs, bs) score tile per kept pair; nothing is computed for the pairs the layout drops.
    scores = qb[..., rows, :, :] @ kb[..., cols, :, :].transpose(-2, -1) / math.sqrt(Dh)  # (..., P, bs, bs)
    if causal:
        offsets = torch.arange(bs, device=q.device)
        q_pos = (rows[:, None] * bs + offsets)[:, :, None]  # (P, bs, 1)
        k_pos = (cols[:, None] * bs + offsets)[:, None, :]  # (P, 1, bs)
        scores = scores.masked_fill(k_pos > q_pos, float("-inf"))

    # A query's softmax runs over the tiles of its row, spread among the P pairs: take each row's
    # maximum (shift-invariance makes it a constant, hence no gradient), then sum exp(score - max)
    # and exp(score - max) v into the row with index_add (the online softmax's m, l and acc,
    # Milakov & Gimelshein 2018, over the kept tiles in one go).
    with torch.no_grad():
        row_max = torch.full((*lead, nT, bs), float("-inf"), dtype=q.dtype, device=q.device)
        tile_max = scores.amax(dim=-1)  # (..., P, bs)
        row_max = row_max.scatter_reduce(-2, rows[:, None].expand_as(tile_max), tile_max, "amax")  # (..., nT, bs)
        row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))  # an empty row: shift 0
    p = torch.exp(scores - row_max[..., rows, :, None])  # (..., P, bs, bs); masked scores give exactly 0
    total = torch.zeros(*lead, nT, bs, dtype=p.dtype, device=q.device).index_add(-2, rows, p.sum(dim=-1))  # (..., nT, bs)
    acc = torch.zeros(*lead, nT, bs, Dv, dtype=p.dtype, device=q.device).index_add(
        -3, rows, p @ vb[..., cols, :, :])  # (..., nT, bs, Dv)
    # A query with no key left has total 0 and acc 0: it gets zeros, never NaN.
    out = acc / torch.where(total == 0, torch.ones_like(total), total)[..., None]  # (..., nT, bs, Dv)
    return out.reshape(*lead, T, Dv)  # (..., nT, bs, Dv) -> (..., T, Dv)


def dense_mask_of(layout: torch.Tensor, block_size: int, causal: bool = False) -> torch.Tensor:
    """The bool (T, S) mask under which dense attention equals :func:`block_sparse_attention`:
    the layout expanded to tokens, and s <= t too if ``causal``."""
    mask = block_layout_to_mask(layout, block_size)  # (nT*bs, nS*bs) = (T, S)
    return mask & torch.ones_like(mask).tril() if causal else mask
