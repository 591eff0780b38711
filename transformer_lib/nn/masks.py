"""Masks, and the conversion between the book's convention and torch's (chapter "Masking").

The book and the library use one convention everywhere: boolean, **True = may attend**,
as ``F.scaled_dot_product_attention`` does, and one shape per kind: causal (T, T), padding
(B, 1, 1, S), both broadcastable to the scores (B, H, T, S), as in
:mod:`transformer_lib.ref.masks`. ``torch.nn.MultiheadAttention`` and ``nn.Transformer*``
use the opposite (True = blocked); this is the one place that converts. The families'
masks (:func:`full_mask`, :func:`prefix_lm_mask`; chapter "One block, three families")
mirror :mod:`transformer_lib.ref.masks` too.
"""

from __future__ import annotations

import numpy as np
import torch

from transformer_lib._checks import check_blocks, check_count, check_length, check_positive


def causal_mask(T: int, device=None) -> torch.Tensor:
    """bool (T, T), True on and below the diagonal: position t sees 0..t."""
    if int(T) != T or T < 1:
        raise ValueError(f"causal_mask needs a positive length T, got {T!r}")
    return torch.ones(int(T), int(T), dtype=torch.bool, device=device).tril()


def full_mask(T: int, S: int | None = None, device=None) -> torch.Tensor:
    """bool (T, S), all True: bidirectional self-attention (S = T, the default) or cross-attention."""
    T = check_length("full_mask", T)
    S = T if S is None else check_length("full_mask", S, "S")
    return torch.ones(T, S, dtype=torch.bool, device=device)


def prefix_lm_mask(prefix_len: int, T: int, device=None) -> torch.Tensor:
    """bool (T, T): query t may attend to key s iff s <= t or s < prefix_len (the prefix sees itself both ways)."""
    T = check_length("prefix_lm_mask", T)
    if isinstance(prefix_len, bool) or int(prefix_len) != prefix_len or not 0 <= prefix_len <= T:
        raise ValueError(f"prefix_lm_mask needs a prefix length in 0..T={T}, got {prefix_len!r}")
    keys = torch.arange(T, device=device)
    return (keys[None, :] <= keys[:, None]) | (keys[None, :] < int(prefix_len))  # (T, T)


def padding_mask(lengths: torch.Tensor, S: int) -> torch.Tensor:
    """bool (B, 1, 1, S): key s of sequence b may be attended to iff s < lengths[b]."""
    lengths = torch.as_tensor(lengths)
    if lengths.ndim != 1:
        raise ValueError(f"lengths must be a 1-D tensor (B,), got shape {tuple(lengths.shape)}")
    if bool((lengths < 0).any()) or bool((lengths > S).any()):
        raise ValueError(f"every length must lie in 0..S={S}, got {lengths.tolist()}")
    return (torch.arange(S, device=lengths.device)[None, :] < lengths[:, None])[:, None, None, :]  # (B, S) -> (B, 1, 1, S)


def padding_mask_from_ids(ids: torch.Tensor, pad_id: int) -> torch.Tensor:
    """bool (B, 1, 1, S) from token ids (B, S): key s of sequence b may be attended to iff ids[b, s] != pad_id.

    The mask every model in the library builds from its input; equal to
    :func:`transformer_lib.ref.padding_mask_from_ids`.
    """
    if not isinstance(ids, torch.Tensor) or ids.ndim != 2 or ids.dtype.is_floating_point or ids.dtype == torch.bool:
        shape = tuple(ids.shape) if hasattr(ids, "shape") else type(ids).__name__
        raise ValueError(f"ids must be a 2-D tensor of integer token ids (B, S), got {shape}"
                         + (f" of dtype {ids.dtype}" if hasattr(ids, "dtype") else ""))
    return (ids != pad_id)[:, None, None, :]  # (B, S) -> (B, 1, 1, S)


# ------------------------------------------------ sparse patterns (chapter "The cost of attention")
# The mirrors of transformer_lib.ref.masks' sparse patterns (Child et al. 2019; Beltagy et al. 2020
# Longformer; Zaheer et al. 2020 BigBird), same arguments, same messages, same arrays.


def dilated_mask(T: int, window: int, dilation: int = 1, causal: bool = False, device=None) -> torch.Tensor:
    """bool (T, T): query t may attend to key s iff t - s is a multiple of ``dilation`` and
    |t - s| < window * dilation (only s <= t if ``causal``); Child et al. 2019's strided pattern."""
    T = check_length("dilated_mask", T)
    window = check_positive("dilated_mask", "window", window)
    dilation = check_positive("dilated_mask", "dilation", dilation)
    pos = torch.arange(T, device=device)
    gap = pos[:, None] - pos[None, :]  # (T, S): t - s
    keep = (gap.abs() < window * dilation) & (gap % dilation == 0)
    return keep & (gap >= 0) if causal else keep


def sliding_window_mask(T: int, window: int, causal: bool = False, device=None) -> torch.Tensor:
    """bool (T, T): query t may attend to key s iff |t - s| < ``window`` (and s <= t if ``causal``);
    the restricted self-attention of Vaswani et al. 2017, Table 1, and Longformer's local window."""
    T = check_length("sliding_window_mask", T)
    window = check_positive("sliding_window_mask", "window", window)
    return dilated_mask(T, window, 1, causal, device)


def block_sparse_layout(n_blocks: int, window: int = 1, n_global: int = 0, n_random: int = 0,
                        seed: int = 0, causal: bool = False, device=None) -> torch.Tensor:
    """bool (nT, nS): BigBird's block pattern (Zaheer et al. 2020), as :func:`transformer_lib.ref.block_sparse_layout`.

    Block row i keeps key block j iff |i - j| < ``window``, or i or j < ``n_global``, or j is one
    of ``n_random`` blocks drawn for row i (``np.random.default_rng(seed)``, the reference's
    generator, so that both give the same layout); only j <= i if ``causal``.
    """
    n = check_length("block_sparse_layout", n_blocks, "n_blocks")
    window = check_positive("block_sparse_layout", "window", window)
    n_global = check_count("block_sparse_layout", "n_global", n_global, n)
    n_random = check_count("block_sparse_layout", "n_random", n_random, n)
    i = torch.arange(n)
    layout = ((i[:, None] - i[None, :]).abs() < window) | (i[:, None] < n_global) | (i[None, :] < n_global)
    if causal:
        layout &= i[None, :] <= i[:, None]  # (nT, nS)
    rng = np.random.default_rng(seed)
    for row in range(n):
        free = np.flatnonzero((~layout[row] & ((i <= row) if causal else True)).numpy())
        if n_random and free.size:
            layout[row, torch.from_numpy(rng.choice(free, size=min(n_random, free.size), replace=False))] = True
    return layout.to(device)


def block_layout_to_mask(layout: torch.Tensor, block_size: int) -> torch.Tensor:
    """Expand a block layout (nT, nS) to the token mask (nT * block_size, nS * block_size)."""
    if not isinstance(layout, torch.Tensor) or layout.dtype != torch.bool or layout.ndim != 2:
        shape = tuple(layout.shape) if hasattr(layout, "shape") else type(layout).__name__
        raise ValueError(f"layout must be a 2-D boolean tensor (nT, nS), got shape {shape}"
                         + (f" of dtype {layout.dtype}" if hasattr(layout, "dtype") else ""))
    block_size = check_positive("block_layout_to_mask", "block_size", block_size)
    return layout.repeat_interleave(block_size, 0).repeat_interleave(block_size, 1)  # (nT*bs, nS*bs)


def block_sparse_mask(T: int, block_size: int, window: int = 1, n_global: int = 0, n_random: int = 0,
                      seed: int = 0, causal: bool = False, device=None) -> torch.Tensor:
    """bool (T, T): :func:`block_sparse_layout` over T / ``block_size`` blocks expanded to tokens
    (and :func:`causal_mask` inside the diagonal blocks if ``causal``); ``block_size`` must divide T."""
    T, block_size = check_blocks("block_sparse_mask", T, block_size)
    layout = block_sparse_layout(T // block_size, window, n_global, n_random, seed, causal, device)
    mask = block_layout_to_mask(layout, block_size)  # (T, T)
    return mask & causal_mask(T, device) if causal else mask


def to_torch_blocked(mask: torch.Tensor) -> torch.Tensor:
    """True = may attend  ->  True = blocked, for torch's ``attn_mask``/``key_padding_mask``."""
    if mask.dtype != torch.bool:
        raise ValueError(f"mask must be boolean (True = may attend), got dtype {mask.dtype}")
    return ~mask
