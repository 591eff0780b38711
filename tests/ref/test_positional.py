"""Positional encoding (chapter "Positional encoding"): the table, its two layouts, the
relative-position rotation M_k, the modules, and the messages for bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from transformer_lib import nn as tnn
from transformer_lib import ref

LAYOUTS = ["interleaved", "concatenated"]


def test_table_matches_the_paper_formula():
    pe = ref.sinusoidal_positional_encoding(30, 12)
    for pos in (0, 1, 7, 29):
        for i in range(6):
            angle = pos / 10000 ** (2 * i / 12)
            assert pe[pos, 2 * i] == pytest.approx(np.sin(angle), abs=1e-15)
            assert pe[pos, 2 * i + 1] == pytest.approx(np.cos(angle), abs=1e-15)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("max_len,d_model", [(1, 2), (20, 512), (37, 18)])
def test_numpy_and_torch_tables_agree(layout, max_len, d_model):
    np.testing.assert_allclose(tnn.sinusoidal_positional_encoding(max_len, d_model, layout).numpy(),
                               ref.sinusoidal_positional_encoding(max_len, d_model, layout), atol=1e-12)


def test_layouts_hold_the_same_numbers_in_another_column_order():
    a = ref.sinusoidal_positional_encoding(25, 16)
    b = ref.sinusoidal_positional_encoding(25, 16, layout="concatenated")
    order = np.r_[np.arange(0, 16, 2), np.arange(1, 16, 2)]
    np.testing.assert_array_equal(b, a[:, order])


def test_frequencies():
    w = ref.frequencies(8)
    np.testing.assert_allclose(w, [1.0, 10000 ** -0.25, 10000 ** -0.5, 10000 ** -0.75])


def test_dot_product_depends_only_on_the_offset():
    pe = ref.sinusoidal_positional_encoding(120, 64)
    for k in (0, 1, 5, 30):
        dots = np.einsum("pd,pd->p", pe[: 120 - k], pe[k:])
        np.testing.assert_allclose(dots, dots[0], atol=1e-9)
        assert dots[0] == pytest.approx(np.cos(k * ref.frequencies(64)).sum())


@settings(max_examples=40, deadline=None)
@given(k=st.integers(-60, 60), half=st.integers(1, 40), layout=st.sampled_from(LAYOUTS))
def test_rotation_maps_every_position_to_position_plus_k(k, half, layout):
    d = 2 * half
    n = 64
    pe = ref.sinusoidal_positional_encoding(n + 2 * 60, d, layout)
    M = ref.relative_position_matrix(k, d, layout)
    pos = np.arange(60, 60 + n)
    np.testing.assert_allclose(pe[pos] @ M.T, pe[pos + k], atol=1e-9)
    np.testing.assert_allclose(M @ M.T, np.eye(d), atol=1e-12)  # orthogonal


@pytest.mark.parametrize("layout", LAYOUTS)
def test_rotations_compose_and_invert(layout):
    M = {k: ref.relative_position_matrix(k, 32, layout) for k in (-3, 0, 2, 3, 5)}
    np.testing.assert_allclose(M[2] @ M[3], M[5], atol=1e-12)
    np.testing.assert_allclose(M[-3] @ M[3], np.eye(32), atol=1e-12)
    np.testing.assert_array_equal(M[0], np.eye(32))


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
def test_bad_table_arguments(bad, match):
    with pytest.raises(ValueError, match=match):
        ref.sinusoidal_positional_encoding(**bad)
    with pytest.raises(ValueError, match=match):
        tnn.sinusoidal_positional_encoding(**bad)


def test_bad_rotation_arguments():
    with pytest.raises(ValueError, match="positive even"):
        ref.relative_position_matrix(1, 5)
    with pytest.raises(ValueError, match="integer"):
        ref.relative_position_matrix(1.5, 8)
    with pytest.raises(ValueError, match="layout"):
        tnn.relative_position_matrix(1, 8, layout="x")
