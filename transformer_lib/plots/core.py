"""The heatmap figures every chapter uses (chapters "Self-attention" onwards): arrays in,
a matplotlib Figure out.

They never call ``plt.show()`` and never compute model internals: a chapter computes the
weights, masks or encodings with the library and hands the arrays here. Each figure is
closed in pyplot as soon as it is made, so nothing is drawn behind the caller's back: in a
notebook the returned Figure displays itself, once, as the cell's last expression; in a
script, ``fig.savefig(...)``.
Introduced in chapter "Masking"; used by the chapters after it.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def _new_figure(figsize):
    """A Figure made through pyplot (which sets up the notebook's display of figures) and
    closed at once (so that only the caller decides whether to show it)."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize, layout="constrained")
    plt.close(fig)
    return fig


def _labels(name: str, labels, n: int):
    if labels is None:
        return None
    labels = [str(s) for s in labels]
    if len(labels) != n:
        raise ValueError(f"{len(labels)} {name} labels for {n} {name}s")
    return labels


def draw_heatmap(ax, z, x, y, vmin, vmax, cmap, annotate: int | None, title, xlabel, ylabel):
    """Draw one labelled heatmap on ``ax`` and return the image (for a colour bar).

    The one heatmap drawer: ``heatmap``, ``heatmaps`` and the views' static figures use it.
    """
    z = np.asarray(z, dtype=float)
    if z.ndim != 2:
        raise ValueError(f"a heatmap needs a 2-D array (rows, columns), got shape {z.shape}")
    x, y = _labels("column", x, z.shape[1]), _labels("row", y, z.shape[0])
    im = ax.imshow(z, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    if x is not None:
        ax.set_xticks(range(len(x)), x, rotation=60 if max(map(len, x), default=0) > 2 else 0,
                      ha="right" if max(map(len, x), default=0) > 2 else "center")
    if y is not None:
        ax.set_yticks(range(len(y)), y)
    if annotate is not None:
        finite = z[np.isfinite(z)]
        lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
        lo, hi = (vmin if vmin is not None else lo), (vmax if vmax is not None else hi)
        for (r, c), v in np.ndenumerate(z):
            t = (v - lo) / ((hi - lo) or 1.0)
            text = f"{v:.{annotate}f}" if np.isfinite(v) else str(v)
            ax.text(c, r, text, ha="center", va="center", fontsize=8, color="black" if t > 0.6 else "white")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return im


def heatmap(z, x: Sequence[str] | None = None, y: Sequence[str] | None = None, *, title: str = "",
            xlabel: str = "", ylabel: str = "", vmin: float | None = None, vmax: float | None = None,
            cmap: str = "viridis", annotate: int | None = None, colorbar: bool = True,
            figsize: tuple[float, float] | None = None):
    """One heatmap with token labels: ``z`` (rows, columns), ``y`` row labels, ``x`` column labels.

    For attention, rows are queries and columns keys (``y`` = query tokens, ``x`` = key
    tokens). ``annotate=k`` writes each value with k decimals. Returns the Figure.
    """
    z = np.asarray(z, dtype=float)
    if figsize is None:
        rows, cols = z.shape if z.ndim == 2 else (4, 4)
        figsize = (min(12.0, 1.6 + 0.45 * cols), min(9.0, 1.2 + 0.4 * rows))
        figsize = (max(figsize[0], 3.4), max(figsize[1], 2.8))
    fig = _new_figure(figsize)
    ax = fig.subplots()
    im = draw_heatmap(ax, z, x, y, vmin, vmax, cmap, annotate, title, xlabel, ylabel)
    if colorbar:
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return fig


def heatmaps(zs: Sequence, titles: Sequence[str], x: Sequence[str] | None = None, y: Sequence[str] | None = None, *,
             xlabel: str = "", ylabel: str = "", vmin: float | None = None, vmax: float | None = None,
             cmap: str = "viridis", annotate: int | None = None, suptitle: str = "", panel_size: float = 3.0):
    """Several heatmaps side by side on one colour scale (e.g. the heads of one layer).

    Args:
        zs: a sequence of 2-D arrays of one shape, or one (N, rows, columns) array.
        titles: one title per panel.
        x, y: column and row labels shared by every panel.

    Returns:
        the Figure.
    """
    zs = [np.asarray(z, dtype=float) for z in zs]
    if not zs:
        raise ValueError("heatmaps needs at least one array")
    if len(titles) != len(zs):
        raise ValueError(f"{len(titles)} titles for {len(zs)} panels")
    if any(z.shape != zs[0].shape for z in zs):
        raise ValueError(f"all panels must have one shape, got {[z.shape for z in zs]}")
    if vmin is None:
        vmin = float(min(np.nanmin(z) for z in zs))
    if vmax is None:
        vmax = float(max(np.nanmax(z) for z in zs))
    fig = _new_figure((panel_size * len(zs) + 0.8, panel_size + 0.6))
    axes = fig.subplots(1, len(zs), squeeze=False)
    for k, (ax, z, t) in enumerate(zip(axes[0], zs, titles)):
        im = draw_heatmap(ax, z, x, y if k == 0 else None, vmin, vmax, cmap, annotate, t, xlabel, ylabel if k == 0 else "")
        if k > 0:
            ax.set_yticks([])
    fig.colorbar(im, ax=list(axes[0]), fraction=0.046 / max(1, len(zs) / 2), pad=0.02)
    if suptitle:
        fig.suptitle(suptitle, fontsize=11)
    return fig


def attention_heads(weights, tokens: Sequence[str], query_tokens: Sequence[str] | None = None, *,
                    titles: Sequence[str] | None = None, suptitle: str = "", annotate: int | None = None):
    """The heads of one layer side by side: ``weights`` (H, T, S) or (1, H, T, S), rows = queries.

    Args:
        weights: attention weights, each row summing to 1 (or 0 for a fully masked row).
        tokens: the S key tokens (also the T query tokens unless ``query_tokens`` is given).
        titles: one per head (default "head 0", "head 1", ...).

    Returns:
        the Figure, on a shared 0..1 colour scale.
    """
    w = np.asarray(weights.detach().cpu() if hasattr(weights, "detach") else weights, dtype=float)
    if w.ndim == 4:
        if w.shape[0] != 1:
            raise ValueError(f"attention_heads draws one sequence: got a batch of {w.shape[0]}; pass weights[b]")
        w = w[0]
    if w.ndim != 3:
        raise ValueError(f"weights must have shape (H, T, S) or (1, H, T, S), got {w.shape}")
    titles = list(titles) if titles is not None else [f"head {h}" for h in range(w.shape[0])]
    return heatmaps(w, titles, x=tokens, y=query_tokens if query_tokens is not None else tokens,
                    xlabel="key (attended to)", ylabel="query (attending)", vmin=0.0, vmax=1.0,
                    annotate=annotate, suptitle=suptitle)
