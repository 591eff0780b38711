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

import torch


def causal_mask(T: int, device=None) -> torch.Tensor:
    """bool (T, T), True on and below the diagonal: position t sees 0..t."""
    if int(T) != T or T < 1:
        raise ValueError(f"causal_mask needs a positive length T, got {T!r}")
    return torch.ones(int(T), int(T), dtype=torch.bool, device=device).tril()


def _check_length(name: str, T, what: str = "T") -> int:
    if isinstance(T, bool) or int(T) != T or T < 1:
        raise ValueError(f"{name} needs a positive length {what}, got {T!r}")
    return int(T)


def full_mask(T: int, S: int | None = None, device=None) -> torch.Tensor:
    """bool (T, S), all True: bidirectional self-attention (S = T, the default) or cross-attention."""
    T = _check_length("full_mask", T)
    S = T if S is None else _check_length("full_mask", S, "S")
    return torch.ones(T, S, dtype=torch.bool, device=device)


def prefix_lm_mask(prefix_len: int, T: int, device=None) -> torch.Tensor:
    """bool (T, T): query t may attend to key s iff s <= t or s < prefix_len (the prefix sees itself both ways)."""
    T = _check_length("prefix_lm_mask", T)
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


def to_torch_blocked(mask: torch.Tensor) -> torch.Tensor:
    """True = may attend  ->  True = blocked, for torch's ``attn_mask``/``key_padding_mask``."""
    if mask.dtype != torch.bool:
        raise ValueError(f"mask must be boolean (True = may attend), got dtype {mask.dtype}")
    return ~mask
