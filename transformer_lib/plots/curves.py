"""A loss curve (chapter "Multi-head attention": training the lookup model)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from transformer_lib.plots.core import _new_figure


def loss_curve(losses: Sequence[float], *, title: str = "", ylabel: str = "loss", xlabel: str = "training step"):
    """One training run's loss per step, on a log scale.

    Returns:
        the Figure.
    """
    losses = np.asarray(losses, dtype=float)
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(f"losses must be a non-empty 1-D sequence, got shape {losses.shape}")
    if np.any(losses <= 0) or not np.all(np.isfinite(losses)):
        raise ValueError("a log-scale loss curve needs positive, finite losses")
    fig = _new_figure((6, 2.8))
    ax = fig.subplots()
    ax.semilogy(losses)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return fig
