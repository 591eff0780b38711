"""The figures of chapters "The feed-forward block", "Residuals, LayerNorm and BatchNorm" and
"Training: from logits to loss": parameter counts of one layer, toy-task results, gradients
by layer, training curves (also redrawn live by :class:`transformer_lib.views.training.LiveCurves`),
target distributions and learning-rate schedules.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from transformer_lib.plots.core import _labels, _new_figure

# ------------------------------------------------- chapters "The feed-forward block", "Residuals, LayerNorm and
# BatchNorm" and "Training: from logits to loss" (parameter counts, toy-task results, gradients, training curves)
_PART_COLOURS = {"self_attn": "#2ca02c", "cross_attn": "#2ca02c", "linear1": "#ff7f0e", "linear2": "#ff7f0e"}


def _series(name: str, values) -> np.ndarray:
    a = np.asarray(values, dtype=float)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of numbers, got shape {a.shape}")
    return a


def layer_parameter_bars(counts: dict[str, int], *, title: str = "", figsize=(6, 2.6)):
    """Horizontal bars of parameters per part of a layer (``transformer_lib.nn.parameter_counts``),
    in millions, first part on top; attention green, feed-forward orange, the rest (norms) blue."""
    if not counts:
        raise ValueError("counts is empty: nothing to draw")
    fig = _new_figure(figsize)
    ax = fig.subplots()
    names = list(counts)[::-1]
    ax.barh(names, [counts[k] / 1e6 for k in names], color=[_PART_COLOURS.get(k, "#1f77b4") for k in names])
    ax.set_xlabel("parameters (millions)")
    ax.set_ylabel("part of the layer")
    ax.set_title(title, fontsize=10)
    return fig


def unit_curves(values, units: Sequence[int], *, xlabel: str, ylabel: str, title: str = "", figsize=(7, 3.2)):
    """Selected columns of ``values`` (X, U) as lines over x = 0..X-1, labelled "unit u"
    (e.g. hidden units averaged per input condition)."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"values must be 2-D (x, units), got shape {values.shape}")
    bad = [u for u in units if not 0 <= u < values.shape[1]]
    if bad:
        raise ValueError(f"units {bad} are out of range: there are {values.shape[1]} units")
    fig = _new_figure(figsize)
    ax = fig.subplots()
    for u in units:
        ax.plot(range(values.shape[0]), values[:, u], "o-", ms=3, label=f"unit {u}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    return fig


def normalisation_groups(cases: dict[tuple[str, str], np.ndarray], axis_names: dict[str, Sequence[str]], *,
                         suptitle: str = "", figsize=(10, 8.5)):
    """3-D blocks, one panel per case, showing which numbers share one mean and variance.

    Args:
        cases: ``{(data name, norm name): moved}`` with ``moved`` a 3-D bool array (from
            :func:`transformer_lib.probes.shares_statistics`); element [0, 0, 0] is the nudged one.
        axis_names: ``{data name: (x, y, z axis labels)}``.

    Returns:
        the Figure: the nudged input red, the outputs that moved blue, the others grey.
    """
    if not cases:
        raise ValueError("cases is empty: nothing to draw")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize)
    plt.close(fig)
    cols = 2 if len(cases) > 1 else 1
    for k, ((data, norm), moved) in enumerate(cases.items()):
        moved = np.asarray(moved, dtype=bool)
        if moved.ndim != 3:
            raise ValueError(f"case {(data, norm)} must be a 3-D bool array, got shape {moved.shape}")
        if data not in axis_names or len(axis_names[data]) != 3:
            raise ValueError(f"axis_names needs three axis labels for {data!r}")
        ax = fig.add_subplot(-(-len(cases) // cols), cols, k + 1, projection="3d")
        colours = np.empty(moved.shape, dtype=object)
        colours[moved] = "#1f77b4cc"
        colours[~moved] = "#d9d9d955"
        colours.flat[0] = "#d62728"
        ax.voxels(np.ones(moved.shape, bool), facecolors=colours, edgecolor="#555555", linewidth=0.3)
        names = axis_names[data]
        ax.set_xlabel(names[0]); ax.set_ylabel(names[1]); ax.set_zlabel(names[2])
        ax.set_xticks([]); ax.set_yticks([]); ax.set_zticks([])
        ax.set_title(f"{norm} on {data}:\n{moved.sum()} numbers share one mean and variance", fontsize=10)
    if suptitle:
        fig.suptitle(suptitle, fontsize=11)
    fig.tight_layout()
    return fig


def gradient_by_layer(grads: dict[str, Sequence[float]], *, title: str = "", figsize=(6.5, 3.6)):
    """The gradient norm reaching each layer (layer 1 = nearest the input), one line per entry
    of ``grads`` ({label: norms}), on a log scale."""
    if not grads:
        raise ValueError("grads is empty: nothing to draw")
    fig = _new_figure(figsize)
    ax = fig.subplots()
    for name, g in grads.items():
        g = _series(f"grads[{name!r}]", g)
        ax.semilogy(np.arange(1, len(g) + 1), g, "o-", ms=3, label=name)
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.set_ylabel("‖∂loss/∂W‖")
    ax.set_title(title, fontsize=10)
    ax.legend()
    return fig


def smoothed_losses(panels: dict[str, dict[str, Sequence[float]]], *, window: int = 5, guess: float | None = None,
                    figsize=None):
    """Per-step training losses as ``window``-step running means, one panel per entry of
    ``panels`` ({panel title: {line label: losses}}), lines alternating solid and dashed;
    ``guess`` draws a dotted line at the loss of guessing (ln V)."""
    if not panels or any(not lines for lines in panels.values()):
        raise ValueError("panels must hold at least one panel, each with at least one line")
    if window < 1:
        raise ValueError(f"window must be positive, got {window}")
    fig = _new_figure(figsize or (5.5 * len(panels), 3.6))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (title, lines) in zip(axes, panels.items()):
        for i, (label, losses) in enumerate(lines.items()):
            losses = _series(f"losses of {label!r}", losses)
            if len(losses) < window:
                raise ValueError(f"{label!r} has {len(losses)} losses, fewer than the window of {window}")
            smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
            ax.plot(np.arange(len(smooth)) + window, smooth, "-" if i % 2 == 0 else "--", label=label)
        if guess is not None:
            ax.axhline(guess, color="gray", ls=":", label="ln V: guessing")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("step")
        ax.set_ylabel(f"training loss ({window}-step mean)")
        ax.legend(fontsize=8)
    return fig


def training_curves(history: dict[str, Sequence[float]], panels: dict[str, dict[str, str]], *, percent=(),
                    log: Sequence[str] = (), xmax: int | None = None, markers: bool = False, title: str = "",
                    figsize=(10, 3)):
    """Curves of a training run, one panel per entry of ``panels``.

    Args:
        history: ``{"step": [...], key: [...], ...}`` (``History.as_dict()``, or a record stored
            with a checkpoint).
        panels: ``{y label: {line label: history key}}``.
        percent: keys whose values are multiplied by 100.
        log: y labels of the panels drawn on a log scale.
        xmax: fix the x axis to 0..xmax (a live figure that should not jump).
        markers: mark each record (circles for the first line, squares for the next).

    Returns:
        the Figure.
    """
    if "step" not in history:
        raise ValueError(f"history needs a 'step' entry, got {sorted(history)}")
    steps = _series("history['step']", history["step"])
    if not panels:
        raise ValueError("panels is empty: nothing to draw")
    fig = _new_figure(figsize)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (ylabel, lines) in zip(axes, panels.items()):
        for i, (label, key) in enumerate(lines.items()):
            if key not in history:
                raise ValueError(f"history has no {key!r}; it has {sorted(history)}")
            y = _series(f"history[{key!r}]", history[key]) * (100 if key in percent else 1)
            if len(y) != len(steps):
                raise ValueError(f"history[{key!r}] has {len(y)} values for {len(steps)} steps")
            ax.plot(steps, y, ("o-", "s-", "^-", "v-")[i % 4] if markers else "-", label=label)
        if ylabel in log:
            ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel(ylabel)
        if xmax is not None:
            ax.set_xlim(0, xmax)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def target_distributions(dists: dict[str, Sequence[float]], labels: Sequence[str], *, colours: Sequence[str] | None = None,
                         xlabel: str = "token", ylabel: str = "target probability (log scale)", figsize=(10, 3)):
    """Target distributions over a few tokens as bars on a log scale, one panel per entry of
    ``dists`` ({panel title: probabilities of ``labels``}), sharing the y axis."""
    if not dists:
        raise ValueError("dists is empty: nothing to draw")
    fig = _new_figure(figsize)
    axes = fig.subplots(1, len(dists), sharey=True, squeeze=False)[0]
    for ax, (title, p) in zip(axes, dists.items()):
        p = _series(f"dists[{title!r}]", p)
        ax.bar(range(len(p)), p, color=colours)
        ax.set_xticks(range(len(p)), _labels("token", labels, len(p)), rotation=30)
        ax.set_yscale("log")
        ax.set_ylim(1e-4, 1.5)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
    axes[0].set_ylabel(ylabel)
    return fig


def histograms(samples: dict[str, Sequence[float]], bins, *, xlabel: str, ylabel: str = "count", title: str = "",
               logy: bool = False, figsize=(6, 3.2)):
    """Overlaid histograms, one per entry of ``samples`` ({legend label: values})."""
    if not samples:
        raise ValueError("samples is empty: nothing to draw")
    fig = _new_figure(figsize)
    ax = fig.subplots()
    for name, v in samples.items():
        ax.hist(_series(f"samples[{name!r}]", v), bins=bins, alpha=0.6, label=name)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend()
    return fig


def learning_rates(panels: dict[str, tuple[Sequence[float], Sequence[float], int]], *, figsize=(11, 3.2)):
    """Learning-rate schedules, one panel per entry of ``panels``
    ({title: (steps, rates, warmup)}), with a dashed line at the end of the warm-up."""
    if not panels:
        raise ValueError("panels is empty: nothing to draw")
    from matplotlib.ticker import MaxNLocator

    fig = _new_figure(figsize)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (title, (steps, rates, warmup)) in zip(axes, panels.items()):
        steps, rates = _series("steps", steps), _series("rates", rates)
        if len(steps) != len(rates):
            raise ValueError(f"{title!r}: {len(steps)} steps but {len(rates)} rates")
        ax.plot(steps, rates)
        ax.xaxis.set_major_locator(MaxNLocator(5))  # round, uncrowded step numbers
        ax.axvline(warmup, color="#d62728", ls="--", label=f"warmup = {warmup}")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("training step")
        ax.set_ylabel("learning rate")
        ax.legend()
    return fig
