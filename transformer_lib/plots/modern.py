"""The figures of chapter "The modern block": held-out loss at each position, for models trained on a
short context and read on longer windows (sinusoidal positions against RoPE).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from transformer_lib.plots.core import _new_figure

_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd")


def loss_by_position(losses: Mapping[str, np.ndarray], train_context: int, smooth: int = 8,
                     baselines: Mapping[str, float] | None = None):
    """Chapter "The modern block": held-out loss (nats per character) at each position of long windows,
    one line per model, with the trained context marked; beyond it the model reads positions (and,
    for RoPE, offsets) it never saw in training.

    Args:
        losses: ``{name: (T,) loss at each position}``, all of the same length T.
        train_context: the window length the models were trained on (a dashed line there).
        smooth: a running mean over this many positions for the bold line (the raw values are drawn faint).
        baselines: ``{name: loss}`` of simple models on the same targets (e.g. unigram, bigram), dotted lines.

    Returns:
        the Figure.
    """
    if not losses:
        raise ValueError("losses is empty: give {model name: (T,) loss at each position}")
    arrays = {k: np.asarray(v, float).ravel() for k, v in losses.items()}
    T = {a.size for a in arrays.values()}
    if len(T) != 1 or min(T) < 2:
        raise ValueError(f"every model's losses must have the same length >= 2, got lengths {sorted(T)}")
    T = T.pop()
    if int(smooth) != smooth or not 1 <= smooth <= T:
        raise ValueError(f"smooth must be an integer in 1..{T}, got {smooth!r}")
    if not 0 < train_context < T:
        raise ValueError(f"train_context must lie inside the windows (1..{T - 1}), got {train_context!r}")
    fig = _new_figure((8.6, 3.4))
    ax = fig.subplots()
    pos = np.arange(T)
    kernel = np.ones(int(smooth)) / smooth
    for (name, a), colour in zip(arrays.items(), _COLOURS):
        ax.plot(pos, a, color=colour, alpha=0.25, lw=0.8)
        ax.plot(pos[smooth - 1:], np.convolve(a, kernel, mode="valid"), color=colour, lw=2,
                label=f"{name} (running mean of {smooth})")
    for (name, v), grey in zip((baselines or {}).items(), ("#7f7f7f", "#bcbd22", "#8c564b")):
        ax.axhline(float(v), color=grey, ls=":", lw=1.5, label=f"{name} model ({float(v):.2f})")
    ax.axvline(train_context - 0.5, color="black", ls="--", lw=1)
    ax.text(train_context, ax.get_ylim()[1], f" trained on {train_context} characters", va="top", fontsize=8)
    ax.set_xlabel("position in the held-out window (characters)")
    ax.set_ylabel("held-out loss (nats per character)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # outside: no line hidden
    ax.set_title("loss at each position, beyond the trained context", fontsize=10)
    return fig
