"""Masks, True = may attend (chapter "Masking").

Every mask broadcasts to the attention scores' shape (B, H, T, S): the causal mask is
(T, T), a padding mask is (B, 1, 1, S) -- one row of keys per sequence, the same for
every head and every query.

The model families of chapter "One block, three families" differ only in these masks:
BERT's encoder is :func:`full_mask` (bidirectional), GPT is :func:`causal_mask`, T5 is a
bidirectional encoder, a causal decoder and :func:`full_mask` (T, S) cross-attention, and a
prefix LM is :func:`prefix_lm_mask`.
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


def _check_length(name: str, T, what: str = "T") -> int:
    if isinstance(T, bool) or int(T) != T or T < 1:
        raise ValueError(f"{name} needs a positive length {what}, got {T!r}")
    return int(T)


def full_mask(T: int, S: int | None = None):
    """No restriction: every query may attend to every key. Returns bool (T, S), all True.

    The bidirectional self-attention of an encoder (BERT; ``S`` = ``T``, the default) and the
    cross-attention of an encoder-decoder (T5: T decoder queries, S encoder keys).
    """
    T = _check_length("full_mask", T)
    S = T if S is None else _check_length("full_mask", S, "S")
    return np.ones((T, S), dtype=bool)


def prefix_lm_mask(prefix_len: int, T: int):
    """Prefix-LM mask: the first ``prefix_len`` positions see each other both ways, the rest causally.

    Query t may attend to key s iff s <= t (causal) or s < prefix_len (the prefix, visible to
    every query). ``prefix_lm_mask(0, T)`` is :func:`causal_mask`, ``prefix_lm_mask(T, T)`` is
    :func:`full_mask`. Returns bool (T, T).

    ``prefix_lm_mask(2, 4)`` is::

        [[ True,  True, False, False],
         [ True,  True, False, False],
         [ True,  True,  True, False],
         [ True,  True,  True,  True]]
    """
    T = _check_length("prefix_lm_mask", T)
    if isinstance(prefix_len, bool) or int(prefix_len) != prefix_len or not 0 <= prefix_len <= T:
        raise ValueError(f"prefix_lm_mask needs a prefix length in 0..T={T}, got {prefix_len!r}")
    keys = np.arange(T)
    return (keys[None, :] <= keys[:, None]) | (keys[None, :] < int(prefix_len))  # (T, T)


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
