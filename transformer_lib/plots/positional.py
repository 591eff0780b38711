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
