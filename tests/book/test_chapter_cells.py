"""A chapter holds prose and short calls (issue 12): no code cell over 15 lines (imports aside), no figure
drawn with matplotlib in the chapter, and no function defined there unless the chapter
teaches that very code and its prose says it is shown on purpose, or the cell is an exercise the
reader writes (tag "exercise") or its solution (tag "solution", inside a {solution-start} block)."""

from __future__ import annotations

import ast
import json
import re

import pytest

from conftest import ROOT

CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb"))
# chapter -> the functions it defines because it teaches them
TAUGHT = {"intro": {"max_path_length"}, "self_attention": {"softmax_stats"}, "masking": {"naive_softmax"},
          "encoder_decoder": {"decoder_layer_kv_from_decoder"}, "training": {"lrate"}}
MAX_LINES = 15


def _cells(chapter):
    nb = json.loads((ROOT / "chapters" / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    return [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]
            if "colab-install" not in c.get("metadata", {}).get("tags", [])]


def _tags(chapter):
    nb = json.loads((ROOT / "chapters" / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    return [set(c.get("metadata", {}).get("tags", [])) for c in nb["cells"]
            if "colab-install" not in c.get("metadata", {}).get("tags", [])]


def _code_lines(src: str) -> int:
    """Non-blank lines, not counting import statements (a cell of imports is no plumbing)."""
    lines = src.splitlines()
    imports = set()
    for node in ast.parse(src).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.update(range(node.lineno - 1, node.end_lineno))
    return sum(1 for i, line in enumerate(lines) if line.strip() and i not in imports)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_code_cell_is_longer_than_15_lines(chapter):
    long = [(i, n) for i, (kind, src) in enumerate(_cells(chapter)) if kind == "code"
            and (n := _code_lines(src)) > MAX_LINES]
    assert not long, f"{chapter}: code cells (index, non-blank lines) over {MAX_LINES}: {long}; move the code to the library"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_figures_come_from_plots(chapter):
    code = "\n".join(src for kind, src in _cells(chapter) if kind == "code")
    assert not re.search(r"^\s*(import matplotlib|from matplotlib)", code, re.M), f"{chapter} imports matplotlib"
    assert not re.search(r"\b(plt|ax|axes|fig)\.\w+\(", code), f"{chapter} draws a figure by hand; use transformer_lib.plots"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_functions_defined_in_a_chapter_are_taught_and_the_prose_says_so(chapter):
    cells = _cells(chapter)
    tags = _tags(chapter)
    for i, (kind, src) in enumerate(cells):
        if kind != "code" or tags[i] & {"exercise", "solution"}:
            continue
        for name in re.findall(r"^\s*def (\w+)", src, re.M):
            assert name in TAUGHT.get(chapter, set()), f"{chapter}: {name} is defined in the chapter; move it to the library"
            prose = " ".join(s for k, s in cells[:i] if k == "markdown")[-1200:]  # the prose just before it
            assert re.search(r"on\s+purpose", prose), f"{chapter}: the prose before {name} must say it is shown on purpose"
