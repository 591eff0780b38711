"""The figures of chapter "One block, three families (BERT, GPT, T5)": the attention masks
that tell the families apart, side by side.
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
