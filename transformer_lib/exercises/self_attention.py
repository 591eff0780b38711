"""Self-check and exercise of chapter "Self-attention: queries, keys and values"
(``chapters/self_attention.ipynb``).

The numeric answers are computed here, when the questions are built, with
:mod:`transformer_lib.ref`; the check compares the reader's attention with
:func:`transformer_lib.ref.scaled_dot_product_attention`.
"""

from __future__ import annotations

import numpy as np

from transformer_lib import quiz, ref
from transformer_lib.exercises import Verdict, compare

__all__ = ["questions", "self_check", "attention_reference", "check_attention"]


def _thinking_machines() -> tuple[np.ndarray, float]:
    """The chapter's walk-through: the scaled scores of "Thinking" and the weight it puts on itself."""
    x = np.array([[2.0, 1.0, 1.0, 1.0], [2.0, 1.0, 0.0, 1.0]])  # (T=2, 4): Thinking, Machines
    W_Q = np.tile(np.eye(4), (1, 16))  # (4, 64)
    W_K = np.tile(np.eye(4)[[0, 1, 3, 2]], (1, 16))  # (4, 64)
    Q, K = x @ W_Q, x @ W_K  # (2, 64) each
    _, w = ref.scaled_dot_product_attention(Q, K, Q)  # weights (2, 2); the values do not matter here
    return Q[0] @ K.T / np.sqrt(64), float(w[0, 0])


def questions() -> list[dict]:
    """The chapter's questions (numeric answers computed now, by the library)."""
    d_k, raw = 64, np.array([24.0, 0.0])
    scaled_weight = float(ref.softmax(raw / np.sqrt(d_k))[0])
    unscaled_weight = float(ref.softmax(raw)[0])
    scores, thinking = _thinking_machines()
    return [
        quiz.choice("In this book's attention matrix A = softmax(QK^T/√d_k), what does row i hold?", [
            ("Query i's weights over every key: where token i looks. The row sums to 1.", True,
             "Rows are queries (the tokens attending), columns are keys (the tokens attended to); the "
             "softmax runs along each row."),
            ("Key i's weights over every query: who looks at token i.", False,
             "That is column i (read down), and a column need not sum to 1. 3Blue1Brown's attention video "
             "draws this transpose: queries as columns."),
            ("The value vector of token i.", False, "Values are the rows of V; A only holds weights."),
        ]),
        quiz.numeric(f"Two keys score q·k = {raw[0]:g} and {raw[1]:g}, with d_k = {d_k}. What weight does the first "
                     "key get after scaling by 1/√d_k and the softmax? (two decimals)", scaled_weight, tol=0.006,
                     why=f"The scaled scores are {raw[0] / np.sqrt(d_k):g} and 0, and softmax gives "
                         f"e^3/(e^3 + 1) = {scaled_weight:.3f}. Unscaled, the second key would keep only "
                         f"{1 - unscaled_weight:.0e}: a saturated softmax.",
                     too_low="Too small. Divide the scores by √d_k = 8 (not by d_k = 64), then take the softmax.",
                     too_high="Too large. Did you forget to divide by √d_k? Unscaled the softmax is almost one-hot."),
        quiz.choice("Why does the paper divide the scores by √d_k (section 3.2.1)?", [
            ("For large d_k the dot products grow large, pushing the softmax into regions of extremely small "
             "gradients; unscaled dot-product attention then loses to additive attention.", True,
             "That is the paper's stated reason, given as a suspicion: for small d_k the two perform "
             "similarly, for larger d_k additive attention outperforms the unscaled dot product."),
            ("So that each row of weights sums to 1.", False, "The softmax does that whatever the scale."),
            ("To make attention faster.", False,
             "Dividing costs a little time; the dot product's speed comes from being one matrix multiply."),
        ]),
        quiz.numeric("In the walk-through (Thinking Machines, d_k = 64), what weight does \"Thinking\" put on "
                     "itself? (two decimals)", thinking, tol=0.006,
                     why=f"Its scaled scores are {scores[0]:g} (itself) and {scores[1]:g} (Machines); the softmax gives "
                         f"{thinking:.3f} on itself and "
                         f"{1 - thinking:.3f} on \"Machines\".",
                     too_low="Too small. It matches its own key better: its weight on itself is the larger one.",
                     too_high="Too large. The softmax never gives exactly 1: \"Machines\" keeps some weight."),
        quiz.choice("Is the score of query a for key b the same as the score of query b for key a?", [
            ("In general no: q_a·k_b = x_a W_Q W_K^T x_b^T, and W_Q ≠ W_K, so S is not symmetric.", True,
             "S = Q K^T is symmetric only if W_Q W_K^T is; the chapter measures how far a trained model's "
             "scores are from it."),
            ("Yes: the dot product is symmetric.", False,
             "q·k = k·q, but q_a·k_b compares a's query with b's key; swapping a and b gives q_b·k_a, "
             "another pair of vectors."),
            ("Only after the softmax.", False, "The softmax normalises rows, which makes things less symmetric, not more."),
        ]),
    ]


def self_check() -> None:
    """Show the questions (jupyterquiz: works on the page, in Jupyter and in Colab)."""
    quiz.show(*questions())


def attention_reference(Q, K, V):
    """softmax(Q K^T / sqrt(d_k)) V, the library's own (:func:`transformer_lib.ref.scaled_dot_product_attention`)."""
    return ref.scaled_dot_product_attention(Q, K, V)[0]


def _cases():
    rng = np.random.default_rng(15)
    return [
        (rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), rng.standard_normal((3, 4))),
        (rng.standard_normal((2, 5)), rng.standard_normal((4, 5)), rng.standard_normal((4, 3))),  # T != S, d_v != d_k
        tuple(rng.standard_normal((2, 3, 4, 8)) for _ in range(3)),  # batch and head dimensions (B, H, T, Dh)
        (30 * rng.standard_normal((4, 64)), 30 * rng.standard_normal((4, 64)), rng.standard_normal((4, 2))),  # huge scores
    ]


def check_attention(fn) -> Verdict:
    """Check ``fn(Q, K, V)`` against the library on small inputs, T != S, batch dimensions and huge scores."""
    return compare(fn, attention_reference, _cases(), what="my_attention", atol=1e-8, rtol=1e-6)
