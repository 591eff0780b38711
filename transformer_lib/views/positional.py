"""The explorer of chapter "Positional encoding": the sinusoidal table for a choice of
d_model, length and layout, and how similar each position's encoding is to one position's.

The encoding is :func:`transformer_lib.ref.sinusoidal_positional_encoding`; this module
arranges it into frames for :class:`transformer_lib.views.Explorer`.
"""

from __future__ import annotations

import numpy as np

from transformer_lib import ref, views


def pe_frame(d_model: int, max_len: int, layout: str, position: int) -> dict:
    """One frame: the (max_len, d_model) table, and PE(p)·PE(position) / (d_model / 2) for
    every position p (1 at the position itself)."""
    if not 0 <= position < max_len:
        raise ValueError(f"position {position} is beyond the last of {max_len} positions")
    table = ref.sinusoidal_positional_encoding(max_len, d_model, layout=layout)  # (max_len, D); checks its input
    similarity = table @ table[position] / (d_model / 2)  # (max_len,)
    omega = ref.frequencies(d_model)  # (D/2,)
    return views.frame(
        views.heatmap_panel(np.round(table, 2), y=[str(p) for p in range(max_len)],
                            title=f"PE, {max_len} × {d_model}, {layout}", xlabel="dimension", ylabel="position",
                            vmin=-1, vmax=1),
        views.line_panel(np.arange(max_len), {f"similarity to position {position}": similarity},
                         title="PE(p)·PE(pos) / (d/2)", xlabel="position p", ylabel="similarity",
                         ymin=-0.4, ymax=1.0, highlight_x=position),
        caption=f"d_model = {d_model}: wavelengths from {2 * np.pi:.1f} to {2 * np.pi / omega[-1]:,.0f} "
                f"positions. Similarity at offset 1: {np.cos(omega).mean():.2f}, at offset 5: "
                f"{np.cos(5 * omega).mean():.2f}, around any position",
    )


def pe_explorer() -> views.Explorer:
    """The chapter's explorer: d_model, number of positions, layout, highlighted position."""
    return views.Explorer(
        pe_frame,
        controls={"d_model": [16, 64, 128], "max_len": [20, 50], "layout": ["interleaved", "concatenated"],
                  "position": [0, 7, 15]},
        labels={"d_model": "d_model", "max_len": "positions", "position": "highlighted position"},
        initial={"d_model": 64, "position": 7},
        title="The sinusoidal positional encoding",
    )
