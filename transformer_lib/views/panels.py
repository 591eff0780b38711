"""The panels a frame is made of: :func:`heatmap`, :func:`bars`, :func:`line`, and
:func:`frame` to put them side by side. Plain JSON-ready dicts, so the same frame can be
drawn by matplotlib (:mod:`transformer_lib.views.drawing`) and by the page's script
(``explorer.js``).
"""

from __future__ import annotations

import json
from typing import Any, Sequence

import numpy as np

Frame = dict


def _floats(a) -> list:
    """Array -> nested lists of Python floats, rounded to keep pages small; non-finite -> None."""
    a = np.asarray(a, dtype=float)
    out = np.round(a, 5).tolist()
    if not np.all(np.isfinite(a)):
        out = json.loads(json.dumps(out).replace("NaN", "null").replace("-Infinity", "null").replace("Infinity", "null"))
    return out


def heatmap_panel(z, x=None, y=None, title: str = "", xlabel: str = "", ylabel: str = "",
            vmin: float | None = None, vmax: float | None = None, decimals: int | None = None) -> dict:
    """A heatmap panel: ``z`` (rows, cols), row labels ``y`` and column labels ``x``.

    For attention, rows are queries and columns keys, so ``y`` holds the query tokens and
    ``x`` the key tokens; hovering a row label on the page highlights where it attends.
    """
    z = np.asarray(z, dtype=float)
    if z.ndim != 2:
        raise ValueError(f"heatmap needs a 2-D array, got shape {z.shape}")
    if x is not None and len(x) != z.shape[1]:
        raise ValueError(f"{len(x)} column labels for {z.shape[1]} columns")
    if y is not None and len(y) != z.shape[0]:
        raise ValueError(f"{len(y)} row labels for {z.shape[0]} rows")
    whole = bool(np.all(np.isfinite(z)) and np.all(z == np.round(z)))  # e.g. a mask: "1" is half the bytes of "1.0"
    return {"kind": "heatmap", "z": z.astype(int).tolist() if whole else _floats(z), "x": [str(s) for s in x] if x is not None else None,
            "y": [str(s) for s in y] if y is not None else None, "title": title, "xlabel": xlabel,
            "ylabel": ylabel, "vmin": vmin, "vmax": vmax, "decimals": decimals}


def bars_panel(values, labels, title: str = "", ylabel: str = "", vmax: float | None = None,
         highlight: Sequence[int] = ()) -> dict:
    """A bar-chart panel, one bar per label (e.g. the attention from one token)."""
    values = np.asarray(values, dtype=float).ravel()
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels for {len(values)} bars")
    return {"kind": "bars", "values": _floats(values), "labels": [str(s) for s in labels], "title": title,
            "ylabel": ylabel, "vmax": vmax, "highlight": [int(i) for i in highlight]}


def line_panel(x, series: dict[str, Any], title: str = "", xlabel: str = "", ylabel: str = "",
         ymin: float | None = None, ymax: float | None = None, highlight_x: float | None = None) -> dict:
    """A line-plot panel: several named series over the same ``x``."""
    x = np.asarray(x, dtype=float).ravel()
    ser = []
    for name, y in series.items():
        y = np.asarray(y, dtype=float).ravel()
        if len(y) != len(x):
            raise ValueError(f"series {name!r} has {len(y)} points for {len(x)} x values")
        ser.append({"name": str(name), "y": _floats(y)})
    return {"kind": "line", "x": _floats(x), "series": ser, "title": title, "xlabel": xlabel, "ylabel": ylabel,
            "ymin": ymin, "ymax": ymax, "highlight_x": highlight_x}


def frame(*panels: dict, caption: str = "") -> Frame:
    """A frame: the panels shown side by side, and a caption under them."""
    return {"panels": list(panels), "caption": str(caption)}


def numeric_options(opts) -> bool:
    """Whether a control's options are all numbers (a slider), not labels (a drop-down)."""
    return all(isinstance(o, (int, float)) and not isinstance(o, bool) for o in opts)
