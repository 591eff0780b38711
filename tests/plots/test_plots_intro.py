"""The introduction's path-length figure can be read: every architecture has its own marker and
line style and a label at the end of its line (issue 15: the RNN and CNN curves overlapped)."""

from __future__ import annotations

import pytest

from transformer_lib import plots


def test_each_line_has_its_own_style_and_a_direct_label():
    paths = {"recurrent": [3, 7, 15], "convolution": [2, 4, 8], "dilated": [2, 2, 3], "attention": [1, 1, 1]}
    fig = plots.path_lengths([4, 8, 16], paths)
    ax = fig.axes[0]
    styles = {(ln.get_marker(), str(ln.get_linestyle())) for ln in ax.lines}
    assert len(styles) == len(paths)
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["recurrent: 15", "convolution: 8", "dilated: 3", "attention: 1"]
    assert ax.get_legend() is None
    assert ax.get_xlim()[1] > 16  # the labels sit right of the last point


def test_too_many_architectures_get_a_message():
    with pytest.raises(ValueError, match="at most 6"):
        plots.path_lengths([2], {str(i): [1] for i in range(7)})
