"""The live view of an :class:`~transformer_lib.views.Explorer` in a kernel (issue 11).

Core ipywidgets only, and only widgets and traits that ipywidgets 7.7 (what Colab ships)
and 8 both have: ``SelectionSlider``, ``Dropdown``, ``Combobox``, ``HTML``, ``Image``,
``HBox``/``VBox``.

How a change becomes a picture:

1. The control's observer (in the kernel's thread) reads every control and computes the
   frame. The frame functions take milliseconds, so bad input is answered at once, with the
   frame function's message in red under the controls.
2. The observer hands the frame to a drawing thread and returns. It never waits for a
   drawing: while one is being drawn, newer frames replace each other in a single slot, so
   a dragged slider is drawn at its latest position, never queued behind old ones.
3. The drawing thread (at most one per widget; it ends when it has nothing left to draw)
   draws the newest frame with :func:`~transformer_lib.views.raster.draw_png` (Pillow, tens
   of milliseconds) and puts the PNG into the ``Image`` widget. Each setting's PNG is kept (last 128), so going
   back to a setting shows it without drawing.

:meth:`LiveExplorer.wait` blocks until the latest request is on screen (tests, benchmarks).
"""

from __future__ import annotations

import html
import threading
from collections import OrderedDict

import ipywidgets as W

from transformer_lib.views.raster import draw_png

CACHE_SIZE = 128  # PNGs kept per widget (a few tens of kB each)


def error_html(text: str) -> str:
    """A message for the reader, in red, escaped (it may quote what they typed)."""
    return f'<div style="color:#b00020">{html.escape(text)}</div>'


def _numeric(opts) -> bool:
    return all(isinstance(o, (int, float)) and not isinstance(o, bool) for o in opts)


class LiveExplorer(W.VBox):
    """Controls over a picture of the current frame; see the module docstring.

    Attributes:
        controls: ``{name: widget}``; setting ``controls[name].value`` is what a reader does.
        message: the HTML widget that shows a bad setting's message (empty when all is well).
        image: the ``Image`` widget holding the current frame as PNG bytes.
        draws: frames drawn so far (settings shown from the PNG cache are not counted).
    """

    def __init__(self, explorer, dpi: float = 80):
        controls = {}
        for n, opts in explorer.controls.items():
            label, value = explorer.labels[n], explorer.initial[n]
            if n in explorer.editable:
                controls[n] = W.Combobox(options=[str(o) for o in opts], value=str(value), description=label,
                                         ensure_option=False, continuous_update=False,
                                         layout=W.Layout(width="520px"))
            elif _numeric(opts):
                controls[n] = W.SelectionSlider(options=opts, value=value, description=label, continuous_update=True)
            else:
                controls[n] = W.Dropdown(options=opts, value=value, description=label)
        message, image = W.HTML(), W.Image(format="png", layout=W.Layout(max_width="100%", height="auto"))
        title = W.HTML(f"<b>{html.escape(explorer.title)}</b>") if explorer.title else W.HTML()
        super().__init__([title, W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
                          message, image])
        self.explorer, self.controls, self.message, self.image = explorer, controls, message, image
        self.draws = 0
        self.dpi = dpi
        self._cache: OrderedDict = OrderedDict()
        self._cond = threading.Condition()
        self._pending = None  # (request number, setting, frame or PNG): the newest undrawn request
        self._requested = self._shown = 0  # request numbers
        self._drawing = False  # a drawing thread is running
        for c in controls.values():
            c.observe(self._on_change, names="value")
        self._on_change()
        self.wait()  # the first frame is in the picture when the widget is shown

    # -- the kernel's side: read the controls, compute the frame, hand it over
    def setting(self) -> tuple:
        """The controls' current values, in the explorer's order."""
        return tuple(c.value for c in self.controls.values())

    def _on_change(self, change=None) -> None:
        key = self.setting()
        with self._cond:
            png = self._cache.get(key)
        if png is not None:
            self.message.value = ""
            self._request(key, png)
            return
        try:
            fr = self.explorer.frame_fn(**dict(zip(self.controls, key)))
        except ValueError as err:  # a message the frame function wrote for the reader
            self.message.value = error_html(str(err))
            return
        except Exception as err:  # a bug: say what failed instead of losing it in the kernel's log
            self.message.value = error_html(f"this view failed: {type(err).__name__}: {err}")
            return
        self.message.value = ""
        self._request(key, fr)

    def _request(self, key, job) -> None:
        with self._cond:
            self._requested += 1
            self._pending = (self._requested, key, job)  # replaces any older undrawn request
            if not self._drawing:
                self._drawing = True
                threading.Thread(target=self._draw_pending, daemon=True,
                                 name=f"explorer-drawing-{self.model_id[:8]}").start()

    # -- the drawing thread
    def _draw_pending(self) -> None:
        while True:
            with self._cond:
                if self._pending is None:
                    self._drawing = False
                    self._cond.notify_all()
                    return
                number, key, job = self._pending
                self._pending = None
            try:
                if isinstance(job, bytes):
                    png = job
                else:
                    png = draw_png(job, self.dpi)
                    self.draws += 1
                with self._cond:
                    self._cache[key] = png
                    self._cache.move_to_end(key)  # most recently shown last
                    while len(self._cache) > CACHE_SIZE:
                        self._cache.popitem(last=False)
                self.image.value = png
            except Exception as err:  # shown in the widget, not lost in a thread
                self.message.value = error_html(f"this view could not be drawn: {type(err).__name__}: {err}")
            with self._cond:
                self._shown = number
                self._cond.notify_all()

    def wait(self, timeout: float = 30.0) -> None:
        """Block until the latest request has been drawn (or has failed with a message)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._shown == self._requested and not self._drawing, timeout):
                raise TimeoutError(f"the view did not finish drawing within {timeout} s")

    def close(self) -> None:
        """Close the view and all its widgets."""
        for c in self.controls.values():
            c.close()
        for child in self.children:
            child.close()
        super().close()
