"""The explorer of chapter "Masking": pick a mask, a sentence length and a padded length,
and see the mask and the attention weights it allows.

Masks are :func:`transformer_lib.ref.causal_mask` and :func:`transformer_lib.ref.padding_mask`
(True = may attend); this module arranges them into frames for :class:`transformer_lib.views.Explorer`.
"""

from __future__ import annotations

import numpy as np

from transformer_lib import ref, views

WORDS = ("the", "cat", "sat", "on", "the", "mat", "and", "purred")
MASK_KINDS = ("causal", "padding", "causal + padding")
LENGTHS = (2, 3, 4, 5, 6)
PADDED_LENGTHS = (6, 8)
MAX_POSITIONS = 10  # fixed scores exist for up to this many positions


def explorer_mask(mask_kind: str, length: int, padded_length: int) -> np.ndarray:
    """The (T, S) boolean mask of one setting, T = S = ``padded_length``, True = may attend."""
    if mask_kind not in MASK_KINDS:
        raise ValueError(f"mask_kind must be one of {MASK_KINDS}, got {mask_kind!r}")
    if not 1 <= padded_length <= MAX_POSITIONS:
        raise ValueError(f"the padded length must lie in 1..{MAX_POSITIONS}, got {padded_length}")
    if not 1 <= length <= padded_length:
        raise ValueError(f"the true length must lie in 1..padded length ({padded_length}), got {length}")
    pad = ref.padding_mask([length], padded_length)[0, 0]  # (1, S)
    return {"causal": ref.causal_mask(padded_length),
            "padding": np.broadcast_to(pad, (padded_length, padded_length)),
            "causal + padding": ref.causal_mask(padded_length) & pad}[mask_kind]  # (T, S)


def mask_frame(scores: np.ndarray, mask_kind: str, length: int, padded_length: int) -> dict:
    """One frame: the mask of the setting, and the softmax of ``scores`` (at least
    (padded_length, padded_length)) with the masked scores set to -inf."""
    m = explorer_mask(mask_kind, length, padded_length)  # (T, S)
    toks = list(WORDS[:length]) + ["<pad>"] * (padded_length - length)
    s = scores[:padded_length, :padded_length]  # (T, S)
    w = ref.softmax(np.where(m, s, -np.inf))  # what scaled_dot_product_attention does with the mask
    allowed = m.sum(-1)  # (T,) keys each query may see
    return views.frame(
        views.heatmap_panel(m.astype(float), x=toks, y=toks, title="mask (1 = may attend)", xlabel="key",
                            ylabel="query", vmin=0, vmax=1, decimals=0),
        views.heatmap_panel(w, x=toks, y=toks, title="attention weights", xlabel="key", ylabel="query",
                            vmin=0, vmax=1, decimals=2),
        caption=f"{mask_kind}: {length} words padded to {padded_length}; keys allowed per query row: "
                f"{allowed.min()} to {allowed.max()}; every row sums to {w.sum(-1).min():.3f}",
    )


def mask_explorer(seed: int = 1) -> views.Explorer:
    """The chapter's explorer: fixed random scores (from ``seed``) under each mask."""
    scores = np.random.default_rng(seed).standard_normal((MAX_POSITIONS, MAX_POSITIONS)) * 1.5  # (T, S)
    return views.Explorer(
        lambda mask_kind, length, padded_length: mask_frame(scores, mask_kind, length, padded_length),
        controls={"mask_kind": list(MASK_KINDS), "length": list(LENGTHS), "padded_length": list(PADDED_LENGTHS)},
        labels={"mask_kind": "mask", "length": "true length", "padded_length": "padded to"},
        initial={"mask_kind": "causal + padding", "length": 4},
        title="Masks and the attention they allow",
    )
