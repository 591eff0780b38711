"""Positional encoding as torch tables and modules (chapter "Positional encoding"): equal to
the NumPy reference (tests/ref/test_positional.py holds the reference to the paper), the
modules, and the messages for bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from transformer_lib import nn as tnn
from transformer_lib import ref

LAYOUTS = ["interleaved", "concatenated"]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("max_len,d_model", [(1, 2), (20, 512), (37, 18)])
def test_numpy_and_torch_tables_agree(layout, max_len, d_model):
    np.testing.assert_allclose(tnn.sinusoidal_positional_encoding(max_len, d_model, layout).numpy(),
                               ref.sinusoidal_positional_encoding(max_len, d_model, layout), atol=1e-12)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("k", [-7, 0, 1, 4])
def test_rotation_numpy_and_torch_agree(layout, k):
    np.testing.assert_allclose(tnn.relative_position_matrix(k, 24, layout).numpy(),
                               ref.relative_position_matrix(k, 24, layout), atol=1e-14)


def test_sinusoidal_module_adds_the_table():
    m = tnn.SinusoidalPositionalEncoding(d_model=8, max_len=10)
    x = torch.randn(2, 6, 8)
    torch.testing.assert_close(m(x), x + torch.from_numpy(ref.sinusoidal_positional_encoding(6, 8)).float())


def test_learned_module_adds_its_rows():
    m = tnn.LearnedPositionalEmbedding(d_model=8, max_len=10)
    x = torch.randn(2, 6, 8)
    torch.testing.assert_close(m(x), x + m.table.weight[:6])
    (m(x).sum()).backward()
    assert m.table.weight.grad is not None and m.table.weight.grad[6:].abs().sum() == 0  # unused rows get no gradient


@pytest.mark.parametrize("module", [tnn.LearnedPositionalEmbedding(8, 5), tnn.SinusoidalPositionalEncoding(8, 5)])
def test_too_long_sequence_gets_a_message(module):
    with pytest.raises(ValueError, match="longer than max_len=5"):
        module(torch.zeros(1, 6, 8))


@pytest.mark.parametrize("bad,match", [
    (dict(max_len=10, d_model=7), "positive even"),
    (dict(max_len=10, d_model=0), "positive even"),
    (dict(max_len=0, d_model=8), "max_len must be a positive integer"),
    (dict(max_len=10, d_model=8, layout="stacked"), "layout must be"),
])
@pytest.mark.parametrize("impl", [ref, tnn], ids=["ref", "nn"])
def test_bad_table_arguments(impl, bad, match):
    """The reference and the module reject the same arguments with the same messages."""
    with pytest.raises(ValueError, match=match):
        impl.sinusoidal_positional_encoding(**bad)


@pytest.mark.parametrize("bad,match", [
    (dict(k=1, d_model=5), "positive even"),
    (dict(k=1.5, d_model=8), r"the offset k must be an integer, got 1.5"),
    (dict(k=1, d_model=8, layout="x"), "layout must be"),
])
@pytest.mark.parametrize("impl", [ref, tnn], ids=["ref", "nn"])
def test_bad_rotation_arguments(impl, bad, match):
    """The reference and the module reject the same arguments with the same messages."""
    with pytest.raises(ValueError, match=match):
        impl.relative_position_matrix(**bad)
