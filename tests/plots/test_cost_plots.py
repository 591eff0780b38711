"""plots.log_log_panels and plots.layer_costs (chapter "The cost of attention"): the lines are the
values given, on log-log axes with labelled axes, each legend entry carries the slope fitted over
the chosen lengths, and bad input gets a message."""

from __future__ import annotations

import numpy as np
import pytest

from transformer_lib import cost, plots


def test_each_line_is_its_values_on_log_axes_with_the_fitted_slope():
    n = np.array([128, 256, 512, 1024])
    fig = plots.log_log_panels(n, {"time (ms)": {"square": n**2 / 1e3, "linear": 3 * n / 1e3},
                                   "memory (MB)": {"square": n**2 / 1e6}}, title="t")
    ax0, ax1 = fig.axes
    assert (ax0.get_xscale(), ax0.get_yscale()) == ("log", "log")
    assert ax0.get_ylabel() == "time (ms)" and ax1.get_ylabel() == "memory (MB)"
    assert ax0.get_xlabel().startswith("sequence length")
    labels = [t.get_text() for t in ax0.get_legend().get_texts()]
    assert labels == ["square (slope 2.00)", "linear (slope 1.00)"]
    np.testing.assert_allclose(ax0.lines[0].get_ydata(), n**2 / 1e3)
    np.testing.assert_allclose(ax0.lines[1].get_xdata(), n)


def test_the_slope_is_fitted_only_from_fit_from_on():
    n = np.array([1, 2, 4, 8, 16])
    y = np.where(n >= 4, n**2.0, 10.0)  # flat, then quadratic
    fig = plots.log_log_panels(n, {"y": {"a": y}}, fit_from=4)
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "a (slope 2.00)"
    fig = plots.log_log_panels(n, {"y": {"a": y}})
    assert fig.axes[0].get_legend().get_texts()[0].get_text() != "a (slope 2.00)"


def test_layer_costs_draws_every_layer_of_the_shipped_measurement():
    m = cost.load_measurement("attention_cost")
    fig = plots.layer_costs(m)
    time_ax, mem_ax = fig.axes
    assert len(time_ax.lines) == len(m["layers"]) == len(mem_ax.lines)
    first = next(iter(m["layers"].values()))
    np.testing.assert_allclose(time_ax.lines[0].get_ydata(), np.asarray(first["seconds"]) * 1e3)
    np.testing.assert_allclose(mem_ax.lines[0].get_ydata(), np.asarray(first["peak_bytes"]) / 1e6)
    slope = cost.log_log_slope(m["fit_lengths"], first["seconds"][-len(m["fit_lengths"]):])
    assert time_ax.get_legend().get_texts()[0].get_text().endswith(f"(slope {slope:.2f})")


@pytest.mark.parametrize("args,kwargs,match", [
    (([1], {"y": {"a": [1]}}), {}, "at least two lengths"),
    (([1, 2], {}), {}, "at least one panel"),
    (([1, 2], {"y": {}}), {}, "at least one panel"),
    (([1, 2], {"y": {"a": [1, 2, 3]}}), {}, "3 values for 2 lengths"),
    (([1, 2], {"y": {"a": [1, 2]}}), {"fit_from": 2}, "fewer than two lengths"),
    (([1, 2], {"y": {"a": [0, 2]}}), {}, "positive values"),
])
def test_bad_input_gets_a_message(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plots.log_log_panels(*args, **kwargs)


def test_layer_costs_wants_the_measurement():
    with pytest.raises(ValueError, match="load_measurement"):
        plots.layer_costs({"lengths": [1, 2]})
