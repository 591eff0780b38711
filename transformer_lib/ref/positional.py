"""Sinusoidal positional encoding (chapter "Positional encoding")."""

from __future__ import annotations

import numpy as np

_LAYOUTS = ("interleaved", "concatenated")


def _check(d_model: int, layout: str) -> None:
    if int(d_model) != d_model or d_model <= 0 or d_model % 2:
        raise ValueError(f"d_model must be a positive even number, got {d_model!r}")
    if layout not in _LAYOUTS:
        raise ValueError(f"layout must be 'interleaved' or 'concatenated', got {layout!r}")


def frequencies(d_model: int):
    """The angular frequencies w_i = 1 / 10000^(2i/d_model), i = 0 .. d_model/2 - 1.

    Pair i of the encoding turns at w_i radians per position: from one turn per 2*pi
    positions (i = 0) down to one turn per 2*pi * 10000^((d_model-2)/d_model) positions for the
    last pair, a little short of the 10000 * 2*pi of the paper's prose (tensor2tensor spaces its
    frequencies so that the last one is exactly 1/10000). Returns (d_model/2,).
    """
    _check(d_model, "interleaved")
    i = np.arange(d_model // 2)  # (D/2,)
    return 1.0 / 10000 ** (2 * i / d_model)


def sinusoidal_positional_encoding(max_len: int, d_model: int, layout: str = "interleaved"):
    """PE(pos, 2i) = sin(pos / 10000^(2i/d_model)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d_model)).

    Vaswani et al. 2017, section 3.5.

    Args:
        max_len: number of positions.
        d_model: width of the encoding (even).
        layout: ``"interleaved"`` (the paper: sin, cos, sin, cos, ...) or ``"concatenated"``
            (all the sines, then all the cosines, as some illustrations draw it and as
            tensor2tensor lays it out, though tensor2tensor also spaces its frequencies
            differently). The two layouts hold the same numbers in a different column order.

    Returns:
        (max_len, d_model) array.
    """
    _check(d_model, layout)
    if int(max_len) != max_len or max_len <= 0:
        raise ValueError(f"max_len must be a positive integer, got {max_len!r}")
    pos = np.arange(max_len)[:, None]  # (max_len, 1)
    angle = pos * frequencies(d_model)[None, :]  # (max_len, D/2)
    pe = np.empty((int(max_len), d_model))
    if layout == "interleaved":
        pe[:, 0::2], pe[:, 1::2] = np.sin(angle), np.cos(angle)
    else:
        pe[:, : d_model // 2], pe[:, d_model // 2 :] = np.sin(angle), np.cos(angle)
    return pe


def relative_position_matrix(k: int, d_model: int, layout: str = "interleaved"):
    """The fixed linear map M_k with PE(pos + k) = M_k PE(pos) for every pos.

    The paper's reason for sinusoids (section 3.5): "for any fixed offset k, PE(pos+k) can
    be represented as a linear function of PE(pos)". Each (sin, cos) pair of frequency w_i
    is turned by the angle k * w_i:

        [sin((pos+k) w)]   [ cos(k w)  sin(k w)] [sin(pos w)]
        [cos((pos+k) w)] = [-sin(k w)  cos(k w)] [cos(pos w)]

    so M_k is block-diagonal with one 2 x 2 rotation per pair (in the interleaved layout;
    the concatenated layout permutes rows and columns the same way). M_k does not depend
    on pos, and M_j M_k = M_{j+k}.

    Args:
        k: the offset (any integer, negative too).
        d_model: D (even).
        layout: as in :func:`sinusoidal_positional_encoding`.

    Returns:
        (D, D) orthogonal matrix; with positions as rows, ``pe[pos + k] == pe[pos] @ M_k.T``.
    """
    _check(d_model, layout)
    if int(k) != k:
        raise ValueError(f"the offset k must be an integer, got {k!r}")
    a = k * frequencies(d_model)  # (D/2,) one angle per pair
    c, s = np.cos(a), np.sin(a)
    half = d_model // 2
    sin_idx = np.arange(0, d_model, 2) if layout == "interleaved" else np.arange(half)  # rows holding sin
    cos_idx = sin_idx + 1 if layout == "interleaved" else sin_idx + half  # rows holding cos
    M = np.zeros((d_model, d_model))
    M[sin_idx, sin_idx], M[sin_idx, cos_idx] = c, s
    M[cos_idx, sin_idx], M[cos_idx, cos_idx] = -s, c
    return M
