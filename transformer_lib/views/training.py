"""Live training views: a progress line and loss curves that redraw while
:func:`transformer_lib.train.fit` runs (introduced in chapter "Training: from logits to loss";
the progress line also serves "The feed-forward block" and "Residuals, LayerNorm and BatchNorm").

Both write into one IPython display output that they keep updating (``display_id``), so a
reader in Jupyter or Colab watches them move, and the book build, which executes the chapter
once, keeps their final state: the full bar and the final curves, never a scroll of partial
ones. Outside a notebook (a script, a test) nothing is shown: give ``display=False`` and read
:attr:`LiveCurves.figure` or :attr:`LiveLine.text`.

* :class:`LiveLine` -- a file for ``fit(progress=...)``: keeps only tqdm's latest state.
* :class:`LiveCurves` -- a ``fit(callback=...)`` that redraws :func:`transformer_lib.plots.training_curves`
  after every record.
"""

from __future__ import annotations

from typing import Mapping

from transformer_lib.plots import training_curves

# The panels of a sequence-to-sequence run (fit_seq2seq's records): {y label: {line label: History key}}.
SEQ2SEQ_PANELS = {
    "loss (nats)": {"train (smoothed loss)": "train_loss", "held-out cross-entropy": "heldout_loss"},
    "token accuracy (%)": {"train": "train_acc", "held-out": "heldout_acc"},
}
PERCENT = ("train_acc", "heldout_acc")  # History keys shown as percentages


class _Output:
    """One display output that can be replaced in place (or nothing, when ``enabled`` is False)."""

    def __init__(self, first, enabled: bool):
        self.handle = None
        if enabled:
            from IPython.display import display  # imported here: the library imports without IPython's display

            self.handle = display(first, display_id=True)

    def update(self, obj) -> None:
        if self.handle is not None:
            self.handle.update(obj)


class LiveLine:
    """A file-like object for tqdm (``fit(..., progress=LiveLine())``) that shows only the
    bar's latest state, in one output: live in Jupyter and Colab, the final bar in the book.

    Several runs may write into the same line one after another. :meth:`clear` empties it.
    """

    encoding = "utf-8"  # tells tqdm it may draw the bar with Unicode blocks

    def __init__(self, display: bool = True):
        from IPython.display import Pretty

        self._pretty = Pretty
        self.text = ""
        self._out = _Output(Pretty(""), display)

    def write(self, text: str) -> None:
        text = text.strip("\r\n")
        if text:
            self.text = text
            self._out.update(self._pretty(text))

    def flush(self) -> None:
        pass

    def clear(self) -> None:
        """Empty the line (e.g. once a summary has been printed in its place)."""
        self.text = ""
        self._out.update(self._pretty(""))


class LiveCurves:
    """Training curves that redraw after every record: pass it as ``fit(..., callback=...)``.

    Args:
        panels: ``{y label: {line label: History key}}``, one panel per entry, side by side
            (default: :data:`SEQ2SEQ_PANELS`, loss and token accuracy, train and held-out).
        steps: the run's length, so the x axis does not jump as the curves grow.
        title: a format string; ``{step}`` becomes the last recorded step.
        percent: History keys multiplied by 100 before drawing.
        display: show the figure in the notebook (False: only keep :attr:`figure`).
    """

    def __init__(self, panels: Mapping[str, Mapping[str, str]] = SEQ2SEQ_PANELS, *, steps: int | None = None,
                 title: str = "live: after {step} steps", percent=PERCENT, display: bool = True):
        if not panels or any(not lines for lines in panels.values()):
            raise ValueError("panels must name at least one panel, each with at least one line")
        if steps is not None and steps < 1:
            raise ValueError(f"steps must be positive, got {steps}")
        from IPython.display import Pretty

        self.panels = {ylabel: dict(lines) for ylabel, lines in panels.items()}
        self.steps, self.title, self.percent = steps, title, set(percent)
        self.figure = None
        self.updates = 0
        self._out = _Output(Pretty("(the curves appear after the first record)"), display)

    def __call__(self, history) -> None:
        """Redraw from a :class:`transformer_lib.train.History` (fit calls this after each record)."""
        values = history.as_dict()
        missing = sorted({k for lines in self.panels.values() for k in lines.values()} - set(values))
        if missing:
            raise ValueError(f"the history has no {missing}; it recorded {sorted(values)}")
        self.figure = training_curves(values, self.panels, percent=self.percent, xmax=self.steps, markers=True,
                                      title=self.title.format(step=history.step[-1]))
        self.updates += 1
        self._out.update(self.figure)
