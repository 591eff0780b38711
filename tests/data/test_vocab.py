"""The one Vocab and the one Tokenizer API of every corpus (transformer_lib.data.vocab), and
the fact the shipped weights depend on: the translator's and the pronoun model's ids."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from transformer_lib.data import BOS, EOS, PAD, UNK, Tokenizer, Vocab, make_corpus
from transformer_lib.data import pronoun as P
from transformer_lib.data import translation as T
from transformer_lib.data import word2vec as W

SPECIALS = (PAD, BOS, EOS, UNK)


# ---------------------------------------------------------------------------- tokenizers
@pytest.mark.parametrize("tokenizer, text, tokens", [
    (T.TOKENIZER, "Je n'ai pas de Chat.", ["je", "n'", "ai", "pas", "de", "chat"]),
    (T.TOKENIZER, "J’ai", ["j'", "ai"]),  # the typographic apostrophe is the plain one
    (P.TOKENIZER, "The animal didn't cross, because it was TIRED.", ["the", "animal", "didn't", "cross", ",", "because",
                                                                      "it", "was", "tired", "."]),
    (P.TOKENIZER, "yesterday ; it <b>", ["yesterday", "it", "b"]),  # anything else is dropped
    (W.TOKENIZER, "the Cat  eats", ["the", "Cat", "eats"]),
])
def test_each_corpus_tokenizer_follows_its_rule(tokenizer, text, tokens):
    assert isinstance(tokenizer, Tokenizer)
    assert tokenizer(text) == tokens


def test_a_tokenizer_says_what_it_reads():
    with pytest.raises(TypeError, match="reads a string, got list"):
        T.TOKENIZER(["je", "suis"])


# ---------------------------------------------------------------------------------- Vocab
def test_specials_come_first_and_words_follow_in_the_chosen_order():
    v = Vocab.build(["le chat", "le chien", "un chat"], SPECIALS, "sorted", T.TOKENIZER)
    assert v.tokens == SPECIALS + ("chat", "chien", "le", "un")
    assert (v.pad_id, v.bos_id, v.eos_id, v.unk_id) == (0, 1, 2, 3)
    f = Vocab.build([["the", "cat"], ["the", "dog"], ["a", "dog"]], order="frequency")
    assert f.tokens == ("dog", "the", "a", "cat")  # most frequent first, ties alphabetical
    assert len(f) == 4 and "cat" in f and "<pad>" not in f


def test_encode_takes_a_string_or_tokens_and_decode_strips_the_specials():
    v = Vocab.build(["le chat", "un chien"], SPECIALS, tokenizer=T.TOKENIZER)
    ids = v.encode("Le chien", bos=True, eos=True)
    assert ids == v.encode(["le", "chien"], bos=True, eos=True)
    assert ids[0] == v.bos_id and ids[-1] == v.eos_id
    assert v.decode(ids + [v.pad_id]) == ["le", "chien"]
    assert v.decode(ids, strip=False) == [BOS, "le", "chien", EOS]
    assert v.encode("le zèbre") == [v.index["le"], v.unk_id]  # with <unk>, unknown words become it
    assert v.unknown("le zèbre <img src=x>") == ["zèbre", "img", "src", "x"]


def test_bad_vocabularies_and_unknown_words_get_clear_messages():
    no_unk = Vocab.build([["the", "cat"], ["the", "dog"]], order="frequency")
    with pytest.raises(ValueError, match="'zebra' is not in the vocabulary of 3 tokens"):
        no_unk.encode(["the", "zebra"])
    with pytest.raises(ValueError, match="has no <pad>"):
        no_unk.pad_id
    with pytest.raises(ValueError, match="must start with its specials"):
        Vocab(("a", "b"), SPECIALS)
    with pytest.raises(ValueError, match="repeated"):
        Vocab(("a", "b", "a"))
    with pytest.raises(ValueError, match="order must be"):
        Vocab.build(["a"], order="random")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        no_unk.decode([7])


# --------------------------------------------------- the ids the shipped weights depend on
def _weights_json(name: str) -> dict:
    return json.loads((resources.files("transformer_lib") / "weights" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.weights
@pytest.mark.parametrize("name", ["translator", "translator_no_smoothing", "translator_early"])
def test_the_translator_vocabularies_are_the_ones_its_weights_were_trained_with(name):
    meta = _weights_json(name)
    corpus = make_corpus(**meta["corpus"])
    assert list(corpus.src_vocab.tokens) == meta["src_vocab"]
    assert list(corpus.tgt_vocab.tokens) == meta["tgt_vocab"]
    fr = "Je n'ai pas de voiture rouge"  # ids by the saved list, looked up by hand
    assert corpus.src_vocab.encode(fr, eos=True) == [meta["src_vocab"].index(w) for w in
                                                     ["je", "n'", "ai", "pas", "de", "voiture", "rouge", "<eos>"]]


@pytest.mark.weights
@pytest.mark.parametrize("name", ["it_model", "it_model_animacy"])
def test_the_pronoun_vocabulary_is_the_one_its_weights_were_trained_with(name):
    saved = _weights_json(name)["config"]["vocab"]
    assert P.vocabulary() == saved
    v = Vocab(tuple(P.vocabulary()), P.SPECIALS, P.TOKENIZER)
    sentence = "The animal didn't cross the street because it was too tired."
    assert v.encode(sentence) == [saved.index(w) for w in ["the", "animal", "didn't", "cross", "the", "street",
                                                            "because", "it", "was", "too", "tired", "."]]
    assert v.pad_id == 0
