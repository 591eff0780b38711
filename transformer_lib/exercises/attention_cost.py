"""Self-check and exercises for chapter "The cost of attention" (chapters/attention_cost.ipynb).

``self_check()`` shows the chapter's questions. ``check_dilated_mask(fn)`` checks the reader's
dilated window against :func:`transformer_lib.ref.dilated_mask`; ``check_online_softmax(fn)``
checks a softmax computed block by block against :func:`transformer_lib.ref.softmax`, on large
scores and on a fully masked row. Numeric answers are computed here when the questions are built.
"""

from __future__ import annotations

import numpy as np

from transformer_lib import cost, quiz, ref
from transformer_lib.exercises import Verdict, compare

__all__ = ["questions", "self_check", "check_dilated_mask", "check_online_softmax", "online_softmax_cases"]


def questions() -> list[dict]:
    """The chapter's self-check questions (numbers computed with the library now)."""
    T_big = 8192
    matrix_mb = T_big * T_big * 4 / 1e6  # one float32 T x T matrix
    T, window, dilation = 100, 4, 3
    keys = int(ref.dilated_mask(T, window, dilation).sum(-1).max())
    hops = cost.max_path_length(cost.layer_structure("restricted", 16, r=4)[0])
    return [
        quiz.numeric(f"How many megabytes (10^6 bytes) does one {T_big} x {T_big} matrix of float32 scores take?",
                     matrix_mb, why=f"{T_big}^2 entries x 4 bytes = {matrix_mb:,.0f} MB, for one head of one layer "
                                    "of one sequence: the n^2 that FlashAttention never holds.",
                     too_low="Too small. A float32 takes 4 bytes, and there are T^2 scores, not T.",
                     too_high="Too large. Count 4 bytes per float32 and 10^6 bytes per MB."),
        quiz.numeric(f"At most how many keys does one query keep under `dilated_mask({T}, window={window}, "
                     f"dilation={dilation})`?", keys, tol=0.5,
                     why=f"`window` keys on each side, itself counted once: 2 x {window} - 1 = {keys}, "
                         f"{dilation} apart. The count does not grow with T, so the cost grows as T.",
                     too_low="Too small. The window reaches both ways, left and right.",
                     too_high="Too large. Dilation spaces the keys out; it does not add any."),
        quiz.numeric("Restricted self-attention with a window of r = 4 (each position reads itself and 3 neighbours "
                     "on each side), n = 16 positions: how many stacked layers does it take before position 0 "
                     "can read position 15?", hops, tol=0.5,
                     why=f"Each layer moves information r - 1 = 3 positions: ceil(15 / 3) = {hops} hops "
                         "(Table 1's O(n/r); `cost.max_path_length` counts them).",
                     too_low="Too small. One layer moves information only r - 1 = 3 positions further.",
                     too_high="Too large. Each layer reaches 3 positions, not 1."),
        quiz.choice("What does FlashAttention give up to avoid holding the T x S matrix of scores?", [
            ("nothing in the result: it computes exact attention, one block of keys at a time", True,
             "The online softmax rescales the running sum and output whenever the maximum grows, so the final "
             "division gives exactly the softmax-weighted sum (Dao et al. 2022)."),
            ("some accuracy: it approximates the softmax", False,
             "That is what sparse or low-rank methods trade; FlashAttention's output equals full attention's "
             "up to float rounding, as the chapter's cell shows."),
            ("the pairs outside a window", False, "That is sparse attention; FlashAttention scores every pair."),
        ]),
        quiz.choice("A sparse mask is passed to ordinary dense attention, `softmax(Q K^T + mask) V`. "
                    "How much time does it save?", [
            ("almost none: every score is still computed, then most are thrown away", True,
             "Only a computation that never forms the skipped tiles, like `nn.block_sparse_attention`, saves work."),
            ("time in proportion to the fraction of pairs masked", False,
             "The masked scores are computed first and only then set to -inf."),
        ]),
    ]


def self_check() -> None:
    """Show the chapter's questions (answered on the page, no kernel needed)."""
    quiz.show(*questions())


def check_dilated_mask(fn) -> Verdict:
    """Check ``fn(T, window, dilation)`` -> bool (T, T) against :func:`transformer_lib.ref.dilated_mask`."""
    cases = [(5, 2, 2), (8, 3, 1), (12, 2, 3), (1, 1, 1), (10, 20, 2), (9, 3, 4)]
    return compare(fn, lambda T, w, d: ref.dilated_mask(T, w, d), cases, what="your dilated mask")


def online_softmax_cases() -> list[tuple]:
    """Inputs for :func:`check_online_softmax`: several blocks, large scores, a fully masked row,
    a row whose maximum comes last, and batch dimensions."""
    rng = np.random.default_rng(0)
    rising = np.arange(10.0)[None, :]  # the maximum grows with every block: the rescaling matters
    large = rng.standard_normal((3, 9)) * 5 + 1000.0  # exp(1000) overflows without the running maximum
    masked = rng.standard_normal((3, 7))
    masked[1] = -np.inf  # a query whose keys are all masked: zeros, not NaN
    masked[2, :4] = -np.inf  # a query whose first block is all masked
    return [(rng.standard_normal((2, 6)), 3), (rising, 4), (large, 4), (masked, 3),
            (rng.standard_normal((2, 3, 11)), 5), (rng.standard_normal((4, 5)), 1)]


def check_online_softmax(fn) -> Verdict:
    """Check ``fn(x, block_size)`` -> softmax of ``x`` over its last axis (same shape) against
    :func:`transformer_lib.ref.softmax`: large scores, a fully masked (-inf) row that must give
    zeros, a maximum that grows block after block, and batch dimensions."""
    return compare(fn, lambda x, b: ref.softmax(x, axis=-1), online_softmax_cases(),
                   what="your online softmax", atol=1e-9, rtol=1e-7)
