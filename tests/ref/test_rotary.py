"""RoPE in NumPy (chapter "The modern block"): relative scores, the rotate-half pairing, base 10000."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transformer_lib import ref


def _at(vec, m, base=10000.0):
    """The vector ``vec`` (Dh,) rotated as if it sat at position m."""
    return ref.apply_rotary(np.asarray(vec)[None, :], positions=[m], base=base)[0]


def test_frequencies_follow_the_paper_with_base_10000():
    np.testing.assert_allclose(ref.rotary_frequencies(8), [1.0, 0.1, 0.01, 0.001], rtol=1e-12)
    np.testing.assert_allclose(ref.rotary_frequencies(4, base=100.0), [1.0, 0.1], rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(m=st.integers(0, 300), n=st.integers(0, 300), shift=st.integers(-200, 200), seed=st.integers(0, 1000),
       half=st.integers(1, 8))
def test_score_between_positions_m_and_n_depends_only_on_m_minus_n(m, n, shift, seed, half):
    rng = np.random.default_rng(seed)
    q, k = rng.standard_normal(2 * half), rng.standard_normal(2 * half)
    a = _at(q, m) @ _at(k, n)
    b = _at(q, m + shift) @ _at(k, n + shift)
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


def test_the_score_does_change_with_the_distance():
    rng = np.random.default_rng(0)
    q, k = rng.standard_normal(8), rng.standard_normal(8)
    scores = [_at(q, d) @ _at(k, 0) for d in range(6)]
    assert np.ptp(scores) > 0.1  # else the test above would pass for an identity map too


def test_position_zero_is_the_identity_and_lengths_are_kept():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 7, 8))  # (B, H, T, Dh)
    y = ref.apply_rotary(x)
    np.testing.assert_allclose(y[..., 0, :], x[..., 0, :])
    np.testing.assert_allclose(np.linalg.norm(y, axis=-1), np.linalg.norm(x, axis=-1), rtol=1e-12)


def test_rotate_half_pairs_feature_i_with_feature_i_plus_half():
    # Dh = 4: theta = (1, 10000^(-1/2) = 0.01). Feature 0 turns into feature 2 at 1 rad per position,
    # feature 1 into feature 3 at 0.01 rad per position.
    c, s = np.cos(1.0), np.sin(1.0)  # 0.5403, 0.8415
    np.testing.assert_allclose(_at([1, 0, 0, 0], 1), [c, 0, s, 0], atol=1e-15)
    np.testing.assert_allclose(_at([0, 1, 0, 0], 100), [0, c, 0, s], atol=1e-12)
    np.testing.assert_allclose(_at([0, 0, 1, 0], 1), [-s, 0, c, 0], atol=1e-15)


def test_rotate_half_is_the_papers_interleaved_rotation_on_permuted_features():
    """The RoFormer paper's block-diagonal R (pairs (2i, 2i+1)) equals rotate-half up to a permutation."""
    Dh, m = 8, 5
    theta = 10000.0 ** (-2 * np.arange(Dh // 2) / Dh)
    R = np.zeros((Dh, Dh))
    for i, t in enumerate(theta):
        c, s = np.cos(m * t), np.sin(m * t)
        R[2 * i: 2 * i + 2, 2 * i: 2 * i + 2] = [[c, -s], [s, c]]
    to_half = np.r_[0:Dh:2, 1:Dh:2]  # interleaved (x0, y0, x1, y1, ...) -> rotate-half (x0, x1, ..., y0, y1, ...)
    x = np.random.default_rng(2).standard_normal(Dh)
    np.testing.assert_allclose(_at(x[to_half], m), (R @ x)[to_half], rtol=1e-12, atol=1e-14)


def test_default_positions_are_0_to_T_minus_1():
    x = np.random.default_rng(3).standard_normal((5, 6))
    np.testing.assert_allclose(ref.apply_rotary(x), ref.apply_rotary(x, positions=np.arange(5)))
    np.testing.assert_allclose(ref.apply_rotary(x[2:]), ref.apply_rotary(x[2:], positions=[0, 1, 2]))
    assert not np.allclose(ref.apply_rotary(x)[2:], ref.apply_rotary(x[2:]))


def test_bad_input_gets_clear_messages():
    with pytest.raises(ValueError, match="d_head must be a positive even number, got 5"):
        ref.apply_rotary(np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"positions must have shape \(T,\) = \(3,\)"):
        ref.apply_rotary(np.zeros((3, 4)), positions=[0, 1])
    with pytest.raises(ValueError, match=r"\(\.\.\., T, Dh\)"):
        ref.apply_rotary(np.zeros(4))
    with pytest.raises(ValueError, match="base must be a number > 1"):
        ref.rotary_frequencies(4, base=1.0)
