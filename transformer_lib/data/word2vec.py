"""The word2vec corpus of chapter "Embeddings": sentences from a tiny grammar.

Words of one kind (animals, foods, drinks, places, people, vehicles) appear in the same
contexts, so a model that predicts words from their neighbours (Mikolov et al. 2013) has
every reason to give them nearby vectors.
"""

from __future__ import annotations

import random

from transformer_lib.data.vocab import WHITESPACE, Vocab

# Word classes of the toy grammar: words of a class are interchangeable in every template.
WORD_CLASSES: dict[str, list[str]] = {
    "animal": ["cat", "dog", "horse", "cow", "sheep"],
    "food": ["bread", "apple", "cheese", "rice", "soup"],
    "drink": ["water", "milk", "tea", "juice"],
    "place": ["city", "village", "farm", "garden"],
    "person": ["king", "queen", "farmer", "teacher", "child"],
    "vehicle": ["car", "bus", "train", "bike"],
}

TEMPLATES: list[str] = [
    "the {animal} eats the {food}",
    "the {person} eats the {food}",
    "the {animal} drinks {drink}",
    "the {person} drinks {drink}",
    "the {animal} sleeps on the {place}",
    "the {animal} runs to the {place}",
    "the {person} walks to the {place}",
    "the {person} drives the {vehicle} to the {place}",
    "the {person} rides the {vehicle}",
    "the {person} feeds the {animal}",
    "a {food} and a cup of {drink}",
    "the {vehicle} stops in the {place}",
]

TOKENIZER = WHITESPACE  # the grammar's words are separated by single spaces


def make_sentences(n_sentences: int = 1000, seed: int = 0) -> list[list[str]]:
    """Sentences (token lists) drawn from :data:`TEMPLATES`, filled at random (deterministic from ``seed``)."""
    if n_sentences < 1:
        raise ValueError(f"n_sentences must be positive, got {n_sentences}")
    rng = random.Random(seed)
    out = []
    for _ in range(n_sentences):
        t = rng.choice(TEMPLATES)
        out.append(TOKENIZER(t.format(**{c: rng.choice(ws) for c, ws in WORD_CLASSES.items()})))
    return out


def word_class(word: str) -> str | None:
    """The class of a content word ('cat' -> 'animal'), None for function words."""
    return next((c for c, ws in WORD_CLASSES.items() if word in ws), None)


def build_vocab(sentences) -> Vocab:
    """The word2vec :class:`Vocab` of ``sentences``: no specials, most frequent word first."""
    return Vocab.build(sentences, order="frequency", tokenizer=TOKENIZER)
