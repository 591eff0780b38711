"""The explorer of chapter "The cost of attention": the sparse attention patterns of one mask
API side by side, a local window (sliding at dilation 1, dilated above) and BigBird's
block-sparse layout, for a window, a dilation and a block size the reader picks.

Masks come from :mod:`transformer_lib.ref.masks` (True = may attend); this module only arranges
them. A setting the mask functions refuse (a block size that does not divide the length) gives a
frame that says why, so the page, the live widget and the static figure all show the message.
"""

from __future__ import annotations

import numpy as np

from transformer_lib import ref, views

T = 42  # positions drawn: long enough for a sparse block layout, small enough to see every cell (and a page of 60 frames)
WINDOWS = (1, 2, 3, 4, 6)
DILATIONS = (1, 2, 3)
BLOCK_SIZES = (2, 3, 4, 6)  # 4 does not divide T: the explorer shows the mask API's message
# BigBird's layout (Zaheer et al. 2020) in blocks: a band of 3 blocks, 1 global block, 1 random block per row
BLOCK_WINDOW, N_GLOBAL, N_RANDOM = 2, 1, 1


def sparse_masks(window: int, dilation: int, block_size: int, T: int = T, seed: int = 0) -> dict:
    """The two patterns of one setting, ``{name: bool (T, T) mask or the ValueError's message}``.

    ``window`` and ``dilation`` give the local window (:func:`~transformer_lib.ref.dilated_mask`,
    which is :func:`~transformer_lib.ref.sliding_window_mask` at dilation 1); the block-sparse layout
    is BigBird's (band of 3 blocks, 1 global, 1 random per row, random blocks from ``seed``)
    over blocks of ``block_size``. A bad window or dilation raises ``ValueError`` (there is no
    pattern to draw at all); a block size that does not divide ``T`` leaves the block-sparse
    entry as the message, so the window can still be drawn.
    """
    kind = "sliding window" if dilation == 1 else "dilated window"
    out = {f"{kind} (window {window}, dilation {dilation})": ref.dilated_mask(T, window, dilation)}
    name = f"block-sparse (blocks of {block_size})"
    try:
        out[name] = ref.block_sparse_mask(T, block_size, window=BLOCK_WINDOW, n_global=N_GLOBAL,
                                          n_random=N_RANDOM, seed=seed)
    except ValueError as err:
        out[name] = str(err)
    return out


def sparse_frame(window: int, dilation: int, block_size: int) -> dict:
    """One frame: each pattern as a heatmap (rows = queries, columns = keys, 1 = may attend), and
    a caption counting the pairs each keeps, or saying why a pattern cannot be drawn."""
    panels, notes = [], []
    for name, mask in sparse_masks(window, dilation, block_size).items():
        if isinstance(mask, str):  # the mask API refused this setting: an empty panel and its message
            panels.append(views.heatmap_panel(np.zeros((T, T)), title=f"{name}: not defined", xlabel="key position",
                                              ylabel="query position", vmin=0, vmax=1, decimals=0))
            notes.append(f"no block-sparse pattern: {mask}")
            continue
        panels.append(views.heatmap_panel(mask.astype(float), title=name, xlabel="key position",
                                          ylabel="query position", vmin=0, vmax=1, decimals=0))
        notes.append(f"{name.split(' (')[0]}: {int(mask.sum())} of {mask.size} pairs ({mask.mean():.0%}), "
                     f"at most {int(mask.sum(-1).max())} keys per query")
    return views.frame(*panels, caption=f"T = {T}. " + "; ".join(notes))


def sparse_explorer() -> views.Explorer:
    """The chapter's explorer: window x dilation x block size."""
    return views.Explorer(
        sparse_frame,
        controls={"window": list(WINDOWS), "dilation": list(DILATIONS), "block_size": list(BLOCK_SIZES)},
        labels={"block_size": "block size"},
        initial={"window": 3, "dilation": 1, "block_size": 3},
        title="Sparse attention patterns (1 = may attend)",
    )


__all__ = ["BLOCK_SIZES", "DILATIONS", "T", "WINDOWS", "sparse_explorer", "sparse_frame", "sparse_masks"]
