"""Sphinx extension: the built site loads every script, style and font from itself.

The book must read well offline (its browser tests run with no internet), and a reader's
browser should ask no other host for anything. So:

* MathJax 3 comes from the PyPI package ``django-static-mathjax`` (plain static files, no Django
  needed) and is copied into ``_static/mathjax`` after the build.
* bertviz's views ask cdnjs for require.js, d3 and jQuery. This extension ships copies in
  ``_ext/static/vendor`` (its README gives their versions, origin and licences), which the
  build puts in ``_static/vendor``, and in every written page it rewrites those addresses
  (the ``<script src>`` and the ``require.config`` paths) to the copies. They live here and
  not in the book's ``_static`` because Jupyter Book adds every ``.js`` file under ``_static``
  to every page. In a kernel (Jupyter, Colab) bertviz is untouched and uses the CDN.
* sphinx-thebe's loader, which would fetch thebe from unpkg, is left out of the pages while
  the book has no thebe launch button.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil

from sphinx.errors import ExtensionError

STATIC = pathlib.Path(__file__).resolve().parent / "static"  # copied into the site's _static
PARTS = ["tex-mml-chtml.js", "input", "output/chtml", "ui", "a11y", "adaptors", "sre"]

# What bertviz asks cdnjs for (its require.config paths omit ".js") -> the copy in _static/vendor.
VENDORED = {
    "require.js/2.3.6/require.min.js": "requirejs/require.js",  # npm has only the unminified file
    "d3/5.7.0/d3.min": "d3/d3.min",
    "jquery/2.0.0/jquery.min": "jquery/jquery.min",  # 2.0.0 is not on npm: 2.1.0 stands in
}
CDNJS = re.compile(r"(?:https?:)?//cdnjs\.cloudflare\.com/ajax/libs/([^'\"\s)>]+)")


def _mathjax_dir() -> pathlib.Path:
    import mathjax  # from django-static-mathjax

    return pathlib.Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def localise_cdn(html: str, static: str, page: str = "page") -> str:
    """Point every cdnjs address in ``html`` at the vendored copy under ``static`` (``.../_static``).

    Raises ExtensionError, naming the page and the address, for a script the site does not carry.
    """

    def local(m: re.Match) -> str:
        path = m.group(1)
        if path in VENDORED:
            return f"{static}/vendor/{VENDORED[path]}"
        if path.endswith(".js") and path[:-3] in VENDORED:
            return f"{static}/vendor/{VENDORED[path[:-3]]}.js"
        raise ExtensionError(f"{page} asks cdnjs for {path}, which the site does not carry; add it to "
                             "_ext/static/vendor from the npm registry (see the README there)")

    return CDNJS.sub(local, html)


def _localise_pages(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = pathlib.Path(app.outdir)
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if "cdnjs.cloudflare.com" not in html:
            continue
        static = pathlib.PurePath(os.path.relpath(out / "_static", page.parent)).as_posix()
        page.write_text(localise_cdn(html, static, str(page.relative_to(out))), encoding="utf-8")


def _copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    src, dst = _mathjax_dir(), pathlib.Path(app.outdir) / "_static" / "mathjax"
    for part in PARTS:
        s, d = src / part, dst / part
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        else:
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, d)


def _thebe_in_use(config) -> bool:
    buttons = (config.html_theme_options or {}).get("launch_buttons") or {}
    return bool(buttons.get("thebe")) or bool((getattr(config, "thebe_config", None) or {}).get("always_load"))


def _page_scripts(app, pagename, templatename, context, doctree) -> None:
    """Drop repeated script entries from a page, and thebe's loader while thebe is not used.

    With Sphinx 7.4, sphinx-thebe and sphinx-togglebutton register their inline scripts
    twice, and the second ``const THEBE_JS_URL`` is a SyntaxError in the reader's console.
    """
    drop_thebe = not _thebe_in_use(app.config)
    seen, kept = set(), []
    for js in context.get("script_files", []):
        filename = getattr(js, "filename", None) or ""
        attributes = getattr(js, "attributes", {})
        if drop_thebe and (filename.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in attributes.get("body", "")):
            continue
        key = (filename, tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(js)
    context["script_files"][:] = kept  # in place: handlers after this one (MathJax) append to it


def _add_static(app) -> None:
    app.config.html_static_path.append(str(STATIC))


def setup(app):
    _mathjax_dir()  # fail early, with an ImportError naming the package, if it is missing
    app.config.mathjax_path = "mathjax/tex-mml-chtml.js"  # relative to _static
    app.connect("builder-inited", _add_static)
    app.connect("build-finished", _copy_mathjax)
    app.connect("build-finished", _localise_pages)
    app.connect("html-page-context", _page_scripts, priority=100)  # early: html-page-context stops at the first handler that returns a template
    return {"parallel_read_safe": True, "parallel_write_safe": True}
