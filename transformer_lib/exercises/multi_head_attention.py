"""Self-check and exercises of chapter "Multi-head attention" (chapters/multi_head_attention.ipynb).

* :func:`questions` / :func:`self_check` -- the chapter's questions, answers computed with
  :mod:`transformer_lib.ref` when called.
* :func:`check_split_heads` -- the reader's ``split_heads(x, n_heads)``, (..., T, D) -> (..., H, T, Dh),
  against :func:`transformer_lib.ref.split_heads`.
* :func:`check_multi_head_attention` -- the reader's
  ``multi_head_attention(X, W_Q, W_K, W_V, W_O, n_heads)`` (self-attention, no mask) against the
  output of :func:`transformer_lib.ref.multi_head_attention`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from transformer_lib import nn as tnn
from transformer_lib import quiz, ref
from transformer_lib.exercises import Verdict, compare

__all__ = ["questions", "self_check", "check_split_heads", "check_multi_head_attention"]


def questions() -> list[dict]:
    """The chapter's self-check questions (numeric answers computed here with the library)."""
    D, H = 768, 12
    n_params = sum(p.numel() for p in tnn.MultiHeadAttention(D, H, bias=False).parameters())
    D2, H2 = 256, 8  # a smaller layer for the rank: an SVD of 768 x 768 would be slow
    rng = np.random.default_rng(0)
    W_V, W_O = rng.standard_normal((D2, D2)), rng.standard_normal((D2, D2))
    Dh = ref.split_heads(rng.standard_normal((3, D2)), H2).shape[-1]
    W_OV = W_V[:, :Dh] @ W_O[:Dh, :]  # head 0's value map, (D2, D2)
    rank = int(torch.linalg.matrix_rank(torch.from_numpy(W_OV)))
    return [
        quiz.numeric(
            f"A multi-head attention layer has d_model = {D} and {H} heads, no biases. How many "
            "parameters do W_Q, W_K, W_V and W_O hold together?", n_params,
            why=f"Each is {D} × {D} whatever the number of heads (the heads read blocks of "
                f"columns), so 4 · {D}² = {n_params:,}.", tol=0.5,
            too_low="Too small. Each of the four matrices is d_model × d_model.",
            too_high="Too large. The number of heads does not multiply the parameters: heads share the "
                     "matrices, each reading its own block of columns."),
        quiz.numeric(
            f"Another layer has d_model = {D2} and {H2} heads. What is the rank of one head's value "
            f"map W_V,i W_O,i, a {D2} × {D2} matrix (random weights)?", rank,
            why=f"It is a product through d_head = {D2}/{H2} = {Dh} dimensions, so its rank is at "
                f"most {Dh} (and {rank} for random matrices).", tol=0.5,
            too_low="Too small. Which dimension does the product pass through?",
            too_high=f"Too large. A {D2} × {Dh} matrix times a {Dh} × {D2} one cannot have rank above {Dh}."),
        quiz.choice(
            "Why does the concatenation of the heads get multiplied by W_O back to d_model "
            "dimensions?", [
                ("So the output can be added to the layer's input (the residual connection) and "
                 "the next layer gets the width it expects.", True,
                 "x + MultiHead(x) needs both terms to be d_model wide."),
                ("Because softmax needs d_model inputs.", False,
                 "Softmax runs over the keys inside each head; it has nothing to do with the "
                 "output width."),
                ("To average the heads' outputs.", False,
                 "W_O is learned: it mixes the heads' outputs with learned weights, and each "
                 "head has its own block of rows in it."),
            ]),
        quiz.choice(
            "Each attention head and each output channel of a 1-D convolution compute their own "
            "filter over the same input. Where does the analogy break?", [
                ("A convolution's mixing weights depend only on the relative position; a "
                 "head's mixing weights (its attention row) depend on the content of the "
                 "tokens.", True,
                 "The kernel is the same for every input, while a head recomputes its weights "
                 "from queries and keys for every sentence."),
                ("A convolution channel sees all positions; a head sees only nearby ones.",
                 False, "It is the other way round: a kernel covers a few neighbours, a head can "
                 "attend to any position."),
                ("Heads share their weights and convolution channels do not.", False,
                 "Each head has its own columns of W_Q, W_K, W_V, as each channel has its own "
                 "kernel."),
            ]),
    ]


def self_check() -> None:
    """Show the questions on the page (jupyterquiz)."""
    quiz.show(*questions())


def _cases_split(seed: int = 0) -> list[tuple]:
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((4, 8)), 2), (rng.standard_normal((6, 12)), 3),
            (rng.standard_normal((2, 5, 16)), 4),  # a batch axis in front
            (rng.standard_normal((3, 6)), 1)]  # one head: only a new axis


def check_split_heads(fn: Callable) -> Verdict:
    """Check ``fn(x, n_heads)``: (..., T, D) -> (..., H, T, Dh), head h = columns h*Dh:(h+1)*Dh."""
    return compare(fn, ref.split_heads, _cases_split(), what="your split_heads")


def _mha_output(X, W_Q, W_K, W_V, W_O, n_heads):
    return ref.multi_head_attention(X, X, W_Q, W_K, W_V, W_O, n_heads=n_heads)[0]


def check_multi_head_attention(fn: Callable) -> Verdict:
    """Check ``fn(X, W_Q, W_K, W_V, W_O, n_heads) -> (T, D)``, multi-head self-attention with
    weights stored (D_in, D_out), on several sizes, one with large scores."""
    rng = np.random.default_rng(1)
    cases = []
    for T, D, H, scale in ((4, 8, 2, 1.0), (6, 12, 3, 1.0), (5, 16, 4, 6.0), (3, 8, 1, 1.0)):
        X = rng.standard_normal((T, D)) * scale  # scale 6: large scores, softmax nearly one-hot
        Ws = [rng.standard_normal((D, D)) / np.sqrt(D) for _ in range(4)]
        cases.append((X, *Ws, H))
    return compare(fn, _mha_output, cases, what="your multi_head_attention", atol=1e-6)
