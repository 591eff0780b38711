"""Vocabulary size against sequence length (chapter "Tokens")."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from transformer_lib.plots.core import _new_figure


def vocab_vs_length(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]], *,
                    marks: Mapping[str, tuple[float, float]] | None = None, title: str = "",
                    ylabel: str = "mean tokens per sentence"):
    """One line per tokenizer: vocabulary size (x) against mean sequence length (y).

    Args:
        curves: ``{name: (vocab_sizes, mean_lengths)}``, two equal-length 1-D sequences each.
        marks: optional single points ``{name: (vocab_size, mean_length)}`` (e.g. a word-level
            vocabulary), drawn as labelled dots.

    Returns:
        the Figure (x on a log scale: the vocabulary grows by orders of magnitude).
    """
    if not curves:
        raise ValueError("vocab_vs_length needs at least one curve")
    fig = _new_figure((6.4, 3.4))
    ax = fig.subplots()
    for name, (v, n) in curves.items():
        v, n = np.asarray(v, dtype=float), np.asarray(n, dtype=float)
        if v.ndim != 1 or v.shape != n.shape or v.size == 0:
            raise ValueError(f"curve {name!r}: vocabulary sizes {v.shape} and lengths {n.shape} must be equal, "
                             "non-empty 1-D sequences")
        if np.any(v <= 0):
            raise ValueError(f"curve {name!r}: vocabulary sizes must be positive (log scale)")
        ax.plot(v, n, marker=".", label=name)
    for name, (v, n) in (marks or {}).items():
        ax.plot([v], [n], "o", color="black")
        ax.annotate(name, (v, n), textcoords="offset points", xytext=(6, 4), fontsize=9)
    ax.set_xscale("log")
    ax.set_xlabel("vocabulary size (tokens)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=9)
    return fig
