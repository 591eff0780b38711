"""SwiGLU feed-forward (chapter "The modern block"): the reference, the module and torch's SiLU agree;
the hidden width that matches a 4 x D ReLU FFN's parameter count."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from transformer_lib import nn as tnn
from transformer_lib import ref


def _weights(rng, D, d_ff):
    return rng.standard_normal((D, d_ff)) / 3, rng.standard_normal((D, d_ff)) / 3, rng.standard_normal((d_ff, D)) / 3


@pytest.mark.parametrize("shape,d_ff", [((1, 1, 4), 8), ((2, 5, 8), 21), ((3, 16), 43)])
def test_ref_swiglu_matches_torch_silu(shape, d_ff):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) * 2
    W, V, W_2 = _weights(rng, shape[-1], d_ff)
    t = [torch.tensor(a) for a in (x, W, V, W_2)]
    want = (F.silu(t[0] @ t[1]) * (t[0] @ t[2])) @ t[3]
    np.testing.assert_allclose(ref.swiglu_feed_forward(x, W, V, W_2), want.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("d_ff", [None, 30])
def test_nn_swiglu_equals_ref_in_float64(d_ff):
    torch.manual_seed(0)
    m = tnn.SwiGLU(12, d_ff).double()
    x = torch.randn(2, 5, 12, dtype=torch.float64)
    W, V, W_2 = (getattr(m, n).weight.detach().numpy().T for n in ("W", "V", "W_2"))  # (D_out, D_in) -> (D_in, D_out)
    np.testing.assert_allclose(m(x).detach().numpy(), ref.swiglu_feed_forward(x.numpy(), W, V, W_2), rtol=1e-10, atol=1e-12)
    assert m.d_ff == (32 if d_ff is None else 30)  # 8 * 12 / 3 = 32 exactly


def test_swiglu_acts_on_every_position_alone():
    torch.manual_seed(1)
    m = tnn.SwiGLU(8)
    x = torch.randn(1, 6, 8)
    perm = torch.randperm(6)
    torch.testing.assert_close(m(x[:, perm]), m(x)[:, perm])


@pytest.mark.parametrize("D", [1, 2, 3, 4, 5, 6, 7, 64, 96, 100, 512, 768, 4096])
def test_hidden_width_matches_a_relu_ffn_parameter_count_within_the_rounding(D):
    h = ref.swiglu_hidden_width(D)
    assert abs(h - 8 * D / 3) <= 0.5  # the nearest integer to 2/3 x 4D
    relu = torch.nn.Sequential(torch.nn.Linear(D, 4 * D, bias=False), torch.nn.Linear(4 * D, D, bias=False))
    n_relu = sum(p.numel() for p in relu.parameters())  # 8 D^2
    n_swiglu = sum(p.numel() for p in tnn.SwiGLU(D).parameters())  # 3 D h
    assert abs(n_swiglu - n_relu) <= 3 * D / 2


@pytest.mark.parametrize("D,m", [(4096, 256), (768, 64), (100, 8), (10, 16)])
def test_hidden_width_rounds_to_the_nearest_multiple(D, m):
    h = ref.swiglu_hidden_width(D, multiple_of=m)
    assert h % m == 0 and h >= m
    if 8 * D / 3 >= m / 2:
        assert abs(h - 8 * D / 3) <= m / 2
        assert abs(3 * D * h - 8 * D * D) <= 3 * D * m / 2


def test_known_widths():
    assert [ref.swiglu_hidden_width(D) for D in (3, 4, 64, 4096)] == [8, 11, 171, 10923]
    assert ref.swiglu_hidden_width(4096, multiple_of=256) == 11008  # 10922.7 -> 43 x 256, LLaMA 7B's width too
    assert ref.swiglu_hidden_width(100, multiple_of=8) == 264  # 266.7 -> 33 x 8 (rounding up would give 272)


def test_bad_input_gets_clear_messages():
    rng = np.random.default_rng(0)
    W, V, W_2 = _weights(rng, 4, 8)
    with pytest.raises(ValueError, match=r"expected W and V \(d_model, d_ff\)"):
        ref.swiglu_feed_forward(np.zeros((2, 5)), W, V, W_2)
    with pytest.raises(ValueError, match=r"expected W and V"):
        ref.swiglu_feed_forward(np.zeros((2, 4)), W, V[:, :7], W_2)
    with pytest.raises(ValueError, match="d_model must be a positive integer"):
        ref.swiglu_hidden_width(0)
    with pytest.raises(ValueError, match="multiple_of must be a positive integer"):
        ref.swiglu_hidden_width(8, multiple_of=2.5)
    with pytest.raises(ValueError, match="d_model=8"):
        tnn.SwiGLU(8)(torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match="d_ff must be a positive integer"):
        tnn.SwiGLU(8, d_ff=0)
