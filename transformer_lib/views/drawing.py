"""The static figure of a frame, drawn with matplotlib (:func:`render_frame`, the print view).

The live widget's picture (:mod:`transformer_lib.views.raster`) follows this figure: the
same panel widths, figure size and caption wrapping come from here.
"""

from __future__ import annotations

import textwrap

import numpy as np

from transformer_lib.views.panels import Frame

HEIGHT = 3.8  # inches: one row of panels
CAPTION_CHARS_PER_INCH = 13  # a 10 pt caption: wrapped rather than cut off at the figure's edges
HIGHLIGHT, BAR = "#d62728", "#1f77b4"


def many_cells(z) -> bool:
    """Too many rows or columns to label legibly: the heatmap gets numeric ticks instead."""
    return max(np.shape(z)) > 40


def panel_widths(panels) -> list[float]:
    """Each panel's width in inches: a labelled heatmap grows with its columns, an unlabelled
    one (many columns) keeps a readable width."""
    def width(p):
        if p["kind"] != "heatmap" or not p["z"]:
            return 4.6
        natural = max(3.2, 0.35 * len(p["z"][0]) + 1.5)
        return min(natural, 6.4) if many_cells(p["z"]) else natural

    return [width(p) for p in panels]


def caption_text(fr: Frame) -> str:
    """The frame's caption, wrapped to the figure's width."""
    width = sum(panel_widths(fr["panels"]))
    return textwrap.fill(fr.get("caption", ""), width=int(width * CAPTION_CHARS_PER_INCH))


def draw_frame(fig, fr: Frame) -> None:
    """Draw ``fr`` into the empty Figure ``fig``: the panels side by side, the caption on top."""
    from transformer_lib.plots import draw_heatmap

    panels = fr["panels"]
    axes = fig.subplots(1, len(panels), squeeze=False, gridspec_kw={"width_ratios": panel_widths(panels)})[0]
    for ax, p in zip(axes, panels):
        if p["kind"] == "heatmap":
            z = np.array(p["z"], dtype=float)  # None (non-finite on its way to JSON) -> NaN
            many = many_cells(z)
            im = draw_heatmap(ax, z, None if many else p["x"], None if many else p["y"], p["vmin"], p["vmax"],
                              "viridis", p["decimals"] if z.size <= 144 else None, p["title"],
                              p.get("xlabel", ""), p.get("ylabel", ""))
            fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
            continue
        if p["kind"] == "bars":
            colors = [HIGHLIGHT if i in p["highlight"] else BAR for i in range(len(p["values"]))]
            ax.bar(range(len(p["values"])), p["values"], color=colors)
            ax.set_xticks(range(len(p["labels"])), p["labels"], rotation=50, ha="right")
            if p["vmax"] is not None:
                ax.set_ylim(0, p["vmax"])
        else:
            for s in p["series"]:
                ax.plot(p["x"], s["y"], label=s["name"])
            if p["highlight_x"] is not None:
                ax.axvline(p["highlight_x"], color=HIGHLIGHT, ls="--")
            ax.set_ylim(p["ymin"], p["ymax"])
            ax.legend(fontsize=8)
        ax.set_title(p["title"], fontsize=10)
        ax.set_xlabel(p.get("xlabel", ""))
        ax.set_ylabel(p.get("ylabel", ""))
    if fr.get("caption"):
        fig.suptitle(caption_text(fr), fontsize=10)


def render_frame(fr: Frame):
    """Draw a frame with matplotlib and return the Figure (the print view).

    Made through pyplot and closed at once, like the :mod:`transformer_lib.plots` helpers:
    in a notebook the returned Figure shows itself once, as the cell's value.
    """
    import matplotlib.pyplot as plt

    lines = caption_text(fr).count("\n")
    fig = plt.figure(figsize=(sum(panel_widths(fr["panels"])), HEIGHT + 0.18 * lines), layout="constrained")
    plt.close(fig)
    draw_frame(fig, fr)
    return fig
