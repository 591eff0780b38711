"""The shipped measurement of block-sparse against dense attention (chapter "The cost of attention"):
transformer_lib/measurements/sparse_attention.json, written by benchmarks/bench_sparse_attention.py.
Its schema, and what the chapter's prose says about it: the three ways agree, block-sparse keeps a
shrinking share of the pairs, grows about linearly while the dense ways grow about quadratically,
and saves more the longer the sequence. Margins are wide: one shared machine measured these."""

from __future__ import annotations

import numpy as np
import pytest

from transformer_lib import cost

WAYS = ["dense+mask", "torch sdpa+mask", "block-sparse"]


@pytest.fixture(scope="module")
def data():
    return cost.load_measurement("sparse_attention")


def test_schema_and_where_it_was_measured(data):
    n = len(data["lengths"])
    assert n >= 3 and data["lengths"] == sorted(data["lengths"])
    assert all(t % data["block_size"] == 0 for t in data["lengths"])
    assert set(data["machine"]) >= {"platform", "processor", "cpu_count", "python"} and data["torch"]
    assert list(data["ways"]) == WAYS
    for way in WAYS:
        assert len(data["ways"][way]["seconds"]) == n and len(data["ways"][way]["peak_bytes"]) == n
        assert all(s > 0 for s in data["ways"][way]["seconds"]) and all(b > 0 for b in data["ways"][way]["peak_bytes"])
    assert len(data["kept_fraction"]) == n and len(data["max_abs_diff"]) == n


def test_the_three_ways_agree_and_the_kept_share_shrinks(data):
    assert max(data["max_abs_diff"]) < 1e-5  # float32
    kept = data["kept_fraction"]
    assert all(0 < b < a <= 1 for a, b in zip(kept, kept[1:]))


def test_block_sparse_grows_about_linearly_and_dense_about_quadratically(data):
    n = np.array(data["lengths"], float)
    slope = {way: {k: cost.log_log_slope(n[-3:], np.array(data["ways"][way][k][-3:], float))
                   for k in ("seconds", "peak_bytes")} for way in WAYS}
    assert slope["dense+mask"]["peak_bytes"] > 1.7 and slope["dense+mask"]["seconds"] > 1.6
    assert slope["block-sparse"]["peak_bytes"] < 1.4 and slope["block-sparse"]["seconds"] < 1.5


def test_skipping_saves_more_the_longer_the_sequence(data):
    dense, sparse = data["ways"]["dense+mask"], data["ways"]["block-sparse"]
    mem = [d / s for d, s in zip(dense["peak_bytes"], sparse["peak_bytes"])]
    time_ = [d / s for d, s in zip(dense["seconds"], sparse["seconds"])]
    assert mem[-1] > 4 and time_[-1] > 4
    assert mem[-1] > mem[0] and time_[-1] > time_[0]
