"""A downstream task for the tiny GPT: which sentence is grammatical? (chapter "One block, three families").

Acceptability judgement on *minimal pairs*, as in BLiMP (Warstadt et al. 2020), made here from
the book's own English sentences (:func:`transformer_lib.tasks.gpt.corpus_text`): a sentence
and the same sentence with one error put in by :func:`corrupt`; which one is grammatical? The
errors are the ones a learner of English makes:

- **agreement**: the verb does not agree with its subject ("she have", "they is", "he watch",
  "i does not");
- **article**: "a" before a vowel or "an" before a consonant ("an dog", "a apple").

Telling them apart takes knowing English agreement, which the tiny GPT learned while predicting
the next character of grammatical sentences, and which a model starting from random weights has
to learn from the labelled examples alone. Training examples come from the corpus's training
split, test examples from its held-out split (word combinations never seen in training).
"""

from __future__ import annotations

import random
from typing import NamedTuple

from transformer_lib.data.translation import VERBS, _verb_en

SUBJECTS = ("i", "you", "he", "she", "we", "they")
BE = {"i": "am", "he": "is", "she": "is"}  # every other subject: "are"
THIRD_PERSON = {"he", "she"}
# the first word of every verb, in its base form and after he/she ("look for" -> "look", "looks")
VERB_FORMS = {_verb_en(v, 0).split()[0]: _verb_en(v, 2).split()[0] for _, _, v, _ in VERBS}
VERB_FORMS.update({"have": "has", "do": "does"})
BASE_FORM = {third: base for base, third in VERB_FORMS.items()}
KINDS = ("agreement", "article")


def errors(sentence: str) -> list[tuple[str, int, str]]:
    """Every single-word error :func:`corrupt` can put into ``sentence``: (kind, word index, wrong word)."""
    words = sentence.split()
    out = []
    if len(words) >= 2 and words[0] in SUBJECTS:
        subject, verb = words[0], words[1]
        if verb in ("am", "is", "are"):
            right = BE.get(subject, "are")
            out += [("agreement", 1, w) for w in ("am", "is", "are") if w != right]
        elif subject in THIRD_PERSON and verb in BASE_FORM:
            out.append(("agreement", 1, BASE_FORM[verb]))  # "she has" -> "she have"
        elif subject not in THIRD_PERSON and verb in VERB_FORMS:
            out.append(("agreement", 1, VERB_FORMS[verb]))  # "they have" -> "they has"
    for i, w in enumerate(words[:-1]):
        if w in ("a", "an"):
            out.append(("article", i, "an" if w == "a" else "a"))
    return out


def corrupt(sentence: str, rng: random.Random) -> tuple[str, str]:
    """``sentence`` with one error drawn from :func:`errors`, and the error's kind."""
    options = errors(sentence)
    if not options:
        raise ValueError(f"no error can be put into {sentence!r}: it has no subject-verb pair and no article")
    kind, i, wrong = rng.choice(options)
    words = sentence.split()
    words[i] = wrong
    return " ".join(words), kind


class Pair(NamedTuple):
    """A minimal pair: a grammatical sentence and the same sentence with one error of ``kind``."""

    good: str
    bad: str
    kind: str


def _pool(sentences, n: int | None, rng: random.Random) -> list[str]:
    """The distinct ``sentences`` that admit an error, in a seeded order; the first ``n`` (all if None)."""
    pool = sorted({s for s in sentences if errors(s)})
    rng.shuffle(pool)
    if n is not None:
        if not 1 <= n <= len(pool):
            raise ValueError(f"n must lie in 1..{len(pool)} (the usable sentences), got {n}")
        pool = pool[:n]
    return pool


def make_pairs(sentences, n: int | None = None, seed: int = 0) -> list[Pair]:
    """``n`` minimal pairs (all if None), one per distinct sentence, drawn in a seeded order."""
    rng = random.Random(seed)
    return [Pair(s, *corrupt(s, rng)) for s in _pool(sentences, n, rng)]
