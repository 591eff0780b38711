"""Masks, True = may attend (chapter "Masking").

Every mask broadcasts to the attention scores' shape (B, H, T, S): the causal mask is
(T, T), a padding mask is (B, 1, 1, S) -- one row of keys per sequence, the same for
every head and every query.
"""

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
        bool (B, 1, 1, S): broadcasts over the H heads and the T queries.
    """
    lengths = np.asarray(lengths)
    if lengths.ndim != 1:
        raise ValueError(f"lengths must be a 1-D array (B,), got shape {lengths.shape}")
    if np.any(lengths < 0) or np.any(lengths > S):
        raise ValueError(f"every length must lie in 0..S={S}, got {lengths.tolist()}")
    return (np.arange(S)[None, :] < lengths[:, None])[:, None, None, :]  # (B, S) -> (B, 1, 1, S)


def padding_mask_from_ids(ids, pad_id: int):
    """Padding mask from token ids: key s of sequence b may be attended to iff ids[b, s] != pad_id.

    Unlike :func:`padding_mask`, padding may sit anywhere (not only at the end).

    Args:
        ids: (B, S) integer token ids.
        pad_id: the id of ``<pad>``.

    Returns:
        bool (B, 1, 1, S), as :func:`padding_mask`.
    """
    ids = np.asarray(ids)
    if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a 2-D array of integer token ids (B, S), got shape {ids.shape} of dtype {ids.dtype}")
    return (ids != pad_id)[:, None, None, :]  # (B, S) -> (B, 1, 1, S)
