"""The live view of an :class:`~transformer_lib.views.Explorer` in a kernel.

Core ipywidgets only, and only widgets and traits that ipywidgets 7.7 (what Colab ships)
and 8 both have: ``SelectionSlider``, ``Dropdown``, ``Combobox``, ``HTML``, ``Image``,
``HBox``/``VBox``.

How a change becomes a picture: the control's observer reads every control, computes the
frame (milliseconds) and draws it with :func:`~transformer_lib.views.raster.draw_png`
(Pillow, tens of milliseconds), then puts the PNG into the ``Image`` widget. Bad input is
answered at once, with the frame function's message in red under the controls. Each
setting's PNG is kept (the last 128), so going back to a setting shows it without drawing.

Why the drawing happens in the observer, not in a thread: the picture must be sent while
the kernel handles the change. Colab shows no widget update sent from a background thread
after the kernel went idle (googlecolab/colabtools#3373), and Colab is where most readers
run the book. Nor is a thread needed for a dragged slider: a widget's front-end (ipywidgets
7 and 8, ``WidgetModel`` in ``@jupyter-widgets/base``) keeps at most one change of a model
in flight and merges the values that arrive meanwhile, sending only the latest once the
kernel is idle again. So while a frame is drawing, newer slider values are coalesced into
one, never queued, and the frame drawn next is always the newest setting.
"""

from __future__ import annotations

import html
from collections import OrderedDict

import ipywidgets as W

from transformer_lib.views.panels import numeric_options
from transformer_lib.views.raster import draw_png

CACHE_SIZE = 128  # PNGs kept per widget (a few tens of kB each)


def error_html(text: str) -> str:
    """A message for the reader, in red, escaped (it may quote what they typed)."""
    return f'<div style="color:#b00020">{html.escape(text)}</div>'


class LiveExplorer(W.VBox):
    """Controls over a picture of the current frame; see the module docstring.

    Attributes:
        controls: ``{name: widget}``; setting ``controls[name].value`` is what a reader does.
        message: the HTML widget that shows a bad setting's message (empty when all is well).
        image: the ``Image`` widget holding the current frame as PNG bytes.
        draws: frames drawn so far (settings shown again from the PNG cache are not counted).
    """

    def __init__(self, explorer, dpi: float = 80):
        controls = {}
        for n, opts in explorer.controls.items():
            label, value = explorer.labels[n], explorer.initial[n]
            if n in explorer.editable:
                controls[n] = W.Combobox(options=[str(o) for o in opts], value=str(value), description=label,
                                         ensure_option=False,
                                         # with a page model the page answers every keystroke; so does the kernel
                                         continuous_update=getattr(explorer, "page_model", None) is not None,
                                         layout=W.Layout(width="520px"))
            elif numeric_options(opts):
                controls[n] = W.SelectionSlider(options=opts, value=value, description=label, continuous_update=True)
            else:
                controls[n] = W.Dropdown(options=opts, value=value, description=label)
        message, image = W.HTML(), W.Image(format="png", layout=W.Layout(max_width="100%", height="auto"))
        title = W.HTML(f"<b>{html.escape(explorer.title)}</b>") if explorer.title else W.HTML()
        super().__init__([title, W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
                          message, image])
        self.explorer, self.controls, self.message, self.image = explorer, controls, message, image
        self.dpi, self.draws = dpi, 0
        self._cache: OrderedDict = OrderedDict()
        for c in controls.values():
            c.observe(self._on_change, names="value")
        self._on_change()

    def setting(self) -> tuple:
        """The controls' current values, in the explorer's order."""
        return tuple(c.value for c in self.controls.values())

    def _on_change(self, change=None) -> None:
        key = self.setting()
        png = self._cache.get(key)
        if png is None:
            try:
                fr = self.explorer.frame_fn(**dict(zip(self.controls, key)))
            except ValueError as err:  # a message the frame function wrote for the reader
                self.message.value = error_html(str(err))
                return
            except Exception as err:  # a bug: say what failed rather than lose it in the kernel's log
                self.message.value = error_html(f"this view failed: {type(err).__name__}: {err}")
                return
            try:
                png = draw_png(fr, self.dpi)
            except Exception as err:
                self.message.value = error_html(f"this view could not be drawn: {type(err).__name__}: {err}")
                return
            self.draws += 1
        self._cache[key] = png
        self._cache.move_to_end(key)  # the most recently shown last
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        self.message.value = ""
        self.image.value = png

    def close(self) -> None:
        """Close the view and all its widgets."""
        for c in self.controls.values():
            c.close()
        for child in self.children:
            child.close()
        super().close()
