"""The heatmap figures of transformer_lib.plots.core (every chapter): Figures, nothing left
open in pyplot, token labels as given, bad input gets a message."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from transformer_lib import plots, ref

HOSTILE = "<img src=x onerror=alert(1)>"


def test_plot_helpers_return_figures_without_touching_pyplot():
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    before = plt.get_fignums()
    w = ref.softmax(np.random.default_rng(0).standard_normal((2, 4, 4)))
    figs = [
        plots.heatmap(w[0], x=list("abcd"), y=list("abcd"), annotate=2, title="t"),
        plots.heatmaps(w, ["h0", "h1"], x=list("abcd"), y=list("abcd"), suptitle="s"),
        plots.attention_heads(torch.from_numpy(w)[None], [HOSTILE, "b", "c", "d"]),
    ]
    assert all(isinstance(f, Figure) for f in figs)
    assert plt.get_fignums() == before  # nothing left open behind the caller's back
    labels = [t.get_text() for t in figs[2].axes[0].get_xticklabels()]
    assert labels[0] == HOSTILE  # tokens are labels, shown as given


@pytest.mark.parametrize("bad,match", [
    (lambda: plots.heatmap(np.ones(3)), "2-D"),
    (lambda: plots.heatmap(np.ones((2, 3)), x=["a", "b"]), "2 column labels for 3 columns"),
    (lambda: plots.heatmaps([np.ones((2, 2)), np.ones((3, 3))], ["a", "b"]), "one shape"),
    (lambda: plots.heatmaps([np.ones((2, 2))], ["a", "b"]), "2 titles for 1 panels"),
    (lambda: plots.attention_heads(np.ones((2, 1, 3, 3)), list("abc")), "batch of 2"),
    (lambda: plots.attention_heads(np.ones((3, 3)), list("abc")), r"\(H, T, S\)"),
])
def test_plot_helpers_reject_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()
