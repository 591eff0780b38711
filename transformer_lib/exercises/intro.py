"""Self-check and exercise of the introduction (chapter "Attention, Hands-On", ``chapters/intro.ipynb``).

The numeric answers are computed here, when the questions are built, with the library
(:mod:`transformer_lib.cost` walks connection graphs; :mod:`transformer_lib.ref` builds masks).
"""

from __future__ import annotations

import math

import numpy as np

from transformer_lib import cost, quiz, ref
from transformer_lib.exercises import Verdict, compare

__all__ = ["questions", "self_check", "conv_reads_reference", "check_conv_reads"]


def questions() -> list[dict]:
    """The introduction's questions (numeric answers computed now, by the library)."""
    n, k = 100, 5
    conv_layers = cost.max_path_length(cost.layer_structure("convolutional", n, k=k)[0])
    T = 128
    causal_kept = int(ref.causal_mask(T).sum())
    return [
        quiz.choice("Why can a recurrent network not process the positions of one training sentence in parallel?", [
            ("Step t needs the hidden state of step t-1, so the steps run one after another.", True,
             "The recurrence is a chain: the paper calls this inherently sequential nature the obstacle to "
             "parallelising within a training example."),
            ("Its weights differ at every position, so each position needs its own matrix multiply.", False,
             "A recurrent network shares one set of weights across all positions; the obstacle is the chain "
             "of hidden states, not the weights."),
            ("It must see the whole sentence before it can start.", False,
             "It is the opposite: it reads one token at a time and can start at once, but each step waits for "
             "the one before."),
        ]),
        quiz.numeric(f"Stack convolutions whose window is centred and {k} wide (each position reads the two on "
                     f"either side). How many layers until token 0 can influence token {n - 1} (n = {n})?",
                     conv_layers, tol=0.5,
                     why=f"Each layer reaches {k // 2} positions further, so {n - 1} positions take "
                         f"ceil({n - 1}/{k // 2}) = {conv_layers} layers: O(n/k), the paper's figure for "
                         "contiguous kernels.",
                     too_low="Too small. Each layer only reaches k // 2 positions further in one direction.",
                     too_high="Too large. Each layer reaches k // 2 = 2 positions further, not 1."),
        quiz.choice("What tells the three Transformer families (encoder-only, decoder-only, encoder-decoder) "
                    "apart, in this book's reading?", [
            ("Which positions may attend to which: their attention masks.", True,
             "Bidirectional masks in the encoder, a causal mask in the decoder, and cross-attention from "
             "decoder queries to encoder keys: the masks are the difference."),
            ("The number of layers.", False,
             "All three come in many depths; BERT-base and GPT-2 small even share 12 layers."),
            ("Whether they use softmax attention.", False, "All three use the same scaled dot-product attention."),
        ]),
        quiz.numeric(f"A decoder-only model reads {T} tokens. Of the {T} x {T} query-key pairs of one head, "
                     "how many may attend under the causal mask?", causal_kept, tol=0.5,
                     why=f"Query t may see keys 0..t, so the count is 1 + 2 + ... + {T} = {T}·{T + 1}/2 = "
                         f"{causal_kept}: a little over half of {T * T}.",
                     too_low="Too small. Count the diagonal too: every token may attend to itself.",
                     too_high="Too large. A causal mask hides every key after the query: about half the pairs."),
    ]


def self_check() -> None:
    """Show the questions (jupyterquiz: works on the page, in Jupyter and in Colab)."""
    quiz.show(*questions())


def conv_reads_reference(n: int, k: int) -> np.ndarray:
    """The connections of one causal convolution layer of width ``k`` over ``n`` positions:
    bool (n, n), ``reads[i, j]`` True when output i reads input j, i.e. i - k < j <= i."""
    return ref.sliding_window_mask(n, k, causal=True)


CONV_CASES = [(6, 3), (8, 2), (5, 1), (4, 10), (1, 3)]  # (n, k); k > n and n = 1 are the awkward ones


def check_conv_reads(fn) -> Verdict:
    """Check ``fn(n, k)`` (the reader's causal-convolution connection matrix) on several (n, k), then
    that stacking it gives ceil((n - 1) / (k - 1)) layers, the O(n/k) of the paper."""
    verdict = compare(fn, conv_reads_reference, CONV_CASES, what="conv_reads")
    if not verdict.ok:
        return verdict
    n, k = 16, 3
    layers = cost.max_path_length(np.asarray(fn(n, k), dtype=bool))
    want = math.ceil((n - 1) / (k - 1))
    if layers != want:  # cannot happen when the matrices matched; kept as the exercise's point
        return Verdict(False, f"Not yet: stacking conv_reads({n}, {k}) takes {layers} layers, not {want}.")
    return Verdict(True, f"Correct: conv_reads matches the library on all {len(CONV_CASES)} inputs, and "
                         f"stacking conv_reads({n}, {k}) connects token 0 to token {n - 1} in {layers} layers "
                         f"= ceil(({n} - 1)/({k} - 1)).")
