"""plots/gpt.py and the timing probe behind the KV-cache figure."""

import numpy as np
import pytest
import torch

from transformer_lib import plots
from transformer_lib.nn import GPT, GPTConfig
from transformer_lib.probes import generation_step_seconds


def test_kv_cache_timing_figure():
    fig = plots.kv_cache_timing(np.linspace(1e-3, 5e-3, 10), np.full(10, 1e-3), note="test")
    ax = fig.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel() == "milliseconds per token"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.linspace(1, 5, 10))
    with pytest.raises(ValueError, match="same length"):
        plots.kv_cache_timing([1, 2], [1])


def test_baseline_losses_figure():
    fig = plots.baseline_losses({"unigram": 2.8, "bigram": 1.8, "GPT": 0.5})
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["unigram", "bigram", "GPT"]
    with pytest.raises(ValueError, match="empty"):
        plots.baseline_losses({})


def test_generation_step_seconds():
    torch.manual_seed(0)
    m = GPT(GPTConfig(vocab_size=7, block_size=8, d_model=8, n_heads=2, n_layers=1, d_ff=16))
    for use_cache in (True, False):
        s = generation_step_seconds(m, 5, use_cache, repeat=1)
        assert s.shape == (5,) and (s > 0).all()
    with pytest.raises(ValueError, match="n_tokens must lie in 1..7"):
        generation_step_seconds(m, 8, True)
