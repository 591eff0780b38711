"""The normalisation explorer of chapter "Residuals, LayerNorm and BatchNorm": pick
LayerNorm or BatchNorm and how far a small batch of sentences is padded, and see the
statistics each one uses and what padding does to the real tokens' outputs.

Data and statistics come from :mod:`transformer_lib.ref.norms`; this module only arranges
them into frames for :class:`transformer_lib.views.Explorer`.
"""

from __future__ import annotations

import numpy as np

from transformer_lib import views
from transformer_lib.ref.norms import batch_norm, layer_norm

LENGTHS = (6, 5, 3, 2)  # true lengths of the four sentences of the demo batch
D = 6  # features per token
NORMS = ("LayerNorm", "BatchNorm")
PAD_TO = (6, 8, 12, 16, 24)  # padded length T of the batch; 6 = only the padding the batch needs


def padded_text_batch(pad_to: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Four sentences of token vectors (each feature with its own mean and scale, as real
    embeddings have), padded with zero vectors (what a ``padding_idx`` embedding gives).

    Returns:
        x (4, pad_to, D) and a bool (4, pad_to) array, True at real tokens.
    """
    if pad_to < max(LENGTHS):
        raise ValueError(f"pad_to must be at least the longest sentence ({max(LENGTHS)}), got {pad_to}")
    rng = np.random.default_rng(seed)
    mu = np.array([2.0, -1.0, 0.5, 3.0, -2.0, 1.0])
    scale = np.array([1.0, 0.5, 2.0, 1.0, 1.5, 0.7])
    real = rng.standard_normal((len(LENGTHS), max(LENGTHS), D)) * scale + mu  # (4, 6, D)
    x = np.zeros((len(LENGTHS), pad_to, D))
    is_real = np.arange(pad_to)[None, :] < np.array(LENGTHS)[:, None]  # (4, pad_to)
    x[:, : max(LENGTHS)] = real
    x[~is_real] = 0.0
    return x, is_real


def normalise(x: np.ndarray, norm: str) -> np.ndarray:
    """Apply ``norm`` ("LayerNorm" or "BatchNorm", training-mode statistics) with gamma=1, beta=0."""
    g, b = np.ones(x.shape[-1]), np.zeros(x.shape[-1])
    if norm == "LayerNorm":
        return layer_norm(x, g, b)
    if norm == "BatchNorm":
        return batch_norm(x, g, b)
    raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")


def token_labels() -> list[str]:
    return [f"s{b + 1} t{t}" for b, n in enumerate(LENGTHS) for t in range(n)]


def normalisation_frame(norm: str, pad_to: int) -> dict:
    """One frame: the real tokens' outputs, the statistics used, and the damage done by padding."""
    x, is_real = padded_text_batch(pad_to)
    x0, real0 = padded_text_batch(max(LENGTHS))  # the same sentences, only the padding they need
    y = normalise(x, norm)[is_real]  # (16, D), real tokens only
    clean = normalise(x[is_real][None], norm)[0]  # (16, D): statistics from the real tokens alone
    change = np.abs(y - clean).max(axis=-1)  # (16,)
    labels = token_labels()
    if norm == "BatchNorm":
        stats = views.line_panel(np.arange(D), {
            "mean BatchNorm uses (all B×T positions)": x.reshape(-1, D).mean(0),
            "mean of the real tokens": x[is_real].mean(0),
            "std BatchNorm uses": x.reshape(-1, D).std(0),
            "std of the real tokens": x[is_real].std(0),
        }, title="per-feature statistics", xlabel="feature d", ylabel="value", ymin=-2.5, ymax=3.5)
    else:
        stats = views.line_panel(np.arange(len(labels)), {
            "mean LayerNorm uses (padded batch)": x[is_real].mean(-1),
            "mean without extra padding": x0[real0].mean(-1),
            "std LayerNorm uses": x[is_real].std(-1),
        }, title="per-token statistics (real tokens)", xlabel="real token (s1 t0 … s4 t1)", ylabel="value",
            ymin=-2.5, ymax=3.5)
    n_pad = int((~is_real).sum())
    return views.frame(
        views.heatmap_panel(y, x=[f"d{d}" for d in range(D)], y=labels, title=f"{norm} output of the real tokens",
                      xlabel="feature", ylabel="token", vmin=-3, vmax=3),
        stats,
        views.bars_panel(change, labels, title="error caused by the padding", ylabel="max |Δ output|", vmax=4.0),
        caption=(f"{norm}, batch padded to T = {pad_to}: {n_pad} of {x.shape[0] * pad_to} positions are padding "
                 f"({100 * n_pad / (x.shape[0] * pad_to):.0f}%). Largest error of a real token's output, against "
                 f"statistics from the real tokens alone: "
                 f"{change.max():.3f}."),
    )


def normalisation_explorer() -> views.Explorer:
    """The chapter's widget: normalisation × padded length."""
    return views.Explorer(
        normalisation_frame,
        controls={"norm": list(NORMS), "pad_to": list(PAD_TO)},
        labels={"norm": "normalisation", "pad_to": "pad batch to T"},
        initial={"norm": "BatchNorm", "pad_to": 12},
        title="Padding and the statistics of LayerNorm and BatchNorm",
    )
