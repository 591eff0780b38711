"""Self-check and exercises for chapter "The modern block" (chapters/modern_block.ipynb).

``self_check()`` shows the chapter's questions. ``check_rms_norm(fn)`` checks the reader's RMSNorm
against :func:`transformer_lib.ref.rms_norm`; ``check_apply_rotary(fn)`` checks a RoPE rotation
("rotate half" convention) against :func:`transformer_lib.ref.apply_rotary`. Numeric answers are
computed here, with the library, when the questions are built.
"""

from __future__ import annotations

import numpy as np

from transformer_lib import nn as tnn
from transformer_lib import quiz, ref
from transformer_lib.exercises import Verdict, compare

__all__ = ["questions", "self_check", "check_rms_norm", "check_apply_rotary", "LLAMA2_70B"]

# Llama 2 70B's shape: LLaMA 65B's dimensions (Touvron et al. 2023a, Table 2) with 8 key/value heads
# (the released model's configuration), a context of 4096 tokens (Touvron et al. 2023b), 16-bit numbers.
LLAMA2_70B = dict(n_layers=80, d_model=8192, context=4096, bytes_per_number=2, n_heads=64)


def questions() -> list[dict]:
    """The chapter's self-check questions (numbers computed with the library now)."""
    D = 768
    hidden = ref.swiglu_hidden_width(D)
    full = tnn.kv_cache_bytes(batch=1, n_kv_heads=64, **LLAMA2_70B)
    grouped = tnn.kv_cache_bytes(batch=1, n_kv_heads=8, **LLAMA2_70B)
    x = np.array([2.0, 2.0, 2.0, 2.0])
    rms_out = float(ref.rms_norm(x, np.ones(4), eps=0.0)[0])
    return [
        quiz.choice("With RoPE, what does the attention score between a query at position m and a key at "
                    "position n depend on, besides the two vectors?", [
            ("only the offset n - m", True,
             "R_m^T R_n = R_(n-m): moving both positions by the same amount leaves the score unchanged."),
            ("both absolute positions m and n", False,
             "That is the case for a table added to the embeddings; the rotations cancel down to the offset."),
            ("nothing: RoPE scores ignore position", False,
             "The rotation by (n - m) times each frequency changes the score as the offset changes."),
        ]),
        quiz.numeric("RMSNorm with gamma = 1 and eps = 0 is applied to the token x = [2, 2, 2, 2]. "
                     "What is the first feature of the output?", rms_out, tol=1e-3,
                     why="The root mean square of x is 2, so RMSNorm gives [1, 1, 1, 1]. LayerNorm would "
                         "subtract the mean 2 first and give zeros: RMSNorm keeps the mean.",
                     too_low="Too small. RMSNorm does not subtract the mean.",
                     too_high="Too large. It divides by the root mean square, 2."),
        quiz.numeric(f"A SwiGLU layer replaces a ReLU feed-forward layer with d_ff = 4D at D = {D}, keeping the "
                     "number of weights. What hidden width does `ref.swiglu_hidden_width` give?", hidden, tol=0.5,
                     why=f"Three D x h matrices must hold as many numbers as two D x 4D ones: h = 2/3 x 4D = 8D/3 "
                         f"= {8 * D / 3:.0f} (Shazeer 2020).",
                     too_low="Too small. Three matrices of width h against two of width 4D: 3h = 8D.",
                     too_high="Too large. SwiGLU has three matrices, so each is narrower than 4D."),
        quiz.numeric("Llama 2 70B has 64 query heads and 8 key/value heads. By what factor is its KV cache smaller "
                     "than with 64 key/value heads?", full / grouped, tol=0.01,
                     why=f"A position keeps H_kv x Dh numbers per key and per value instead of H x Dh: 64 / 8 = "
                         f"{full // grouped} ({full / 2**30:.2f} GiB against {grouped / 2**30:.2f} GiB for one "
                         "sequence of 4096 tokens).",
                     too_low="Too small. The cache scales with the number of key/value heads.",
                     too_high="Too large. The factor is H / H_kv."),
        quiz.choice("Which of the four changes of the modern block appears in Llama 2's largest models but not in "
                    "the first LLaMA?", [
            ("grouped-query attention", True,
             "LLaMA (2023a) used pre-norm RMSNorm, SwiGLU and RoPE; Llama 2 (2023b) added GQA for its larger models."),
            ("RMSNorm", False, "LLaMA already normalised each sublayer's input with RMSNorm."),
            ("SwiGLU", False, "LLaMA already used SwiGLU with a hidden width of 2/3 x 4D."),
            ("rotary position embedding", False, "LLaMA already rotated queries and keys (RoPE)."),
        ]),
    ]


def self_check() -> None:
    """Show the chapter's questions (answered on the page, no kernel needed)."""
    quiz.show(*questions())


def _rms_cases() -> list[tuple]:
    rng = np.random.default_rng(0)
    shifted = rng.standard_normal((2, 5, 8)) + 3.0  # a mean far from 0: LayerNorm and RMSNorm disagree
    zeros = np.zeros((2, 6))  # eps keeps this from dividing by zero
    return [(rng.standard_normal((4, 8)), rng.standard_normal(8), 1e-6),
            (shifted, rng.standard_normal(8), 1e-5),
            (zeros, np.ones(6), 1e-5),
            (rng.standard_normal((3, 4)) * 1e-3, np.ones(4), 1e-2)]  # eps as large as the mean square


def check_rms_norm(fn) -> Verdict:
    """Check ``fn(x, gamma, eps)`` -> (..., D) against :func:`transformer_lib.ref.rms_norm`:
    batch dimensions, a mean far from 0, an all-zero token, and an eps as large as the signal."""
    return compare(fn, lambda x, g, e: ref.rms_norm(x, g, eps=e), _rms_cases(), what="your RMSNorm",
                   atol=1e-9, rtol=1e-7)


def check_apply_rotary(fn) -> Verdict:
    """Check ``fn(x)`` for x (..., T, Dh) -> x rotated by its positions 0..T-1, "rotate half"
    convention (feature i paired with feature i + Dh/2), against :func:`transformer_lib.ref.apply_rotary`."""
    rng = np.random.default_rng(0)
    cases = [(rng.standard_normal((4, 2)),), (rng.standard_normal((6, 8)),),
             (rng.standard_normal((2, 3, 50, 16)),), (rng.standard_normal((1, 4)),)]
    return compare(fn, lambda x: ref.apply_rotary(x), cases, what="your RoPE rotation", atol=1e-9, rtol=1e-7)
