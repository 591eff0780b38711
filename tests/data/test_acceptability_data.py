"""The acceptability task (chapter "One block, three families"): every error is one word, every
corrupted sentence is outside the grammar, every grammatical one inside, and the splits keep apart."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from transformer_lib.data import acceptability as A
from transformer_lib.data.translation import generate_pairs
from transformer_lib.tasks.gpt import corpus_text

GRAMMAR = {en for _, en, _ in generate_pairs()}


@pytest.mark.parametrize("sentence,expected", [
    ("she has a cat", {("agreement", 1, "have"), ("article", 2, "an")}),
    ("they are happy", {("agreement", 1, "am"), ("agreement", 1, "is")}),
    ("i am not an actor", {("agreement", 1, "is"), ("agreement", 1, "are"), ("article", 3, "a")}),
    ("he does not look for the dog", {("agreement", 1, "do")}),
    ("we carry an orange", {("agreement", 1, "carries"), ("article", 2, "a")}),
    ("he washes the car", {("agreement", 1, "wash")}),
    ("thank you very much", set()),
])
def test_errors_lists_each_single_word_error(sentence, expected):
    assert set(A.errors(sentence)) == expected


def test_every_corruption_changes_one_word_and_leaves_the_grammar():
    rng = random.Random(0)
    sentences = sorted(s for s in GRAMMAR if A.errors(s))
    assert len(sentences) > 4000
    kinds = Counter()
    for s in sentences:
        wrong, kind = A.corrupt(s, rng)
        diff = [(a, b) for a, b in zip(s.split(), wrong.split()) if a != b]
        assert len(diff) == 1 and len(s.split()) == len(wrong.split()), (s, wrong)
        assert wrong not in GRAMMAR, f"{wrong!r} (from {s!r}) is a sentence of the grammar"
        kinds[kind] += 1
    assert set(kinds) == set(A.KINDS)


def test_only_the_fixed_phrases_admit_no_error():
    assert {s for s in GRAMMAR if not A.errors(s)} == {"thanks", "hello", "goodbye", "yes", "no", "thank you very much"}


def test_make_pairs_is_seeded_and_pairs_each_sentence_with_its_own_corruption():
    sentences = corpus_text("train").splitlines()
    pairs = A.make_pairs(sentences, 500, seed=3)
    assert pairs == A.make_pairs(sentences, 500, seed=3) and pairs != A.make_pairs(sentences, 500, seed=4)
    assert len({p.good for p in pairs}) == 500
    for p in pairs:
        assert p.good in GRAMMAR and p.bad not in GRAMMAR and p.kind in A.KINDS
        assert sum(a != b for a, b in zip(p.good.split(), p.bad.split())) == 1


def test_the_heldout_pairs_cover_every_heldout_sentence_and_no_training_one():
    heldout, train = corpus_text("heldout").splitlines(), set(corpus_text("train").splitlines())
    goods = [p.good for p in A.make_pairs(heldout)]
    assert sorted(goods) == sorted({s for s in heldout if A.errors(s)})
    assert not train & set(goods), "a held-out sentence is also in training"


@pytest.mark.parametrize("n", [0, 10 ** 6])
def test_bad_n_gets_a_message(n):
    with pytest.raises(ValueError, match=r"n must lie in 1\.\."):
        A.make_pairs(["she has a cat"], n)


def test_a_sentence_without_an_error_site_gets_a_message():
    with pytest.raises(ValueError, match="no error can be put into 'hello'"):
        A.corrupt("hello", random.Random(0))
