"""Sphinx extension: every build of this book carries the explorers' kernel-free page views.

In a kernel an explorer shows only its live widget; it adds its page view (every frame of its
grid, precomputed for the page's own script) only when ``AHO_BOOK_BUILD=1`` (see
``transformer_lib.views.Explorer``). The kernels that execute the chapters are started by the
build and inherit its environment, so setting the variable here, when Sphinx loads the book's
configuration, gives the pages their views however the book is built (``scripts/build_book.sh``,
``jupyter-book build .``, the publishing workflow).

The views that run the book's own models on the reader's text need the in-page runtime, its page
programs and the exported models: after the build they are written once into the site's
``_static/aho`` (``transformer_lib.web.export.write_site_files``), where pages fetch them when a
reader first types. (Written after the build, not placed in the book's ``_static``, so that no
page loads them up front: Jupyter Book adds every ``.js`` file of ``_static`` to every page.)
"""

from __future__ import annotations

import os
import pathlib


def _write_runtime(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from transformer_lib.web.export import write_site_files

    write_site_files(pathlib.Path(app.outdir) / "_static" / "aho")


def setup(app):
    from transformer_lib.views import BOOK_BUILD

    os.environ[BOOK_BUILD] = "1"
    app.connect("build-finished", _write_runtime)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
