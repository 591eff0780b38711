"""The strict build itself: every chapter executed without error, pages written and small."""

from __future__ import annotations

import re

import pytest

from conftest import chapters

pytestmark = pytest.mark.book


@pytest.mark.parametrize("chapter", chapters())
def test_chapter_page_is_built_and_small(built_book, chapter):
    page = built_book / f"{chapter}.html"
    assert page.exists(), f"{page} was not written"
    html = page.read_text(encoding="utf-8")
    size = len(html.encode())
    assert size < 2_000_000, f"{chapter}.html is {size / 1e6:.2f} MB; keep each page under 2 MB"
    assert "Traceback (most recent call last)" not in html
    assert not re.search(r'class="output (traceback|error)"', html)


def test_no_cdn_script_in_book_chrome(built_book):
    """MathJax and the theme's scripts come from the site itself (bertviz's own views excepted)."""
    for chapter in chapters():
        html = (built_book / f"{chapter}.html").read_text(encoding="utf-8")
        head = html.split("<body", 1)[0]
        assert not re.search(r'<script[^>]+src="https?://', head), f"{chapter}: a CDN script in <head>"
    assert (built_book / "_static" / "mathjax" / "tex-mml-chtml.js").exists()
