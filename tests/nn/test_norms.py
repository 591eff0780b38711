"""LayerNorm and BatchNorm: the NumPy reference, the from-scratch module and torch agree."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from transformer_lib import nn as tnn
from transformer_lib import ref

SHAPES = [(1, 1, 4), (2, 5, 8), (3, 7, 16)]


def _params(rng, D):
    return rng.standard_normal(D), rng.standard_normal(D)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("eps", [1e-5, 1e-3])
def test_ref_layer_norm_matches_torch_layer_norm(shape, eps):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) * 3 + 1
    gamma, beta = _params(rng, shape[-1])
    ln = torch.nn.LayerNorm(shape[-1], eps=eps).double()
    with torch.no_grad():
        ln.weight.copy_(torch.tensor(gamma))
        ln.bias.copy_(torch.tensor(beta))
    expected = ln(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ref.layer_norm(x, gamma, beta, eps=eps), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("eps", [1e-5, 1e-3])
def test_nn_layer_norm_matches_torch_with_copied_weights(shape, eps):
    torch.manual_seed(0)
    x = torch.randn(shape, dtype=torch.float64) * 2 - 1
    mine = tnn.LayerNorm(shape[-1], eps=eps).double()
    theirs = torch.nn.LayerNorm(shape[-1], eps=eps).double()
    with torch.no_grad():
        mine.weight.copy_(torch.randn(shape[-1]))
        mine.bias.copy_(torch.randn(shape[-1]))
    theirs.load_state_dict(mine.state_dict())  # same names: weight, bias
    torch.testing.assert_close(mine(x), theirs(x), rtol=1e-10, atol=1e-12)
    # gradients agree too
    xa = x.clone().requires_grad_(True)
    xb = x.clone().requires_grad_(True)
    (mine(xa) ** 2).sum().backward()
    (theirs(xb) ** 2).sum().backward()
    torch.testing.assert_close(xa.grad, xb.grad, rtol=1e-9, atol=1e-11)
    torch.testing.assert_close(mine.weight.grad, theirs.weight.grad, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("shape", SHAPES[1:])
def test_ref_batch_norm_matches_torch_batchnorm1d_in_training_mode(shape):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape) * 2 + 0.5
    gamma, beta = _params(rng, shape[-1])
    bn = torch.nn.BatchNorm1d(shape[-1], eps=1e-5).double().train()
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(gamma))
        bn.bias.copy_(torch.tensor(beta))
    # BatchNorm1d wants (B, C, L): features on axis 1
    expected = bn(torch.tensor(x).transpose(1, 2)).transpose(1, 2).detach().numpy()  # (B, D, T) -> (B, T, D)
    np.testing.assert_allclose(ref.batch_norm(x, gamma, beta), expected, rtol=1e-10, atol=1e-12)


def test_nn_layer_norm_equals_ref():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 6))
    ln = tnn.LayerNorm(6).double()
    with torch.no_grad():
        ln.weight.copy_(torch.tensor(rng.standard_normal(6)))
        ln.bias.copy_(torch.tensor(rng.standard_normal(6)))
    np.testing.assert_allclose(ln(torch.tensor(x)).detach().numpy(),
                               ref.layer_norm(x, ln.weight.detach().numpy(), ln.bias.detach().numpy()), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(B=st.integers(1, 4), T=st.integers(1, 6), D=st.integers(2, 10), seed=st.integers(0, 10_000))
def test_layer_norm_output_has_zero_mean_unit_variance_per_token(B, T, D, seed):
    x = np.random.default_rng(seed).standard_normal((B, T, D)) * 5 + 3
    y = ref.layer_norm(x, np.ones(D), np.zeros(D), eps=0.0)
    np.testing.assert_allclose(y.mean(-1), 0.0, atol=1e-9)
    np.testing.assert_allclose(y.var(-1), 1.0, rtol=1e-7)


@settings(max_examples=40, deadline=None)
@given(B=st.integers(2, 4), T=st.integers(1, 6), D=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_batch_norm_output_has_zero_mean_unit_variance_per_feature(B, T, D, seed):
    x = np.random.default_rng(seed).standard_normal((B, T, D)) * 5 + 3
    y = ref.batch_norm(x, np.ones(D), np.zeros(D), eps=0.0)
    np.testing.assert_allclose(y.mean((0, 1)), 0.0, atol=1e-9)
    np.testing.assert_allclose(y.var((0, 1)), 1.0, rtol=1e-7)


def test_layer_norm_ignores_the_rest_of_the_batch_but_batch_norm_does_not():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((1, 4, 6))
    others = [rng.standard_normal((3, 4, 6)) * s for s in (1.0, 10.0)]
    g, b = np.ones(6), np.zeros(6)
    ln = [ref.layer_norm(np.concatenate([a, o]), g, b)[0] for o in others]
    bn = [ref.batch_norm(np.concatenate([a, o]), g, b)[0] for o in others]
    np.testing.assert_allclose(ln[0], ln[1])
    assert np.abs(bn[0] - bn[1]).max() > 0.1


def test_padding_changes_batch_norm_statistics_but_not_layer_norm():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 5, 6)) + 2
    padded = np.concatenate([x, np.zeros((2, 7, 6))], axis=1)  # 7 zero pad vectors per sequence
    g, b = np.ones(6), np.zeros(6)
    np.testing.assert_allclose(ref.layer_norm(padded, g, b)[:, :5], ref.layer_norm(x, g, b))
    assert np.abs(ref.batch_norm(padded, g, b)[:, :5] - ref.batch_norm(x, g, b)).max() > 0.5


@pytest.mark.parametrize("fn", [ref.layer_norm, ref.batch_norm])
def test_bad_shapes_get_clear_messages(fn):
    with pytest.raises(ValueError, match=r"\(B, T, D\)"):
        fn(np.zeros((4, 6)), np.ones(6), np.zeros(6))
    with pytest.raises(ValueError, match=r"gamma must have shape \(D,\) = \(6,\)"):
        fn(np.zeros((2, 4, 6)), np.ones(5), np.zeros(6))
    with pytest.raises(ValueError, match="beta must have shape"):
        fn(np.zeros((2, 4, 6)), np.ones(6), np.zeros((1, 6)))


def test_nn_layer_norm_bad_input():
    ln = tnn.LayerNorm(8)
    with pytest.raises(ValueError, match="last axis to be d_model=8"):
        ln(torch.zeros(2, 3, 7))
    with pytest.raises(ValueError, match="positive integer"):
        tnn.LayerNorm(0)


# ---------------------------------------------------------------- RMSNorm (chapter "The modern block")
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("eps", [None, 1e-5])
def test_nn_rms_norm_matches_torch_rms_norm_with_copied_weights(shape, eps):
    torch.manual_seed(0)
    x = torch.randn(shape, dtype=torch.float64) * 2 - 1
    mine = tnn.RMSNorm(shape[-1], eps=eps).double()
    theirs = torch.nn.RMSNorm(shape[-1], eps=eps).double()
    with torch.no_grad():
        mine.weight.copy_(torch.randn(shape[-1]))
    theirs.load_state_dict(mine.state_dict())  # same name: weight
    torch.testing.assert_close(mine(x), theirs(x), rtol=1e-10, atol=1e-12)
    xa, xb = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    (mine(xa) ** 2).sum().backward()
    (theirs(xb) ** 2).sum().backward()
    torch.testing.assert_close(xa.grad, xb.grad, rtol=1e-9, atol=1e-11)
    torch.testing.assert_close(mine.weight.grad, theirs.weight.grad, rtol=1e-9, atol=1e-11)


def test_nn_rms_norm_eps_none_is_the_dtypes_epsilon_in_float32_too():
    x = torch.full((2, 4), 1e-6, dtype=torch.float32)  # mean square 1e-12, far below eps = 1.2e-7
    torch.testing.assert_close(tnn.RMSNorm(4)(x), torch.nn.RMSNorm(4)(x))


def test_nn_rms_norm_equals_ref():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 6)) + 1
    m = tnn.RMSNorm(6, eps=1e-6).double()
    with torch.no_grad():
        m.weight.copy_(torch.tensor(rng.standard_normal(6)))
    np.testing.assert_allclose(m(torch.tensor(x)).detach().numpy(),
                               ref.rms_norm(x, m.weight.detach().numpy(), eps=1e-6), rtol=1e-12)


def test_nn_rms_norm_bad_input():
    with pytest.raises(ValueError, match="last axis to be d_model=8"):
        tnn.RMSNorm(8)(torch.zeros(2, 3, 7))
    with pytest.raises(ValueError, match="positive integer"):
        tnn.RMSNorm(0)
    with pytest.raises(ValueError, match="eps must be None"):
        tnn.RMSNorm(8, eps=-1.0)
