"""Make the book's CJK web font: Noto Sans CJK SC cut down to the characters the book uses.

The glossary gives each term in Chinese. A reader's machine may have no CJK font, and the site
requests nothing from another host, so the book ships its own: a subset of Noto Sans CJK SC
(SIL Open Font License 1.1, see _static/fonts/OFL.txt) holding only the CJK characters that occur
in the book's sources. Re-run this after adding Chinese text (tests/book/test_cjk_font.py fails
until you do):

    apt-get install fonts-noto-cjk      # Debian's copy of the full font (once)
    .venv/bin/python scripts/cjk_font.py
"""

from __future__ import annotations

import pathlib
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = pathlib.Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SC = 2  # the collection's index of "Noto Sans CJK SC"
OUT = ROOT / "_static" / "fonts" / "aho-cjk.woff2"


def is_cjk(ch: str) -> bool:
    """CJK ideographs, CJK punctuation and full-width forms."""
    o = ord(ch)
    return (0x3000 <= o <= 0x303F or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF
            or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF)


def book_sources() -> list[pathlib.Path]:
    """Every file whose text reaches a page: the chapters, the appendix, the top-level pages."""
    files = sorted(ROOT.glob("chapters/*.ipynb")) + sorted(ROOT.glob("appendix/*.md"))
    return files + sorted(ROOT.glob("*.md"))


def book_characters() -> str:
    chars = set()
    for f in book_sources():
        chars |= {c for c in f.read_text(encoding="utf-8") if is_cjk(c)}
    return "".join(sorted(chars))


def main() -> int:
    if not SOURCE.exists():
        print(f"{SOURCE} is missing: apt-get install fonts-noto-cjk", file=sys.stderr)
        return 1
    chars = book_characters()
    font = TTCollection(str(SOURCE)).fonts[SC]
    opts = subset.Options()
    opts.flavor = "woff2"
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]          # keep the copyright and license names
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(OUT), opts)
    print(f"{OUT.relative_to(ROOT)}: {len(chars)} characters, {OUT.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
