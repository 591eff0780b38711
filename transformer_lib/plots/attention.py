"""The figures of chapters "Self-attention" (why scores are divided by sqrt(d_k)) and
"Masking" (three ways to mask a row of scores).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from transformer_lib.plots.core import _new_figure


def _series(name: str, values, n: int) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.shape != (n,):
        raise ValueError(f"{name} needs one value per d_k ({n}), got shape {values.shape}")
    return values


def score_variance(dims: Sequence[int], raw, scaled):
    """Chapter "Self-attention": the variance of q·k with and without the 1/sqrt(d_k) scale,
    against d_k, with the line y = d_k (log-log).

    Args:
        dims: the d_k values measured (positive).
        raw, scaled: the measured variance of q·k and of q·k / sqrt(d_k), one per d_k.

    Returns:
        the Figure.
    """
    dims = np.asarray(dims, dtype=float)
    if dims.ndim != 1 or len(dims) == 0 or np.any(dims <= 0):
        raise ValueError(f"dims must be a non-empty list of positive d_k values, got {dims.tolist()}")
    raw, scaled = _series("raw", raw, len(dims)), _series("scaled", scaled, len(dims))
    fig = _new_figure((5, 3.4))
    ax = fig.subplots()
    ax.loglog(dims, raw, "o-", label="q·k")
    ax.loglog(dims, scaled, "s-", label="q·k / √d_k")
    ax.loglog(dims, dims, "k:", label="y = d_k")
    ax.set_xlabel("d_k")
    ax.set_ylabel("variance of the score")
    ax.legend()
    ax.set_title("Unscaled scores grow with d_k; scaled ones do not")
    return fig


def softmax_saturation(dims: Sequence[int], max_weight: dict[str, Sequence[float]], grad_norm: dict[str, Sequence[float]]):
    """Chapter "Self-attention": the mean largest softmax weight (left) and the mean norm of
    the softmax Jacobian (right) against d_k, one line per kind of score.

    Args:
        dims: the d_k values (positive).
        max_weight, grad_norm: ``{label: values}`` (e.g. "unscaled", "÷ √d_k"), one value per d_k.

    Returns:
        the Figure.
    """
    dims = np.asarray(dims, dtype=float)
    if dims.ndim != 1 or len(dims) == 0 or np.any(dims <= 0):
        raise ValueError(f"dims must be a non-empty list of positive d_k values, got {dims.tolist()}")
    if set(max_weight) != set(grad_norm) or not max_weight:
        raise ValueError(f"max_weight and grad_norm need the same labels, got {list(max_weight)} and {list(grad_norm)}")
    fig = _new_figure((9, 3.4))
    left, right = fig.subplots(1, 2)
    for (name, m), marker in zip(max_weight.items(), "os^D"):
        left.semilogx(dims, _series(name, m, len(dims)), marker + "-", label=name)
        right.loglog(dims, _series(name, grad_norm[name], len(dims)), marker + "-", label=name)
    left.set_xlabel("d_k")
    left.set_ylabel("mean largest weight")
    left.set_title("Softmax saturates")
    right.set_xlabel("d_k")
    right.set_ylabel("mean ‖softmax Jacobian‖")
    right.set_title("…and its gradient vanishes")
    left.legend()
    right.legend()
    return fig


def masking_methods(keep, weights: dict[str, Sequence[float]], title: str = "Ways to mask one row of scores"):
    """Chapter "Masking": one row of attention weights masked in several ways, as grouped
    bars, with the hidden keys shaded.

    Args:
        keep: a boolean (S,) row mask, True = may attend; the hidden keys must be one block at the end.
        weights: ``{method: (S,) weights}``, e.g. zeroed after the softmax, -inf before it.

    Returns:
        the Figure.
    """
    keep = np.asarray(keep)
    if keep.ndim != 1 or keep.dtype != bool:
        raise ValueError(f"keep must be a 1-D boolean mask (True = may attend), got {keep.dtype} {keep.shape}")
    if not weights:
        raise ValueError("weights is empty: give at least one masked row")
    n, k = len(keep), len(weights)
    if keep.all() or not np.all(keep[: int(keep.sum())]):
        raise ValueError("keep must hide a block of keys at the end of the row (True ... True False ... False)")
    fig = _new_figure((7.5, 3))
    ax = fig.subplots()
    x = np.arange(n)
    width = 0.8 / k
    for j, (name, w) in enumerate(weights.items()):
        w = np.asarray(w, dtype=float)
        if w.shape != (n,):
            raise ValueError(f"{name!r} has shape {w.shape}; the mask has {n} keys")
        ax.bar(x + (j - (k - 1) / 2) * width, w, width=width, label=f"{name} (sum {w.sum():.2f})")
    first_hidden = int(keep.sum())
    ax.axvspan(first_hidden - 0.5, n - 0.5, color="0.9", zorder=-1)
    ax.text((first_hidden + n - 1) / 2, ax.get_ylim()[1] * 0.9, "hidden keys", ha="center")
    ax.set_xticks(x, [f"key {i}" for i in x])
    ax.set_ylabel("attention weight")
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig
