"""Self-check and exercises of chapter "Positional encoding" (chapters/positional_encoding.ipynb).

* :func:`questions` / :func:`self_check` -- the chapter's questions, answers computed with
  :mod:`transformer_lib.ref` when called.
* :func:`check_positional_encoding` -- the reader's ``PE(max_len, d_model)`` against
  :func:`transformer_lib.ref.sinusoidal_positional_encoding` (the paper's interleaved layout).
* :func:`check_relative_matrix` -- the reader's ``M(k, d_model)`` with PE(pos + k) = M PE(pos),
  against :func:`transformer_lib.ref.relative_position_matrix`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from transformer_lib import quiz, ref
from transformer_lib.exercises import Verdict, compare

__all__ = ["questions", "self_check", "check_positional_encoding", "check_relative_matrix"]


def questions() -> list[dict]:
    """The chapter's self-check questions (numeric answers computed here with the library)."""
    d = 64
    pe = ref.sinusoidal_positional_encoding(40, d)
    self_dot = float(pe[10] @ pe[10])  # d/2: each pair gives sin^2 + cos^2 = 1
    wavelength = float(2 * np.pi / ref.frequencies(d)[1])  # pair 1: 2*pi * 10000^(2/d)
    return [
        quiz.numeric(
            f"For d_model = {d}, what is the dot product PE(10)·PE(10) of a position's encoding "
            "with itself?", self_dot,
            why=f"Each of the {d // 2} (sin, cos) pairs contributes sin² + cos² = 1, so the dot "
                f"product is d_model/2 = {d // 2} at every position.",
            too_low="Too small. Count what each (sin, cos) pair contributes.",
            too_high="Too large. Not every dimension contributes 1: a pair's sine and cosine share it."),
        quiz.numeric(
            f"For d_model = {d}, over how many positions does dimension pair i = 1 (dimensions 2 "
            "and 3) complete one full turn? (Its wavelength 2π/ω₁, to one decimal.)", wavelength,
            why=f"ω₁ = 1/10000^(2·1/{d}), so the wavelength is 2π·10000^(2/{d}) ≈ {wavelength:.1f} "
                "positions.", tol=0.1,
            too_low="Too small. Pair 0 turns once every 2π ≈ 6.3 positions; pair 1 is slower.",
            too_high="Too large. Use ω_i = 1/10000^(2i/d_model) with i = 1."),
        quiz.choice(
            "Shuffle the tokens of a sentence and feed them to self-attention with no positional "
            "encoding. What happens to the outputs?", [
                ("They are shuffled the same way, and otherwise unchanged.", True,
                 "Attention compares tokens by content only, so it is permutation-equivariant: "
                 "the chapter's first cell shows the difference is at rounding level."),
                ("They stay in the original order.", False,
                 "Each output row belongs to its own token; the rows move with the tokens."),
                ("They change in unpredictable ways.", False,
                 "Nothing in softmax(QKᵀ/√d_k)V depends on a token's place, so only the order "
                 "of the rows changes."),
            ]),
        quiz.choice(
            "PE(p)·PE(q) = Σᵢ cos((p − q)ωᵢ). What can attention read from this dot product alone?",
            [
                ("How far apart p and q are, but not which comes first.", True,
                 "cos is even: offsets +k and −k give the same value. The direction is in the "
                 "vectors (M_k ≠ M_−k), not in the dot product."),
                ("Which of p and q comes first.", False,
                 "Swap p and q: cos((q − p)ω) = cos((p − q)ω), so the dot product is the same."),
                ("The absolute positions p and q.", False,
                 "It depends only on p − q: the chapter's curves for three start positions lie "
                 "on top of each other."),
            ]),
        quiz.choice(
            "The paper multiplies the embeddings by √d_model before adding the encoding "
            "(section 3.4). What reason does the paper give?", [
                ("None: it states the multiplication without a reason.", True,
                 "The balance argument in the chapter is a reading of the code (tensor2tensor "
                 "initialises embeddings with standard deviation d_model^-1/2), not the paper's "
                 "words."),
                ("To keep the positional encoding from drowning the embeddings.", False,
                 "That is a common explanation (and this chapter measures it), but the paper "
                 "does not say it."),
                ("To make the dot products in attention independent of d_model.", False,
                 "That is the reason for dividing scores by √d_k (section 3.2.1), a different "
                 "factor."),
            ]),
    ]


def self_check() -> None:
    """Show the questions on the page (jupyterquiz)."""
    quiz.show(*questions())


def check_positional_encoding(fn: Callable) -> Verdict:
    """Check ``fn(max_len, d_model) -> (max_len, d_model)`` against the paper's encoding
    (interleaved: sin in even dimensions, cos in odd ones)."""
    cases = [(5, 4), (12, 16), (50, 512), (1, 2)]
    return compare(fn, ref.sinusoidal_positional_encoding, cases,
                   what="your positional encoding", atol=1e-6)


def check_relative_matrix(fn: Callable) -> Verdict:
    """Check ``fn(k, d_model) -> (d_model, d_model)``, the matrix with PE(pos + k) = M PE(pos)."""
    cases = [(1, 4), (3, 16), (-2, 8), (0, 6), (7, 64)]
    return compare(fn, ref.relative_position_matrix, cases,
                   what="your rotation matrix M_k", atol=1e-6)
