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

from transformer_lib._checks import check_blocks, check_count, check_length, check_positive


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


def full_mask(T: int, S: int | None = None):
    """No restriction: every query may attend to every key. Returns bool (T, S), all True.

    The bidirectional self-attention of an encoder (BERT; ``S`` = ``T``, the default) and the
    cross-attention of an encoder-decoder (T5: T decoder queries, S encoder keys).
    """
    T = check_length("full_mask", T)
    S = T if S is None else check_length("full_mask", S, "S")
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
    T = check_length("prefix_lm_mask", T)
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


# ------------------------------------------------ sparse patterns (chapter "The cost of attention")
# Full attention scores every one of the T x S pairs (Vaswani et al. 2017, Table 1: O(n^2 d) per
# layer). The masks below keep O(n) of them; they are the patterns of the Sparse Transformer (Child
# et al. 2019: strided/dilated), Longformer (Beltagy et al. 2020: sliding window + global tokens)
# and BigBird (Zaheer et al. 2020: window + global + random blocks). As masks they only say WHICH
# pairs are kept; nn.sparse computes attention on those pairs alone.


def dilated_mask(T: int, window: int, dilation: int = 1, causal: bool = False):
    """Dilated (strided) local mask: query t may attend to key s iff t - s is a multiple of
    ``dilation`` and |t - s| < ``window * dilation`` (only s <= t if ``causal``).

    Each query sees ``window`` keys on each side (itself counted once), ``dilation`` apart, so a
    row holds at most ``2 * window - 1`` keys (``window`` if causal) whatever T is. Stacked layers
    with growing dilation reach far with few keys (Child et al. 2019, "strided" pattern; Beltagy
    et al. 2020, dilated sliding window). ``dilation=1`` is :func:`sliding_window_mask`.
    Chapter "The cost of attention". Returns bool (T, T).

    ``dilated_mask(5, 2, 2)`` is::

        [[ True, False,  True, False, False],
         [False,  True, False,  True, False],
         [ True, False,  True, False,  True],
         [False,  True, False,  True, False],
         [False, False,  True, False,  True]]
    """
    T = check_length("dilated_mask", T)
    window = check_positive("dilated_mask", "window", window)
    dilation = check_positive("dilated_mask", "dilation", dilation)
    pos = np.arange(T)
    gap = pos[:, None] - pos[None, :]  # (T, S): t - s
    keep = (np.abs(gap) < window * dilation) & (gap % dilation == 0)
    return keep & (gap >= 0) if causal else keep


def sliding_window_mask(T: int, window: int, causal: bool = False):
    """Sliding-window (local) mask: query t may attend to key s iff |t - s| < ``window``
    (and s <= t if ``causal``).

    Every row keeps at most ``2 * window - 1`` keys (``window`` if causal), so attention costs
    O(T * window) instead of O(T^2): the "restricted self-attention" of Vaswani et al. 2017
    (Table 1) and Longformer's local attention (Beltagy et al. 2020). ``window=1`` lets each
    token see only itself; ``window >= T`` is :func:`full_mask` (:func:`causal_mask` if causal).
    Chapter "The cost of attention". Returns bool (T, T).

    ``sliding_window_mask(4, 2)`` is::

        [[ True,  True, False, False],
         [ True,  True,  True, False],
         [False,  True,  True,  True],
         [False, False,  True,  True]]
    """
    T = check_length("sliding_window_mask", T)
    window = check_positive("sliding_window_mask", "window", window)
    return dilated_mask(T, window, 1, causal)


def block_sparse_layout(n_blocks: int, window: int = 1, n_global: int = 0, n_random: int = 0,
                        seed: int = 0, causal: bool = False):
    """Which key blocks each query block attends to, BigBird's pattern (Zaheer et al. 2020).

    Block row i keeps key block j iff
      - |i - j| < ``window``  (the sliding window, in blocks), or
      - i < ``n_global`` or j < ``n_global``  (the first blocks are global: they see every block
        and every block sees them, as Longformer's global tokens, Beltagy et al. 2020), or
      - j is one of ``n_random`` blocks drawn for row i among the blocks not kept yet (fewer if
        fewer are left), with ``np.random.default_rng(seed)`` so that the ref and nn layouts are
        the same array.
    With ``causal`` only j <= i is kept (and drawn). Chapter "The cost of attention".

    Returns:
        bool (nT, nS) with nT = nS = ``n_blocks``.
    """
    n = check_length("block_sparse_layout", n_blocks, "n_blocks")
    window = check_positive("block_sparse_layout", "window", window)
    n_global = check_count("block_sparse_layout", "n_global", n_global, n)
    n_random = check_count("block_sparse_layout", "n_random", n_random, n)
    i = np.arange(n)
    layout = (np.abs(i[:, None] - i[None, :]) < window) | (i[:, None] < n_global) | (i[None, :] < n_global)
    if causal:
        layout &= i[None, :] <= i[:, None]  # (nT, nS)
    rng = np.random.default_rng(seed)
    for row in range(n):
        free = np.flatnonzero(~layout[row] & ((i <= row) if causal else True))
        if n_random and free.size:
            layout[row, rng.choice(free, size=min(n_random, free.size), replace=False)] = True
    return layout


def block_layout_to_mask(layout, block_size: int):
    """Expand a block layout (nT, nS) to the token mask (nT * block_size, nS * block_size):
    token pair (t, s) is kept iff block pair (t // block_size, s // block_size) is."""
    layout = np.asarray(layout)
    if layout.dtype != bool or layout.ndim != 2:
        raise ValueError(f"layout must be a 2-D boolean array (nT, nS), got shape {layout.shape} of dtype {layout.dtype}")
    block_size = check_positive("block_layout_to_mask", "block_size", block_size)
    return np.repeat(np.repeat(layout, block_size, axis=0), block_size, axis=1)  # (nT*bs, nS*bs)


def block_sparse_mask(T: int, block_size: int, window: int = 1, n_global: int = 0, n_random: int = 0,
                      seed: int = 0, causal: bool = False):
    """Block-sparse token mask (BigBird, Zaheer et al. 2020; Longformer, Beltagy et al. 2020):
    :func:`block_sparse_layout` over T / ``block_size`` blocks, expanded to tokens; with
    ``causal`` the token-level :func:`causal_mask` is applied too (inside the diagonal blocks).

    ``block_size`` must divide T. Chapter "The cost of attention". Returns bool (T, T).
    """
    T, block_size = check_blocks("block_sparse_mask", T, block_size)
    layout = block_sparse_layout(T // block_size, window, n_global, n_random, seed, causal)
    mask = block_layout_to_mask(layout, block_size)  # (T, T)
    return mask & causal_mask(T) if causal else mask
