"""The appendix "Map of the library" (_ext/library_map.py): computed from the code, complete, and
on the built page.

The map is checked against facts read another way: the toc through conftest, the modules by
walking the package's files, the chapters' and tests' code as plain text. Nothing here imports
``transformer_lib`` by name, so this file does not list itself among the tests of any function.
"""

from __future__ import annotations

import json
import re
import sys

import pytest

from conftest import ROOT, chapters

sys.path.insert(0, str(ROOT / "_ext"))
import library_map as lm  # noqa: E402


@pytest.fixture(scope="module")
def the_map() -> lm.LibraryMap:
    return lm.compute_map(ROOT)


@pytest.fixture(scope="module")
def markdown(the_map) -> str:
    return lm.render_markdown(the_map)


def chapter_code(doc: str) -> str:
    cells = json.loads((ROOT / f"{doc}.ipynb").read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]\w*", text))


# ------------------------------------------------------------------- reading the code
def test_references_follow_imports_aliases_and_attribute_chains():
    cells = [
        'import sys\nif "google.colab" in sys.modules:\n    %pip install -q "git+https://example.org/x"\n',
        "import transformer_lib as tl\nimport transformer_lib.nn\nfrom transformer_lib import plots as P, ref\n"
        "from transformer_lib.ref import causal_mask as cm\nfrom transformer_lib.views import bertviz\n",
        "tl.seed_everything(0)\nfig = P.heatmap(ref.softmax(x))\nm = cm(4)\n"
        "layer = transformer_lib.nn.MultiHeadAttention(8, 2)\nbertviz.head_view\nplots.heatmaps  # not bound here\n",
        "def padding_mask(n):  # the chapter's own function shadows the library's name\n    return n\n"
        "from transformer_lib.ref import padding_mask\npadding_mask(3)\n",
    ]
    from IPython.core.inputtransformer2 import TransformerManager

    python = [TransformerManager().transform_cell(c) for c in cells]
    assert lm.library_references(python, "cells") == {
        "transformer_lib.seed_everything", "transformer_lib.plots.heatmap", "transformer_lib.ref.softmax",
        "transformer_lib.ref.causal_mask", "transformer_lib.nn.MultiHeadAttention",
        "transformer_lib.views.bertviz.head_view",
    }
    uses = lm.uses_of(python, "cells")
    names = {t.name for t in uses.targets}
    # re-exports land where the code lives
    assert "transformer_lib.ref.masks.causal_mask" in names and "transformer_lib.ref.attention.softmax" in names
    assert all(t.path.startswith("transformer_lib/") for t in uses.targets)
    with pytest.raises(ValueError, match="cells: code block 0 does not parse"):
        lm.library_references(["def f(:\n"], "cells")


# --------------------------------------------------------------------------- the map
def test_every_chapter_of_the_toc_appears_in_order(the_map, markdown):
    assert [doc for doc, _ in the_map.chapters] == chapters()
    positions = [markdown.index(f"{{doc}}`/{doc}`") for doc in chapters()]
    assert positions == sorted(positions)
    for _, title in the_map.chapters:
        assert f"\n### {title}\n" in markdown


def test_every_public_module_appears(the_map, markdown):
    on_disk = set()
    for path in (ROOT / "transformer_lib").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if not any(p.startswith("_") for p in parts):
            on_disk.add(".".join(parts))
    assert set(the_map.modules) == on_disk
    for module in on_disk:
        assert f"\n### `{module}`\n" in markdown, module


def test_masking_uses_the_reference_causal_mask_and_its_test(the_map):
    """A concrete anchor: the masking chapter calls ref.causal_mask, defined in ref/masks.py."""
    assert "ref.causal_mask(" in chapter_code("chapters/masking")
    hits = [t for t in the_map.by_chapter["chapters/masking"].targets
            if t.module == "transformer_lib.ref.masks" and t.qualname == "causal_mask"]
    assert len(hits) == 1
    (target,) = hits
    assert target.path == "transformer_lib/ref/masks.py"
    assert "tests/ref/test_masks.py" in the_map.tests_of(target)
    assert "chapters/masking" in the_map.chapters_of_module("transformer_lib.ref.masks")


