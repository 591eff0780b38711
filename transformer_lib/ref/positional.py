"""Sinusoidal positional encoding (chapter "Positional encoding")."""

from __future__ import annotations

import numpy as np


def sinusoidal_positional_encoding(max_len: int, d_model: int, layout: str = "interleaved"):
    """PE(pos, 2i) = sin(pos / 10000^(2i/d_model)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d_model)).

    Vaswani et al. 2017, section 3.5.

    Args:
        max_len: number of positions.
        d_model: width of the encoding (even).
        layout: ``"interleaved"`` (the paper: sin, cos, sin, cos, ...) or ``"concatenated"``
            (all the sines, then all the cosines, as some illustrations draw it). The two hold
            the same numbers in a different column order.

    Returns:
        (max_len, d_model) array.
    """
    if d_model <= 0 or d_model % 2:
        raise ValueError(f"d_model must be a positive even number, got {d_model}")
    if max_len <= 0:
        raise ValueError(f"max_len must be positive, got {max_len}")
    if layout not in ("interleaved", "concatenated"):
        raise ValueError(f"layout must be 'interleaved' or 'concatenated', got {layout!r}")
    pos = np.arange(max_len)[:, None]  # (max_len, 1)
    i = np.arange(d_model // 2)[None, :]  # (1, d_model/2)
    angle = pos / 10000 ** (2 * i / d_model)  # (max_len, d_model/2)
    pe = np.empty((max_len, d_model))
    if layout == "interleaved":
        pe[:, 0::2], pe[:, 1::2] = np.sin(angle), np.cos(angle)
    else:
        pe[:, : d_model // 2], pe[:, d_model // 2 :] = np.sin(angle), np.cos(angle)
    return pe
