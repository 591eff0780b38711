"""Positional encoding in the NumPy reference (chapter "Positional encoding"): the table
against the paper's formula (section 3.5), its two layouts, the relative-position rotation
M_k, and the messages for bad input.

The torch tables and modules are tested in tests/nn/test_nn_positional.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transformer_lib import ref

LAYOUTS = ["interleaved", "concatenated"]


def test_table_matches_the_paper_formula():
    pe = ref.sinusoidal_positional_encoding(30, 12)
    for pos in (0, 1, 7, 29):
        for i in range(6):
            angle = pos / 10000 ** (2 * i / 12)
            assert pe[pos, 2 * i] == pytest.approx(np.sin(angle), abs=1e-15)
            assert pe[pos, 2 * i + 1] == pytest.approx(np.cos(angle), abs=1e-15)


@pytest.mark.parametrize("pos,i", [(0, 0), (1, 0), (7, 3), (19, 255), (13, 100)])
def test_paper_size_table_matches_the_formula_at_known_points(pos, i):
    """d_model = 512 as in the paper, up to its last pair (i = 255)."""
    pe = ref.sinusoidal_positional_encoding(20, 512)
    angle = pos / 10000 ** (2 * i / 512)
    assert pe[pos, 2 * i] == pytest.approx(math.sin(angle), abs=1e-12)
    assert pe[pos, 2 * i + 1] == pytest.approx(math.cos(angle), abs=1e-12)
    np.testing.assert_array_equal(pe[0, 0::2], 0.0)  # position 0: every sine 0, every cosine 1
    np.testing.assert_array_equal(pe[0, 1::2], 1.0)


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
