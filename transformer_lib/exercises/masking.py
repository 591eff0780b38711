"""Self-check and exercise of chapter "Masking: what a token may not look at"
(``chapters/masking.ipynb``).

The numeric answers are computed here, when the questions are built, with
:mod:`transformer_lib.ref`; the check compares the reader's masked softmax with the library's
(-inf before the softmax, zeros for a row whose keys are all masked).
"""

from __future__ import annotations

import numpy as np
import torch

from transformer_lib import quiz, ref
from transformer_lib.exercises import Verdict, compare

__all__ = ["questions", "self_check", "masked_softmax_reference", "check_masked_softmax"]


def questions() -> list[dict]:
    """The chapter's questions (numeric answers computed now, by the library)."""
    scores = np.array([2.0, 1.0, 0.5, 3.0, -1.0, 1.5])  # the chapter's row
    keep = np.array([True, True, True, False, False, False])
    leaked = float(ref.softmax(np.where(keep, scores, 0.0))[~keep].sum())
    T, length = 6, 3
    allowed = int((ref.causal_mask(T) & ref.padding_mask(np.array([length]), T))[0, 0].sum())
    fp16 = torch.tensor(-1e9, dtype=torch.float16).item()
    return [
        quiz.choice("Why does the library set masked scores to -∞ before the softmax, instead of zeroing the "
                    "weights after it?", [
            ("e^-∞ = 0, so hidden keys get exactly 0 and the softmax renormalises over the allowed keys: "
             "the row still sums to 1.", True,
             "Zeroing afterwards gives the zeros but loses their weight: the row sums to less than 1."),
            ("Because zeroing after the softmax would leave the hidden keys some weight.", False,
             "Zeroing after the softmax does give them exactly 0; what goes wrong is the row's sum."),
            ("Because -∞ is faster to compute.", False, "The cost is the same; the difference is the result."),
        ]),
        quiz.numeric("The chapter's row of scores [2, 1, 0.5, 3, -1, 1.5], last three keys hidden by setting "
                     "their *scores* to 0 before the softmax. How much weight do the hidden keys get in total? "
                     "(two decimals)", leaked, tol=0.006,
                     why=f"e^0 = 1 is no 'nothing': the three hidden keys share {leaked:.3f} of the weight.",
                     too_low="Too small. Each hidden key gets e^0 = 1 in the numerator, as much as a key of score 0.",
                     too_high="Too large. The visible keys have larger scores (2, 1, 0.5): they keep most of the weight."),
        quiz.numeric(f"A decoder reads a sentence of {length} tokens padded to T = {T}, with the causal mask and "
                     f"the padding mask combined. How many of the {T} x {T} (query, key) pairs may attend?",
                     allowed, tol=0.5,
                     why=f"Row t may see keys 0..min(t, {length - 1}): 1 + 2 + 3 for the first three rows, then "
                         f"3 for each of the {T - length} padding rows: {allowed}.",
                     too_low="Too small. Padding queries still attend to the real tokens; only padding *keys* are hidden.",
                     too_high="Too large. The padding mask hides the keys from position 3 on, in every row."),
        quiz.choice("What does -1e9 become when stored in float16?", [
            (f"{fp16} (it overflows: float16's largest magnitude is 65504)", True,
             "The constant is not 'large negative' in float16: it becomes -inf, so it is no safer than -inf "
             "itself, and a fully masked row then gives NaN unless the code guards it."),
            ("-65504, the dtype's minimum", False,
             "Converting rounds to the nearest float16, and beyond the largest finite one (65504) that is "
             "infinity. -65504 is `torch.finfo(torch.float16).min`, which you get only by asking for it."),
            ("-1e9 exactly", False, "float16 has 5 exponent bits: nothing beyond ±65504 is finite."),
        ]),
        quiz.choice("A padded sequence has length 0, so one query row has every key masked. What does the "
                    "library's attention return for that row?", [
            ("All-zero weights, so the row's attention output (before W_O) is zero.", True,
             "A row with nothing to read reads nothing; the library guards it so that no NaN appears."),
            ("NaN, as the softmax of an all -∞ row.", False,
             "That is the unguarded textbook softmax (e^(-∞ - (-∞))); the library guards against it."),
            ("A uniform distribution over the keys.", False,
             "That is what a finite fill such as -1e9 gives in float32: the masked keys get read after all."),
        ]),
    ]


def self_check() -> None:
    """Show the questions (jupyterquiz: works on the page, in Jupyter and in Colab)."""
    quiz.show(*questions())


def masked_softmax_reference(scores, mask):
    """The library's masked softmax: -inf where ``mask`` is False, then :func:`transformer_lib.ref.softmax`
    (a row whose keys are all masked gives zeros)."""
    return ref.softmax(np.where(mask, scores, -np.inf))


def _cases():
    rng = np.random.default_rng(15)
    row = np.array([2.0, 1.0, 0.5, 3.0, -1.0, 1.5])
    keep = np.array([True, True, True, False, False, False])
    scores = rng.standard_normal((2, 4, 4))  # (B, T, S)
    lengths_mask = ref.padding_mask(np.array([4, 2]), 4)[:, 0]  # (B, 1, S): broadcast over queries
    empty = np.ones((3, 5), dtype=bool)
    empty[1] = False  # row 1 has nothing to look at
    return [
        (row, keep),
        (rng.standard_normal((5, 5)), ref.causal_mask(5)),
        (scores, lengths_mask),
        (100 * rng.standard_normal((3, 5)), empty),  # large scores and a fully masked row
    ]


def check_masked_softmax(fn) -> Verdict:
    """Check ``fn(scores, mask)`` (mask True = may attend) on one row, a causal mask, a broadcast
    padding mask, and large scores with a fully masked row (which must give zeros, not NaN)."""
    return compare(fn, masked_softmax_reference, _cases(), what="masked_softmax", atol=1e-8, rtol=1e-6)
