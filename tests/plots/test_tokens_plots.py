"""plots.vocab_vs_length (chapter "Tokens"): the lines and points it is given, labelled axes,
clear messages for mismatched curves."""

from __future__ import annotations

import numpy as np
import pytest

from transformer_lib import plots


def test_vocab_vs_length_draws_the_given_curves_and_marks():
    fig = plots.vocab_vs_length({"ours": ([28, 38, 78], [24.5, 19.7, 12.5]), "theirs": ([28, 78], [24.5, 12.4])},
                                marks={"words": (182, 5.3)}, title="t")
    (ax,) = fig.axes
    lines = ax.get_lines()
    np.testing.assert_allclose(lines[0].get_xydata(), [[28, 24.5], [38, 19.7], [78, 12.5]])
    np.testing.assert_allclose(lines[2].get_xydata(), [[182, 5.3]])
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "vocabulary size (tokens)"
    assert ax.get_ylabel() == "mean tokens per sentence"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ours", "theirs"]
    assert [t.get_text() for t in ax.texts] == ["words"]


@pytest.mark.parametrize("curves,match", [({}, "at least one curve"), ({"a": ([1, 2], [3])}, "must be equal"),
                                          ({"a": ([0, 2], [3, 1])}, "positive")])
def test_vocab_vs_length_rejects_bad_curves(curves, match):
    with pytest.raises(ValueError, match=match):
        plots.vocab_vs_length(curves)
