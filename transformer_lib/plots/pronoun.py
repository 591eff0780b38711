"""The figures of chapter "It -> animal": where "it" looks, as bars over the sentence's
tokens, and the training curves of the shipped pronoun models.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from transformer_lib.plots.core import _new_figure

RIGHT, OTHER, REST = "#d62728", "#ff9896", "#1f77b4"  # the right noun, the other noun, any other token


def it_attention_bars(rows: Sequence[Sequence[dict]], ylabel: str, suptitle: str = ""):
    """Chapter "It -> animal": bars of the attention from "it" over the tokens of a sentence,
    the right noun dark red, the other noun pink, in a grid of panels sharing one y axis.

    Args:
        rows: rows of panels; each panel a dict with ``tokens`` (T words), ``weights`` (T,)
            the attention from "it", ``referent`` and ``other`` (the two nouns) and ``title``.
        ylabel: the y label of each row (what the weights are, e.g. which layer and heads).
            A grid of several rows is drawn with smaller titles and token labels.

    Returns:
        the Figure.
    """
    if not rows or not rows[0] or any(len(r) != len(rows[0]) for r in rows):
        raise ValueError("rows must be a non-empty grid of panels, every row as long as the first")
    fig = _new_figure((6 * len(rows[0]), 3.6 if len(rows) == 1 else 3 * len(rows)))
    axes = fig.subplots(len(rows), len(rows[0]), sharey=True, squeeze=False)
    title_size, tick_size = (10, 8) if len(rows) > 1 else (None, None)
    for r, row in enumerate(rows):
        for ax, p in zip(axes[r], row):
            tokens, w = list(p["tokens"]), np.asarray(p["weights"], dtype=float)
            if w.shape != (len(tokens),):
                raise ValueError(f"panel {p.get('title', '')!r}: {w.size} weights for {len(tokens)} tokens")
            colors = [RIGHT if t == p["referent"] else OTHER if t == p["other"] else REST for t in tokens]
            ax.bar(range(len(tokens)), w, color=colors)
            ax.set_xticks(range(len(tokens)), tokens, rotation=50, ha="right", fontsize=tick_size)
            ax.set_title(p["title"], fontsize=title_size)
            if len(rows) == 1:
                ax.set_xlabel("token that “it” looks at")
        axes[r, 0].set_ylabel(ylabel)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def it_training_curves(histories: dict[str, dict]):
    """Chapter "It -> animal": training loss (left, log scale) and accuracy on the training
    batches and on held-out sentences (right), one colour per run.

    Args:
        histories: ``{run name: history}``, each history with equally long lists ``step``,
            ``loss``, ``train_accuracy`` and ``heldout_accuracy`` (as the shipped models' meta holds).

    Returns:
        the Figure.
    """
    if not histories:
        raise ValueError("histories is empty: give at least one run's history")
    fig = _new_figure((11, 3.6))
    left, right = fig.subplots(1, 2)
    for k, (name, h) in enumerate(histories.items()):
        missing = {"step", "loss", "train_accuracy", "heldout_accuracy"} - set(h)
        if missing:
            raise ValueError(f"{name}: the history lacks {sorted(missing)}")
        if len({len(h[key]) for key in ("step", "loss", "train_accuracy", "heldout_accuracy")}) != 1:
            raise ValueError(f"{name}: step, loss and the accuracies must have one length")
        color = f"C{k}"
        left.semilogy(h["step"], h["loss"], color=color, label=name)
        right.plot(h["step"], h["train_accuracy"], color=color, label=f"{name}: training batches")
        right.plot(h["step"], h["heldout_accuracy"], "--", color=color, marker="o", ms=3, label=f"{name}: held-out")
    left.set_xlabel("step")
    left.set_ylabel("cross-entropy (log scale)")
    left.set_title("Training loss")
    right.set_xlabel("step")
    right.set_ylabel("accuracy")
    right.set_title("Accuracy")
    right.set_ylim(0, 1.02)
    left.legend()
    right.legend(fontsize=8)
    return fig
