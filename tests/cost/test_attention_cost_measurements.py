"""The shipped measurement of Table 1 (Vaswani et al. 2017) for chapter "The cost of attention":
transformer_lib/measurements/attention_cost.json, written by benchmarks/bench_attention_cost.py.
Its schema, its internal consistency (the slopes are those of its own numbers), and the shape the
chapter relies on: full self-attention grows ~n^2 in time and memory, the recurrent, convolutional
and restricted layers ~n; one sequential step per layer except the recurrent one's n; path length
1 for self-attention, growing with n for the others. Margins are wide: the numbers come from one
shared machine and are re-measured on others."""

from __future__ import annotations

import time

import numpy as np
import pytest

from transformer_lib import cost

KINDS = ["self-attention", "recurrent", "convolutional", "restricted"]


@pytest.fixture(scope="module")
def data():
    return cost.load_measurement("attention_cost")


def test_it_loads_fast_and_records_where_it_was_measured(data):
    t0 = time.perf_counter()
    cost.load_measurement("attention_cost")
    assert time.perf_counter() - t0 < 1.0
    assert set(data["machine"]) >= {"platform", "processor", "cpu_count", "python"}
    assert isinstance(data["torch"], str) and data["torch"]
    assert isinstance(data["threads"], int) and data["threads"] >= 1
    assert data["d"] > 0 and data["k"] >= 3 and data["r"] >= 2 and data["repeat"] >= 1


def test_schema(data):
    n, m = len(data["lengths"]), len(data["structure_lengths"])
    assert data["lengths"] == sorted(data["lengths"]) and n >= 4
    assert data["fit_lengths"] == data["lengths"][-len(data["fit_lengths"]):] and len(data["fit_lengths"]) >= 2
    assert list(data["layers"]) == KINDS
    for row in data["layers"].values():
        assert len(row["seconds"]) == len(row["peak_bytes"]) == len(row["paper_complexity"]) == n
        assert len(row["sequential_operations"]) == len(row["max_path_length"]) == m
        assert all(s > 0 for s in row["seconds"]) and all(b > 0 for b in row["peak_bytes"])


def test_the_slopes_are_fitted_to_the_numbers_in_the_file(data):
    k = len(data["fit_lengths"])
    for row in data["layers"].values():
        assert row["time_slope"] == pytest.approx(cost.log_log_slope(data["fit_lengths"], row["seconds"][-k:]))
        assert row["memory_slope"] == pytest.approx(cost.log_log_slope(data["fit_lengths"], row["peak_bytes"][-k:]))


def test_full_attention_is_quadratic_and_the_others_linear(data):
    layers = data["layers"]
    attn = layers["self-attention"]
    assert attn["time_slope"] > 1.6 and 1.7 < attn["memory_slope"] < 2.3
    for kind in ("recurrent", "convolutional", "restricted"):
        assert 0.5 < layers[kind]["time_slope"] < 1.4, kind
        assert 0.8 < layers[kind]["memory_slope"] < 1.2, kind
    # At the longest length, full attention costs the most memory by far.
    assert attn["peak_bytes"][-1] > 10 * max(layers[k]["peak_bytes"][-1] for k in ("recurrent", "convolutional", "restricted"))


def test_sequential_operations_and_path_lengths_are_table_1s(data):
    ns = np.array(data["structure_lengths"])
    layers = data["layers"]
    assert layers["recurrent"]["sequential_operations"] == ns.tolist()
    for kind in ("self-attention", "convolutional", "restricted"):
        assert layers[kind]["sequential_operations"] == [1] * len(ns)
    assert layers["self-attention"]["max_path_length"] == [1] * len(ns)
    for kind, kw in (("recurrent", {}), ("convolutional", {"k": data["k"]}), ("restricted", {"r": data["r"]})):
        assert layers[kind]["max_path_length"] == [cost.expected_path_length(kind, int(n), **kw) for n in ns]
        assert cost.log_log_slope(ns, layers[kind]["max_path_length"]) > 0.8  # O(n), O(n/k), O(n/r)


def test_a_missing_measurement_gets_a_message():
    with pytest.raises(ValueError, match="no measurement named 'nope'"):
        cost.load_measurement("nope")
