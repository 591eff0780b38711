"""Sphinx extension: every build of this book carries the explorers' kernel-free page views.

In a kernel an explorer shows only its live widget; it adds its page view (every frame of its
grid, precomputed for the page's own script) only when ``AHO_BOOK_BUILD=1`` (see
``transformer_lib.views.Explorer``). The kernels that execute the chapters are started by the
build and inherit its environment, so setting the variable here, when Sphinx loads the book's
configuration, gives the pages their views however the book is built (``scripts/build_book.sh``,
``jupyter-book build .``, the publishing workflow).
"""

from __future__ import annotations

import os


def setup(app):
    from transformer_lib.views import BOOK_BUILD

    os.environ[BOOK_BUILD] = "1"
    return {"parallel_read_safe": True, "parallel_write_safe": True}
