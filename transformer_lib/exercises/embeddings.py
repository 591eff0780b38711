"""Self-check and exercise for the chapter "Embeddings" (``chapters/embeddings.ipynb``).

* :func:`questions` / :func:`self_check`: the chapter's questions, with the numeric answers
  computed here by the library (parameter counts of the paper's base model on PyTorch's
  ``meta`` device, the sinusoidal encoding, an initialised embedding table).
* :func:`check_embed`: the coding exercise, an embedding lookup scaled by sqrt(d_model)
  (section 3.4 of the paper), checked against :class:`transformer_lib.nn.TokenEmbedding`.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from transformer_lib import quiz
from transformer_lib.exercises import Verdict, compare

__all__ = ["questions", "self_check", "check_embed", "reference_embed", "sharing_saves_millions",
           "token_vs_position_length"]

BASE_VOCAB = 37000  # the paper's shared byte-pair vocabulary, "about 37000 tokens" (section 5.1)
BASE_D = 512


def sharing_saves_millions(vocab: int = BASE_VOCAB, d_model: int = BASE_D) -> float:
    """Parameters (in millions) that one shared matrix saves over three separate (V, D) ones,
    counted on the library's own ``Transformer`` built on the ``meta`` device."""
    import transformer_lib as tl
    from transformer_lib import nn as tnn

    totals = {}
    for share in (True, False):
        with torch.device("meta"):  # shapes only, no memory
            model = tnn.Transformer(tl.TransformerConfig(src_vocab_size=vocab, tgt_vocab_size=vocab,
                                                         d_model=d_model, share_embeddings=share))
        totals[share] = sum(tnn.parameter_counts(model).values())
    return (totals[False] - totals[True]) / 1e6


def token_vs_position_length(d_model: int = BASE_D) -> tuple[float, float, float]:
    """Mean length of: a stored row of the library's initialised table, the same row times
    sqrt(d_model), and a sinusoidal positional encoding (positions 0..99)."""
    import transformer_lib as tl
    from transformer_lib import nn as tnn

    torch.manual_seed(0)
    model = tnn.Transformer(tl.TransformerConfig(src_vocab_size=1000, tgt_vocab_size=1000, d_model=d_model,
                                                 n_heads=8, n_encoder_layers=1, n_decoder_layers=1))
    ids = torch.arange(1, 1000)  # (999,), skip the padding row
    with torch.no_grad():
        raw = model.src_embed.table(ids)  # (999, D)
        scaled = model.src_embed(ids[None])[0]  # (999, D)
    pe = tnn.sinusoidal_positional_encoding(100, d_model)  # (100, D)
    return (raw.norm(dim=-1).mean().item(), scaled.norm(dim=-1).mean().item(), pe.norm(dim=-1).mean().item())


