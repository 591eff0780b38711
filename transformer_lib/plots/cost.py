"""The figures of chapter "The cost of attention": time and peak memory against the sequence
length on log-log axes, with the fitted slope of each line in its legend, for the layer types of
Vaswani et al. 2017, Table 1 (from :func:`transformer_lib.cost.load_measurement`), and for dense
against block-sparse or flash attention.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from transformer_lib.cost import log_log_slope
from transformer_lib.plots.core import _new_figure


def log_log_panels(lengths, panels: Mapping[str, Mapping[str, Sequence[float]]], fit_from: int | None = None,
                   xlabel: str = "sequence length n (tokens)", title: str = ""):
    """Side-by-side log-log panels: each panel one quantity (its y label), each line one method.

    Args:
        lengths: (N,) sequence lengths, the x values.
        panels: ``{y label: {method name: (N,) values}}``, values > 0 (e.g. milliseconds, MB).
        fit_from: fit each line's slope over the lengths >= this one (default: all of them);
            the slope, the exponent p in y ~ n^p (:func:`transformer_lib.cost.log_log_slope`),
            is written into the legend.
        xlabel, title: the shared x label and an overall title.

    Returns:
        the Figure.
    """
    n = np.asarray(lengths, dtype=float).ravel()
    if n.size < 2:
        raise ValueError(f"log_log_panels needs at least two lengths, got {n.size}")
    if not panels or not all(panels.values()):
        raise ValueError("log_log_panels needs at least one panel, each with at least one line")
    fit = n >= (fit_from if fit_from is not None else n.min())
    if fit.sum() < 2:
        raise ValueError(f"fit_from={fit_from} leaves fewer than two lengths to fit a slope over")
    fig = _new_figure((4.6 * len(panels), 3.6))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (ylabel, lines) in zip(axes, panels.items()):
        for name, ys in lines.items():
            y = np.asarray(ys, dtype=float).ravel()
            if y.shape != n.shape:
                raise ValueError(f"{ylabel!r}, {name!r}: {y.size} values for {n.size} lengths")
            ax.loglog(n, y, "o-", ms=3, label=f"{name} (slope {log_log_slope(n[fit], y[fit]):.2f})")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_xticks(n, [f"{int(v)}" for v in n], fontsize=7)
        ax.minorticks_off()
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def layer_costs(measurement: Mapping):
    """Table 1 measured: forward time (ms) and peak memory (MB) of each layer type against n,
    from the dict that ``benchmarks/bench_attention_cost.py`` saves
    (``cost.load_measurement("attention_cost")``), slopes fitted over its ``fit_lengths``."""
    try:
        lengths, layers, fit = measurement["lengths"], measurement["layers"], measurement["fit_lengths"]
    except (KeyError, TypeError):
        raise ValueError("layer_costs needs the dict of cost.load_measurement('attention_cost') "
                         "(keys 'lengths', 'fit_lengths', 'layers')") from None
    panels = {"forward time (ms, CPU)": {k: np.asarray(r["seconds"]) * 1e3 for k, r in layers.items()},
              "peak memory (MB)": {k: np.asarray(r["peak_bytes"]) / 1e6 for k, r in layers.items()}}
    return log_log_panels(lengths, panels, fit_from=min(fit),
                          title=f"one layer, d = {measurement['d']}, batch 1 (slopes over n = {fit[0]}..{fit[-1]})")


__all__ = ["layer_costs", "log_log_panels"]
