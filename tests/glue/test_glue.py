"""transformer_lib.glue writes what myst-nb's own glue writes, so {glue:...} roles in the prose
find the number, without Colab readers installing myst-nb."""

from __future__ import annotations

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from transformer_lib.glue import glue


def _capture(fn, *args, **kw):
    InteractiveShell.instance()
    with capture_output() as out:
        fn(*args, **kw)
    return [(o.data, o.metadata) for o in out.outputs]


@pytest.mark.parametrize("value", [0.6667, 42, "text"])
def test_output_equals_myst_nb_glue(value):
    myst_glue = pytest.importorskip("myst_nb").glue
    assert _capture(glue, "x", value) == _capture(myst_glue, "x", value, display=False)


def test_numpy_and_torch_scalars_are_glued_as_python_numbers():
    """numpy 2 shows np.float64(0.25) as "np.float64(0.25)", which a {glue:text}`x:.2f` role
    cannot format: glue stores the plain number instead."""
    import torch

    myst_glue = pytest.importorskip("myst_nb").glue
    assert _capture(glue, "x", np.float64(0.25)) == _capture(myst_glue, "x", 0.25, display=False)
    assert _capture(glue, "x", torch.tensor(3)) == _capture(myst_glue, "x", 3, display=False)


def test_bad_names_and_non_numbers_are_refused():
    with pytest.raises(ValueError, match="identifier"):
        glue("not a name", 1)
    with pytest.raises(ValueError, match="non-number"):
        glue("x", float("inf"))
