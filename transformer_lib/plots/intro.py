"""The figures of the introduction (chapter "Attention, Hands-On"): path lengths of three
architectures, and the three Transformer families with their attention masks.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from transformer_lib.plots.core import _new_figure


_STYLES = [("o", "-"), ("s", "--"), ("^", "-."), ("D", ":"), ("v", (0, (5, 1))), ("P", (0, (1, 1, 3, 1)))]


def path_lengths(lengths: Sequence[int], paths: dict[str, Sequence[int]]):
    """Maximum path length against sequence length, one line per architecture (log-log, base 2).

    Each line has its own marker *and* line style and is labelled at its right end (no legend
    to match colours against), so curves that run close together, or coincide at small n, stay
    readable in grey print too.

    Args:
        lengths: the sequence lengths n (positive), the x axis.
        paths: ``{architecture: steps}``, one number of steps per length (from the chapter's
            breadth-first walk over each connection graph); at most six architectures.

    Returns:
        the Figure.
    """
    lengths = np.asarray(lengths, dtype=float)
    if lengths.ndim != 1 or len(lengths) == 0 or np.any(lengths <= 0):
        raise ValueError(f"lengths must be a non-empty list of positive numbers, got {lengths.tolist()}")
    if not paths:
        raise ValueError("paths is empty: give at least one architecture's steps")
    if len(paths) > len(_STYLES):
        raise ValueError(f"at most {len(_STYLES)} architectures fit one figure, got {len(paths)}")
    fig = _new_figure((7.0, 3.8))
    ax = fig.subplots()
    for (name, p), (marker, style) in zip(paths.items(), _STYLES):
        p = np.asarray(p, dtype=float)
        if p.shape != lengths.shape:
            raise ValueError(f"{name!r} has {p.size} path lengths for {lengths.size} sequence lengths")
        (line,) = ax.plot(lengths, p, marker=marker, linestyle=style, label=name)
        ax.annotate(f"{name}: {p[-1]:g}", (lengths[-1], p[-1]), xytext=(8, 0), textcoords="offset points",
                    va="center", color=line.get_color(), fontsize=9)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlim(lengths.min() / 1.3, lengths.max() * 9)  # room on the right for the labels
    ax.set_xlabel("sequence length n")
    ax.set_ylabel("layers (or steps) from\nfirst token to last")
    ax.set_title("Maximum path length (computed on the connection graphs)")
    return fig


def _mask(ax, mask, title, xlabel="key position", ylabel="query position"):
    ax.imshow(mask, cmap="Greys", vmin=0, vmax=1.4)  # vmax > 1: "may attend" dark grey, not black
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)


def _stack(ax, boxes, title):
    from matplotlib.patches import FancyBboxPatch

    ax.set_xlim(0, 1)
    ax.set_ylim(0, len(boxes) + 0.6)
    ax.axis("off")
    ax.set_title(title, fontsize=12, fontweight="bold")
    for i, (label, color) in enumerate(boxes):
        ax.add_patch(FancyBboxPatch((0.08, i + 0.2), 0.84, 0.7, boxstyle="round,pad=0.02", fc=color, ec="black"))
        ax.text(0.5, i + 0.55, label, ha="center", va="center", fontsize=10)


def transformer_families(causal, cross_rows: int = 4):
    """The three families (encoder-only, decoder-only, encoder-decoder) as stacks of boxes,
    above the attention masks that tell them apart.

    Args:
        causal: a boolean (T, T) causal mask, True = may attend (``ref.causal_mask(T)``); the
            bidirectional mask is all True of the same shape.
        cross_rows: how many decoder positions the cross-attention mask shows (against T
            encoder positions).

    Returns:
        the Figure.
    """
    causal = np.asarray(causal)
    if causal.ndim != 2 or causal.shape[0] != causal.shape[1] or causal.dtype != bool:
        raise ValueError(f"causal must be a square boolean (T, T) mask, got {causal.dtype} {causal.shape}")
    if cross_rows < 1:
        raise ValueError(f"cross_rows must be at least 1, got {cross_rows}")
    n = causal.shape[0]
    full = np.ones((n, n), dtype=bool)  # (T, T)
    fig = _new_figure((11, 6))
    grid = fig.add_gridspec(2, 4, height_ratios=[1.2, 1])
    _stack(fig.add_subplot(grid[0, 0]), [("token embeddings", "#eee"), ("N × encoder layer", "#cfe2f3"),
                                          ("per-token outputs", "#eee")], "Encoder-only\n(BERT)")
    _stack(fig.add_subplot(grid[0, 1]), [("token embeddings", "#eee"), ("N × decoder layer\n(masked)", "#f4cccc"),
                                          ("next-token logits", "#eee")], "Decoder-only\n(GPT)")
    _stack(fig.add_subplot(grid[0, 2:]), [("source | target embeddings", "#eee"),
                                           ("encoder stack → decoder stack", "#d9ead3"), ("target logits", "#eee")],
           "Encoder–decoder\n(original Transformer, T5, BART)")
    _mask(fig.add_subplot(grid[1, 0]), full, "bidirectional:\nevery token sees every token")
    _mask(fig.add_subplot(grid[1, 1]), causal, "causal:\nonly earlier tokens")
    _mask(fig.add_subplot(grid[1, 2]), full, "encoder self-attention\n+ decoder uses causal")
    _mask(fig.add_subplot(grid[1, 3]), np.ones((cross_rows, n), dtype=bool),
          "cross-attention: decoder queries\n× encoder keys", "encoder position", "decoder position")
    return fig
