"""The figures of chapter "One block, three families (BERT, GPT, T5)": the attention masks
that tell the families apart, side by side, and the learning curve of pretraining then
fine-tuning against training from scratch.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from transformer_lib.plots.core import _new_figure, draw_heatmap


def attention_patterns(panels: Sequence[tuple], suptitle: str = "Who may attend to whom (1 = may attend)",
                       per_row: int = 3):
    """Boolean masks side by side, rows = queries, columns = keys, each with its own tokens.

    Args:
        panels: one ``(title, mask, key_tokens, query_tokens)`` per panel; ``mask`` a boolean
            (T, S) array (True = may attend, as ``ref.causal_mask``, ``ref.prefix_lm_mask``,
            ``ref.full_mask`` return), ``key_tokens`` S labels, ``query_tokens`` T labels.
            Panels may differ in shape (cross-attention is T x S).
        per_row: panels per row of the figure.

    Returns:
        the Figure; each panel's title adds how many (query, key) pairs the mask allows.
    """
    panels = list(panels)
    if int(per_row) != per_row or per_row < 1:
        raise ValueError(f"per_row must be a positive whole number, got {per_row!r}")
    per_row = int(per_row)
    if not panels:
        raise ValueError("attention_patterns needs at least one (title, mask, key_tokens, query_tokens) panel")
    for p in panels:
        if len(p) != 4:
            raise ValueError(f"each panel is (title, mask, key_tokens, query_tokens), got {len(p)} items")
        m = np.asarray(p[1])
        if m.ndim != 2 or m.dtype != bool:
            raise ValueError(f"panel {p[0]!r}: the mask must be a boolean (T, S) array, got {m.dtype} {m.shape}")
    rows = [panels[i:i + per_row] for i in range(0, len(panels), per_row)]
    width = max(sum(0.36 * np.asarray(p[1]).shape[1] + 1.2 for p in row) for row in rows) + 0.3
    heights = [0.36 * max(np.asarray(p[1]).shape[0] for p in row) + 2.2 for row in rows]
    fig = _new_figure((width, sum(heights) + 0.4))
    subfigs = fig.subfigures(len(rows), 1, squeeze=False, height_ratios=heights)[:, 0]
    for sub, row in zip(subfigs, rows):
        axes = sub.subplots(1, len(row), squeeze=False,
                            gridspec_kw={"width_ratios": [np.asarray(p[1]).shape[1] for p in row]})[0]
        for ax, (title, mask, keys, queries) in zip(axes, row):
            mask = np.asarray(mask)
            draw_heatmap(ax, mask, keys, queries, 0, 1, "Blues", None,
                         f"{title}\n{int(mask.sum())} of {mask.size} pairs", "key", "query")
    if suptitle:
        fig.suptitle(suptitle, fontsize=11)
    return fig


def finetune_curve(curve: dict, chance: float = 0.5):
    """Held-out accuracy against the number of labelled examples, fine-tuned from the pretrained
    GPT and trained from scratch: each start's mean over seeds, with the range of the seeds shaded.

    Args:
        curve: ``{"sizes", "seeds", "runs": [{"init", "n_labelled", "seed", "test_accuracy"}, ...]}``
            with a run for every start, seed and size, and for 0 labelled examples (each start
            before any fine-tuning), as :func:`transformer_lib.tasks.acceptability.learning_curve`
            returns and ``load_curve`` reads.
        chance: the accuracy of guessing, drawn as a dashed line.

    Returns:
        the Figure. The x axis is evenly spaced over 0 and the sizes (which double each step).
    """
    try:
        sizes, seeds, runs = [0, *curve["sizes"]], list(curve["seeds"]), list(curve["runs"])
    except (KeyError, TypeError):
        raise ValueError("curve must be a dict with 'sizes', 'seeds' and 'runs' (see tasks.acceptability)") from None
    acc = {(r["init"], r["n_labelled"], r["seed"]): r["test_accuracy"] for r in runs}
    inits = sorted({r["init"] for r in runs}, key=["pretrained", "scratch"].index)
    missing = [(i, n, s) for i in inits for n in sizes for s in seeds if (i, n, s) not in acc]
    if not inits or missing:
        raise ValueError(f"curve has no runs, or misses some (start, size, seed): {missing[:3]}")
    fig = _new_figure((6.4, 3.6))
    ax = fig.subplots()
    styles = {"pretrained": ("#1f77b4", "fine-tuned from the pretrained tiny GPT"),
              "scratch": ("#d62728", "same architecture, trained from scratch")}
    x = np.arange(len(sizes))
    for init in inits:
        a = np.array([[acc[init, n, s] for s in seeds] for n in sizes])  # (sizes, seeds)
        color, label = styles.get(init, ("#7f7f7f", init))
        ax.plot(x, a.mean(1), "o-", color=color, label=f"{label} (mean of {len(seeds)} seeds)")
        ax.fill_between(x, a.min(1), a.max(1), color=color, alpha=0.18, lw=0)
    ax.axhline(chance, color="#7f7f7f", ls="--", lw=1)
    ax.text(x[0], chance + 0.01, "chance", fontsize=8, color="#555")
    ax.set_xticks(x, ["0\n(before)", *map(str, sizes[1:])])
    ax.set_xlabel("labelled examples (minimal pairs)")
    ax.set_ylabel("held-out accuracy")
    ax.set_ylim(min(0.45, chance - 0.05), 1.01)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Which sentence of the pair is grammatical? (shaded: the range over seeds)", fontsize=10)
    return fig
