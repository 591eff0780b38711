"""The explorer of chapter "Self-attention: queries, keys and values": the softmax of q·k
for growing d_k, with and without the 1/sqrt(d_k) scale.

The arithmetic is :func:`transformer_lib.ref.softmax`; this module arranges it into frames
for :class:`transformer_lib.views.Explorer`.
"""

from __future__ import annotations

import numpy as np

from transformer_lib import ref, views

D_K = (4, 16, 64, 256, 1024)  # the slider's d_k values
SCALINGS = ("divide by √d_k", "no scaling")
N_TOKENS = 8


def scale_frame(q: np.ndarray, k: np.ndarray, d_k: int, scaling: str) -> dict:
    """One frame: the attention weights of the first ``d_k`` dimensions of ``q`` and ``k``
    (both (T, d_max), unit-variance entries), scaled or not, and the weights of token 0.
    """
    if not 1 <= d_k <= q.shape[1]:
        raise ValueError(f"d_k must lie in 1..{q.shape[1]}, got {d_k}")
    if scaling not in SCALINGS:
        raise ValueError(f"scaling must be one of {SCALINGS}, got {scaling!r}")
    tokens = [f"tok{i}" for i in range(q.shape[0])]
    s = q[:, :d_k] @ k[:, :d_k].T / (np.sqrt(d_k) if scaling == SCALINGS[0] else 1.0)  # (T, T)
    p = ref.softmax(s)  # (T, T)
    entropy = float(-(p * np.log(p + 1e-12)).sum(-1).mean())  # nats; the 1e-12 keeps log(0) finite
    return views.frame(
        views.heatmap_panel(p, x=tokens, y=tokens, title="attention weights", xlabel="key", ylabel="query",
                            vmin=0, vmax=1, decimals=2),
        views.bars_panel(p[0], tokens, title="weights of tok0", ylabel="weight", vmax=1),
        caption=f"d_k = {d_k}, {scaling}: mean largest weight {p.max(-1).mean():.2f}, mean entropy {entropy:.2f} "
                f"nats (uniform: {np.log(q.shape[0]):.2f})",
    )


def scale_explorer(seed: int = 7) -> views.Explorer:
    """The chapter's explorer: eight tokens with random unit-variance queries and keys (the
    same draw for every setting, from ``seed``); controls d_k and the scaling."""
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((N_TOKENS, max(D_K)))  # (T, d_max)
    k = rng.standard_normal((N_TOKENS, max(D_K)))  # (T, d_max)
    return views.Explorer(
        lambda d_k, scaling: scale_frame(q, k, d_k, scaling),
        controls={"d_k": list(D_K), "scaling": list(SCALINGS)},
        labels={"d_k": "d_k", "scaling": "scores"},
        initial={"d_k": 64},
        title="Softmax of q·k, with and without the √d_k scale",
    )
