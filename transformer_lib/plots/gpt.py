"""The figures of chapter "Decoder-only models (GPT)": the cost of each generated token with
and without the KV cache, and the tiny GPT's held-out loss next to its n-gram baselines.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from transformer_lib.plots.core import _new_figure


def kv_cache_timing(no_cache_seconds, cache_seconds, note: str = ""):
    """Chapter "Decoder-only models (GPT)": milliseconds per generated token against its position,
    without the cache (grows with the prefix) and with it (nearly flat).

    Args:
        no_cache_seconds, cache_seconds: (N,) seconds of steps 1..N, measured in the same run.
        note: appended to the title (e.g. where it was measured).

    Returns:
        the Figure.
    """
    full, cached = np.asarray(no_cache_seconds, float).ravel(), np.asarray(cache_seconds, float).ravel()
    if full.shape != cached.shape or full.size < 2:
        raise ValueError(f"give two timings of the same length >= 2, got {full.size} and {cached.size}")
    pos = np.arange(1, full.size + 1)
    fig = _new_figure((7.0, 3.4))
    ax = fig.subplots()
    ax.plot(pos, full * 1e3, ".", ms=3, color="#d62728", label="without the cache: the whole prefix each step")
    ax.plot(pos, cached * 1e3, ".", ms=3, color="#1f77b4", label="with the KV cache: one new token each step")
    ax.set_xlabel("position of the generated token")
    ax.set_ylabel("milliseconds per token")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("cost of each generated token" + (f" ({note})" if note else ""), fontsize=10)
    return fig


def baseline_losses(losses: Mapping[str, float], unit: str = "nats per character"):
    """Chapter "Decoder-only models (GPT)": held-out cross-entropy of several models, one bar each
    (lower is better), labelled with its value.

    Args:
        losses: ``{name: loss}``, in the order to draw.

    Returns:
        the Figure.
    """
    if not losses:
        raise ValueError("losses is empty: give {name: held-out loss}")
    names, values = list(losses), np.array([float(v) for v in losses.values()])
    fig = _new_figure((5.5, 3.0))
    ax = fig.subplots()
    bars = ax.bar(range(len(names)), values, color=["#7f7f7f"] * (len(names) - 1) + ["#1f77b4"])
    ax.bar_label(bars, [f"{v:.2f}" for v in values], fontsize=8)
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel(f"held-out loss ({unit})")
    ax.set_ylim(0, values.max() * 1.15)
    ax.set_title("the same held-out text, three predictors", fontsize=10)
    return fig
