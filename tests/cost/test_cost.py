"""The measuring tools of chapter "The cost of attention" (transformer_lib.cost): peak memory seen
by tracemalloc and by torch's profiler, the log-log slope, and Table 1's structural columns
(Vaswani et al. 2017) computed from each layer's connection pattern."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from transformer_lib import cost


def test_numpy_peak_bytes_sees_a_temporary_array_and_not_what_was_there_before():
    before = np.ones(2_000_000)  # 16 MB held before the call: not counted

    def f():
        tmp = np.ones(500_000)  # 4 MB, freed before returning
        return float(tmp.sum())

    result, peak = cost.numpy_peak_bytes(f)
    assert result == 500_000.0
    assert 4_000_000 <= peak < 5_000_000
    assert before.size  # still alive


def test_numpy_peak_bytes_inside_a_running_trace_counts_only_the_call_and_leaves_the_trace_running():
    import tracemalloc

    tracemalloc.start()
    try:
        held = np.ones(2_000_000)  # 16 MB traced before the call: not the call's
        result, peak = cost.numpy_peak_bytes(lambda: float(np.ones(500_000).sum()))
        assert result == 500_000.0 and 4_000_000 <= peak < 5_000_000
        assert tracemalloc.is_tracing() and held.size
    finally:
        tracemalloc.stop()


def test_torch_peak_bytes_counts_the_largest_simultaneous_allocation():
    def f(n):
        a = torch.ones(n)  # 4n bytes
        b = torch.ones(n)  # another 4n while a is alive
        del a, b
        c = torch.ones(n // 2)  # 2n: less than the peak
        return c

    result, peak = cost.torch_peak_bytes(f, 1_000_000)
    assert result.shape == (500_000,)
    assert 8_000_000 <= peak < 9_000_000


def test_log_log_slope_recovers_the_exponent():
    n = np.array([100, 200, 400, 800])
    assert cost.log_log_slope(n, 3.0 * n**2) == pytest.approx(2.0)
    assert cost.log_log_slope(n, 0.5 * n) == pytest.approx(1.0)
    assert cost.log_log_slope(n, n * np.log(n)) == pytest.approx(1.15, abs=0.05)
    with pytest.raises(ValueError, match="positive values"):
        cost.log_log_slope([1, 2], [0, 1])
    with pytest.raises(ValueError, match="same length >= 2"):
        cost.log_log_slope([1, 2, 3], [1, 2])


def test_fastest_cpu_seconds_interleaves_rounds_and_keeps_the_fastest():
    calls = []

    def busy(n):
        def run():
            calls.append(n)
            sum(range(n))  # CPU work, so the CPU clock moves
        return run

    best = cost.fastest_cpu_seconds({"small": busy(10), "large": busy(2_000_000)}, rounds=3)
    assert calls == [10, 2_000_000] * 4  # a warm-up round, then 3 rounds of every cell
    assert set(best) == {"small", "large"} and 0 <= best["small"] < best["large"]
    ticks = []
    cost.fastest_cpu_seconds({"a": lambda: None}, rounds=2, progress=lambda: ticks.append(1))
    assert len(ticks) == 3
    with pytest.raises(ValueError, match="rounds >= 1"):
        cost.fastest_cpu_seconds({"a": lambda: None}, rounds=0)


@pytest.mark.parametrize("kind", cost.LAYER_KINDS)
@pytest.mark.parametrize("n", [2, 9, 16, 40])
def test_path_length_and_sequential_operations_follow_table_1(kind, n):
    reads, waits = cost.layer_structure(kind, n, k=5, r=4)
    assert reads.shape == waits.shape == (n, n)
    assert cost.max_path_length(reads) == cost.expected_path_length(kind, n, k=5, r=4)
    assert cost.sequential_operations(waits) == (n if kind == "recurrent" else 1)


def test_max_path_length_on_small_graphs():
    assert cost.max_path_length(np.eye(4, dtype=bool)) == 0  # nothing connects two positions
    chain = np.eye(5, dtype=bool) | np.eye(5, k=-1, dtype=bool)
    assert cost.max_path_length(chain) == 4
    assert cost.max_path_length(np.ones((5, 5), bool)) == 1


def test_sequential_operations_rejects_a_wait_on_a_later_output():
    with pytest.raises(ValueError, match="may only point back"):
        cost.sequential_operations(np.eye(3, k=1, dtype=bool))
    assert cost.sequential_operations(np.eye(6, k=-2, dtype=bool)) == 3  # 0 <- 2 <- 4


def test_paper_complexity_is_table_1s_formula():
    n, d, k, r = 100, 8, 3, 5
    assert [cost.paper_complexity(kind, n, d, k=k, r=r) for kind in cost.LAYER_KINDS] == \
        [n * n * d, n * d * d, k * n * d * d, r * n * d]


@pytest.mark.parametrize("call,match", [
    (lambda: cost.layer_structure("lstm", 4), "unknown layer kind 'lstm'"),
    (lambda: cost.layer_structure("convolutional", 4, k=4), "odd kernel size k >= 3"),
    (lambda: cost.layer_structure("restricted", 4, r=1), "window r >= 2"),
    (lambda: cost.paper_complexity("lstm", 4, 2), "unknown layer kind 'lstm'"),
])
def test_bad_layer_arguments_get_a_message(call, match):
    with pytest.raises(ValueError, match=match):
        call()
