"""Sinusoidal positional encoding against the paper's formula (section 3.5), both layouts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from transformer_lib import nn as tnn
from transformer_lib import ref


@pytest.mark.parametrize("pos,i", [(0, 0), (1, 0), (7, 3), (19, 255), (13, 100)])
def test_interleaved_matches_formula_at_known_points(pos, i):
    pe = ref.sinusoidal_positional_encoding(20, 512)
    angle = pos / 10000 ** (2 * i / 512)
    assert pe[pos, 2 * i] == pytest.approx(math.sin(angle), abs=1e-12)
    assert pe[pos, 2 * i + 1] == pytest.approx(math.cos(angle), abs=1e-12)


def test_known_values_and_concatenated_layout():
    pe = ref.sinusoidal_positional_encoding(20, 512)
    np.testing.assert_allclose(pe[0, 0::2], 0.0)
    np.testing.assert_allclose(pe[0, 1::2], 1.0)
    assert pe[1, 0] == pytest.approx(math.sin(1.0))
    cat = ref.sinusoidal_positional_encoding(20, 512, layout="concatenated")
    np.testing.assert_array_equal(cat[:, :256], pe[:, 0::2])
    np.testing.assert_array_equal(cat[:, 256:], pe[:, 1::2])


def test_torch_table_equals_reference():
    np.testing.assert_allclose(tnn.sinusoidal_positional_encoding(50, 64).numpy(),
                               ref.sinusoidal_positional_encoding(50, 64), atol=1e-12)


def test_bad_arguments():
    with pytest.raises(ValueError, match="even"):
        ref.sinusoidal_positional_encoding(10, 7)
    with pytest.raises(ValueError, match="layout"):
        ref.sinusoidal_positional_encoding(10, 8, layout="diagonal")
