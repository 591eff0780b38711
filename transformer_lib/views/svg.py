"""A small SVG writer for the book's drawn diagrams (the learning-path map, the architecture).

A diagram is a list of SVG elements built here, every text HTML-escaped, wrapped in an
:class:`SVG` whose ``_repr_html_`` shows it inline: in Jupyter, in Colab and on the static page
alike (no script, nothing fetched). Boxes can be links (``<a href>``), so a reader clicks a box
to open its chapter.
"""

from __future__ import annotations

import hashlib
import html
import textwrap
from dataclasses import dataclass

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
CHAR_WIDTH = 0.56  # mean glyph width / font size of a sans-serif font: enough to wrap labels inside boxes


def esc(s) -> str:
    """Text or an attribute value, escaped for HTML/SVG."""
    return html.escape(str(s), quote=True)


def wrap(text: str, width_px: float, font_px: float) -> list[str]:
    """``text`` broken into lines that fit ``width_px`` at ``font_px``."""
    chars = max(4, int(width_px / (font_px * CHAR_WIDTH)))
    return textwrap.wrap(str(text), chars) or [""]


@dataclass(frozen=True)
class Markup:
    """An SVG document (or an HTML table); displays itself inline (``_repr_html_``), and ``str()`` is its markup."""

    markup: str
    css_class: str = "aho-diagram"

    def _repr_html_(self) -> str:
        return f'<div class="{esc(self.css_class)}" style="max-width:100%;overflow-x:auto">{self.markup}</div>'

    def __str__(self) -> str:
        return self.markup


SVG = Markup


def document(width: float, height: float, body: list[str], title: str, arrow_color: str = "#57606a") -> str:
    """An ``<svg>`` of the given size (scaled down to the column's width) with an arrow-head marker
    ``#<id>-arrow`` whose id is derived from ``title``, and ``body`` inside."""
    marker = "aho-arrow-" + hashlib.sha1(title.encode()).hexdigest()[:10]  # stable across builds, one per diagram
    body = [b.replace("url(#ARROW)", f"url(#{marker})") for b in body]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'style="max-width:100%;height:auto;font-family:{esc(FONT)}" role="img" aria-label="{esc(title)}">'
        f"<title>{esc(title)}</title>"
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{arrow_color}"/></marker></defs>'
        + "".join(body) + "</svg>"
    )


def box(x: float, y: float, w: float, h: float, lines: list[str], *, href: str | None = None, tooltip: str = "",
        fill: str = "#ffffff", stroke: str = "#24292f", font_px: float = 12, dashed: bool = False,
        css: str = "aho-box", data: dict | None = None, small: str = "") -> str:
    """A rounded box with centred lines of text (and an optional small monospace line), a link when
    ``href`` is given. ``data`` become ``data-*`` attributes (tests find boxes by them)."""
    attrs = "".join(f' data-{esc(k)}="{esc(v)}"' for k, v in (data or {}).items())
    dash = ' stroke-dasharray="5 3"' if dashed else ""
    n = len(lines) + (1 if small else 0)
    line_h = font_px * 1.2
    y0 = y + h / 2 - (n - 1) * line_h / 2 + font_px * 0.35
    texts = "".join(
        f'<text x="{x + w / 2:.1f}" y="{y0 + i * line_h:.1f}" text-anchor="middle" font-size="{font_px}" '
        f'fill="#1f2328">{esc(t)}</text>' for i, t in enumerate(lines))
    if small:
        texts += (f'<text x="{x + w / 2:.1f}" y="{y0 + len(lines) * line_h:.1f}" text-anchor="middle" '
                  f'font-size="{font_px * 0.78:.1f}" font-family="monospace" fill="#57606a">{esc(small)}</text>')
    tip = f"<title>{esc(tooltip)}</title>" if tooltip else ""
    shape = (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6" fill="{fill}" '
             f'stroke="{stroke}" stroke-width="1.3"{dash}/>')
    inner = f'<g class="{esc(css)}"{attrs}>{tip}{shape}{texts}</g>'
    if href:
        return f'<a href="{esc(href)}" class="aho-link" style="text-decoration:none">{inner}</a>'
    return inner


def text(x: float, y: float, s: str, *, size: float = 12, anchor: str = "middle", color: str = "#1f2328",
         weight: str = "normal", italic: bool = False) -> str:
    style = ' font-style="italic"' if italic else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{color}" '
            f'font-weight="{weight}"{style}>{esc(s)}</text>')


def path(d: str, *, color: str = "#57606a", width: float = 1.4, arrow: bool = True, tooltip: str = "",
         css: str = "aho-edge", data: dict | None = None, dashed: bool = False) -> str:
    """A path (``d`` in SVG path syntax), ending in an arrow head unless ``arrow=False``."""
    attrs = "".join(f' data-{esc(k)}="{esc(v)}"' for k, v in (data or {}).items())
    tip = f"<title>{esc(tooltip)}</title>" if tooltip else ""
    head = ' marker-end="url(#ARROW)"' if arrow else ""
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    return (f'<g class="{esc(css)}"{attrs}>{tip}<path d="{d}" fill="none" stroke="{color}" '
            f'stroke-width="{width}"{head}{dash}/></g>')


__all__ = ["Markup", "SVG", "box", "document", "esc", "path", "text", "wrap"]
