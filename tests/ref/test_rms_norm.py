"""RMSNorm in NumPy (chapter "The modern block"): equal to torch.nn.RMSNorm, eps included; where it
and LayerNorm differ."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from transformer_lib import ref


def _torch_rms(x, gamma, eps):
    m = torch.nn.RMSNorm(x.shape[-1], eps=eps, dtype=torch.float64 if x.dtype == np.float64 else torch.float32)
    with torch.no_grad():
        m.weight.copy_(torch.tensor(gamma))
    return m(torch.tensor(x)).detach().numpy()


@pytest.mark.parametrize("shape", [(4,), (2, 5, 8), (3, 7, 16)])
@pytest.mark.parametrize("eps", [None, 1e-6, 1e-2])
def test_ref_rms_norm_matches_torch_rms_norm(shape, eps):
    rng = np.random.default_rng(0)
    x, gamma = rng.standard_normal(shape) * 3 + 1, rng.standard_normal(shape[-1])
    np.testing.assert_allclose(ref.rms_norm(x, gamma, eps=eps), _torch_rms(x, gamma, eps), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_eps_none_means_the_dtypes_machine_epsilon_as_in_torch(dtype):
    # A tiny vector: its mean square (1e-16) is below float32's epsilon (1.2e-7), so eps decides the result.
    x = np.full((1, 4), 1e-8, dtype=dtype)
    gamma = np.ones(4, dtype=dtype)
    got = ref.rms_norm(x, gamma)
    np.testing.assert_allclose(got, _torch_rms(x, gamma, None), rtol=1e-5)
    np.testing.assert_allclose(got, x / np.sqrt(1e-16 + np.finfo(dtype).eps), rtol=1e-5)


def test_where_rms_norm_and_layer_norm_differ_a_vector_with_nonzero_mean():
    x = np.array([[[1.0, 2.0, 3.0, 4.0]]])  # mean 2.5, mean square 7.5, variance 1.25
    g = np.ones(4)
    # RMSNorm keeps the mean: x / sqrt(7.5)
    np.testing.assert_allclose(ref.rms_norm(x, g, eps=0.0)[0, 0], [0.36515, 0.73030, 1.09545, 1.46059], atol=5e-6)
    # LayerNorm removes it: (x - 2.5) / sqrt(1.25)
    np.testing.assert_allclose(ref.layer_norm(x, g, np.zeros(4), eps=0.0)[0, 0], [-1.34164, -0.44721, 0.44721, 1.34164],
                               atol=5e-6)
    # Centre the vector first and the two agree: for mean 0, mean square = variance.
    centred = x - x.mean()
    np.testing.assert_allclose(ref.rms_norm(centred, g, eps=0.0), ref.layer_norm(centred, g, np.zeros(4), eps=0.0),
                               rtol=1e-12)


def test_rms_norm_ignores_the_scale_of_the_input_but_not_its_mean():
    x = np.random.default_rng(1).standard_normal((2, 3, 6))
    g = np.random.default_rng(2).standard_normal(6)
    np.testing.assert_allclose(ref.rms_norm(7.0 * x, g, eps=0.0), ref.rms_norm(x, g, eps=0.0), rtol=1e-12)
    assert np.abs(ref.rms_norm(x + 3.0, g, eps=0.0) - ref.rms_norm(x, g, eps=0.0)).max() > 0.1


def test_bad_input_gets_clear_messages():
    with pytest.raises(ValueError, match=r"gamma must have shape \(D,\) = \(6,\)"):
        ref.rms_norm(np.zeros((2, 6)), np.ones(5))
    with pytest.raises(ValueError, match=r"\(\.\.\., D\)"):
        ref.rms_norm(np.float64(3.0), np.ones(1))
