"""plots/modern.py: the loss-by-position figure of chapter "The modern block"."""

import numpy as np
import pytest

from transformer_lib import plots


def test_loss_by_position_figure():
    a, b = np.linspace(1, 3, 64), np.full(64, 0.5)
    fig = plots.loss_by_position({"sinusoidal": a, "RoPE": b}, train_context=32, smooth=4)
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("position") and "nats" in ax.get_ylabel()
    np.testing.assert_allclose(ax.lines[0].get_ydata(), a)  # raw values, faint
    np.testing.assert_allclose(ax.lines[1].get_ydata(), np.convolve(a, np.ones(4) / 4, mode="valid"))
    np.testing.assert_allclose(ax.lines[4].get_xdata(), [31.5, 31.5])  # the trained context
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sinusoidal (running mean of 4)",
                                                                   "RoPE (running mean of 4)"]
    fig = plots.loss_by_position({"RoPE": b}, 32, baselines={"bigram": 1.75})
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.lines[2].get_ydata(), [1.75, 1.75])
    assert ax.get_legend().get_texts()[-1].get_text() == "bigram model (1.75)"


def test_loss_by_position_messages():
    with pytest.raises(ValueError, match="empty"):
        plots.loss_by_position({}, 4)
    with pytest.raises(ValueError, match="same length"):
        plots.loss_by_position({"a": np.ones(8), "b": np.ones(9)}, 4)
    with pytest.raises(ValueError, match="train_context"):
        plots.loss_by_position({"a": np.ones(8)}, 8, smooth=2)
    with pytest.raises(ValueError, match="smooth"):
        plots.loss_by_position({"a": np.ones(8)}, 4, smooth=0)
