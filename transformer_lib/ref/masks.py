"""Masks, True = may attend (chapter "Masking")."""

from __future__ import annotations

import numpy as np


def causal_mask(T: int):
    """The look-ahead mask: position t may attend to positions 0..t. Returns bool (T, T).

    ``causal_mask(3)`` is::

        [[ True, False, False],
         [ True,  True, False],
         [ True,  True,  True]]
    """
    if int(T) != T or T < 1:
        raise ValueError(f"causal_mask needs a positive length T, got {T!r}")
    return np.tril(np.ones((int(T), int(T)), dtype=bool))


def padding_mask(lengths, S: int):
    """Padding mask: key s of sequence b may be attended to iff s < lengths[b].

    Args:
        lengths: (B,) true lengths of the sequences, each in 0..S.
        S: padded length.

    Returns:
        bool (B, 1, S): broadcasts over the T queries (and, after a further axis, the heads).
    """
    lengths = np.asarray(lengths)
    if lengths.ndim != 1:
        raise ValueError(f"lengths must be a 1-D array (B,), got shape {lengths.shape}")
    if np.any(lengths < 0) or np.any(lengths > S):
        raise ValueError(f"every length must lie in 0..S={S}, got {lengths.tolist()}")
    return (np.arange(S)[None, :] < lengths[:, None])[:, None, :]  # (B, 1, S)
