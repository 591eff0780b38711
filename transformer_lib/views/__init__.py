"""Explorable views that work in all three places a reader meets them.

1. In a kernel (Jupyter, Colab): a live ipywidget that recomputes on every change.
2. On the rendered book page, with no kernel: self-contained HTML + JavaScript over frames
   precomputed for a grid of settings (no require.js, no CDN).
3. In print: :meth:`Explorer.figure` draws one frame as a static matplotlib figure.

A chapter describes a view once, as a *frame function* that maps control values to a
frame (a dict of panels built with :func:`heatmap`, :func:`bars` and :func:`line`), and
the :class:`Explorer` turns it into all three. The same function feeds the live widget
and the precomputed data, so the two cannot disagree. Introduced in chapter
"Self-attention: queries, keys and values".

Any text reaching HTML is escaped: labels travel as JSON with ``<``, ``>`` and ``&``
escaped and are inserted by the script with ``textContent``.
"""

from __future__ import annotations

import html
import itertools
import json
import uuid
from importlib import resources
from typing import Any, Callable, Sequence

import numpy as np

Frame = dict


# ----------------------------------------------------------------------------- panels
def _floats(a) -> list:
    """Array -> nested lists of Python floats, rounded to keep pages small; non-finite -> None."""
    a = np.asarray(a, dtype=float)
    out = np.round(a, 5).tolist()
    if not np.all(np.isfinite(a)):
        out = json.loads(json.dumps(out).replace("NaN", "null").replace("-Infinity", "null").replace("Infinity", "null"))
    return out


