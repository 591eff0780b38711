"""Explorable views that work in all three places a reader meets them.

1. In a kernel (Jupyter, Colab): a live ipywidget that redraws on every change, at the
   speed of a hand (:mod:`transformer_lib.views.live`).
2. On the rendered book page, with no kernel: self-contained HTML + JavaScript (no require.js,
   no CDN) over frames precomputed for a grid of settings, or, for a view whose frames are
   cheap pure functions of a few shipped numbers, an *in-page program* that computes each
   frame in the page (see below).
3. In print: :meth:`Explorer.figure` draws one frame as a static matplotlib figure
   (:func:`render_frame`; the live picture is drawn by the same code, so they look alike).

A chapter describes a view once, as a *frame function* that maps control values to a
frame (a dict of panels built with :func:`heatmap_panel`, :func:`bars_panel` and :func:`line_panel`), and
the :class:`Explorer` turns it into all three. The same function feeds the live widget
and the precomputed data, so the two cannot disagree. Introduced in chapter
"Self-attention: queries, keys and values".

In-page programs. ``Explorer(..., page_program=(name, data))`` ships ``data`` (JSON) and the
name of a program in ``explorer.js``'s registry instead of the frames; the page then calls
``program(data, values) -> frame`` whenever a control moves, with ``values`` the controls'
Python option values. The contract: the Python frame function stays the single source of truth
(it draws the live widget and the static figure); the JavaScript program mirrors it and returns
exactly the frame it returns (panels, titles, values rounded as :mod:`panels` rounds them,
labels, highlight, caption), and a browser test holds the two equal setting by setting. Use one
only where the frame is an exact function of the shipped data (the sampling explorer of chapter
"Decoder-only models (GPT)": softmax, temperature, top-k and top-p of the shipped logits), so a
page can offer a fine grid of settings at no cost in page weight. :data:`PAGE_PROGRAMS` lists
the registry's names.

Page models. ``Explorer(..., editable=["sentence"], page_model=name)`` goes one step further for
views of the book's trained models: on the page the editable control becomes a text box, and any
text the reader types runs the model itself in the page. The first keystroke that needs it fetches
the runtime (:mod:`transformer_lib.web`: a forward pass in plain JavaScript), the page program
``views/programs/<name>.js`` (which mirrors the frame function, under the contract above) and the
model's exported tensors, from the site's own ``_static/aho``. :data:`PAGE_MODELS` lists them.

Any text reaching HTML is escaped: labels travel as JSON with ``<``, ``>`` and ``&``
escaped and are inserted by the script with ``textContent``.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import uuid
from importlib import resources
from typing import Any, Callable, Sequence

from transformer_lib.views.drawing import render_frame
from transformer_lib.views.panels import Frame, bars_panel, frame, heatmap_panel, line_panel, numeric_options

__all__ = ["Explorer", "Frame", "bars_panel", "frame", "heatmap_panel", "line_panel", "render_frame", "BOOK_BUILD",
           "PAGE_PROGRAMS", "PAGE_MODELS"]

BOOK_BUILD = "AHO_BOOK_BUILD"  # the environment variable the book build sets (_ext/page_views.py; see Explorer)
# The in-page programs explorer.js knows (its PROGRAMS registry; a test holds the two lists equal),
# each with the Python frame function it mirrors.
PAGE_PROGRAMS = {"sampling": "transformer_lib.views.gpt.sampling_frame"}
# The page programs that run one of the book's models on the reader's own text (views/programs/<name>.js,
# loaded with transformer_lib/web/runtime.js only when the reader types): the model file each runs
# (transformer_lib.web.export.MODELS) and the Python frame function each mirrors.
PAGE_MODELS = {
    "pronoun": {"model": "it_model", "mirrors": "transformer_lib.views.pronoun.it_frame"},
    "gpt": {"model": "tiny_gpt", "mirrors": "transformer_lib.views.gpt.sampling_frame"},
    "translation": {"model": "translator", "mirrors": "transformer_lib.views.translator.decoding_frame"},
}


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
    ".aho-textbox input{font:inherit;padding:2px 6px;max-width:100%}"
    ".aho-message{margin:2px 0;color:#b00020;min-height:0}.aho-message:empty,.aho-marks:empty{display:none}"
    ".aho-marks{margin:2px 0;font-family:monospace}"
    ".aho-unknown{color:#b00020;text-decoration:underline wavy #b00020}"
)


def _option_label(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


class Explorer:
    """One explorable view, shown live in a kernel and, on the static page, precomputed or
    computed by an in-page program.

    Displaying an Explorer (a cell's value) shows the live widget, with its first frame
    drawn, in a fraction of a second. The page view (:meth:`html`) precomputes every frame
    of the grid (unless an in-page program computes them in the page), which takes up to a
    second or more, and is needed only by the book's pages, which have no kernel. So it is
    added to the displayed output only when the environment variable ``AHO_BOOK_BUILD`` is
    ``1``: the book's Sphinx extension ``_ext/page_views.py`` sets it for every build, and
    the kernels that execute the chapters inherit it. A notebook output is captured the moment it is displayed, so the page view
    cannot be computed later, on demand; and nothing inside a kernel tells a book build from
    a reader, hence the explicit variable.

    Args:
        frame_fn: ``frame_fn(**values) -> frame``; raises ``ValueError`` with a message a
            learner can act on for bad input (shown inside the widget, not as a traceback).
            It should take milliseconds: the live widget calls it on every change.
        controls: ``{name: [option, ...]}``, the grid the static page precomputes. Numeric
            options become sliders, others drop-downs.
        labels: optional ``{name: "Shown label"}``.
        initial: optional ``{name: option}``, the starting setting (default: first options).
        editable: names whose live control also accepts typed text (a Combobox), e.g. a
            sentence; the static page offers only the listed options.
        title: a heading shown above the view.
        page_program: optional ``(name, data)``: the static page ships ``data`` (JSON-ready) and
            computes each frame with the program ``name`` of ``explorer.js`` (one of
            :data:`PAGE_PROGRAMS`) instead of precomputing the grid; the program mirrors
            ``frame_fn`` (module docstring), so ``frame_fn`` still draws the live widget.
        page_model: optional name of a page program of :data:`PAGE_MODELS`: the static page
            turns the one ``editable`` control into a text box, and runs the book's model in
            the page on any text the reader types (listed texts keep their precomputed frames,
            so nothing is fetched until the reader types). The program mirrors ``frame_fn``
            exactly as an in-page program does; in a kernel the live widget's box takes the
            same text, through torch, on every keystroke.
    """

    def __init__(self, frame_fn: Callable[..., Frame], controls: dict[str, Sequence], labels: dict[str, str] | None = None,
                 initial: dict[str, Any] | None = None, editable: Sequence[str] = (), title: str = "",
                 page_program: tuple[str, Any] | None = None, page_model: str | None = None):
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
        if page_program is not None:
            if not (isinstance(page_program, tuple) and len(page_program) == 2):
                raise ValueError(f"page_program must be a pair (name, data), got {page_program!r:.80}")
            if page_program[0] not in PAGE_PROGRAMS:
                raise ValueError(f"no in-page program {page_program[0]!r}; explorer.js has {sorted(PAGE_PROGRAMS)}")
            json.dumps(page_program[1], allow_nan=False)  # fails here, with the offending value, not at page time
        self.page_program = page_program
        if page_model is not None:
            if page_model not in PAGE_MODELS:
                raise ValueError(f"no page model program {page_model!r}; views/programs has {sorted(PAGE_MODELS)}")
            if len(self.editable) != 1:
                raise ValueError(f"a page model needs exactly one editable control (its text box), got {sorted(self.editable)}")
        self.page_model = page_model

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
        """What the page's script reads: controls, initial indices and all frames; or, with an
        in-page program, the program's name and data and each control's option values."""
        ctls = [{"name": n, "label": self.labels[n], "options": [_option_label(o) for o in opts],
                 "numeric": numeric_options(opts)} for n, opts in self.controls.items()]
        initial = [self.controls[n].index(self.initial[n]) for n in self.controls]
        if self.page_program is None and self.page_model is None:
            return {"controls": ctls, "initial": initial, "frames": self.frames()}
        for ctl, opts in zip(ctls, self.controls.values()):
            ctl["values"] = list(opts)  # what the program gets (the labels above are only shown)
        out = {"controls": ctls, "initial": initial}
        if self.page_program is None:
            out["frames"] = self.frames()
        else:
            out["program"], out["data"] = self.page_program
        if self.page_model is not None:
            out["model"] = {"program": self.page_model, "file": PAGE_MODELS[self.page_model]["model"],
                            "text": next(iter(self.editable))}
        return out

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

    def widget(self, dpi: float = 80):
        """The live view: a :class:`transformer_lib.views.live.LiveExplorer` (an ipywidgets
        ``VBox`` of the controls, a message line and the picture), first frame drawn."""
        from transformer_lib.views.live import LiveExplorer

        return LiveExplorer(self, dpi=dpi)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """What a notebook shows: the live widget in a kernel; during the book build
        (``AHO_BOOK_BUILD=1``) the page view instead, which the book keeps."""
        bundle = {"text/plain": f"<Explorer: {self.title or 'interactive view'}>"}
        if os.environ.get(BOOK_BUILD) == "1":
            bundle["text/html"] = self.html()
            return bundle
        try:
            view = self.widget()
        except ImportError:  # no ipywidgets: the page view is the one that works
            bundle["text/html"] = self.html()
            return bundle
        # Built by hand: ipywidgets 7.7 (Colab) widgets have no _repr_mimebundle_, 8's do; the
        # widget-view data below is what both versions' front-ends render.
        bundle["application/vnd.jupyter.widget-view+json"] = {
            "version_major": 2, "version_minor": 0, "model_id": view.model_id}
        return bundle
