"""The live explorers, driven through their widgets as a reader drives them (issue 11).

Needs only pytest and the library, with ipywidgets 7.7 (what Colab ships) or 8: no built
book, no browser. Every explorer of the book is built as its chapter builds it (the
chapter's code cells are run up to it, by ``benchmarks/bench_widgets.py``'s helper), then
every control is moved through the widget and the picture in the ``Image`` widget is
checked. The last test runs a real kernel and plays the front-end's part over the Jupyter
protocol.
"""

from __future__ import annotations

import io
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from transformer_lib import views  # noqa: E402
from transformer_lib.views import live, raster  # noqa: E402

HOSTILE = "<img src=x onerror=alert(1)>"
PNG = b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------- the book's explorers
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_widgets import BOOK_EXPLORERS, chapter_explorers, typed_inputs  # noqa: E402


def book_explorers():
    """(chapter, index) of every explorer in the book."""
    return [(ch, i) for ch, n in BOOK_EXPLORERS.items() for i in range(n)]


@pytest.mark.parametrize("chapter", list(BOOK_EXPLORERS))
def test_the_chapters_show_the_explorers_listed_here(chapter):
    assert len(chapter_explorers(chapter)[0]) == BOOK_EXPLORERS[chapter]


def _png_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    return Image.open(io.BytesIO(data)).size


def _picture(w) -> bytes:
    return bytes(w.image.value)  # bytes under ipywidgets 7, a memoryview under 8


@pytest.mark.parametrize("chapter,index", book_explorers())
def test_every_control_redraws_the_picture(chapter, index):
    """Each control, moved through the widget, puts the picture of the new setting in the Image."""
    explorers, ns = chapter_explorers(chapter)
    ex = explorers[index]
    w = ex.widget()
    try:
        assert w.message.value == "" and _picture(w).startswith(PNG)
        for name, control in w.controls.items():
            options = ex.controls[name]
            for value in [o for o in options if o != ex.initial[name]][:3]:
                before = _picture(w)
                control.value = str(value) if name in ex.editable else value
                assert w.message.value == "", (name, value, w.message.value)
                now = _picture(w)
                assert now.startswith(PNG) and now != before, f"{chapter}: {name}={value!r} did not change the picture"
                setting = dict(zip(w.controls, w.setting()))
                assert now == raster.draw_png(ex.frame_fn(**setting), w.dpi)  # the picture of this very setting
                assert min(_png_size(now)) >= 200
            control.value = str(ex.initial[name]) if name in ex.editable else ex.initial[name]
    finally:
        w.close()


EDITABLE = [(ch, i) for ch, i in book_explorers() if (ch, i) in {("multi_head_attention", 0), ("training", 0),
                                                                   ("tokens", 0), ("it_animal", 1)}]


@pytest.mark.parametrize("chapter,index", EDITABLE)
def test_typed_input_is_drawn_and_bad_input_gets_a_clear_message(chapter, index):
    explorers, ns = chapter_explorers(chapter)
    ex = explorers[index]
    (name,) = ex.editable
    w = ex.widget()
    try:
        box = w.controls[name]
        (typed,) = typed_inputs(chapter, ns, ex.controls[name], 1)
        before = _picture(w)
        box.value = typed  # not an option: computed live
        assert w.message.value == "" and _picture(w) != before
        assert _picture(w) == raster.draw_png(ex.frame_fn(**dict(zip(w.controls, w.setting()))), w.dpi)
        shown, draws = _picture(w), w.draws
        box.value = f"{typed} {HOSTILE}"  # a word no model knows, and markup
        inner = re.fullmatch(r'<div style="color:#b00020">(.*)</div>', w.message.value, re.S).group(1)
        assert "<" not in inner and re.search(r"not in|unknown", inner), inner  # escaped, says why
        assert "Traceback" not in w.message.value
        assert _picture(w) == shown and w.draws == draws  # nothing drawn from bad input
        box.value = typed
        assert w.message.value == "" and _picture(w) == shown and w.draws == draws  # from the PNG cache
    finally:
        w.close()


# -------------------------------------------------------- the drawing thread's contract
def _frame(n, word="a"):
    if word.startswith("bad"):
        raise ValueError(f"the word {word!r} is not in the vocabulary")
    w = np.arange(n * n, dtype=float).reshape(n, n) / (n * n)
    toks = [word] + [f"t{i}" for i in range(1, n)]
    return views.frame(views.heatmap_panel(w, x=toks, y=toks, title=f"n = {n}", vmin=0, vmax=1),
                       views.bars_panel(w[0], toks, vmax=1), caption=f"n={n} {word}")


def test_drawing_errors_and_bugs_are_shown_in_the_widget(monkeypatch):
    ex = views.Explorer(_frame, controls={"n": [2, 3, 4], "word": ["a", "b"]}, editable=["word"])
    w = ex.widget()
    first = _picture(w)

    def broken(fr, dpi):
        raise RuntimeError("no room on the canvas")

    monkeypatch.setattr(live, "draw_png", broken)
    w.controls["n"].value = 3
    assert "could not be drawn: RuntimeError: no room on the canvas" in w.message.value
    assert _picture(w) == first
    monkeypatch.undo()
    w.controls["word"].value = "bad <b>"
    assert "not in the vocabulary" in w.message.value and "&lt;b&gt;" in w.message.value
    w.close()

    def buggy(n):
        return n + "1"  # a TypeError in the frame function

    w = views.Explorer(buggy, controls={"n": [1, 2]}).widget()
    assert "this view failed: TypeError" in w.message.value
    w.close()


