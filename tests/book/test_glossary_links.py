"""In the built site, each glossary entry links to the sentence where its chapter first uses the
term (the anchor `_ext/glossary_links.py` puts there), and that anchor exists."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.book


def test_every_glossary_entry_links_to_the_terms_first_use(built_book):
    html = (built_book / "appendix" / "glossary.html").read_text(encoding="utf-8")
    html = re.search(r'<dl class="[^"]*\bglossary\b[^"]*">(.*?)</dl>', html, re.S).group(1)  # not the sidebar
    links = re.findall(r'href="\.\./(chapters/\w+\.html)(#[^"]*)?"', html)
    assert len(links) >= 30
    bare = [page for page, frag in links if not frag]
    assert not bare, f"glossary links without a first-use anchor: {bare}"
    for page, frag in links:
        target = (built_book / page).read_text(encoding="utf-8")
        assert f'id="{frag[1:]}"' in target, f"{page} has no {frag}"
