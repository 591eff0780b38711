"""The word2vec corpus (chapter "Embeddings"): reproducible, from the grammar."""

import pytest

from transformer_lib.data import word2vec as W


def test_corpus_is_reproducible_and_uses_the_grammar():
    a, b = W.make_sentences(200, seed=1), W.make_sentences(200, seed=1)
    assert a == b and a != W.make_sentences(200, seed=2)
    words = {w for s in a for w in s}
    assert {"cat", "bread", "king", "the"} <= words
    assert W.word_class("cat") == "animal" and W.word_class("the") is None
    with pytest.raises(ValueError, match="n_sentences must be positive"):
        W.make_sentences(0)


def test_the_vocabulary_is_most_frequent_first():
    vocab = W.build_vocab(W.make_sentences(300, seed=0))
    assert vocab.tokens[0] == "the" and vocab.specials == ()
