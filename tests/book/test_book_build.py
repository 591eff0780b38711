"""The strict build itself: every page executed without error and written within its size
budget, and a self-contained site (no page asks another host for a script, style, font or image)."""

from __future__ import annotations

import json
import pathlib
import re
import sys
from html.parser import HTMLParser

import pytest

from conftest import ROOT, pages

pytestmark = pytest.mark.book

PAGE_BUDGET = 2_000_000  # bytes a reader downloads for one page: its HTML and the images it shows


@pytest.mark.parametrize("page", pages())
def test_page_is_built_without_errors(built_book, page):
    path = built_book / f"{page}.html"
    assert path.exists(), f"{path} was not written"
    html = path.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" not in html
    assert not re.search(r'class="output (traceback|error)"', html)


def page_weight(page: pathlib.Path) -> tuple[int, int]:
    """(bytes of HTML, bytes of the site's image files it shows) for one built page."""
    html = page.read_text(encoding="utf-8")
    images = set(re.findall(r'<img\b[^>]*?\ssrc="([^"]+)"', html))
    local = [page.parent / src for src in images if not src.startswith("data:") and not OFFSITE.match(src)]
    missing = [str(p) for p in local if not p.is_file()]
    assert not missing, f"{page.name} shows images the site does not have: {missing}"
    return len(html.encode()), sum(p.stat().st_size for p in local)


def test_every_page_is_within_its_size_budget(built_book):
    """The one page-size check: HTML (frames and inline images included) plus image files, per page."""
    sizes = {page: page_weight(built_book / f"{page}.html") for page in pages()}
    measured = "\n".join(f"  {p}: {h / 1e6:.2f} MB HTML + {i / 1e6:.2f} MB images = {(h + i) / 1e6:.2f} MB"
                          for p, (h, i) in sizes.items())
    over = [p for p, (h, i) in sizes.items() if h + i > PAGE_BUDGET]
    assert not over, f"over the {PAGE_BUDGET / 1e6:.0f} MB budget per page: {over}; measured:\n{measured}"


# -- A self-contained site: no page asks another host for anything -------------------------

# Elements and attributes whose URL the browser fetches. <a href> is a hyperlink, not a request.
FETCHED = {"script": ["src"], "img": ["src", "srcset"], "source": ["src", "srcset"], "video": ["src", "poster"],
           "audio": ["src"], "track": ["src"], "iframe": ["src"], "embed": ["src"], "object": ["data"],
           "input": ["src"], "image": ["href", "xlink:href"], "use": ["href", "xlink:href"], "link": ["href"]}
NOT_FETCHED_LINKS = {"canonical", "next", "prev", "index", "search"}  # <link rel> that only names an address
OFFSITE = re.compile(r"^\s*(?:(?:https?|ftp|wss?):)?//", re.I)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")
JS_URL = re.compile(r"""["'`]((?:https?:)?//[^"'`\s]+)""")
XML_NAMESPACES = re.compile(r"^http://www\.w3\.org/")  # identifiers in JavaScript, never fetched


def _css_offsite(css: str) -> list[str]:
    return [u for m in CSS_URL.finditer(css) for u in m.groups() if u and OFFSITE.match(u)]


def _walk_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _walk_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk_strings(v)


