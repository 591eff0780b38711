"""Numbers in the prose come from cells: ``glue`` a computed value, cite it in the text.

A chapter computes a number in a cell and glues it under a name::

    from transformer_lib.glue import glue
    glue("ffn_share_encoder", share)        # no output in the notebook

and its prose says ``{glue:text}`ffn_share_encoder:.0%``` instead of typing "66 %". The built
page shows the computed value, so the sentence cannot drift from the cell.

This writes exactly the output that ``myst_nb.glue(name, value, display=False)`` writes (a
display-data output whose MIME types carry myst-nb's ``application/papermill.record/`` prefix and
whose metadata names the variable), so the book's build (myst-nb) reads it. It exists so that a
chapter run in Colab does not need myst-nb and Sphinx installed just to store a number; there
the output is invisible and the prose shows the role, not the number.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["glue"]

PREFIX = "application/papermill.record/"  # myst_nb.ext.glue.GLUE_PREFIX
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def glue(name: str, value: Any) -> None:
    """Store ``value``'s display form under ``name`` for the book's ``{glue:...}`` roles."""
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"a glue name is a Python-style identifier, got {name!r}")
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:  # numpy/torch scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"glue({name!r}, ...) got {value}: the prose would show a non-number")
    bundle, metadata = format_display_data(value)
    metadata["scrapbook"] = {"name": name, "mime_prefix": PREFIX}
    display({PREFIX + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)
