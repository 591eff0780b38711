"""Mask conversions between the book's convention and torch's (chapter "Masking").

The book and the library use one convention everywhere: boolean, **True = may attend**,
as ``F.scaled_dot_product_attention`` does. ``torch.nn.MultiheadAttention`` and
``nn.Transformer*`` use the opposite (True = blocked); this is the one place that converts.
"""

from __future__ import annotations

import torch


def causal_mask(T: int, device=None) -> torch.Tensor:
    """bool (T, T), True on and below the diagonal: position t sees 0..t."""
    if T < 1:
        raise ValueError(f"causal_mask needs a positive length T, got {T!r}")
    return torch.ones(T, T, dtype=torch.bool, device=device).tril()


def padding_mask(lengths: torch.Tensor, S: int) -> torch.Tensor:
    """bool (B, 1, 1, S): key s of sequence b may be attended to iff s < lengths[b]."""
    lengths = torch.as_tensor(lengths)
    if lengths.ndim != 1:
        raise ValueError(f"lengths must be a 1-D tensor (B,), got shape {tuple(lengths.shape)}")
    if bool((lengths < 0).any()) or bool((lengths > S).any()):
        raise ValueError(f"every length must lie in 0..S={S}, got {lengths.tolist()}")
    return (torch.arange(S, device=lengths.device)[None, :] < lengths[:, None])[:, None, None, :]  # (B, 1, 1, S)


def to_torch_blocked(mask: torch.Tensor) -> torch.Tensor:
    """True = may attend  ->  True = blocked, for torch's ``attn_mask``/``key_padding_mask``."""
    if mask.dtype != torch.bool:
        raise ValueError(f"mask must be boolean (True = may attend), got dtype {mask.dtype}")
    return ~mask
