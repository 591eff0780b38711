"""The figures of chapter "Encoder, decoder and cross-attention": where a model's
parameters are, and its three kinds of attention side by side.
"""

from __future__ import annotations

import numpy as np

from transformer_lib.plots.core import _new_figure


def parameter_bars(counts: dict[str, dict[str, int]]):
    """Chapter "Encoder, decoder and cross-attention": one horizontal bar chart per model of
    its parameters per component (``nn.parameter_counts``), each bar labelled with its count.

    Args:
        counts: ``{model name: {component: parameters}}``.

    Returns:
        the Figure; each panel's title gives the model's total.
    """
    if not counts:
        raise ValueError("counts is empty: give at least one model's {component: parameters}")
    fig = _new_figure((5.5 * len(counts), 3.4))
    for ax, (name, c) in zip(fig.subplots(1, len(counts), squeeze=False)[0], counts.items()):
        if not c or any(int(v) != v or v < 0 for v in c.values()):
            raise ValueError(f"{name}: counts must be a non-empty {{component: non-negative int}}, got {c}")
        keys = list(c)[::-1]  # the first component on top
        ax.barh(keys, [c[k] for k in keys])
        for i, k in enumerate(keys):
            ax.text(c[k], i, f" {c[k]:,}" + (" (shared)" if c[k] == 0 else ""), va="center", fontsize=8)
        ax.set_xlim(0, max(max(c.values()), 1) * 1.45)
        ax.set_title(f"{name}: {sum(c.values()):,} parameters", fontsize=10)
        ax.set_xlabel("parameters")
        ax.set_ylabel("component")
    return fig


def attention_kinds(encoder, decoder, cross, title: str = "layer 0, head 0"):
    """Chapter "Encoder, decoder and cross-attention": one head's encoder self-attention
    (S, S), decoder self-attention (T, T) and cross-attention (T, S), on one 0..1 scale.

    Returns:
        the Figure.
    """
    ws = {"encoder": np.asarray(encoder, dtype=float), "decoder": np.asarray(decoder, dtype=float),
          "cross": np.asarray(cross, dtype=float)}
    if any(w.ndim != 2 for w in ws.values()):
        raise ValueError(f"each weight matrix must be 2-D, got shapes {[w.shape for w in ws.values()]}")
    S, T = ws["encoder"].shape[0], ws["decoder"].shape[0]
    if ws["encoder"].shape != (S, S) or ws["decoder"].shape != (T, T) or ws["cross"].shape != (T, S):
        raise ValueError(f"expected encoder (S, S), decoder (T, T) and cross (T, S), got "
                         f"{ws['encoder'].shape}, {ws['decoder'].shape} and {ws['cross'].shape}")
    axes_of = {"encoder": ("source position", "source position"), "decoder": ("target position", "target position"),
               "cross": ("source position", "target position")}
    fig = _new_figure((11, 3.2))
    axes = fig.subplots(1, 3)
    for ax, (kind, w) in zip(axes, ws.items()):
        im = ax.imshow(w, cmap="viridis", vmin=0, vmax=1)
        ax.set_xlabel(axes_of[kind][0])
        ax.set_ylabel(axes_of[kind][1])
        ax.set_title(f"{kind} attention, {title}", fontsize=10)
    fig.colorbar(im, ax=list(axes), fraction=0.02)
    return fig
