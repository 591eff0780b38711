"""The explorer pattern: one frame function feeds the live widget and the static page."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pytest

from transformer_lib import ref, views

HOSTILE = '<img src=x onerror=alert(1)></script><script>alert(2)</script>&amp;'


def _frame(n, word):
    w = ref.softmax(np.arange(n * n, dtype=float).reshape(n, n) / n)
    toks = [word] + [f"t{i}" for i in range(1, n)]
    if word.startswith("bad"):
        raise ValueError(f"the word {word!r} is not in the vocabulary")
    return views.frame(views.heatmap_panel(w, x=toks, y=toks, title=word), views.bars_panel(w[0], toks), caption=f"n={n} {word}")


def _spec(view):
    m = re.search(r'<script type="application/json" class="aho-data">(.*?)</script>', view.html(), re.S)
    return json.loads(m.group(1))


def test_static_data_equal_the_frame_function_for_every_setting():
    ex = views.Explorer(_frame, controls={"n": [2, 3], "word": ["a", "b"]})
    spec = _spec(ex)
    assert set(spec["frames"]) == {"0,0", "0,1", "1,0", "1,1"}
    for key, fr in spec["frames"].items():
        i, j = map(int, key.split(","))
        live = _frame([2, 3][i], ["a", "b"][j])
        np.testing.assert_allclose(fr["panels"][0]["z"], live["panels"][0]["z"], atol=1e-5)
        assert fr["caption"] == live["caption"]
    assert spec["controls"][0]["numeric"] and not spec["controls"][1]["numeric"]


def test_hostile_text_is_escaped_in_the_page():
    ex = views.Explorer(_frame, controls={"n": [2], "word": [HOSTILE]}, title=HOSTILE)
    page = ex.html()
    assert "<img" not in page and "<script>alert" not in page
    assert html.escape(HOSTILE) in page  # the title, escaped
    assert _spec(ex)["frames"]["0,0"]["panels"][0]["x"][0] == HOSTILE  # the data round-trips intact
    js = page.split("<script>", 1)[1]
    assert "innerHTML" not in js, "the view script must insert text with textContent only"


def test_widget_is_built_headless_and_its_callback_redraws_or_reports():
    ex = views.Explorer(_frame, controls={"n": [2, 3], "word": ["a", "b"]}, editable=["word"])
    w = ex.widget()
    assert set(w.controls) == {"n", "word"}
    w.controls["n"].value = 3
    assert w.message.value == ""
    w.controls["word"].value = "bad"  # a typed word the frame function rejects
    assert "not in the vocabulary" in w.message.value
    w.controls["word"].value = "bad" + HOSTILE  # the error message quotes the hostile word: escaped
    assert "&lt;img" in w.message.value and "<img" not in w.message.value
    w.controls["word"].value = "a"
    assert w.message.value == ""


def test_static_figure_renders():
    ex = views.Explorer(lambda n: _frame(n, "a"), controls={"n": [2, 3]})
    fig = ex.figure(n=3)
    assert len(fig.axes) >= 2


def test_bad_explorer_arguments():
    with pytest.raises(ValueError, match="no options"):
        views.Explorer(_frame, controls={"n": []})
    with pytest.raises(ValueError, match="not an option"):
        views.Explorer(_frame, controls={"n": [2]}, initial={"n": 5})
    with pytest.raises(ValueError, match="column labels"):
        views.heatmap_panel(np.zeros((2, 3)), x=["a"])


@pytest.mark.book
def test_every_explorer_a_chapter_shows_has_its_page_view(built_book):
    """The book's extension (_ext/page_views.py) sets AHO_BOOK_BUILD=1, so each explorer a
    chapter shows carries its page view; without it the pages would silently have none."""
    from conftest import ROOT, chapters

    for chapter in chapters():
        cells = json.loads((ROOT / f"{chapter}.ipynb").read_text(encoding="utf-8"))["cells"]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        # a cell that only draws an explorer's static figure (`..._explorer().figure(...)`) shows no explorer
        shown = sum(bool(re.search(r"\bExplorer\(|_explorer\(", src)) and ").figure(" not in src for src in code)
        page = (built_book / f"{chapter}.html").read_text(encoding="utf-8")
        assert page.count('class="aho-explorer"') == shown, chapter


def test_in_page_program_ships_its_data_and_no_frames():
    data = {"labels": ["a", HOSTILE], "logits": {"x": [0.5, -1.0]}}
    ex = views.Explorer(_frame, controls={"n": [2, 3], "word": ["a", "b"]}, initial={"n": 3},
                        page_program=("sampling", data))
    spec = _spec(ex)
    assert "frames" not in spec and spec["program"] == "sampling" and spec["data"] == data
    assert [c["values"] for c in spec["controls"]] == [[2, 3], ["a", "b"]] and spec["initial"] == [1, 0]
    assert "<img" not in ex.html()  # the data is escaped like frames are
    assert ex.figure(n=2, word="a").axes  # the frame function still draws the figure (and the widget)


def test_in_page_programs_are_the_ones_explorer_js_has():
    from importlib import resources

    js = resources.files("transformer_lib.views").joinpath("explorer.js").read_text(encoding="utf-8")
    registry = re.search(r"var PROGRAMS = \{(.*?)\};", js).group(1)
    assert {k.strip().split(":")[0] for k in registry.split(",")} == set(views.PAGE_PROGRAMS)


@pytest.mark.parametrize("program, message", [
    (("nope", {}), "no in-page program 'nope'"),
    ("sampling", "must be a pair"),
    (("sampling", {"x": float("nan")}), "Out of range float"),
])
def test_bad_page_program(program, message):
    with pytest.raises(ValueError, match=message):
        views.Explorer(_frame, controls={"n": [2]}, page_program=program)