def questions() -> list[dict]:
    """The chapter's self-check questions (numeric answers computed now)."""
    saved = sharing_saves_millions()
    raw_len, scaled_len, pe_len = token_vs_position_length()
    return [
        quiz.choice(
            "Looking up row i of an embedding table W_E (shape (V, d_model)) gives the same vector as...",
            [("the one-hot vector of i (length V) times W_E", True,
              "The one-hot vector has a single 1, at position i, so the product picks out row i of W_E; "
              "the lookup skips multiplying by all the zeros."),
             ("W_E times the one-hot vector of i", False,
              "W_E has shape (V, d_model): it cannot multiply a length-V vector from the left. The one-hot "
              "row vector goes first, (1, V) @ (V, d_model)."),
             ("the id i times a learned vector", False,
              "That would put every word on one line, ordered by an id that means nothing. Each word has "
              "its own row.")]),
        quiz.choice(
            "What is the cosine similarity between the one-hot vectors of two different words?",
            [("0: they share no non-zero position", True,
              "Their dot product is 0, so every pair of different words is equally unlike, whatever they mean."),
             ("1", False, "Cosine 1 means the same direction; two different one-hot vectors are orthogonal."),
             ("It depends on how far apart their ids are", False,
              "That is the problem of raw integer ids; one-hot vectors remove the order entirely.")]),
        quiz.choice(
            "Why does the paper multiply the embeddings by sqrt(d_model)?",
            [("It does not say: section 3.4 states the multiplication and gives no reason", True,
              "The reasons you read elsewhere (including this chapter's) are readings of the paper and of its "
              "code, not the paper's own words."),
             ("To make the attention scores smaller", False,
              "That is the 1/sqrt(d_k) inside scaled dot-product attention (section 3.2.1), a different factor "
              "in a different place."),
             ("Because the positional encoding is divided by sqrt(d_model)", False,
              "The sinusoidal encoding is added as it is, entries between -1 and 1.")]),
        quiz.numeric(
            f"In the base model (V = {BASE_VOCAB:,} shared tokens, d_model = {BASE_D}), how many million "
            "parameters does one shared matrix save, compared with separate source embedding, target "
            "embedding and output projection? (one decimal)",
            saved, tol=0.05,
            why=f"Two of the three (V, d_model) matrices disappear: 2 x {BASE_VOCAB:,} x {BASE_D} = {saved:.1f} M.",
            too_low="Too small: count the matrices that sharing removes: two of the three.",
            too_high="Too large: one (V, d_model) matrix remains; only two are saved."),
        quiz.numeric(
            f"With the library's initialisation (entries of std 1/sqrt(d_model)) and d_model = {BASE_D}, a "
            f"stored row has length about {raw_len:.2f}. What is the mean length of a sinusoidal positional "
            "encoding vector at d_model = 512? (one decimal)",
            pe_len, tol=0.1,
            why=f"Each (sin, cos) pair has length 1, and there are d_model/2 = 256 pairs: sqrt(256) = {pe_len:.1f}. "
                f"Unscaled, the token vector (length {raw_len:.2f}) would be a small fraction of the sum; "
                f"times sqrt(d_model) it has length {scaled_len:.1f}.",
            too_low="Too small: count the (sin, cos) pairs: each has length exactly 1.",
            too_high="Too large: the entries lie between -1 and 1; add up sin^2 + cos^2 = 1 per pair."),
    ]


def self_check() -> None:
    """Show the questions (jupyterquiz; works on the static page, in Jupyter and in Colab)."""
    quiz.show(*questions())


def reference_embed(ids, W_E):
    """The library's answer: ``TokenEmbedding`` with ``W_E`` copied in, i.e. W_E[ids] * sqrt(D)."""
    from transformer_lib import nn as tnn

    W_E = np.asarray(W_E, dtype=np.float64)
    layer = tnn.TokenEmbedding(W_E.shape[0], W_E.shape[1]).double()
    with torch.no_grad():
        layer.table.weight.copy_(torch.from_numpy(W_E))
        return layer(torch.as_tensor(np.asarray(ids), dtype=torch.long)).numpy()


def _cases() -> list[tuple]:
    rng = np.random.default_rng(0)
    W_small = rng.standard_normal((6, 4)) / 2  # V=6, D=4
    W_wide = rng.standard_normal((11, 16)) / 4  # V=11, D=16
    return [
        (np.array([1, 3, 5]), W_small),  # (T,)
        (np.array([[0, 2, 2, 4], [5, 5, 1, 0]]), W_small),  # (B, T) with repeated ids
        (np.array([[10, 0, 7]]), W_wide),  # the last row, and a wider table
        (np.array([[3]]), W_wide),  # a single token
    ]


def check_embed(fn) -> Verdict:
    """Check ``fn(ids, W_E)``: rows of ``W_E`` (V, D) for integer ``ids`` of any shape,
    multiplied by sqrt(D). Returns a :class:`Verdict` (never raises)."""
    verdict = compare(fn, reference_embed, _cases(), what="your embedding lookup", atol=1e-9, rtol=1e-9)
    if verdict.ok or "raised" in verdict.message or "not written" in verdict.message:
        return verdict
    ids, W_E = _cases()[0]
    try:  # name the most common slip: the table's rows without the factor (or divided by it)
        got = np.asarray(fn(ids, W_E), dtype=np.float64)
        want = reference_embed(ids, W_E)
        for ratio, hint in ((math.sqrt(W_E.shape[1]), "forgot to multiply by sqrt(d_model)"),
                            (W_E.shape[1], "divided by sqrt(d_model) instead of multiplying")):
            if got.shape == want.shape and np.allclose(got * ratio, want):
                return Verdict(False, f"{verdict.message} (It looks as if you {hint}.)")
    except Exception:  # the message from compare already says what went wrong
        pass
    return verdict