def heatmap(z, x=None, y=None, title: str = "", xlabel: str = "", ylabel: str = "",
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
    return {"kind": "heatmap", "z": _floats(z), "x": [str(s) for s in x] if x is not None else None,
            "y": [str(s) for s in y] if y is not None else None, "title": title, "xlabel": xlabel,
            "ylabel": ylabel, "vmin": vmin, "vmax": vmax, "decimals": decimals}


def bars(values, labels, title: str = "", ylabel: str = "", vmax: float | None = None,
         highlight: Sequence[int] = ()) -> dict:
    """A bar-chart panel, one bar per label (e.g. the attention from one token)."""
    values = np.asarray(values, dtype=float).ravel()
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels for {len(values)} bars")
    return {"kind": "bars", "values": _floats(values), "labels": [str(s) for s in labels], "title": title,
            "ylabel": ylabel, "vmax": vmax, "highlight": [int(i) for i in highlight]}


def line(x, series: dict[str, Any], title: str = "", xlabel: str = "", ylabel: str = "",
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


# ----------------------------------------------------------------------- static figure
def render_frame(fr: Frame):
    """Draw a frame with matplotlib and return the Figure (the print and live-kernel view)."""
    import matplotlib.pyplot as plt

    from transformer_lib.plots import draw_heatmap

    panels = fr["panels"]
    widths = [max(3.2, 0.35 * len(p["z"][0]) + 1.5) if p["kind"] == "heatmap" else 4.6 for p in panels]
    fig, axes = plt.subplots(1, len(panels), figsize=(sum(widths), 3.8), squeeze=False,
                             gridspec_kw={"width_ratios": widths}, layout="constrained")
    for ax, p in zip(axes[0], panels):
        if p["kind"] == "heatmap":
            z = np.array(p["z"], dtype=float)
            many = max(z.shape) > 40  # too many to label legibly
            im = draw_heatmap(ax, z, None if many else p["x"], None if many else p["y"], p["vmin"], p["vmax"],
                              "viridis", p["decimals"] if z.size <= 144 else None, p["title"],
                              p.get("xlabel", ""), p.get("ylabel", ""))
            fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
            continue
        if p["kind"] == "bars":
            colors = ["#d62728" if i in p["highlight"] else "#1f77b4" for i in range(len(p["values"]))]
            ax.bar(range(len(p["values"])), p["values"], color=colors)
            ax.set_xticks(range(len(p["labels"])), p["labels"], rotation=50, ha="right")
            if p["vmax"] is not None:
                ax.set_ylim(0, p["vmax"])
        else:
            for s in p["series"]:
                ax.plot(p["x"], s["y"], label=s["name"])
            if p["highlight_x"] is not None:
                ax.axvline(p["highlight_x"], color="#d62728", ls="--")
            ax.set_ylim(p["ymin"], p["ymax"])
            ax.legend(fontsize=8)
        ax.set_title(p["title"], fontsize=10)
        ax.set_xlabel(p.get("xlabel", ""))
        ax.set_ylabel(p.get("ylabel", ""))
    if fr.get("caption"):
        fig.suptitle(fr["caption"], fontsize=10)
    return fig


# ---------------------------------------------------------------------------- explorer
_CSS = (
    ".aho-explorer{border:1px solid #d0d7de;border-radius:6px;padding:10px 12px;margin:8px 0;font-size:14px}"
    ".aho-title{font-weight:600;margin-bottom:6px}"
    ".aho-controls{display:flex;flex-wrap:wrap;gap:8px 24px;margin-bottom:6px}"
    ".aho-control{display:flex;align-items:center;gap:6px;margin:0}"
    ".aho-control output{min-width:3em;font-variant-numeric:tabular-nums}"
    ".aho-row{display:flex;flex-wrap:wrap;gap:8px 20px;align-items:flex-start}"
    ".aho-figure{margin:0}.aho-figure figcaption{font-size:13px;color:#444;text-align:center}"
    ".aho-caption{margin:4px 0 0;color:#333}.aho-panel{max-width:100%;height:auto}"
)

def _option_label(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


class Explorer:
    """One explorable view, shown live in a kernel and precomputed on the static page.

    Args:
        frame_fn: ``frame_fn(**values) -> frame``; raises ``ValueError`` with a message a
            learner can act on for bad input (shown inside the widget, not as a traceback).
        controls: ``{name: [option, ...]}``, the grid the static page precomputes. Numeric
            options become sliders, others drop-downs.
        labels: optional ``{name: "Shown label"}``.
        initial: optional ``{name: option}``, the starting setting (default: first options).
        editable: names whose live control also accepts typed text (a Combobox), e.g. a
            sentence; the static page offers only the listed options.
        title: a heading shown above the view.
    """

    def __init__(self, frame_fn: Callable[..., Frame], controls: dict[str, Sequence], labels: dict[str, str] | None = None,
                 initial: dict[str, Any] | None = None, editable: Sequence[str] = (), title: str = ""):
        if not controls:
            raise ValueError("an Explorer needs at least one control")
        for name, opts in controls.items():
            if len(opts) == 0:
                raise ValueError(f"control {name!r} has no options")
        self.frame_fn, self.title = frame_fn, title
        self.controls = {k: list(v) for k, v in controls.items()}
        self.labels = {k: (labels or {}).get(k, k.replace("_", " ")) for k in controls}
        initial = initial or {}
        for name, v in initial.items():
            if v not in self.controls[name]:
                raise ValueError(f"initial value {v!r} is not an option of {name!r}")
        self.initial = {k: initial.get(k, opts[0]) for k, opts in self.controls.items()}
        self.editable = set(editable)

    # -- data
    def frames(self) -> dict[str, Frame]:
        """Every frame of the grid, keyed by the comma-joined option indices."""
        names = list(self.controls)
        out = {}
        for idx in itertools.product(*(range(len(self.controls[n])) for n in names)):
            values = {n: self.controls[n][i] for n, i in zip(names, idx)}
            out[",".join(map(str, idx))] = self.frame_fn(**values)
        return out

    def spec(self) -> dict:
        """What the page's script reads: controls, initial indices and all frames."""
        ctls = []
        for n, opts in self.controls.items():
            numeric = all(isinstance(o, (int, float)) and not isinstance(o, bool) for o in opts)
            ctls.append({"name": n, "label": self.labels[n], "options": [_option_label(o) for o in opts], "numeric": numeric})
        initial = [self.controls[n].index(self.initial[n]) for n in self.controls]
        return {"controls": ctls, "initial": initial, "frames": self.frames()}

    # -- the three views
    def html(self) -> str:
        """Self-contained HTML: a container, the data as JSON, and the inline script."""
        vid = "aho-" + uuid.uuid4().hex[:10]
        data = json.dumps(self.spec(), separators=(",", ":"), allow_nan=False)
        # Inside <script> only "</" could end the element early; escape <, > and & outright.
        data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        js = resources.files("transformer_lib.views").joinpath("explorer.js").read_text(encoding="utf-8")
        title = f'<div class="aho-title">{html.escape(self.title)}</div>' if self.title else ""
        return (
            f"<style>{_CSS}</style>"
            f'<div class="aho-explorer" id="{vid}">{title}'
            f'<div class="aho-controls"></div><div class="aho-stage"></div>'
            f'<script type="application/json" class="aho-data">{data}</script></div>'
            f"<script>{js}</script>"
        )

    def figure(self, **values):
        """A static matplotlib figure of one setting (default: the initial one)."""
        return render_frame(self.frame_fn(**{**self.initial, **values}))

    def widget(self):
        """The live ipywidgets view: controls over an output area redrawn on every change."""
        import ipywidgets as W
        import matplotlib.pyplot as plt
        from IPython.display import display

        boxes = {}
        for n, opts in self.controls.items():
            numeric = all(isinstance(o, (int, float)) and not isinstance(o, bool) for o in opts)
            if n in self.editable:
                boxes[n] = W.Combobox(options=[str(o) for o in opts], value=str(self.initial[n]),
                                      description=self.labels[n], ensure_option=False,
                                      layout=W.Layout(width="520px"), continuous_update=False)
            elif numeric:
                boxes[n] = W.SelectionSlider(options=opts, value=self.initial[n], description=self.labels[n],
                                             continuous_update=False)
            else:
                boxes[n] = W.Dropdown(options=opts, value=self.initial[n], description=self.labels[n])
        out = W.Output()
        message = W.HTML()

        def update(*_):
            values = {n: b.value for n, b in boxes.items()}
            try:
                fr = self.frame_fn(**values)
            except ValueError as err:
                message.value = f'<div style="color:#b00020">{html.escape(str(err))}</div>'
                return
            message.value = ""
            with out:
                out.clear_output(wait=True)
                fig = render_frame(fr)
                display(fig)
                plt.close(fig)

        for b in boxes.values():
            b.observe(update, names="value")
        update()
        box = W.VBox([W.HTML(f"<b>{html.escape(self.title)}</b>") if self.title else W.HTML(),
                      W.HBox(list(boxes.values()), layout=W.Layout(flex_flow="row wrap")), message, out])
        box.update, box.controls, box.message, box.output = update, boxes, message, out
        return box

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Both views in one output: a kernel front-end shows the live widget
        (widget-view+json); the book, which drops that type, shows the HTML."""
        bundle = {"text/plain": f"<Explorer: {self.title or 'interactive view'}>", "text/html": self.html()}
        try:
            w = self.widget()
            bundle.update({k: v for k, v in w._repr_mimebundle_().items() if k != "text/plain"})
        except ImportError:  # no ipywidgets: the static view alone
            pass
        return bundle
