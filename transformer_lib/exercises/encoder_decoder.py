"""Self-check and exercise for the chapter "Encoder, decoder and cross-attention" (chapters/encoder_decoder.ipynb).

``self_check()`` shows the chapter's questions; ``check_cross_attention(fn)`` checks the reader's
one-head cross-attention against the library's NumPy reference
(:func:`transformer_lib.ref.scaled_dot_product_attention`, fed as the paper's section 3.2.3 says:
queries from the decoder, keys and values from the encoder's output).
"""

from __future__ import annotations

import numpy as np
import torch

from transformer_lib import quiz, ref
from transformer_lib.exercises import Verdict, compare

__all__ = ["questions", "self_check", "check_cross_attention", "cross_attention_reference"]

# The chapter's small layers: d_model, heads, d_ff (chapter "Encoder, decoder and cross-attention").
D, H, D_FF = 32, 4, 128


def _n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def questions() -> list[dict]:
    """The chapter's self-check questions; numeric answers are computed here, by the library."""
    from transformer_lib import nn as tnn

    torch.manual_seed(0)
    enc, dec = tnn.EncoderLayer(D, H, D_FF), tnn.DecoderLayer(D, H, D_FF)
    extra = _n_params(dec) - _n_params(enc)
    B, T, S = 2, 5, 6
    with torch.no_grad():
        _, _, w_cross = dec(torch.randn(B, T, D), torch.randn(B, S, D), self_mask=tnn.causal_mask(T),
                            need_weights=True)
    return [
        quiz.choice("In a decoder layer's cross-attention (the paper's \"encoder-decoder attention\"), "
                    "where do the queries, keys and values come from?", [
                        ("queries from the decoder; keys and values from the encoder's output", True,
                         "Section 3.2.3: the queries come from the previous decoder layer, the keys and "
                         "values from the output of the encoder. Each target position asks, the source answers."),
                        ("queries from the encoder; keys and values from the decoder", False,
                         "Then there would be one output row per *source* position, but the decoder needs "
                         "one per target position: the output has the queries' length."),
                        ("queries, keys and values all from the encoder's output", False,
                         "Then the output would not depend on the target prefix at all, and would have the "
                         "source's length, not the target's."),
                        ("keys and values from the decoder, as in its self-attention", False,
                         "That is self-attention again: the source sentence would have no path into the "
                         "decoder (the chapter's rewired layer shows the output not moving when the source changes)."),
                    ]),
        quiz.numeric(f"One decoder layer, B = {B} source sentences of S = {S} tokens, target prefixes of "
                     f"T = {T} tokens, H = {H} heads. How many numbers are in its cross-attention weight tensor?",
                     w_cross.numel(),
                     why=f"The weights are (B, H, T, S) = ({B}, {H}, {T}, {S}): one row per target position "
                         f"and head, one column per source position, {w_cross.numel()} numbers.",
                     tol=0.5, too_low="Too small. Count one weight per (sentence, head, target position, source position).",
                     too_high="Too large. Cross-attention weights are T x S per head, not (T + S) x (T + S)."),
        quiz.numeric(f"With d_model = {D}, {H} heads and d_ff = {D_FF} (biases included), how many more "
                     "parameters does a decoder layer have than an encoder layer?", extra,
                     why=f"The decoder layer adds a cross-attention block (W_Q, W_K, W_V, W_O with biases: "
                         f"4 x ({D} x {D} + {D})) and a third LayerNorm (2 x {D}): {extra:,} parameters.",
                     tol=0.5, too_low="Too small. Count the whole extra attention block, biases included, and its LayerNorm.",
                     too_high="Too large. Only one block is extra: the cross-attention, plus the LayerNorm after it."),
        quiz.choice("The decoder has N layers. Which encoder output does the cross-attention of decoder "
                    "layer 2 read?", [
                        ("the output of the last encoder layer, the same for every decoder layer", True,
                         "Every decoder layer attends to the final encoder output (the \"memory\"); "
                         "figure 1 of the paper draws it entering each decoder layer."),
                        ("the output of encoder layer 2, layer by layer", False,
                         "The stacks are not paired layer by layer: the encoder runs to the end first, "
                         "and all decoder layers read its final output."),
                        ("the decoder's own layer-1 output", False,
                         "That is what its self-attention reads; cross-attention reads the encoder."),
                    ]),
        quiz.choice("Why is the decoder's self-attention masked causally during training?", [
                        ("the whole target is fed in at once, and position t must not see the word it predicts", True,
                         "With teacher forcing every position is trained in one pass; the mask keeps "
                         "position t to positions 0..t, as at generation time."),
                        ("to hide the padding of the source sentence", False,
                         "That is the padding mask on the keys (in the encoder and in cross-attention), "
                         "not the causal mask."),
                        ("to make attention cheaper", False,
                         "The masked scores are still computed and then set to -inf: the mask is about "
                         "what may be seen, not about cost."),
                    ]),
    ]


def self_check() -> None:
    """Show the chapter's questions (works on the static page, in Jupyter and in Colab)."""
    quiz.show(*questions())


def cross_attention_reference(y, memory, W_Q, W_K, W_V, memory_mask):
    """One head of cross-attention: softmax(Q K^T / sqrt(d_k)) V with Q = y W_Q, K = m W_K, V = m W_V.

    Args:
        y: (B, T, D) decoder states; memory: (B, S, D) the encoder's output;
        W_Q, W_K, W_V: (D, Dh); memory_mask: (B, 1, S) boolean, True = may attend.

    Returns:
        (B, T, Dh).
    """
    y, memory = np.asarray(y, dtype=np.float64), np.asarray(memory, dtype=np.float64)
    out, _ = ref.scaled_dot_product_attention(y @ W_Q, memory @ W_K, memory @ W_V, mask=memory_mask)
    return out


def _cases() -> list[tuple]:
    rng = np.random.default_rng(15)
    cases = []
    for B, T, S, Dm, Dh, lengths, scale in [
        (1, 3, 5, 8, 4, [5], 1.0),           # one sentence, no padding
        (3, 4, 6, 8, 4, [6, 3, 1], 1.0),     # padded sources, one of a single token
        (2, 2, 7, 16, 8, [7, 4], 6.0),       # large scores: a softmax that must be stable
    ]:
        y = rng.standard_normal((B, T, Dm)) * scale
        memory = rng.standard_normal((B, S, Dm)) * scale
        W_Q, W_K, W_V = (rng.standard_normal((Dm, Dh)) for _ in range(3))
        mask = ref.padding_mask(np.array(lengths), S)[:, 0]  # (B, 1, S)
        cases.append((y, memory, W_Q, W_K, W_V, mask))
    return cases


def check_cross_attention(fn) -> Verdict:
    """Check ``fn(y, memory, W_Q, W_K, W_V, memory_mask) -> (B, T, Dh)`` against the reference.

    Three inputs: one sentence; three padded sources (one of a single token); large scores.
    The target and source lengths differ, so keys and values taken from the wrong side cannot pass.
    """
    return compare(fn, cross_attention_reference, _cases(), what="my_cross_attention", atol=1e-6)
