"""Self-check and exercise for the chapter "Residuals, LayerNorm and BatchNorm"
(``chapters/residuals_and_norms.ipynb``).

* :func:`questions` / :func:`self_check`: the chapter's questions; the numeric answers are
  measured here with the library (the normalisation groups found by
  :func:`transformer_lib.probes.shares_statistics`, the LayerNorm reference).
* :func:`check_layer_norm`: the coding exercise, LayerNorm over the last axis, checked against
  :func:`transformer_lib.ref.layer_norm`.
"""

from __future__ import annotations

import numpy as np

from transformer_lib import quiz
from transformer_lib.exercises import Verdict, compare

__all__ = ["questions", "self_check", "check_layer_norm", "group_size"]


def group_size(norm: str, B: int, T: int, D: int) -> int:
    """How many outputs move when one input of a (B, T, D) batch is nudged: the size of its
    normalisation group under ``norm`` ("LayerNorm" or "BatchNorm"), found by the probe."""
    from transformer_lib import probes, ref

    fns = {"LayerNorm": ref.layer_norm, "BatchNorm": ref.batch_norm}
    if norm not in fns:
        raise ValueError(f"norm must be 'LayerNorm' or 'BatchNorm', got {norm!r}")
    return int(probes.shares_statistics(lambda a: fns[norm](a, np.ones(D), np.zeros(D)), (B, T, D)).sum())


def questions() -> list[dict]:
    """The chapter's self-check questions (numeric answers computed now)."""
    B, T, D = 4, 6, 8
    n_bn = group_size("BatchNorm", B, T, D)
    n_ln = group_size("LayerNorm", B, T, D)
    return [
        quiz.choice(
            "For text of shape (B, T, D), LayerNorm takes its mean and variance over...",
            [("the D features of one token", True,
              "One (mean, variance) per token, so a token's output depends on that token alone."),
             ("one feature across all B x T tokens of the batch", False,
              "That is BatchNorm; it makes a sentence's output depend on its batch-mates and on padding."),
             ("the T tokens of one sentence, feature by feature", False,
              "Neither LayerNorm nor BatchNorm pools over a sentence's tokens alone.")]),
        quiz.numeric(
            f"A batch of B = {B} padded sentences of T = {T} tokens with D = {D} features goes through "
            "BatchNorm (training mode). How many numbers share the mean and variance of one input number "
            "(itself included)?",
            n_bn, tol=0.4,
            why=f"BatchNorm pools one feature over every token of every sentence: B x T = {n_bn}. "
                f"LayerNorm would pool the D = {n_ln} features of one token.",
            too_low="Too small: batchNorm pools over the batch AND the time axis.",
            too_high="Too large: only one feature is pooled: not all B x T x D numbers."),
        quiz.choice(
            "Which line is the paper's arrangement (section 3.1)?",
            [("x <- LayerNorm(x + Sublayer(x))", True,
              "Post-norm: the norm comes after the residual sum. The Annotated Transformer's code, GPT-2 and "
              "many later models use pre-norm instead."),
             ("x <- x + Sublayer(LayerNorm(x))", False,
              "That is pre-norm (norm_first=True): the norm sits inside the residual branch."),
             ("x <- LayerNorm(Sublayer(x))", False,
              "Without the x + ... there is no residual connection; the paper has one around every sublayer.")]),
        quiz.choice(
            "Why does a pre-norm stack add one more LayerNorm after its last layer?",
            [("Its residual stream is a plain sum that no LayerNorm ever normalises otherwise", True,
              "In pre-norm each norm only feeds its sublayer; the stream itself grows layer by layer, so the "
              "output is normalised once at the end."),
             ("To make it equal to post-norm", False,
              "The two arrangements compute different functions; one extra norm does not make them equal."),
             ("Because the output projection needs inputs of variance 0", False,
              "LayerNorm gives variance 1 (before its scale gamma), not 0.")]),
    ]


def self_check() -> None:
    """Show the questions (jupyterquiz; works on the static page, in Jupyter and in Colab)."""
    quiz.show(*questions())


def _reference(x, gamma, beta):
    from transformer_lib import ref

    return ref.layer_norm(x, gamma, beta)


def _cases() -> list[tuple]:
    rng = np.random.default_rng(0)
    D = 6
    gamma, beta = rng.standard_normal(D), rng.standard_normal(D)
    x = rng.standard_normal((2, 3, D))
    constant = x.copy()
    constant[0, 1] = 7.0  # a constant token: variance 0, eps keeps it finite
    return [
        (x, np.ones(D), np.zeros(D)),
        (x, gamma, beta),
        (rng.standard_normal((1, 5, D)) * 1000 + 1e4, gamma, beta),  # large offset and scale
        (rng.standard_normal((3, 1, D)), gamma, beta),  # batch of single-token sequences
        (constant, gamma, beta),
    ]


def check_layer_norm(fn) -> Verdict:
    """Check ``fn(x, gamma, beta)`` = LayerNorm of x (B, T, D) over D with eps = 1e-5 (the biased
    variance, as torch.nn.LayerNorm). Returns a :class:`Verdict` (never raises)."""
    return compare(fn, _reference, _cases(), what="your LayerNorm", atol=1e-7, rtol=1e-7)
