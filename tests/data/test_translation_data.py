"""The generated French -> English corpus: determinism, the split, vocabularies, encoding."""

import pytest
import torch

from transformer_lib.data import encode_pairs, generate_pairs, make_corpus
from transformer_lib.data import translation as T


def test_generation_is_deterministic_and_unique():
    a, b = generate_pairs(), generate_pairs()
    assert a == b
    assert len(a) > 5000  # thousands of pairs
    assert len({(fr, en) for fr, en, _ in a}) == len(a)


def test_corpus_is_deterministic_from_the_seed():
    c1, c2, c3 = make_corpus(seed=0), make_corpus(seed=0), make_corpus(seed=1)
    assert c1.train == c2.train and c1.test == c2.test
    assert c1.src_vocab == c2.src_vocab and c1.tgt_vocab == c2.tgt_vocab
    assert set(c1.test) != set(c3.test)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_split_is_disjoint_by_combination(seed):
    c = make_corpus(seed=seed)
    key = {(fr, en): k for fr, en, k in generate_pairs()}
    train_keys = {key[p] for p in c.train}
    test_keys = {key[p] for p in c.test}
    assert not set(c.train) & set(c.test)
    assert not train_keys & test_keys  # held-out combinations never occur in training
    assert 100 <= len(c.test) <= 500


def test_every_heldout_word_is_in_the_training_vocabulary():
    c = make_corpus()
    for fr, en in c.test:
        assert not c.src_vocab.unknown(fr), fr
        assert not c.tgt_vocab.unknown(en), en


def test_worked_examples_stay_in_training():
    c = make_corpus()
    assert ("je suis étudiant", "i am a student") in c.train
    assert ("merci", "thanks") in c.train


@pytest.mark.parametrize("fr,en", [
    ("je suis étudiant", "i am a student"),
    ("elles ne sont pas très fatiguées", "they are not very tired"),
    ("j' ai un chat noir", "i have a black cat"),
    ("il n' a pas de voiture rouge", "he does not have a red car"),
    ("nous mangeons une orange", "we eat an orange"),
    ("elle porte le livre", "she carries the book"),
    ("il cherche l' ordinateur", "he looks for the computer"),
    ("tu ne regardes pas la maison", "you do not watch the house"),
    ("il est acteur", "he is an actor"),
])
def test_grammar_examples(fr, en):
    assert (fr, en) in {(f, e) for f, e, _ in generate_pairs()}


def test_encode_pairs_shifts_target_by_one():
    c = make_corpus()
    pairs = c.train[:5]
    src, tgt_in, tgt_out = encode_pairs(pairs, c.src_vocab, c.tgt_vocab)
    assert src.shape[0] == tgt_in.shape[0] == 5 and tgt_in.shape == tgt_out.shape
    assert (tgt_in[:, 0] == c.tgt_vocab.bos_id).all()
    real = tgt_out != c.tgt_vocab.pad_id
    assert torch.equal(tgt_in[:, 1:][real[:, :-1]], tgt_out[:, :-1][real[:, :-1]])
    for row, (_, en) in zip(tgt_out, pairs):
        assert c.tgt_vocab.decode(row) == en.split()
        assert c.tgt_vocab.eos_id in row.tolist()


def test_bad_test_fraction():
    with pytest.raises(ValueError, match="test_fraction"):
        make_corpus(test_fraction=1.5)


def test_english_verb_forms():
    assert T._verb_en("watch", 2) == "watches"
    assert T._verb_en("carry", 2) == "carries"
    assert T._verb_en("look for", 2) == "looks for"
    assert T._verb_en("like", 0) == "like"
