"""Self-check and exercise for the chapter "The feed-forward block" (``chapters/feed_forward.ipynb``).

* :func:`questions` / :func:`self_check`: the chapter's questions; the parameter shares are
  counted on the library's own ``EncoderLayer`` and ``DecoderLayer`` at the paper's base sizes.
* :func:`check_feed_forward`: the coding exercise, FFN(x) = max(0, x W_1 + b_1) W_2 + b_2
  (equation 2 of the paper), checked against :func:`transformer_lib.ref.feed_forward`.
"""

from __future__ import annotations

import numpy as np

from transformer_lib import quiz
from transformer_lib.exercises import Verdict, compare

__all__ = ["questions", "self_check", "check_feed_forward", "ffn_share"]

BASE = dict(d_model=512, n_heads=8, d_ff=2048)  # the paper's base model (table 3)


def ffn_share(kind: str, d_model: int = BASE["d_model"], n_heads: int = BASE["n_heads"],
              d_ff: int = BASE["d_ff"]) -> float:
    """The feed-forward block's share of one layer's parameters, counted on the library's
    ``EncoderLayer`` (``kind="encoder"``) or ``DecoderLayer`` (``kind="decoder"``)."""
    import torch

    from transformer_lib import nn as tnn

    layers = {"encoder": tnn.EncoderLayer, "decoder": tnn.DecoderLayer}
    if kind not in layers:
        raise ValueError(f"kind must be 'encoder' or 'decoder', got {kind!r}")
    with torch.device("meta"):  # shapes only
        counts = tnn.parameter_counts(layers[kind](d_model, n_heads, d_ff))
    return (counts["linear1"] + counts["linear2"]) / sum(counts.values())


def questions() -> list[dict]:
    """The chapter's self-check questions (numeric answers computed now)."""
    enc, dec = ffn_share("encoder"), ffn_share("decoder")
    return [
        quiz.choice(
            "What does \"position-wise\" mean for the feed-forward block?",
            [("Each token's output depends on that token's vector alone, with the same weights at every position",
              True, "No information crosses between positions: feeding tokens one at a time gives the same "
                    "numbers, and shuffling the tokens shuffles the outputs the same way."),
             ("Each position has its own W_1 and W_2", False,
              "The weights are shared by all positions (they differ from layer to layer, not from token to token)."),
             ("It adds the positional encoding before the two linear layers", False,
              "The positional encoding is added once, to the embeddings at the bottom of the stack.")]),
        quiz.numeric(
            "At the paper's base sizes (d_model = 512, d_ff = 2048, 8 heads), what percentage of one "
            "ENCODER layer's parameters is in the feed-forward block? (whole percent)",
            100 * enc, tol=0.6,
            why=f"Attention has four d_model x d_model projections (about 4d^2), the FFN two d_model x 4d_model "
                f"matrices (8d^2): {enc:.1%} with biases and LayerNorms counted.",
            too_low="Too small: compare 8d^2 (FFN) with 4d^2 (attention).",
            too_high="Too large: attention's four projections and the LayerNorms are parameters too."),
        quiz.numeric(
            "And of one DECODER layer (which also has cross-attention)? (whole percent)",
            100 * dec, tol=0.6,
            why=f"The second attention block adds another 4d^2, so attention (8d^2) and FFN (8d^2) are about "
                f"equal: {dec:.1%} is feed-forward.",
            too_low="Too small: attention is 4d^2 per block and the decoder has two blocks; the FFN is 8d^2.",
            too_high="Too large: remember the decoder's second attention block, over the encoder's output."),
        quiz.choice(
            "On the \"exactly two A's?\" task, why does attention followed by a linear readout fall short?",
            [("Its [CLS] vector moves steadily with the fraction of A's, and a linear readout of one steadily "
              "moving quantity has one threshold; \"exactly two\" needs two", True,
              "A yes between two no's needs a non-linearity: the FFN's ReLU units supply the bend."),
             ("Attention cannot see all the tokens", False,
              "Attention from [CLS] can weight every token; the problem is what a weighted average plus a "
              "linear readout can express."),
             ("The model is too small to count to two", False,
              "Size is not the issue: the same model with an FFN added learns the task.")]),
    ]


def self_check() -> None:
    """Show the questions (jupyterquiz; works on the static page, in Jupyter and in Colab)."""
    quiz.show(*questions())


def _reference(x, W_1, b_1, W_2, b_2):
    from transformer_lib import ref

    return ref.feed_forward(x, W_1, b_1, W_2, b_2)


def _cases() -> list[tuple]:
    rng = np.random.default_rng(0)
    cases = []
    for shape, d, d_ff in [((5, 4), 4, 16), ((2, 3, 4), 4, 16), ((2, 2, 3, 6), 6, 8)]:  # (T,D), (B,T,D), extra batch dim
        cases.append((rng.standard_normal(shape), rng.standard_normal((d, d_ff)), rng.standard_normal(d_ff),
                      rng.standard_normal((d_ff, d)), rng.standard_normal(d)))
    x, W_1, b_1, W_2, b_2 = cases[1]
    cases.append((x, W_1, b_1 - 5.0, W_2, b_2))  # most hidden units negative: ReLU must zero them
    return cases


def check_feed_forward(fn) -> Verdict:
    """Check ``fn(x, W_1, b_1, W_2, b_2)`` = max(0, x W_1 + b_1) W_2 + b_2 for x (..., T, D),
    W_1 (D, d_ff), b_1 (d_ff,), W_2 (d_ff, D), b_2 (D,). Returns a :class:`Verdict` (never raises)."""
    return compare(fn, _reference, _cases(), what="your feed-forward block", atol=1e-9, rtol=1e-9)