def test_picture_shows_the_frame_data():
    """Cell colours are the colour map's at each value; bar heights are proportional."""
    import matplotlib

    z = np.array([[0.0, 0.25, 0.5], [0.75, 1.0, 0.1]])
    fr = views.frame(views.heatmap_panel(z, x=list("abc"), y=["r0", "r1"], vmin=0, vmax=1, title="t", xlabel="key",
                                   ylabel="query"),
                     views.bars_panel([0.2, 0.9], ["p", "q"], vmax=1.0, highlight=[1]), caption="data")
    img, (hm, bx) = raster.draw(fr)
    rgb = np.asarray(img).astype(int)
    x0, y0, x1, y1 = hm
    cmap = matplotlib.colormaps["viridis"]
    for (r, c), v in np.ndenumerate(z):
        px = rgb[round(y0 + (r + 0.5) * (y1 - y0) / 2), round(x0 + (c + 0.15) * (x1 - x0) / 3)]  # beside the text
        np.testing.assert_allclose(px, np.array(cmap(v)[:3]) * 255, atol=3)
    x0, y0, x1, y1 = bx
    lo, hi = -0.4 - 0.05 * 1.8, 1.4 + 0.05 * 1.8  # two bars of width 0.8, matplotlib's 5 % margins
    for i, (v, color) in enumerate([(0.2, (0x1F, 0x77, 0xB4)), (0.9, (0xD6, 0x27, 0x28))]):  # bar, highlight
        col = rgb[y0:y1, round(x0 + (i - lo) / (hi - lo) * (x1 - x0))]  # the column through bar i's centre
        height = (np.abs(col - color).sum(-1) <= 6).sum() / (y1 - y0)
        assert abs(height - v) < 0.03, (i, height)


# -------------------------------------------------------- display, ipywidgets 7.7 and 8
def test_in_a_kernel_the_output_is_the_live_widget_alone(monkeypatch):
    monkeypatch.delenv(views.BOOK_BUILD, raising=False)
    calls = []
    ex = views.Explorer(lambda n: calls.append(n) or _frame(n), controls={"n": [2, 3, 4]})
    b = ex._repr_mimebundle_()  # raised AttributeError under ipywidgets 7.7 before issue 11
    view = b["application/vnd.jupyter.widget-view+json"]
    assert view == {"version_major": 2, "version_minor": 0, "model_id": view["model_id"]} and view["model_id"]
    assert "text/html" not in b
    assert calls == [2]  # the first frame only: the page view's grid is not precomputed


def test_in_the_book_build_the_output_is_the_page_view(monkeypatch):
    monkeypatch.setenv(views.BOOK_BUILD, "1")
    b = views.Explorer(_frame, controls={"n": [2, 3]})._repr_mimebundle_()
    assert "aho-explorer" in b["text/html"]
    assert "application/vnd.jupyter.widget-view+json" not in b


KERNEL_CODE = """
import numpy as np
from transformer_lib import views
def frame_fn(n):
    w = np.arange(n * n, dtype=float).reshape(n, n) / (n * n)
    toks = [f"t{i}" for i in range(n)]
    return views.frame(views.heatmap_panel(w, x=toks, y=toks, vmin=0, vmax=1), caption=f"n={n}")
explorer = views.Explorer(frame_fn, controls={"n": [2, 3, 4, 5]})
explorer
"""


def test_in_a_real_kernel_a_slider_move_comes_back_as_a_picture_before_idle():
    """An ipykernel displays the explorer; playing the front-end, we move the slider over the
    Jupyter protocol. Each new picture arrives while the kernel still handles the move, before
    it reports idle: what Colab needs to show it, and what lets the front-end merge the values
    a drag produces meanwhile (it sends a model's next change only once the kernel is idle)."""
    pytest.importorskip("ipykernel")
    manager = pytest.importorskip("jupyter_client.manager")
    km, kc = manager.start_new_kernel(kernel_name="python3", env={**os.environ, views.BOOK_BUILD: "0"})
    try:
        kc.execute(KERNEL_CODE)
        models, view, deadline = {}, None, time.monotonic() + 60
        while view is None or "ImageModel" not in models.values():
            msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            c = msg["content"]
            if msg["msg_type"] == "comm_open" and c.get("target_name") == "jupyter.widget":
                models[c["comm_id"]] = c["data"]["state"]["_model_name"]
            elif msg["msg_type"] == "execute_result":
                view = c["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
            elif msg["msg_type"] == "error":
                pytest.fail("\n".join(c["traceback"]))
        assert models[view] == "VBoxModel"
        slider = next(i for i, m in models.items() if m == "SelectionSliderModel")
        image = next(i for i, m in models.items() if m == "ImageModel")
        ns: dict = {}
        exec(KERNEL_CODE.replace("explorer\n", ""), ns)
        for index in (2, 3, 0):
            move = kc.session.msg("comm_msg", {  # what the slider's view sends when moved
                "comm_id": slider, "data": {"method": "update", "state": {"index": index}, "buffer_paths": []}})
            kc.shell_channel.send(move)
            picture, deadline = None, time.monotonic() + 30
            while True:
                msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
                c = msg["content"]
                if msg["parent_header"].get("msg_id") != move["header"]["msg_id"]:
                    continue
                if msg["msg_type"] == "status" and c["execution_state"] == "idle":
                    break
                if (msg["msg_type"] == "comm_msg" and c["comm_id"] == image and c["data"].get("method") == "update"
                        and ["value"] in c["data"].get("buffer_paths", [])):
                    picture = bytes(msg["buffers"][c["data"]["buffer_paths"].index(["value"])])
            assert picture == raster.draw_png(ns["frame_fn"]([2, 3, 4, 5][index])), index
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
