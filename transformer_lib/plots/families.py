"""The figures of chapter "One block, three families (BERT, GPT, T5)": the attention masks
that tell the families apart, side by side.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from transformer_lib.plots.core import _new_figure, draw_heatmap


def attention_patterns(panels: Sequence[tuple], suptitle: str = "Who may attend to whom (1 = may attend)"):
    """Boolean masks side by side, rows = queries, columns = keys, each with its own tokens.

    Args:
        panels: one ``(title, mask, key_tokens, query_tokens)`` per panel; ``mask`` a boolean
            (T, S) array (True = may attend, as ``ref.causal_mask``, ``ref.prefix_lm_mask``,
            ``ref.full_mask`` return), ``key_tokens`` S labels, ``query_tokens`` T labels.
            Panels may differ in shape (cross-attention is T x S).

    Returns:
        the Figure; each panel's title adds how many (query, key) pairs the mask allows.
    """
    panels = list(panels)
    if not panels:
        raise ValueError("attention_patterns needs at least one (title, mask, key_tokens, query_tokens) panel")
    for p in panels:
        if len(p) != 4:
            raise ValueError(f"each panel is (title, mask, key_tokens, query_tokens), got {len(p)} items")
        m = np.asarray(p[1])
        if m.ndim != 2 or m.dtype != bool:
            raise ValueError(f"panel {p[0]!r}: the mask must be a boolean (T, S) array, got {m.dtype} {m.shape}")
    widths = [np.asarray(p[1]).shape[1] for p in panels]
    fig = _new_figure((sum(0.36 * w + 0.9 for w in widths) + 0.3, 0.36 * max(np.asarray(p[1]).shape[0] for p in panels) + 1.9))
    axes = fig.subplots(1, len(panels), squeeze=False, gridspec_kw={"width_ratios": widths})[0]
    for ax, (title, mask, keys, queries) in zip(axes, panels):
        mask = np.asarray(mask)
        draw_heatmap(ax, mask, keys, queries, 0, 1, "Blues", None,
                     f"{title}\n{int(mask.sum())} of {mask.size} pairs", "key", "query")
    if suptitle:
        fig.suptitle(suptitle, fontsize=11)
    return fig
