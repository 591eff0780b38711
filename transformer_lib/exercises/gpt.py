"""Self-check and exercise of chapter "Decoder-only models (GPT)" (chapters/gpt.ipynb).

``self_check()`` shows the chapter's questions; ``check_top_p(fn)`` checks the reader's
nucleus filter against :func:`transformer_lib.decoding.top_p_filter`. Every numeric answer
is computed here, with the library, when the questions are built.
"""

from __future__ import annotations

import torch

from transformer_lib import quiz
from transformer_lib.decoding import sampling_probs, top_p_filter
from transformer_lib.exercises import Verdict, compare
from transformer_lib.nn.gpt import kv_cache_bytes

# The distribution of the top-p question: four tokens, no ties.
TOP_P_PROBS = (0.5, 0.3, 0.15, 0.05)
TOP_P = 0.9
# GPT-2 small's published shape (Radford et al. 2019): 12 layers, d_model 768, 1024 positions.
GPT2_SMALL = dict(n_layers=12, d_model=768, context=1024)


def top_p_kept(probs=TOP_P_PROBS, p: float = TOP_P) -> int:
    """How many tokens nucleus sampling at ``p`` keeps for the distribution ``probs``."""
    logits = torch.tensor(probs, dtype=torch.float64).log()
    return int((sampling_probs(logits, top_p=p) > 0).sum())


def gpt2_cache_megabytes() -> float:
    """The KV cache of GPT-2 small over its full context, one sequence, float16, in MB (1e6 bytes)."""
    return kv_cache_bytes(**GPT2_SMALL, batch=1, bytes_per_number=2) / 1e6


def questions() -> list[dict]:
    kept = top_p_kept()
    mb = gpt2_cache_megabytes()
    return [
        quiz.choice(
            "Generating with and without the KV cache gave the same tokens. Why may the cache keep "
            "the keys and values of earlier positions instead of recomputing them?",
            [("Under the causal mask no earlier position reads a later token, so its keys and values "
              "never change as the text grows.", True,
              "Position t depends on tokens 0..t only; appending a token cannot change it, so "
              "recomputing it would give the same numbers."),
             ("Keys and values are the token embeddings, which do not depend on the context.", False,
              "Only in the first layer are they projections of the embeddings; in later layers they "
              "are projections of states that mix earlier tokens."),
             ("The cache is an approximation that is usually close enough.", False,
              "It is exact: the chapter checks that greedy and sampled tokens are identical."),
             ("Because the model has no cross-attention.", False,
              "An encoder-decoder's decoder can cache its self-attention keys and values too; what "
              "matters is the causal mask.")]),
        quiz.numeric(
            f"Nucleus (top-p) sampling with p = {TOP_P}: the next-token probabilities are "
            f"{', '.join(str(x) for x in TOP_P_PROBS)}. How many tokens can still be drawn?",
            kept, tol=0.1,
            why=f"Keep tokens, most probable first, until their probabilities reach p: "
                f"0.5 + 0.3 = 0.8 < {TOP_P}, 0.8 + 0.15 = 0.95 >= {TOP_P}, so {kept} are kept.",
            too_low="Too small: then the kept mass is still below p.",
            too_high="Too large: the smallest set whose mass reaches p is enough."),
        quiz.choice(
            "What does dividing the logits by a temperature below 1 do before sampling?",
            [("It sharpens the distribution: the most probable token gains, and as the temperature "
              "goes to 0 sampling becomes greedy decoding.", True,
              "Dividing by T < 1 stretches the gaps between logits, and softmax turns larger gaps "
              "into a more peaked distribution."),
             ("It flattens the distribution towards uniform.", False,
              "That is a temperature above 1: it shrinks the gaps between logits."),
             ("It removes the least probable tokens.", False,
              "Temperature changes every probability but removes none; top-k and top-p remove tokens."),
             ("Nothing: softmax is unchanged by scaling the logits.", False,
              "Softmax is unchanged by *adding* a constant to every logit, not by multiplying them.")]),
        quiz.numeric(
            "GPT-2 small has 12 layers, d_model = 768 and a context of 1024 tokens. How many megabytes "
            "(1 MB = 10^6 bytes) does its KV cache take for one full-length sequence in 16-bit floats?",
            mb, tol=0.5,
            why=f"2 (K and V) x 12 layers x 1024 positions x 768 numbers x 2 bytes = {mb:.1f} MB.",
            too_low="Too small: count both K and V, every layer, every position, 2 bytes each.",
            too_high="Too large: each position keeps one key and one value of width d_model per layer, no more."),
        quiz.choice(
            "Top-k keeps k tokens; top-p keeps the smallest set whose probability reaches p. When "
            "does top-p keep many tokens?",
            [("When the model is unsure: its probability is spread over many tokens.", True,
              "A flat distribution needs many tokens to reach the mass p; a peaked one needs few."),
             ("When the model is sure of the next token.", False,
              "Then one or two tokens already hold most of the mass, and top-p keeps only those."),
             ("Always the same number as top-k with k = p x V.", False,
              "The number top-p keeps depends on the distribution; that is its point "
              "(Holtzman et al. 2020): nearly all tokens of a flat distribution, one of a peaked one.")]),
    ]


def self_check() -> None:
    """Show the chapter's questions (they work on the static page, in Jupyter and in Colab)."""
    quiz.show(*questions())


def _top_p_cases() -> list[tuple]:
    g = torch.Generator().manual_seed(0)
    return [
        (torch.tensor([2.0, 1.0, 0.5, -1.0]), 0.9),  # a small row
        (torch.randn(3, 10, generator=g), 0.5),  # a batch of rows
        (torch.tensor([[8.0, 0.0, -1.0, -2.0, -3.0]]), 0.9),  # a peaked row: only the top token survives
        (torch.randn(2, 4, 6, generator=g), 0.75),  # batch dimensions in front of V
        (torch.randn(5, generator=g) * 3, 1.0),  # p = 1 keeps every token
        (torch.tensor([100.0, 99.0, 98.0, -50.0]), 0.95),  # large logits: softmax must not overflow
    ]


def check_top_p(fn) -> Verdict:
    """Check ``fn(logits, p) -> logits`` with the tokens outside the nucleus set to -inf, (..., V)."""
    return compare(fn, top_p_filter, _top_p_cases(), what="your top-p filter", atol=1e-5, rtol=1e-5)
