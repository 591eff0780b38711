"""Self-check and exercise of chapter "Tokens" (chapters/tokens.ipynb).

* :func:`questions` / :func:`self_check` -- the chapter's questions, answers computed with
  :class:`transformer_lib.data.bpe.BPE` when called.
* :func:`check_merge_pair` -- the reader's ``merge_pair(symbols, pair)``, one BPE merge applied to
  a word left to right, against the library's own (``bpe._merge_word``).

The check compares lists of strings, so it does its own comparing (``exercises.compare`` compares
numbers); it answers with the same :class:`~transformer_lib.exercises.Verdict` and never raises.
"""

from __future__ import annotations

from typing import Callable

from transformer_lib import quiz
from transformer_lib.data.bpe import BPE, _merge_word, chunks
from transformer_lib.exercises import Verdict, call, not_a_function

__all__ = ["TOY_CORPUS", "questions", "self_check", "check_merge_pair"]

TOY_CORPUS = ("le chat", "le chien", "la chatte")


def questions() -> list[dict]:
    """The chapter's self-check questions (numeric answers computed here with the library)."""
    bpe = BPE.learn(list(TOY_CORPUS), 3)
    pieces = [c for t in TOY_CORPUS for c in chunks(t)]
    first = bpe.merges[0]
    rival = ("c", "h")  # ties with the first pair; loses on string order
    pairs = bpe.pairs_after(list(TOY_CORPUS), 0)
    corpus = ", ".join(repr(t) for t in TOY_CORPUS)
    return [
        quiz.numeric(
            f"BPE learns on the corpus {corpus}, cut into the chunks {pieces}. How often does "
            "the most frequent adjacent pair of characters occur?", bpe.counts[0],
            why=f"{first!r} and {rival!r} both occur {pairs[first]} times (once in each of "
                "' chat', ' chien', ' chatte'); no pair occurs more often.", tol=0.1,
            too_low="Too small. Count pairs inside every chunk, the leading space included.",
            too_high="Too large. Pairs never cross chunks: 'le' and ' chat' give no pair ('e', ' ')."),
        quiz.choice(
            f"In that corpus {first!r} and {rival!r} tie at {pairs[first]}. Which one does the "
            "library's BPE merge first?", [
                (f"{first!r}", True,
                 "Ties go to the pair that comes first in string order, and the space sorts "
                 "before every letter."),
                (f"{rival!r}", False,
                 "It is equally frequent; the library breaks the tie by string order, and "
                 "' ' < 'c'. (Hugging Face tokenizers breaks ties by token ids instead.)"),
            ]),
        quiz.numeric(
            f"The corpus has {len(bpe.alphabet)} distinct characters. How many tokens does the "
            "vocabulary hold after 3 merges (no special tokens)?", len(bpe.vocab(3)),
            why=f"The alphabet, then one new token per merge: {len(bpe.alphabet)} + 3 = "
                f"{len(bpe.vocab(3))}. The characters stay in the vocabulary, so any string over "
                "the alphabet can still be written.", tol=0.1,
            too_low="Too small. Merging does not remove the characters from the vocabulary.",
            too_high="Too large. Each merge adds exactly one token."),
        quiz.choice(
            "Why does a word-level vocabulary built from the book's corpus fail on "
            "'nous dessinerons la maison'?", [
                ("'dessinerons' never occurs in the corpus, so it has no id.", True,
                 "A word vocabulary holds only the forms it saw; BPE can still spell the word "
                 "from pieces it learned."),
                ("The sentence is too long.", False,
                 "Length is not the problem: four words is short. The future-tense form is "
                 "missing."),
                ("Words with accents cannot be encoded.", False,
                 "The sentence has no accent, and the corpus's accented letters are in its "
                 "alphabet."),
            ]),
    ]


def self_check() -> None:
    """Show the questions on the page (jupyterquiz)."""
    quiz.show(*questions())


CASES = [
    (["c", "h", "a", "t"], ("c", "h")),
    ([" ", "c", "h", "a", "t", "t", "e"], ("t", "t")),
    (["a", "a", "a"], ("a", "a")),  # overlapping: left to right gives aa a
    (["l", "e"], ("e", "l")),  # the pair in the wrong order: nothing to merge
    (["ch", "a", "ch", "a"], ("ch", "a")),  # merged symbols, two occurrences
    (["x"], ("x", "x")),  # a single symbol
]


def check_merge_pair(fn: Callable) -> Verdict:
    """Check ``fn(symbols, pair) -> list of symbols``: every occurrence of ``pair`` (a, b) replaced
    by the one symbol a + b, scanning left to right (so a a a with (a, a) gives aa a)."""
    what = "your merge_pair"
    if (wrong := not_a_function(fn)) is not None:
        return wrong
    for i, (symbols, pair) in enumerate(CASES):
        want = list(_merge_word(tuple(symbols), pair))
        got, wrong = call(fn, (list(symbols), pair), what=what, shown=f"{symbols}, {pair}")
        if wrong is not None:
            return wrong
        try:
            got = list(got)
        except TypeError:
            return Verdict(False, f"Not yet: {what} should return a list of symbols, got {type(got).__name__}.")
        if got != want:
            return Verdict(False, f"Not yet: for input {i + 1}, merging {pair} in {symbols} gave {got}; "
                                  f"expected {want}.")
    return Verdict(True, f"Correct: {what} matches the library on all {len(CASES)} inputs.")
