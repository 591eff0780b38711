"""The figures of chapter "Embeddings": distances between ids and one-hot
vectors, word vectors projected to two dimensions, and where a model's parameters are.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from transformer_lib.plots.core import _labels, _new_figure


def distance_matrices(matrices: Sequence, titles: Sequence[str], words: Sequence[str]):
    """Chapter "Embeddings": word-by-word distance tables side by side, each on
    its own colour scale, every cell written out.

    Args:
        matrices: (W, W) arrays, one per panel (e.g. |id(a) - id(b)| and one-hot distances).
        titles: one per panel.
        words: the W words, rows and columns alike.

    Returns:
        the Figure.
    """
    ms = [np.asarray(m, dtype=float) for m in matrices]
    if not ms or len(titles) != len(ms):
        raise ValueError(f"{len(titles)} titles for {len(ms)} matrices (need at least one)")
    n = len(words)
    for m in ms:
        if m.shape != (n, n):
            raise ValueError(f"each matrix must be (W, W) for the {n} words, got {m.shape}")
    words = _labels("word", words, n)
    fig = _new_figure((4.75 * len(ms), 3.6))
    for ax, m, title in zip(fig.subplots(1, len(ms), squeeze=False)[0], ms, titles):
        im = ax.imshow(m, cmap="viridis")
        ax.set_xticks(range(n), words, rotation=45)
        ax.set_yticks(range(n), words)
        for (r, c), v in np.ndenumerate(m):
            ax.text(c, r, f"{v:.2g}", ha="center", va="center", fontsize=8,
                    color="white" if v < m.max() * 0.6 else "black")
        ax.set_xlabel("word b")
        ax.set_ylabel("word a")
        ax.set_title(title, fontsize=10)
        fig.colorbar(im, ax=ax, fraction=0.046)
    return fig


def word_map(points: dict[str, np.ndarray], words: Sequence[str], word_class: Callable[[str], str | None],
             classes: Sequence[str]):
    """Chapter "Embeddings": each model's word vectors projected to two
    dimensions (e.g. ``word2vec.pca_2d``), one panel per model, coloured by word class.

    Args:
        points: ``{model name: (V, 2) coordinates}``, row i for ``words[i]``.
        words: the V words.
        word_class: word -> its class, or None for a word of no class (drawn grey).
        classes: the classes, in legend order.

    Returns:
        the Figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    if not points:
        raise ValueError("points is empty: give at least one model's (V, 2) coordinates")
    colours = dict(zip(classes, plt.cm.tab10.colors))
    fig = _new_figure((4.75 * len(points) + 1, 4.4))
    for ax, (name, P) in zip(fig.subplots(1, len(points), squeeze=False)[0], points.items()):
        P = np.asarray(P, dtype=float)
        if P.shape != (len(words), 2):
            raise ValueError(f"{name}: points must be (V, 2) for the {len(words)} words, got {P.shape}")
        for i, w in enumerate(words):
            c = word_class(w)
            if c is not None and c not in colours:
                raise ValueError(f"word {w!r} has class {c!r}, which is not among the classes {list(classes)}")
            ax.scatter(*P[i], color=colours[c] if c else "lightgray", s=30)
            ax.annotate(w, P[i], fontsize=8, xytext=(3, 2), textcoords="offset points", color="black" if c else "gray")
        ax.set_title(f"{name}: first two principal components")
        ax.set_xlabel("PC 1")
        ax.set_ylabel("PC 2")
    handles = [Line2D([], [], marker="o", ls="", color=col, label=c) for c, col in colours.items()]
    handles.append(Line2D([], [], marker="o", ls="", color="lightgray", label="other word"))
    fig.legend(handles=handles, loc="outside right center", fontsize=8)
    return fig


def grouped_bars(names: Sequence[str], series: dict[str, Sequence[float]], *, ylabel: str, title: str = "",
                 xlabel: str = "", ylim: tuple[float, float] | None = None):
    """Bars grouped by name, one bar per series in each group (chapter "Tokens and
    embeddings": parameters per component, with and without shared embeddings; chapter
    "The feed-forward block": accuracy by count, with and without the FFN). ``ylim`` fixes the
    value axis.

    Returns:
        the Figure.
    """
    if not series:
        raise ValueError("series is empty: give at least one {label: values}")
    names = _labels("group", names, len(names))
    fig = _new_figure((max(5.0, 1.1 * len(names) + 2), 3))
    ax = fig.subplots()
    x = np.arange(len(names))
    width = 0.8 / len(series)
    for j, (label, values) in enumerate(series.items()):
        values = np.asarray(values, dtype=float)
        if values.shape != (len(names),):
            raise ValueError(f"series {label!r} has {values.size} values for {len(names)} groups")
        ax.bar(x + (j - (len(series) - 1) / 2) * width, values, width, label=label)
    ax.set_xticks(x, names)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig
