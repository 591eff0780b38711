"""Self-check and exercise for the chapter "Decoding: greedy and beam search" (chapters/decoding.ipynb).

``self_check()`` shows the chapter's questions; ``check_greedy(fn)`` runs the reader's batched
greedy decoder on the shipped translator and compares its tokens with the library's
:func:`transformer_lib.decoding.greedy_decode`.
"""

from __future__ import annotations

import torch

from transformer_lib import quiz
from transformer_lib.exercises import Verdict, compare

__all__ = ["questions", "self_check", "check_greedy", "ranking_example"]


def ranking_example(alpha: float = 0.6) -> dict:
    """Two finished hypotheses that GNMT's penalty and division by |Y| rank differently.

    Returns their summed log-probabilities, lengths and both normalised scores (library functions).
    """
    from transformer_lib.decoding import length_penalty, length_power

    log_p = torch.tensor([-1.0, -1.6])  # a short, probable hypothesis; a longer, less probable one
    lengths = torch.tensor([2.0, 4.0])
    return {"log_p": log_p, "lengths": lengths, "gnmt": log_p / length_penalty(lengths, alpha),
            "per_token": log_p / length_power(lengths, 1.0)}


def questions() -> list[dict]:
    """The chapter's self-check questions; numeric answers are computed here, by the library."""
    from transformer_lib.decoding import length_penalty

    lp7 = float(length_penalty(torch.tensor(7.0), 0.6))
    ex = ranking_example()
    g, p = ex["gnmt"].tolist(), ex["per_token"].tolist()
    gnmt_pick = "A" if g[0] > g[1] else "B"
    per_token_pick = "A" if p[0] > p[1] else "B"
    assert gnmt_pick != per_token_pick, "the example must separate the two normalisations"
    scores = (f"GNMT (alpha = 0.6): A {g[0]:.3f}, B {g[1]:.3f}; divided by |Y|: A {p[0]:.3f}, B {p[1]:.3f}.")
    return [
        quiz.numeric("GNMT's length penalty lp(Y) = (5 + |Y|)^alpha / (5 + 1)^alpha, with the paper's "
                     "alpha = 0.6: what is lp for a hypothesis of |Y| = 7 tokens?", lp7,
                     why=f"(12 / 6)^0.6 = 2^0.6 = {lp7:.3f}; the summed log-probability is divided by it.",
                     tol=0.005, too_low="Too small. (5 + 7) / 6 = 2, raised to 0.6.", too_high="Too large. (5 + 7) / 6 = 2, raised to 0.6."),
        quiz.choice("Hypothesis A: log p = -1.0 with |Y| = 2 tokens. Hypothesis B: log p = -1.6 with |Y| = 4. "
                    "Which does each normalisation rank first?", [
                        (f"GNMT's lp (alpha = 0.6) prefers {gnmt_pick}; dividing by |Y| prefers {per_token_pick}",
                         True, "The two forms disagree here. " + scores),
                        (f"both prefer {gnmt_pick}", False, "Compute both: " + scores),
                        (f"both prefer {per_token_pick}", False, "Compute both: " + scores),
                        ("neither changes the order of the raw log-probabilities", False,
                         "Dividing by a length-dependent number can change the order; here one form does. " + scores),
                    ]),
        quiz.choice("What is beam search with a beam of size k = 1?", [
                        ("greedy decoding, token for token", True,
                         "One surviving prefix, extended by its most probable token: the chapter checks "
                         "that the two agree exactly on the whole held-out split."),
                        ("sampling at temperature 1", False,
                         "Sampling draws at random; a beam of 1 always takes the arg-max."),
                        ("exhaustive search", False,
                         "Exhaustive search would need a beam as large as the number of possible outputs, V^L."),
                    ]),
        quiz.choice("Why can beam search return a sentence that greedy decoding misses?", [
                        ("it keeps several prefixes, so a first word that is not the single best can still win "
                         "on the probability of the whole sentence", True,
                         "Greedy commits at every step; the beam keeps k candidates and compares whole "
                         "sequences (their summed log-probabilities)."),
                        ("it uses a better model", False, "Same model, same probabilities: only the search differs."),
                        ("it samples at random", False, "Beam search is deterministic."),
                    ]),
        quiz.choice("The paper's decoding settings for translation (section 6.1) are ...", [
                        ("beam size 4, length penalty alpha = 0.6", True,
                         "\"We used beam search with a beam size of 4 and length penalty alpha = 0.6\", "
                         "citing GNMT for the penalty."),
                        ("greedy decoding", False, "The paper uses beam search for its BLEU scores."),
                        ("beam size 8, alpha = 0.2", False,
                         "GNMT's own paper reports alpha = 0.2 (with a coverage penalty) for its systems; the "
                         "Transformer paper uses beam 4 and alpha = 0.6."),
                    ]),
    ]


def self_check() -> None:
    """Show the chapter's questions (works on the static page, in Jupyter and in Colab)."""
    quiz.show(*questions())


def _cases(translator) -> list[tuple]:
    from transformer_lib.data import encode_pairs

    enc = lambda sentences: encode_pairs([(s, "") for s in sentences], translator.src_vocab,  # noqa: E731
                                         translator.tgt_vocab)[0]
    return [
        (enc(["je suis étudiant"]),),                                  # one sentence
        (enc(["merci", "elles ne sont pas très fatiguées", "il a un chat"]),),  # different lengths, padding
        (enc(["nous sommes des médecins"]).repeat(2, 1),),              # the same sentence twice
    ]


def check_greedy(fn, translator=None) -> Verdict:
    """Check ``fn(model, src) -> tokens (B, L)`` against :func:`transformer_lib.decoding.greedy_decode`.

    The model is the shipped translator (loaded if not given). Inputs: one sentence; three of
    different lengths, padded; the same sentence twice.
    """
    from transformer_lib.decoding import greedy_decode
    from transformer_lib.tasks.translator import load_translator

    if not callable(fn):
        return compare(fn, None, [], what="my_greedy")
    translator = translator or load_translator("translator")
    model = translator.model
    with torch.inference_mode():
        return compare(lambda src: fn(model, src), lambda src: greedy_decode(model, src)[0], _cases(translator),
                       what="my_greedy(model, src)")
