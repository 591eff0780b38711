"""Sphinx extension: serve MathJax from the site itself, not from a CDN; de-duplicate scripts.

The book must read well offline (and its browser tests run with no internet), so MathJax 3
comes from the PyPI package ``django-static-mathjax`` (plain static files, no Django
needed) and is copied into ``_static/mathjax`` after the build.
"""

from __future__ import annotations

import pathlib
import shutil

PARTS = ["tex-mml-chtml.js", "input", "output/chtml", "ui", "a11y", "adaptors"]


def _mathjax_dir() -> pathlib.Path:
    import mathjax  # from django-static-mathjax

    return pathlib.Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def _copy(app, exception) -> None:
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


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    """Drop repeated script entries from a page.

    With Sphinx 7.4, sphinx-thebe and sphinx-togglebutton register their inline scripts
    twice, and the second ``const THEBE_JS_URL`` is a SyntaxError in the reader's console.
    """
    seen, unique = set(), []
    for js in context.get("script_files", []):
        key = (getattr(js, "filename", None) or "", tuple(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"][:] = unique  # in place: handlers after this one (MathJax) append to it


def setup(app):
    _mathjax_dir()  # fail early, with an ImportError naming the package, if it is missing
    app.config.mathjax_path = "mathjax/tex-mml-chtml.js"  # relative to _static
    app.connect("build-finished", _copy)
    app.connect("html-page-context", _dedupe_scripts, priority=100)  # early: html-page-context stops at the first handler that returns a template
    return {"parallel_read_safe": True, "parallel_write_safe": True}
