"""Block-sparse attention that skips the masked blocks (chapter "The cost of attention").

A mask alone saves nothing: ``softmax(Q K^T + mask) V`` still scores all T x S pairs and then
throws most of them away. To pay only for the kept pairs, the computation must never form the
masked ones. Here the keys and values are cut into blocks; for each query block we *gather* the
key blocks its layout row keeps and attend to those alone, so the scores are
(T, kept blocks * block_size) instead of (T, S): O(T) for a sliding window, O(T^2) only for a full
layout. This is the block-sparse attention of the Sparse Transformer (Child et al. 2019), Longformer
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
        k, v: keys and values (..., S, Dh) with the same leading shape as ``q``.
        layout: bool (nT, nS), True = query block i may attend to key block j; the block size is
            T / nT = S / nS.
        causal: also mask s > t inside the kept blocks (the token-level causal mask).

    Returns:
        output (..., T, Dh): equal to dense attention with the mask
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
    layout = layout.to(q.device)
    n_kept = layout.sum(dim=1)  # (nT,)
    M = max(int(n_kept.max()), 1)  # the most key blocks any query block keeps
    # Row i's kept block indices first (stable sort puts True before False), padded to M slots.
    order = torch.sort((~layout).to(torch.int8), dim=1, stable=True).indices[:, :M]  # (nT, M)
    slot_ok = torch.arange(M, device=q.device)[None, :] < n_kept[:, None]  # (nT, M)

    kb = k.reshape(*lead, nS, bs, Dh)  # (..., nS, bs, Dh)
    vb = v.reshape(*lead, nS, bs, Dv)  # (..., nS, bs, Dv)
    k_kept = kb[..., order, :, :].reshape(*lead, nT, M * bs, Dh)  # (..., nT, M, bs, Dh) -> (..., nT, M*bs, Dh)
    v_kept = vb[..., order, :, :].reshape(*lead, nT, M * bs, Dv)  # (..., nT, M*bs, Dv)
    qb = q.reshape(*lead, nT, bs, Dh)  # (..., nT, bs, Dh)

    scores = qb @ k_kept.transpose(-2, -1) / math.sqrt(Dh)  # (..., nT, bs, M*bs)
    keep = slot_ok[:, :, None].expand(nT, M, bs).reshape(nT, 1, M * bs)  # (nT, M, bs) -> (nT, 1, M*bs)
    if causal:
        q_pos = (torch.arange(nT, device=q.device)[:, None] * bs + torch.arange(bs, device=q.device))[:, :, None]  # (nT, bs, 1)
        k_pos = (order[:, :, None] * bs + torch.arange(bs, device=q.device)).reshape(nT, 1, M * bs)  # (nT, 1, M*bs)
        keep = keep & (k_pos <= q_pos)  # (nT, bs, M*bs)
    # As in MultiHeadAttention: a query with nothing to read attends everywhere, then gets zeros,
    # so that neither the output nor the gradient is NaN.
    empty = ~keep.any(dim=-1, keepdim=True)  # (nT, bs or 1, 1)
    scores = scores.masked_fill(~(keep | empty), float("-inf"))
    out = torch.softmax(scores, dim=-1) @ v_kept  # (..., nT, bs, Dv)
    out = out.masked_fill(empty, 0.0)
    return out.reshape(*lead, T, Dv)  # (..., nT, bs, Dv) -> (..., T, Dv)


def dense_mask_of(layout: torch.Tensor, block_size: int, causal: bool = False) -> torch.Tensor:
    """The bool (T, S) mask under which dense attention equals :func:`block_sparse_attention`:
    the layout expanded to tokens, and s <= t too if ``causal``."""
    mask = block_layout_to_mask(layout, block_size)  # (nT*bs, nS*bs) = (T, S)
    return mask & torch.ones_like(mask).tril() if causal else mask
