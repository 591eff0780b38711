"""The figure of chapter "Positional encoding" that is not a heatmap: dot products of
encodings against the offset between their positions.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from transformer_lib.plots.core import _new_figure


def _lines(x, curves: dict, *, what: str, widths: dict | None, xlabel: str, ylabel: str, title: str,
           zero_line: bool):
    """One line per curve against ``x`` (the body both figures of this module share)."""
    x = np.asarray(x)
    if x.ndim != 1 or len(x) == 0:
        raise ValueError(f"{what} must be a non-empty 1-D list, got shape {x.shape}")
    fig = _new_figure((7, 3.2))
    ax = fig.subplots()
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.shape != x.shape:
            raise ValueError(f"curve {label!r}: {values.size} values for {x.size} {what}")
        ax.plot(x, values, lw=(widths or {}).get(label, 1.2), label=label)
    if zero_line:
        ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig


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
    if not curves:
        raise ValueError("curves is empty: give the dot products of at least one start position")
    offsets = np.asarray(offsets)
    lo, hi = (int(offsets.flat[0]), int(offsets.flat[-1])) if offsets.size else (0, 0)
    names = {s: f"PE(p)·PE({s}), p = {s}{lo:+d}..{s}{hi:+d}" for s in curves}
    last = max(curves)
    return _lines(offsets, {names[s]: v for s, v in curves.items()},
                  widths={names[s]: 2 - s / max(last, 1) for s in curves}, what="offsets", xlabel="offset p − q",
                  ylabel="dot product", title=f"The dot product depends only on the offset (d_model = {d_model})",
                  zero_line=False)


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
    if not curves:
        raise ValueError("curves is empty: give at least one line of dot products")
    return _lines(ks, curves, what="distances", widths=None, xlabel="distance k between the positions",
                  ylabel="PE(t)·PE(t+k), relative to k = 0",
                  title=title or "The dot product of two encodings against their distance", zero_line=True)
