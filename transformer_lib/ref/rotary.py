"""Rotary position embedding, RoPE, in NumPy (chapter "The modern block").

Su et al. 2021, "RoFormer: Enhanced Transformer with Rotary Position Embedding". Instead of
adding a position vector to the token, RoPE turns each query and key by an angle that grows
with its position: pair i of the features of the vector at position m is rotated by
m * theta_i, theta_i = base^(-2i/Dh) (i from 0; the paper writes 10000^(-2(i-1)/d), i from 1),
base = 10000 as in the paper. A dot
product of two rotated vectors only sees the *difference* of their angles, so the score
between positions m and n depends on m - n alone (the property the paper builds RoPE to have).

Convention: "rotate half", as GPT-NeoX and the Hugging Face LLaMA code do it. Feature i is
paired with feature i + Dh/2 (the first half of the vector holds the "x" coordinates of the
Dh/2 planes, the second half the "y" coordinates). The RoFormer paper pairs neighbours
(2i, 2i+1) instead ("interleaved"); the two are the same rotation applied to a permuted
copy of the features, so they give the same scores only if W_Q and W_K are permuted to match
(weights trained under one convention do not load into the other).
"""

from __future__ import annotations

import numpy as np

ROPE_BASE = 10000.0


def _check_d_head(d_head) -> int:
    if isinstance(d_head, bool) or int(d_head) != d_head or d_head <= 0 or d_head % 2:
        raise ValueError(f"RoPE rotates pairs of features: d_head must be a positive even number, got {d_head!r}")
    return int(d_head)


def rotary_frequencies(d_head: int, base: float = ROPE_BASE):
    """theta_i = base^(-2i/Dh), i = 0 .. Dh/2 - 1: the angle (radians per position) of plane i.

    Chapter "The modern block"; Su et al. 2021 (RoFormer), base 10000 as in the paper.

    Returns:
        (Dh/2,).
    """
    d_head = _check_d_head(d_head)
    if not base > 1:
        raise ValueError(f"base must be a number > 1 (the paper uses 10000), got {base!r}")
    i = np.arange(d_head // 2)  # (Dh/2,)
    return base ** (-2.0 * i / d_head)


def apply_rotary(x, positions=None, base: float = ROPE_BASE):
    """Rotate every vector of ``x`` by its position ("rotate half" convention; RoPE, Su et al. 2021).

    With angle a = m * theta_i for the vector at position m and the pair (x_i, x_{i+Dh/2}):
        y_i        = x_i cos a - x_{i+Dh/2} sin a
        y_{i+Dh/2} = x_i sin a + x_{i+Dh/2} cos a
    Chapter "The modern block". Apply it to the queries and keys (not the values), after the
    projections and the split into heads.

    Args:
        x: (..., T, Dh), e.g. the queries (B, H, T, Dh); Dh even.
        positions: the position m of each of the T vectors, (T,) integers or floats;
            default 0 .. T-1 (give ``S_past + arange(T)`` for new positions after a KV cache).
        base: the base of the frequencies (10000 in the paper).

    Returns:
        (..., T, Dh), each vector with its length unchanged.
    """
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"apply_rotary expects x of shape (..., T, Dh), got shape {x.shape}")
    T, Dh = x.shape[-2], x.shape[-1]
    theta = rotary_frequencies(Dh, base)  # (Dh/2,)
    positions = np.arange(T) if positions is None else np.asarray(positions)
    if positions.shape != (T,):
        raise ValueError(f"positions must have shape (T,) = ({T},) to match x of shape {x.shape}, got {positions.shape}")
    angles = positions[:, None] * theta[None, :]  # (T, Dh/2)
    cos, sin = np.cos(angles), np.sin(angles)  # (T, Dh/2) each
    x1, x2 = x[..., : Dh // 2], x[..., Dh // 2 :]  # (..., T, Dh/2) each: the planes' two coordinates
    return np.concatenate([x1 * cos - x2 * sin, x1 * sin + x2 * cos], axis=-1)  # (..., T, Dh)
