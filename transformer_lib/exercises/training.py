"""Self-check and exercise for the chapter "Training: from logits to loss" (chapters/training.ipynb).

``self_check()`` shows the chapter's questions; ``check_smoothed_targets(fn)`` checks the reader's
label-smoothed target distribution against the library's
:func:`transformer_lib.train.smoothed_targets` (the convention the book trains with: the right token
gets 1 - epsilon, epsilon is spread evenly over the V - 2 tokens that are neither the right one nor
``<pad>``, and a padded target position gets a row of zeros).
"""

from __future__ import annotations

import numpy as np
import torch

from transformer_lib import quiz
from transformer_lib.exercises import Verdict, compare

__all__ = ["questions", "self_check", "check_smoothed_targets", "smoothed_targets_reference"]


def questions() -> list[dict]:
    """The chapter's self-check questions; numeric answers are computed here, by the library."""
    from transformer_lib.data import make_corpus
    from transformer_lib.train import entropy, noam_rate, smoothed_targets

    peak = noam_rate(4000, 512, 4000)
    V = len(make_corpus(seed=0).tgt_vocab)
    floor = float(entropy(smoothed_targets(torch.tensor([[5]]), V, 0.1))[0, 0])
    return [
        quiz.numeric("The paper's schedule (equation 3) with d_model = 512 and warmup_steps = 4000: what is "
                     "the largest learning rate it reaches, in units of 1e-4?", peak * 1e4,
                     why=f"The rate peaks at step = warmup, where both terms of the min agree: "
                         f"512^-0.5 x 4000^-0.5 = {peak:.3e}, that is {peak * 1e4:.2f} x 1e-4.",
                     tol=0.05, too_low="Too small. At step = warmup, step^-0.5 = step x warmup^-1.5 = 4000^-0.5.",
                     too_high="Too large. Remember the factor d_model^-0.5 = 512^-0.5."),
        quiz.numeric(f"Label smoothing with epsilon = 0.1 over the translator's English vocabulary "
                     f"(V = {V} tokens, the book's convention). What is the smallest loss the model can reach "
                     "on one target token, in nats?", floor,
                     why=f"The loss is the cross-entropy H(q, p), smallest when p = q, where it equals the "
                         f"entropy H(q) = {floor:.4f} nats: the smoothed loss never reaches 0.",
                     tol=0.002, too_low="Too small. Not 0: with a smoothed target, H(q, p) >= H(q) > 0.",
                     too_high="Too large. That is above H(q); at p = q the loss equals the entropy of q."),
        quiz.choice("With a smoothed target q, the cross-entropy H(q, p) and the KL divergence KL(q || p) "
                    "differ by ...", [
                        ("the entropy H(q) of the target, the same whatever the model predicts", True,
                         "H(q, p) = KL(q || p) + H(q), and H(q) does not depend on the model: same "
                         "gradients, different values."),
                        ("nothing: they are always equal", False,
                         "Only for one-hot targets, where H(q) = 0. The chapter prints the difference for a "
                         "smoothed target."),
                        ("a factor of epsilon", False,
                         "The two differ by an additive term, H(q), not a factor."),
                    ]),
        quiz.choice("Teacher forcing feeds the decoder the whole correct target at once. What keeps "
                    "position t from reading the word it has to predict?", [
                        ("the causal (look-ahead) mask on the decoder's self-attention", True,
                         "Position t may attend only to positions <= t; the chapter checks that the logits "
                         "at t are the same with or without the later tokens."),
                        ("the padding mask", False,
                         "The padding mask hides <pad> positions, not future words."),
                        ("the shift right by one (<bos> first)", False,
                         "The shift lines each input up with the next word to predict; without the mask, "
                         "attention could still read the later inputs, which are the later targets."),
                    ]),
        quiz.choice("Which Adam settings does the paper use (section 5.3)?", [
                        ("beta1 = 0.9, beta2 = 0.98, epsilon = 1e-9", True,
                         "As in section 5.3; the book's fit_seq2seq uses the same."),
                        ("beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8", False,
                         "Those are Adam's (and PyTorch's) defaults; the paper lowers beta2 to 0.98 and "
                         "epsilon to 1e-9."),
                        ("beta1 = 0.98, beta2 = 0.9, epsilon = 1e-9", False,
                         "The two betas are swapped: beta2, the decay of the squared-gradient average, is 0.98."),
                    ]),
    ]


def self_check() -> None:
    """Show the chapter's questions (works on the static page, in Jupyter and in Colab)."""
    quiz.show(*questions())


def smoothed_targets_reference(targets, vocab_size: int, epsilon: float):
    """The library's smoothed targets (pad id 0) for integer ``targets`` (B, T) -> (B, T, V)."""
    from transformer_lib.train import smoothed_targets

    return smoothed_targets(torch.as_tensor(np.asarray(targets), dtype=torch.long), vocab_size, epsilon).numpy()


def _cases() -> list[tuple]:
    return [
        (np.array([[4, 7, 2]]), 10, 0.1),                 # one sentence, no padding
        (np.array([[3, 5, 2, 0], [6, 2, 0, 0]]), 8, 0.2),  # padded targets: rows of zeros
        (np.array([[1, 2]]), 5, 0.0),                     # epsilon = 0: one-hot
        (np.array([[2]]), 3, 0.5),                        # the smallest vocabulary: one other token
    ]


def check_smoothed_targets(fn) -> Verdict:
    """Check ``fn(targets, V, epsilon) -> (B, T, V)`` against the library on four inputs.

    ``targets`` is a (B, T) integer array (0 = ``<pad>``); the inputs include padded positions,
    epsilon = 0 and the smallest vocabulary (V = 3).
    """
    return compare(fn, smoothed_targets_reference, _cases(), what="my_smoothed_targets", atol=1e-7)