def test_each_claimed_function_is_named_in_the_chapter_and_found_at_its_line(the_map):
    for doc, _ in the_map.chapters:
        words = _words(chapter_code(doc))
        for t in the_map.by_chapter[doc].targets:
            assert t.qualname.split(".")[-1] in words, f"{doc} is said to use {t.name}, which it never names"
            lines = (ROOT / t.path).read_text(encoding="utf-8").splitlines()
            head = "\n".join(lines[t.line - 1:t.line + 5])  # decorators come first
            assert re.search(rf"^\s*(def|class) {re.escape(t.qualname.split('.')[-1])}\b", head, re.M), t


def test_every_reference_function_a_chapter_calls_is_claimed(the_map):
    """Read as text: each ``ref.NAME(`` in a chapter that imports ref is on its row of the map."""
    public = set(lm._resolve("transformer_lib.ref").__all__)
    checked = 0
    for doc, _ in the_map.chapters:
        code = chapter_code(doc)
        if not re.search(r"^from transformer_lib import .*\bref\b", code, re.M):
            continue
        called = set(re.findall(r"\bref\.(\w+)\(", code)) & public
        claimed = {t.qualname for t in the_map.by_chapter[doc].targets if t.module.startswith("transformer_lib.ref.")}
        assert called <= claimed, f"{doc}: {sorted(called - claimed)} missing from the map"
        checked += len(called)
    assert checked >= 10


def test_a_function_no_chapter_names_is_not_claimed(the_map):
    text_words = set().union(*(_words(chapter_code(doc)) for doc, _ in the_map.chapters))
    unused = []
    for module in the_map.modules:
        for name, obj in vars(lm._resolve(module)).items():
            if callable(obj) and getattr(obj, "__module__", None) == module and name not in text_words:
                unused.append((module, name))
    assert unused, "expected the library to hold at least one function no chapter names"
    claimed = {(t.module, t.qualname) for u in the_map.by_chapter.values() for t in u.targets}
    assert not claimed & set(unused)


def test_tests_listed_for_a_function_name_it(the_map):
    for doc, _ in the_map.chapters:
        for t in the_map.by_chapter[doc].targets:
            for test in the_map.tests_of(t):
                assert t.qualname.split(".")[-1] in _words((ROOT / test).read_text(encoding="utf-8")), (t, test)
    assert "tests/book/test_library_map.py" not in the_map.by_test or not the_map.by_test["tests/book/test_library_map.py"].targets


def test_links_point_at_the_repository_of_config(the_map, markdown):
    url, branch = lm.repository(ROOT)
    assert (the_map.repository, the_map.branch) == (url, branch)
    links = re.findall(r"\]\((https?://[^)]+)\)", markdown)
    assert links and all(link.startswith(f"{url}/blob/{branch}/") for link in links)
    assert f"{url}/blob/{branch}/transformer_lib/ref/masks.py#L" in markdown


# ------------------------------------------------------------------------- the page
@pytest.mark.book
def test_built_page_shows_the_map(built_book, the_map):
    html = (built_book / "appendix" / "library_map.html").read_text(encoding="utf-8")
    assert "library-map" not in re.sub(r'id="[^"]*"|href="[^"]*"', "", html), "the directive was not expanded"
    assert "{doc}" not in html and "{ref}" not in html
    assert html.count("<table") >= sum(bool(u.targets) for u in the_map.by_chapter.values())
    for doc, _ in the_map.chapters:
        assert f'href="../{doc}.html"' in html, doc
    url, branch = lm.repository(ROOT)
    assert f'href="{url}/blob/{branch}/transformer_lib/ref/masks.py#L' in html
    for module in the_map.modules:
        assert f'id="{lm._anchor(module)}"' in html, module
