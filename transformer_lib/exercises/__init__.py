"""Check cells for the coding exercises: one module per chapter, one core here.

Every coding exercise in the book ends with a check cell, for example::

    from transformer_lib.exercises import self_attention as ex
    ex.check_attention(my_attention)

A check calls the reader's function on several inputs (including awkward ones), compares it with the
library's own reference, and answers with a :class:`Verdict`: "Correct" with what was checked, or
the first thing that is wrong (an exception, a wrong shape, a wrong value, with the input that shows
it). It never raises, so a wrong answer prints a message, not a traceback. In a notebook the verdict
shows as its message; ``verdict.ok`` says whether it passed.

The chapter modules build on :func:`compare`, which does the comparing.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np

__all__ = ["Verdict", "call", "compare", "not_a_function"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ``ok`` and a message for the reader."""

    ok: bool
    message: str

    def __repr__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        color = "#1b7f3b" if self.ok else "#b00020"
        return f'<div class="aho-verdict" style="color:{color}"><b>{html.escape(self.message)}</b></div>'

    def __bool__(self) -> bool:
        return self.ok


def _describe(x: Any) -> str:
    a = np.asarray(x)
    if a.ndim == 0:
        return repr(a.item())
    return f"array of shape {a.shape}"


def _show(x: Any) -> str:
    """A value as the reader would write it: 0.25, not np.float64(0.25)."""
    return repr(x.item()) if hasattr(x, "item") and np.ndim(x) == 0 else repr(x)


def _as_array(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):  # a torch tensor
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def call(fn: Callable, args: tuple, *, what: str, shown: str) -> tuple[Any, Verdict | None]:
    """Run the reader's ``fn(*args)``: ``(result, None)``, or ``(None, verdict)`` saying what went
    wrong (it raised, it is still the stub, it returned None). ``shown`` describes the input."""
    try:
        got = fn(*args)
    except NotImplementedError:
        return None, Verdict(False, f"Not yet: {what} is not written yet (it raised NotImplementedError).")
    except Exception as e:  # the reader's code: report, never raise
        return None, Verdict(False, f"Not yet: {what}({shown}) raised {type(e).__name__}: {e}")
    if got is None:
        return None, Verdict(False, f"Not yet: {what} returned None. Did you forget `return`?")
    return got, None


def not_a_function(fn: Any) -> Verdict | None:
    """The verdict for a check given something that is not a function, else None."""
    return None if callable(fn) else Verdict(False, f"Not yet: pass your function itself (got {type(fn).__name__}).")


def compare(fn: Callable, reference: Callable, cases: Iterable[tuple], *, what: str,
            atol: float = 1e-6, rtol: float = 1e-6) -> Verdict:
    """Call ``fn(*args)`` and ``reference(*args)`` on each case and compare the results.

    ``what`` names the function being checked, for the messages. Values are compared as float64
    arrays with ``np.allclose(atol, rtol)``; booleans must match exactly.
    """
    if (wrong := not_a_function(fn)) is not None:
        return wrong
    cases = list(cases)
    for i, args in enumerate(cases):
        shown = ", ".join(_describe(a) for a in args)
        want = _as_array(reference(*args))
        got, wrong = call(fn, args, what=what, shown=shown)
        if wrong is not None:
            return wrong
        try:
            got = _as_array(got)
        except Exception as e:
            return Verdict(False, f"Not yet: {what} returned {type(got).__name__}, not an array ({e}).")
        if got.shape != want.shape:
            return Verdict(False, f"Not yet: for input {i + 1} ({shown}) {what} returned shape "
                                  f"{got.shape}; expected {want.shape}.")
        if want.dtype == bool:
            bad = got.astype(bool) != want
            if got.dtype != bool and not np.isin(got, [0, 1]).all():
                return Verdict(False, f"Not yet: {what} should return booleans (True/False).")
        else:
            if not np.issubdtype(got.dtype, np.number) and got.dtype != bool:
                return Verdict(False, f"Not yet: {what} returned values of type {got.dtype}.")
            g, w = got.astype(np.float64), want.astype(np.float64)
            bad = ~np.isclose(g, w, atol=atol, rtol=rtol, equal_nan=True)
        if bad.any():
            idx = tuple(int(j) for j in np.argwhere(bad)[0])
            return Verdict(False, f"Not yet: for input {i + 1} ({shown}), entry {idx} is "
                                  f"{_show(got[idx])}; expected {_show(want[idx])}.")
    return Verdict(True, f"Correct: {what} matches the library on all {len(cases)} inputs.")
