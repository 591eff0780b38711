"""The map of the chapters (views/learning_path): one linked box per page, one arrow per
prerequisite, text escaped, arrows that skip rows routed around boxes, a cycle refused."""

from __future__ import annotations

import re
from types import MappingProxyType

import pytest

from transformer_lib import book_map
from transformer_lib.views import learning_path as lp


def test_one_linked_box_per_page_and_one_arrow_per_prerequisite():
    markup = str(lp.dependency_map())
    boxes = re.findall(r'<a href="([^"]+)" class="aho-link" style="text-decoration:none"><g class="aho-map-box" data-chapter="([^"]+)"', markup)
    assert [c for _, c in boxes] and sorted(c for _, c in boxes) == sorted(book_map.order())
    assert all(href == f"{c}.html" for href, c in boxes)
    arrows = re.findall(r'class="aho-edge" data-from="([^"]+)" data-to="([^"]+)"', markup)
    assert sorted(arrows) == sorted((p, c) for p, c, _ in book_map.edges())
    assert markup.count("marker-end=") == len(book_map.edges())
    assert 'data-chapter="learning_path"' in markup and "(you are here)" in markup


def test_base_prefixes_every_link():
    markup = str(lp.dependency_map(base="https://example.org/book/chapters/"))
    assert 'href="https://example.org/book/chapters/masking.html"' in markup
    assert str(lp.reading_table(base="X/")).count('href="X/') >= len(book_map.order())


def test_boxes_sit_below_their_prerequisites_and_never_overlap():
    rows, pos, up, width = lp.layout()
    depth = book_map.layers()
    for p, c, _ in book_map.edges():
        assert pos[p][1] < pos[c][1]
    for row in rows:
        xs = sorted(pos[it][0] for it in row if isinstance(it, str))
        assert all(b - a >= lp.BOX_W for a, b in zip(xs, xs[1:]))
    assert {it: r for r, row in enumerate(rows) for it in row if isinstance(it, str)} == depth


def test_an_arrow_that_skips_rows_gets_a_waypoint_in_each_row_between():
    graph = {"a": [], "b": ["a"], "c": ["b"], "d": ["a", "c"]}
    rows, pos, up, _ = lp.layout(graph, list(graph))
    vias = [it for row in rows for it in row if not isinstance(it, str)]
    assert sorted(v[3] for v in vias if v[1:3] == ("a", "d")) == [1, 2]
    for r, row in enumerate(rows):  # waypoints take their own slot: no box is drawn under an arrow
        xs = sorted((pos[it][0], it) for it in row)
        for (x0, i0), (x1, i1) in zip(xs, xs[1:]):
            w0 = lp.BOX_W if isinstance(i0, str) else lp.DUMMY_W
            w1 = lp.BOX_W if isinstance(i1, str) else lp.DUMMY_W
            assert x1 - x0 >= (w0 + w1) / 2


def test_a_cycle_is_refused_with_the_cycle_named():
    with pytest.raises(ValueError, match="cycle: .*a.*b"):
        lp.layout({"a": ["b"], "b": ["a"]}, ["a", "b"])


def test_titles_and_reasons_are_escaped(monkeypatch):
    evil = book_map.Chapter("intro", "<script>alert(1)</script> & co", "<b>x</b>", MappingProxyType({}))
    chapters = (evil,) + book_map.CHAPTERS[1:]
    monkeypatch.setattr(book_map, "CHAPTERS", chapters)
    monkeypatch.setattr(book_map, "BY_STEM", MappingProxyType({c.stem: c for c in chapters}))
    for markup in (str(lp.dependency_map()), str(lp.reading_table())):
        assert "<script>" not in markup and "<b>x</b>" not in markup
        assert "&lt;script&gt;" in markup


def test_an_unknown_current_chapter_is_a_clear_error():
    with pytest.raises(ValueError, match="no chapter 'nowhere'"):
        lp.dependency_map(current="nowhere")


def test_it_shows_itself_as_html():
    html = lp.dependency_map()._repr_html_()
    assert html.startswith('<div class="aho-book-map"') and "<svg" in html


def test_the_drawn_map_routes_a_long_arrow_through_its_waypoint(monkeypatch):
    extra = dict(book_map.chapter("attention_cost").prerequisites, tokens="a made-up arrow that skips a row")
    chapters = tuple(book_map.Chapter(c.stem, c.title, c.short, MappingProxyType(extra)) if c.stem == "attention_cost"
                     else c for c in book_map.CHAPTERS)
    monkeypatch.setattr(book_map, "CHAPTERS", chapters)
    monkeypatch.setattr(book_map, "BY_STEM", MappingProxyType({c.stem: c for c in chapters}))
    assert book_map.layers()["attention_cost"] - book_map.layers()["tokens"] == 2
    markup = str(lp.dependency_map())
    edge = re.search(r'data-from="tokens" data-to="attention_cost">.*?<path d="([^"]+)"', markup).group(1)
    assert edge.count("C") == 2  # two segments: through the waypoint in the row between
