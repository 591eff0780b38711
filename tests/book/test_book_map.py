"""The book's map (transformer_lib.book_map) against the book itself: every page of _toc.yml
appears exactly once and in the same order, titles are the notebooks' first headings, the
prerequisites form no cycle and each comes before its dependent, and no arrow is implied by
others. On the built site, every link of the learning-path page's two diagrams resolves."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from types import MappingProxyType

import pytest

from conftest import ROOT, chapters
from transformer_lib import book_map


def _first_heading(stem: str) -> str:
    nb = json.loads((ROOT / "chapters" / f"{stem}.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            m = re.search(r"^# (.+)$", "".join(cell["source"]), re.M)
            if m:
                return m.group(1).strip()
    raise AssertionError(f"{stem}.ipynb has no '# ' heading")


def test_every_page_of_the_toc_appears_exactly_once_in_toc_order():
    toc = [c.split("/", 1)[1] for c in chapters()]
    assert book_map.order() == toc
    assert len(set(book_map.order())) == len(book_map.order())


def test_titles_are_the_notebooks_first_headings():
    for c in book_map.CHAPTERS:
        assert c.title == _first_heading(c.stem), c.stem
        assert c.short and len(c.short) <= len(c.title)


def test_the_prerequisites_have_no_cycle_and_come_first_in_the_toc():
    graph = {c.stem: list(c.prerequisites) for c in book_map.CHAPTERS}
    assert book_map.has_cycle(graph) is None
    index = {s: i for i, s in enumerate(book_map.order())}
    for before, after, why in book_map.edges():
        assert index[before] < index[after], f"{before} must come before {after} in _toc.yml"
        assert why.strip(), f"the arrow {before} -> {after} needs a reason"
    assert book_map.problems() == []


def test_the_cycle_finder_finds_a_cycle():
    assert book_map.has_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) is not None
    assert book_map.has_cycle({"a": ["a"]}) is not None
    assert book_map.has_cycle({"a": ["b"], "b": [], "c": ["a", "b"]}) is None


@pytest.mark.parametrize("change, message", [
    (("masking", {"decoding": "later"}), "does not come before"),
    (("masking", {"nonsense": "x"}), "not a chapter"),
    (("encoder_decoder", {"self_attention": "implied by masking", "masking": "m"}), "already needed"),
])
def test_problems_name_what_is_wrong(monkeypatch, change, message):
    stem, prereqs = change
    broken = tuple(book_map.Chapter(c.stem, c.title, c.short, MappingProxyType(prereqs)) if c.stem == stem else c
                   for c in book_map.CHAPTERS)
    monkeypatch.setattr(book_map, "CHAPTERS", broken)
    monkeypatch.setattr(book_map, "BY_STEM", MappingProxyType({c.stem: c for c in broken}))
    assert any(message in p for p in book_map.problems()), book_map.problems()


def test_reading_paths_follow_every_arrow_back():
    assert book_map.reading_path("intro") == ["intro"]
    path = book_map.reading_path("encoder_decoder")
    assert path[0] == "intro" and path[-1] == "encoder_decoder"
    for stem in path:
        assert set(book_map.chapter(stem).prerequisites) <= set(path)
    assert "decoding" not in path and "training" not in path
    with pytest.raises(ValueError, match="no chapter 'nope'"):
        book_map.ancestors("nope")


def test_every_taught_part_points_at_a_chapter():
    assert set(book_map.TEACHES.values()) <= set(book_map.order())


class _Links(HTMLParser):
    """The href of every <a> inside the page's two diagrams (and the reading table)."""

    def __init__(self):
        super().__init__()
        self.depth, self.hrefs = 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and any(c in (a.get("class") or "") for c in ("aho-book-map", "aho-architecture", "aho-reading")):
            self.depth += 1
        elif tag == "div" and self.depth:
            self.depth += 1
        if tag == "a" and self.depth:
            self.hrefs.append(a.get("href"))

    def handle_endtag(self, tag):
        if tag == "div" and self.depth:
            self.depth -= 1


@pytest.mark.book
def test_every_diagram_link_resolves_in_the_built_site(built_book):
    page = built_book / "chapters" / f"{book_map.MAP_PAGE}.html"
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    hrefs = parser.hrefs
    assert {f"{s}.html" for s in book_map.order()} <= set(hrefs), "every chapter is a box of the map"
    for href in hrefs:
        assert (page.parent / href).is_file(), f"{href} does not exist in the built site"
