"""How fast the book's live explorers answer a hand on their controls (issue 11).

Every explorer of the book is built as its chapter builds it (the chapter's code cells run
up to it), then driven through its widget as a reader drives it: a control's ``value`` is
set and the clock stops when the new PNG is in the ``Image`` widget. For each explorer:
median and 95th percentile over the changes, against the goal of 100 ms (150 ms for typed
input that is not in the grid: a sentence of one's own), and the time from displaying the
explorer to its first frame (goal 300 ms). Then a drag through a real ipykernel: how many
pictures a fast drag gets, and the round trip from a change to its picture.

The PNG cache is emptied before each change, so every change is drawn (the cache only makes
revisited settings faster). Also runs against the library before issue 11, whose widget
redraws synchronously through the inline backend (``PYTHONPATH=<old checkout>``).

Run: .venv/bin/python benchmarks/bench_widgets.py [--changes 20]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import functools
import io
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

CHAPTERS = Path(__file__).resolve().parents[1] / "chapters"


# ------------------------------------------------------------------ the book's explorers
def _is_explorer_cell(src: str) -> bool:
    return bool(re.search(r"\bExplorer\(|_explorer\(", src))


@functools.lru_cache(maxsize=None)
def chapter_explorers(chapter: str) -> tuple[list, dict]:
    """Run the chapter's code cells up to its last explorer, as the book does (the Colab
    install cell skipped; matplotlib on Agg; a cell needing a package that is not installed,
    such as bertviz, skipped); returns the Explorers shown as cell values, in
    order, and the chapter's namespace. Also used by tests/views/test_views_live.py."""
    import matplotlib

    from transformer_lib import views

    matplotlib.use("Agg")
    cells = [c for c in json.loads((CHAPTERS / f"{chapter}.ipynb").read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code" and "colab-install" not in c.get("metadata", {}).get("tags", [])]
    sources = ["".join(c["source"]) for c in cells]
    last = max(i for i, s in enumerate(sources) if _is_explorer_cell(s))
    ns: dict = {"__name__": "__main__"}
    found = []
    here = os.getcwd()
    os.chdir(CHAPTERS)  # where the book executes it
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            from IPython.core.interactiveshell import InteractiveShell

            shell = InteractiveShell.instance()  # for display(), display handles and magics
            ns["get_ipython"] = lambda: shell
            for src in sources[:last + 1]:
                tree = ast.parse(shell.transform_cell(src))
                value = None
                try:
                    if tree.body and isinstance(tree.body[-1], ast.Expr):
                        *body, tail = tree.body
                        exec(compile(ast.Module(body, []), chapter, "exec"), ns)
                        value = eval(compile(ast.Expression(tail.value), chapter, "eval"), ns)
                    else:
                        exec(compile(tree, chapter, "exec"), ns)
                except ModuleNotFoundError as err:
                    # A view of an optional package (bertviz) that this environment lacks, as
                    # Colab does: no explorer depends on it; a missing definition would still
                    # fail, with a NameError, in the cell that needs it.
                    if _is_explorer_cell(src) or (err.name or "").startswith("transformer_lib"):
                        raise
                    continue
                if isinstance(value, views.Explorer):
                    found.append(value)
        import matplotlib.pyplot as plt

        plt.close("all")
    finally:
        os.chdir(here)
    return found, ns


# chapter -> how many explorers it shows (each the value of a cell)
BOOK_EXPLORERS = {"self_attention": 1, "masking": 1, "multi_head_attention": 1, "positional_encoding": 1, "tokens": 1,
                  "residuals_and_norms": 1, "training": 1, "it_animal": 2, "attention_cost": 1}


def typed_inputs(chapter: str, ns: dict, options, n: int) -> list[str]:
    """``n`` inputs a reader might type into the explorer's text box, none of them an option."""
    if chapter == "multi_head_attention":
        import torch

        task, out = ns["task"], []
        for seed in range(1000, 2000):
            text = " ".join(ns["task"].tokens(task.sample(1, torch.Generator().manual_seed(seed))[0][0])[1:])
            if text not in options and text not in out:
                out.append(text)
            if len(out) == n:
                return out
    if chapter == "training":
        return [fr for fr, _ in ns["corpus"].test if fr not in options][:n]
    if chapter == "tokens":
        return [s for s in ns["french"][::7] if s not in options][:n]
    if chapter == "it_animal":
        from transformer_lib.data import pronoun as C

        pairs = [("dog", "river"), ("horse", "hill"), ("child", "street"), ("animal", "fence")]
        texts = [C.sentence(a, o, adj, f).text for a, o in pairs for f in (0, 5) for adj in ("tired", "wide", "weak")]
        return [t for t in texts if t not in options][:n]
    raise KeyError(chapter)


# ------------------------------------------------------------------------- the clocks
def _old_widget_setup():
    """The library before issue 11 redraws through the inline backend, as in a kernel."""
    from IPython.core.interactiveshell import InteractiveShell

    import matplotlib
    from IPython.core.pylabtools import select_figure_formats

    matplotlib.use("module://matplotlib_inline.backend_inline")
    select_figure_formats(InteractiveShell.instance(), {"png"}, bbox_inches="tight")  # the inline default


def _is_new(w) -> bool:
    return hasattr(w, "image")  # the widget since issue 11 shows a picture in an Image widget


def _picture(w) -> bytes:
    return bytes(w.image.value)


def time_change(w, control, value) -> float:
    """Seconds from setting the control until the new picture is in the widget (both the old
    and the new widget redraw before the observer returns)."""
    if _is_new(w):
        w._cache.clear()  # time the drawing, not the cache
        before = _picture(w)
    with contextlib.redirect_stdout(io.StringIO()):
        t = time.perf_counter()
        control.value = value
        dt = time.perf_counter() - t
    if w.message.value:
        raise RuntimeError(f"{value!r}: {w.message.value}")
    if _is_new(w):
        assert _picture(w) != before, f"{value!r} did not change the picture"
    return dt


def grid_changes(ex, n: int):
    """``n`` (control, option) moves, the controls in turn, each to its next option."""
    names = [k for k in ex.controls if len(ex.controls[k]) > 1]
    pos = {k: ex.controls[k].index(ex.initial[k]) for k in names}
    out = []
    for i in range(n):
        k = names[i % len(names)]
        pos[k] = (pos[k] + 1) % len(ex.controls[k])
        out.append((k, ex.controls[k][pos[k]]))
    return out


def first_frame(ex, repeats: int = 5) -> float:
    """Median seconds to display the explorer (its output computed, the first frame drawn)."""
    times = []
    for _ in range(repeats):
        with contextlib.redirect_stdout(io.StringIO()):
            t = time.perf_counter()
            bundle = ex._repr_mimebundle_()
            times.append(time.perf_counter() - t)
        assert "application/vnd.jupyter.widget-view+json" in bundle
    return statistics.median(times)


KERNEL_CODE = """
from transformer_lib.views import live, norms
live.CACHE_SIZE = 0  # time the drawing, not the PNG cache
norms.normalisation_explorer()
"""


def kernel_drag(seconds: float = 2.0, every: float = 0.01):
    """A drag through a real ipykernel: the slider's new index every ``every`` s for ``seconds``,
    sent as ipywidgets' front-end sends it (one change in flight; the values that arrive
    meanwhile merged, the latest sent once the kernel is idle). Returns the round trips (s,
    change sent -> picture received), the values the hand produced, and the changes sent."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", env={**os.environ, "AHO_BOOK_BUILD": "0"})
    try:
        kc.execute(KERNEL_CODE)
        models, shown = {}, False
        while not shown:
            msg = kc.get_iopub_msg(timeout=60)
            c = msg["content"]
            if msg["msg_type"] == "comm_open" and c.get("target_name") == "jupyter.widget":
                models.setdefault(c["data"]["state"]["_model_name"], []).append(
                    (c["comm_id"], c["data"]["state"].get("description")))
            shown = msg["msg_type"] == "execute_result"
        slider = next(i for i, d in models["SelectionSliderModel"] if d == "pad batch to T")
        (image, _), = models["ImageModel"]
        trips, produced, sent, in_flight, latest, last_sent = [], 0, 0, None, None, None
        start = next_value = time.monotonic()
        while True:
            now = time.monotonic()
            if now - start < seconds and now >= next_value:
                produced += 1
                latest, next_value = produced % 5, next_value + every  # 5 options of pad_to
            if in_flight is None and latest is not None and latest != last_sent:
                msg = kc.session.msg("comm_msg", {"comm_id": slider, "data": {
                    "method": "update", "state": {"index": latest}, "buffer_paths": []}})
                kc.shell_channel.send(msg)
                in_flight, last_sent, sent_at, sent = msg["header"]["msg_id"], latest, time.monotonic(), sent + 1
            if in_flight is None and now - start >= seconds:
                break
            try:
                msg = kc.get_iopub_msg(timeout=0.002)
            except Exception:  # queue.Empty: nothing yet
                continue
            if msg["parent_header"].get("msg_id") != in_flight:
                continue
            c = msg["content"]
            if msg["msg_type"] == "comm_msg" and c["comm_id"] == image and "buffer_paths" in c["data"]:
                trips.append(time.monotonic() - sent_at)
            if msg["msg_type"] == "status" and c["execution_state"] == "idle":
                in_flight = None
        return trips, produced, sent
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--changes", type=int, default=20, help="changes per explorer (and typed inputs)")
    args = ap.parse_args()
    import transformer_lib
    import transformer_lib.views

    os.environ.pop("AHO_BOOK_BUILD", None)  # a reader's kernel
    print(f"library: {Path(transformer_lib.__file__).parent}   cores: {os.cpu_count()}   "
          f"load average: {os.getloadavg()[0]:.1f}")
    rows = []
    for chapter, count in BOOK_EXPLORERS.items():
        explorers, ns = chapter_explorers(chapter)
        assert len(explorers) == count, (chapter, len(explorers))
        for i, ex in enumerate(explorers):
            if not hasattr(transformer_lib.views, "BOOK_BUILD"):  # the library before issue 11
                _old_widget_setup()
            w = ex.widget()
            grid = [time_change(w, w.controls[k], str(v) if k in ex.editable else v)
                    for k, v in grid_changes(ex, args.changes)]
            typed = []
            if ex.editable:
                (k,) = ex.editable
                typed = [time_change(w, w.controls[k], s) for s in typed_inputs(chapter, ns, ex.controls[k], args.changes)]
            first = first_frame(ex)
            rows.append((f"{chapter}[{i}]", grid, typed, first))
            w.close()
    print(f"\n{'explorer':24s} {'n':>3s} {'median':>7s} {'p95':>6s} {'/100ms':>6s} │ {'typed n':>7s} {'median':>7s} "
          f"{'p95':>6s} {'/150ms':>6s} │ {'first':>6s} {'/300ms':>6s}")
    for name, grid, typed, first in rows:
        g_med, g_95 = 1000 * statistics.median(grid), 1000 * pct(grid, 0.95)
        t = (f"{len(typed):7d} {1000 * statistics.median(typed):7.0f} {1000 * pct(typed, 0.95):6.0f} "
             f"{1000 * statistics.median(typed) / 150:6.2f}") if typed else f"{'':7s} {'':7s} {'':6s} {'':6s}"
        print(f"{name:24s} {len(grid):3d} {g_med:7.0f} {g_95:6.0f} {g_med / 100:6.2f} │ {t} │ {1000 * first:6.0f} "
              f"{1000 * first / 300:6.2f}")
    print("times in ms; /goal = median divided by the goal (<= 1 meets it)")
    if hasattr(transformer_lib.views, "BOOK_BUILD"):
        trips, produced, sent = kernel_drag()
        print(f"\nreal kernel, residuals_and_norms slider dragged for 2 s (a value every 10 ms): {produced} values, "
              f"{sent} sent by the front-end's one-in-flight rule, {len(trips)} pictures; round trip change -> "
              f"picture: median {1000 * statistics.median(trips):.0f} ms, p95 {1000 * pct(trips, 0.95):.0f} ms")


if __name__ == "__main__":
    main()