class _Resources(HTMLParser):
    """Collects the resource addresses of a page that point to another host."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.offsite: list[str] = []
        self._script: str | None = None  # the type of the <script> being read
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        rel = set((a.get("rel") or "").lower().split())
        for name in FETCHED.get(tag, []):
            for url in (a.get(name) or "").split(","):
                url = url.strip().split(" ")[0]
                if url and OFFSITE.match(url) and not (tag == "link" and rel and rel <= NOT_FETCHED_LINKS):
                    self.offsite.append(f"<{tag} {name}={url}>")
        self.offsite += [f"style url({u})" for u in _css_offsite(a.get("style") or "")]
        if tag in ("script", "style"):
            self._script, self._text = (a.get("type") or "text/javascript") if tag == "script" else "css", []

    def handle_data(self, data):
        if self._script is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag not in ("script", "style") or self._script is None:
            return
        kind, text, self._script = self._script, "".join(self._text), None
        if kind == "css":
            self.offsite += [f"<style> url({u})" for u in _css_offsite(text)]
        elif "json" in kind:  # widget state: its HTML strings are rendered on the page
            for s in _walk_strings(json.loads(text)):
                if "<" in s:
                    self.offsite += [f"{kind}: {u}" for u in offsite_resources(s)]
        elif "javascript" in kind or "module" in kind:
            self.offsite += [f"<script> {u}" for u in JS_URL.findall(text) if not XML_NAMESPACES.match(u)]


def offsite_resources(html: str) -> list[str]:
    """Every address in ``html`` that a browser would fetch from another host."""
    parser = _Resources()
    parser.feed(html)
    parser.close()
    return parser.offsite


def test_offsite_resources_finds_each_kind_of_request():
    page = """<head><script src="https://cdn.example.org/a.js"></script>
      <link rel="stylesheet" href="//cdn.example.org/a.css"><link rel="preload" as="font" href="http://x.org/f.woff2">
      <link rel="canonical" href="https://owner.github.io/book/a.html"><link rel="next" href="b.html">
      <style>@import "https://fonts.example.org/css"; p { background: url('data:image/png;base64,AA') }</style>
      <script>require.config({paths: {d3: 'https://cdnjs.example.org/d3'}}); var ns = "http://www.w3.org/2000/svg";</script>
      <script type="application/vnd.jupyter.widget-state+json">{"v": {"value": "<img src=\\"https://x.org/i.png\\">"}}</script>
      </head><body><a href="https://example.org/">a hyperlink</a><img srcset="small.png 1x, https://x.org/big.png 2x">
      <div style="background-image: url(https://x.org/b.png)"></div><img src="../_images/local.png"></body>"""
    assert offsite_resources(page) == [  # not the hyperlink, the canonical address or the XML namespace
        "<script src=https://cdn.example.org/a.js>", "<link href=//cdn.example.org/a.css>",
        "<link href=http://x.org/f.woff2>", "<style> url(https://fonts.example.org/css)",
        "<script> https://cdnjs.example.org/d3", "application/vnd.jupyter.widget-state+json: <img src=https://x.org/i.png>",
        "<img srcset=https://x.org/big.png>", "style url(https://x.org/b.png)",
    ]


def test_built_pages_ask_no_other_host(built_book):
    """No script, style sheet, font, image or inline fetch of any page comes from another host."""
    written = sorted(built_book.rglob("*.html"))
    assert len(written) >= len(pages())
    offsite = {str(p.relative_to(built_book)): found for p in written if (found := offsite_resources(p.read_text(encoding="utf-8")))}
    assert not offsite, f"pages that ask another host for a resource: {offsite}"
    assert (built_book / "_static" / "mathjax" / "tex-mml-chtml.js").exists()


def test_site_style_sheets_ask_no_other_host(built_book):
    sheets = sorted((built_book / "_static").rglob("*.css"))
    assert sheets
    offsite = {str(p.relative_to(built_book)): found for p in sheets if (found := _css_offsite(p.read_text(encoding="utf-8")))}
    assert not offsite, offsite


BERTVIZ_PAGES = ["multi_head_attention", "training", "it_animal"]


@pytest.mark.parametrize("chapter", BERTVIZ_PAGES)
def test_bertviz_scripts_come_from_the_site(built_book, chapter):
    """bertviz's require.js, d3 and jQuery: page-relative addresses of files the site carries."""
    page = built_book / "chapters" / f"{chapter}.html"
    html = page.read_text(encoding="utf-8")
    scripts = re.findall(r'<script src="([^"]*require[^"]*)"', html)
    paths = re.findall(r"(?:d3|jquery): '([^']+)'", html)
    assert scripts and len(paths) == 2 * len(scripts), f"{chapter}: no bertviz view found"
    for url in scripts + [p + ".js" for p in paths]:
        assert not OFFSITE.match(url), url
        target = (page.parent / url).resolve()
        assert target.is_file() and built_book / "_static" / "vendor" in target.parents, url
    for name in ("requirejs", "d3", "jquery"):
        assert (built_book / "_static" / "vendor" / name / "LICENSE").is_file()


def test_localise_cdn_rewrites_bertviz_addresses_and_refuses_others():
    sys.path.insert(0, str(ROOT / "_ext"))
    from offline_assets import localise_cdn
    from sphinx.errors import ExtensionError

    html = ('<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js"></script>'
            "<script>require.config({paths: {d3: 'https://cdnjs.cloudflare.com/ajax/libs/d3/5.7.0/d3.min',"
            " jquery: 'https://cdnjs.cloudflare.com/ajax/libs/jquery/2.0.0/jquery.min'}});</script>")
    out = localise_cdn(html, "../_static")
    assert "cdnjs" not in out
    assert '<script src="../_static/vendor/requirejs/require.js">' in out
    assert "d3: '../_static/vendor/d3/d3.min'" in out and "jquery: '../_static/vendor/jquery/jquery.min'" in out
    with pytest.raises(ExtensionError, match="d3/7.0.0/d3.min"):
        localise_cdn("'https://cdnjs.cloudflare.com/ajax/libs/d3/7.0.0/d3.min'", "_static", "p.html")


def test_pages_name_their_published_address(built_book):
    """html_baseurl (GitHub Pages) follows from _config.yml's repository.url."""
    sys.path.insert(0, str(ROOT / "_ext"))
    sys.path.insert(0, str(ROOT / "scripts"))
    from colab_cell import repository_url
    from site_url import pages_url

    html = (built_book / "chapters" / "masking.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{pages_url(repository_url())}chapters/masking.html" />' in html
