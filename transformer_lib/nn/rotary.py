"""Rotary position embedding, RoPE, as torch code (chapter "The modern block").

Su et al. 2021, "RoFormer: Enhanced Transformer with Rotary Position Embedding", base 10000
as in the paper. The same convention as :mod:`transformer_lib.ref.rotary`: "rotate half"
(GPT-NeoX, Hugging Face LLaMA), feature i paired with feature i + Dh/2; the paper itself
pairs neighbours (2i, 2i+1). Torch has no RoPE op, so the tests hold this equal to the
NumPy reference and check the properties instead (scores depend on m - n only, lengths kept).
"""

from __future__ import annotations

import torch
from torch import nn

ROPE_BASE = 10000.0


def _check_d_head(d_head) -> int:
    if isinstance(d_head, bool) or int(d_head) != d_head or d_head <= 0 or d_head % 2:
        raise ValueError(f"RoPE rotates pairs of features: d_head must be a positive even number, got {d_head!r}")
    return int(d_head)


def rotary_frequencies(d_head: int, base: float = ROPE_BASE, device=None) -> torch.Tensor:
    """theta_i = base^(-2i/Dh), i = 0 .. Dh/2 - 1, float64 (Dh/2,). Chapter "The modern block"; Su et al. 2021."""
    d_head = _check_d_head(d_head)
    if not base > 1:
        raise ValueError(f"base must be a number > 1 (the paper uses 10000), got {base!r}")
    i = torch.arange(d_head // 2, dtype=torch.float64, device=device)  # (Dh/2,)
    return base ** (-2.0 * i / d_head)


def apply_rotary(x: torch.Tensor, positions=None, base: float = ROPE_BASE) -> torch.Tensor:
    """Rotate each vector of ``x`` (..., T, Dh) by its position: pair (x_i, x_{i+Dh/2}) turns by m * theta_i.

    Chapter "The modern block"; RoPE, Su et al. 2021, "rotate half" convention. Equal to
    :func:`transformer_lib.ref.apply_rotary`. The angles are computed in float64 and the
    cos/sin cast to x's dtype, so long positions do not lose precision in float32.

    Args:
        x: (..., T, Dh), e.g. queries (B, H, T, Dh) or keys (B, H_kv, S, Dh); Dh even.
        positions: (T,) positions; default 0 .. T-1 (after a KV cache: S_past + arange(T)).
        base: 10000 in the paper.

    Returns:
        (..., T, Dh).
    """
    if not isinstance(x, torch.Tensor) or x.ndim < 2:
        raise ValueError(f"apply_rotary expects a tensor x of shape (..., T, Dh), got {getattr(x, 'shape', type(x))}")
    T, Dh = x.shape[-2], x.shape[-1]
    theta = rotary_frequencies(Dh, base, device=x.device)  # (Dh/2,)
    if positions is None:
        positions = torch.arange(T, device=x.device)
    positions = torch.as_tensor(positions, device=x.device)
    if tuple(positions.shape) != (T,):
        raise ValueError(f"positions must have shape (T,) = ({T},) to match x of shape {tuple(x.shape)}, "
                         f"got {tuple(positions.shape)}")
    angles = positions.to(torch.float64)[:, None] * theta[None, :]  # (T, Dh/2)
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)  # (T, Dh/2) each
    x1, x2 = x[..., : Dh // 2], x[..., Dh // 2 :]  # (..., T, Dh/2) each
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)  # (..., T, Dh)


class RotaryEmbedding(nn.Module):
    """RoPE as a module without parameters: ``rope(q)`` rotates q (..., T, Dh) by positions offset .. offset+T-1.

    Chapter "The modern block"; Su et al. 2021 ("rotate half" convention, see the module docstring).

    Args:
        d_head: Dh, even.
        base: 10000 in the paper.
    """

    def __init__(self, d_head: int, base: float = ROPE_BASE):
        super().__init__()
        self.d_head = _check_d_head(d_head)
        rotary_frequencies(self.d_head, base)  # validates base
        self.base = float(base)

    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """x (..., T, Dh) -> (..., T, Dh); ``offset`` = the number of positions before these (the KV cache's S_past)."""
        if not isinstance(x, torch.Tensor) or x.ndim < 2 or x.shape[-1] != self.d_head:
            raise ValueError(f"RotaryEmbedding expects x of shape (..., T, Dh={self.d_head}), "
                             f"got {tuple(getattr(x, 'shape', ()))}")
        if isinstance(offset, bool) or int(offset) != offset or offset < 0:
            raise ValueError(f"offset must be a non-negative integer (positions already cached), got {offset!r}")
        positions = torch.arange(int(offset), int(offset) + x.shape[-2], device=x.device)  # (T,)
        return apply_rotary(x, positions, self.base)

    def extra_repr(self) -> str:
        return f"d_head={self.d_head}, base={self.base:g}"
