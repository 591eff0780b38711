"""The figure of chapter "Positional encoding" that is not a heatmap: dot products of
encodings against the offset between their positions.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from transformer_lib.plots.core import _new_figure


def offset_dot_products(offsets: Sequence[int], curves: dict[int, Sequence[float]], d_model: int):
    """Chapter "Positional encoding": PE(p)·PE(start) against the offset p - start, one
    line per start position (thinner for later starts, so overlapping lines stay visible).

    Args:
        offsets: the offsets p - start, the x axis.
        curves: ``{start: dot products}``, one per offset.
        d_model: the width of the encodings (for the title).

    Returns:
        the Figure.
    """
    offsets = np.asarray(offsets)
    if offsets.ndim != 1 or len(offsets) == 0:
        raise ValueError(f"offsets must be a non-empty 1-D list, got shape {offsets.shape}")
    if not curves:
        raise ValueError("curves is empty: give the dot products of at least one start position")
    last = max(curves)
    fig = _new_figure((7, 3.2))
    ax = fig.subplots()
    for start, dots in curves.items():
        dots = np.asarray(dots, dtype=float)
        if dots.shape != offsets.shape:
            raise ValueError(f"start {start}: {dots.size} dot products for {offsets.size} offsets")
        ax.plot(offsets, dots, lw=2 - start / max(last, 1),
                label=f"PE(p)·PE({start}), p = {start}{offsets[0]:+d}..{start}{offsets[-1]:+d}")
    ax.set_xlabel("offset p − q")
    ax.set_ylabel("dot product")
    ax.legend(fontsize=8)
    ax.set_title(f"The dot product depends only on the offset (d_model = {d_model})")
    return fig


def dot_products_by_distance(ks: Sequence[int], curves: dict[str, Sequence[float]], title: str | None = None):
    """Chapter "Positional encoding": PE(t)·PE(t+k) against the distance k, one line per
    curve (e.g. one per d_model, each divided by its value at k = 0), with a zero line.

    Args:
        ks: the distances k, the x axis.
        curves: ``{label: values}``, one value per distance.
        title: the figure's title (a default one says what is drawn).

    Returns:
        the Figure.
    """
    ks = np.asarray(ks)
    if ks.ndim != 1 or len(ks) == 0:
        raise ValueError(f"ks must be a non-empty 1-D list, got shape {ks.shape}")
    if not curves:
        raise ValueError("curves is empty: give at least one line of dot products")
    fig = _new_figure((7, 3.2))
    ax = fig.subplots()
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.shape != ks.shape:
            raise ValueError(f"curve {label!r}: {values.size} values for {ks.size} distances")
        ax.plot(ks, values, lw=1.2, label=label)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel("distance k between the positions")
    ax.set_ylabel("PE(t)·PE(t+k), relative to k = 0")
    ax.legend(fontsize=8)
    ax.set_title(title or "The dot product of two encodings against their distance")
    return fig
