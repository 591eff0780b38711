"""The figures of chapters "The feed-forward block", "Residuals, LayerNorm and BatchNorm" and
"Training": arrays in, a Figure out, every axis labelled, bad input named."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from transformer_lib import plots


def _labelled(fig):
    assert isinstance(fig, Figure)
    axes = [a for a in fig.get_axes() if a.get_label() != "<colorbar>"]
    assert axes
    for ax in axes:
        assert ax.get_xlabel() and ax.get_ylabel(), ax.get_title()
        if hasattr(ax, "get_zlabel"):
            assert ax.get_zlabel()
    return axes


RNG = np.random.default_rng(0)
FIGURES = {
    "layer_parameter_bars": lambda: plots.layer_parameter_bars({"self_attn": 10, "linear1": 8, "norm1": 1}, title="t"),
    "grouped_bars": lambda: plots.grouped_bars(["0", "1"], {"a": [0.1, 0.9], "b": [0.5, 0.5]}, xlabel="x", ylabel="y", ylim=(0, 1)),
    "unit_curves": lambda: plots.unit_curves(RNG.random((9, 6)), [0, 3], xlabel="x", ylabel="y"),
    "normalisation_groups": lambda: plots.normalisation_groups(
        {("d", "LayerNorm"): RNG.random((2, 3, 4)) > 0.5}, {"d": ("B", "T", "D")}),
    "gradient_by_layer": lambda: plots.gradient_by_layer({"res": [1.0, 0.5, 0.2]}),
    "smoothed_losses": lambda: plots.smoothed_losses({"lr 1": {"post": np.ones(10), "pre": np.zeros(10) + 2}}, guess=2.5),
    "training_curves": lambda: plots.training_curves({"step": [1, 2], "train_loss": [2.0, 1.0]}, {"loss": {"train": "train_loss"}}),
    "target_distributions": lambda: plots.target_distributions({"q": [0.9, 0.1]}, ["a", "b"]),
    "histograms": lambda: plots.histograms({"x": RNG.random(50)}, 10, xlabel="value"),
    "learning_rates": lambda: plots.learning_rates({"p": (np.arange(1, 11), np.linspace(0, 1, 10), 4)}),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_each_figure_has_labelled_axes(name):
    _labelled(FIGURES[name]())


def test_the_figures_draw_the_arrays_they_are_given():
    fig = plots.training_curves({"step": [10, 20], "acc": [0.5, 0.75]}, {"accuracy (%)": {"a": "acc"}}, percent={"acc"},
                                log=["accuracy (%)"], xmax=30)
    ax = fig.get_axes()[0]
    line = ax.get_lines()[0]
    assert list(line.get_xdata()) == [10, 20] and list(line.get_ydata()) == [50.0, 75.0]
    assert ax.get_yscale() == "log" and ax.get_xlim() == (0, 30)
    fig = plots.smoothed_losses({"p": {"l": [1.0, 2.0, 3.0, 4.0]}}, window=2)
    assert list(fig.get_axes()[0].get_lines()[0].get_ydata()) == [1.5, 2.5, 3.5]
    fig = plots.gradient_by_layer({"g": [4.0, 2.0]})
    ax = fig.get_axes()[0]
    assert ax.get_yscale() == "log" and list(ax.get_lines()[0].get_xdata()) == [1, 2]
    fig = plots.grouped_bars(["0", "1"], {"a": [0.25, 1.0]}, xlabel="x", ylabel="y", ylim=(0, 1.05))
    assert [p.get_height() for p in fig.get_axes()[0].patches] == [0.25, 1.0]
    fig = plots.normalisation_groups({("d", "n"): np.array([[[True, False]], [[True, False]]])}, {"d": "xyz"})
    assert "2 numbers share one mean and variance" in fig.get_axes()[0].get_title()


@pytest.mark.parametrize("call, message", [
    (lambda: plots.layer_parameter_bars({}), "counts is empty"),
    (lambda: plots.grouped_bars(["0"], {"a": [1], "b": [1, 2]}, xlabel="x", ylabel="y"), "has 2 values for 1 groups"),
    (lambda: plots.unit_curves(np.ones((3, 2)), [5], xlabel="x", ylabel="y"), r"units \[5\] are out of range"),
    (lambda: plots.normalisation_groups({("d", "n"): np.ones((2, 2))}, {"d": "xyz"}), "3-D bool array"),
    (lambda: plots.normalisation_groups({("d", "n"): np.ones((2, 2, 2))}, {}), "three axis labels"),
    (lambda: plots.gradient_by_layer({"g": []}), "non-empty 1-D"),
    (lambda: plots.smoothed_losses({"p": {"l": [1.0, 2.0]}}, window=5), "fewer than the window"),
    (lambda: plots.training_curves({"train_loss": [1.0]}, {"loss": {"t": "train_loss"}}), "needs a 'step'"),
    (lambda: plots.training_curves({"step": [1]}, {"loss": {"t": "train_loss"}}), "history has no 'train_loss'"),
    (lambda: plots.training_curves({"step": [1, 2], "l": [1.0]}, {"loss": {"t": "l"}}), "1 values for 2 steps"),
    (lambda: plots.target_distributions({"q": [0.5, 0.5]}, ["a"]), "1 token labels for 2 tokens"),
    (lambda: plots.learning_rates({"p": ([1, 2], [0.1], 1)}), "2 steps but 1 rates"),
])
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
