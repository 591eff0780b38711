"""word2vec in miniature: the corpus, the training examples, and that both models learn
to put words of one kind near each other."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from transformer_lib.tasks import word2vec as emb


def test_corpus_is_reproducible_and_uses_the_grammar():
    a, b = emb.make_corpus(200, seed=1), emb.make_corpus(200, seed=1)
    assert a == b and a != emb.make_corpus(200, seed=2)
    words = {w for s in a for w in s}
    assert {"cat", "bread", "king", "the"} <= words
    with pytest.raises(ValueError, match="n_sentences must be positive"):
        emb.make_corpus(0)


def test_vocab_round_trip_and_unknown_word():
    v = emb.Vocab.build([["the", "cat"], ["the", "dog"]])
    assert v.words[0] == "the" and len(v) == 3
    assert v.encode(["the", "dog"]) == [0, v.index("dog")]
    with pytest.raises(ValueError, match="'zebra' is not in the vocabulary of 3 words"):
        v.index("zebra")


def test_skipgram_pairs_and_cbow_windows():
    c, o = emb.skipgram_pairs([[0, 1, 2]], window=1)
    assert sorted(zip(c.tolist(), o.tolist())) == [(0, 1), (1, 0), (1, 2), (2, 1)]
    ctx, cen = emb.cbow_examples([[0, 1, 2]], window=1)
    assert ctx.tolist() == [[-1, 1], [0, 2], [1, -1]] and cen.tolist() == [0, 1, 2]


def test_cbow_averages_only_present_neighbours():
    m = emb.Word2Vec(5, 3, "cbow")
    with torch.no_grad():
        m.W_in.weight.copy_(torch.arange(15.0).view(5, 3))
        m.W_out.weight.copy_(torch.eye(5, 3))
    logits = m(torch.tensor([[-1, 2], [1, 3]]))
    torch.testing.assert_close(logits[0, :3], m.W_in.weight[2])  # mean of the one present word
    torch.testing.assert_close(logits[1, :3], (m.W_in.weight[1] + m.W_in.weight[3]) / 2)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["skipgram", "cbow"])
def test_training_puts_words_of_a_kind_together(kind):
    corpus = emb.make_corpus(1000, seed=0)
    model, vocab, losses = emb.train_word2vec(corpus, kind, dim=16, epochs=10, seed=0)
    assert losses[-1] < losses[0]
    purity = emb.class_purity(model.embeddings, vocab, k=3)
    assert purity >= 0.85, purity  # chance is about 1/6
    assert emb.word_class(emb.nearest_neighbours(model.embeddings, vocab, "cat", 1)[0][0]) == "animal"


def test_untrained_embeddings_are_not_clustered():
    corpus = emb.make_corpus(300, seed=0)
    vocab = emb.Vocab.build(corpus)
    torch.manual_seed(0)
    E = emb.Word2Vec(len(vocab), 16).embeddings
    assert emb.class_purity(E, vocab, k=3) < 0.5


def test_pca_and_cosine():
    rng = np.random.default_rng(0)
    E = rng.standard_normal((10, 2)) @ np.array([[3.0, 0, 0, 0], [0, 1.0, 0, 0]])  # rank 2 in 4-D
    P = emb.pca_2d(E)
    assert P.shape == (10, 2)
    np.testing.assert_allclose(np.linalg.norm(P - P.mean(0)), np.linalg.norm(E - E.mean(0)), rtol=1e-10)
    S = emb.cosine_similarity(E)
    np.testing.assert_allclose(np.diag(S), 1.0)
    with pytest.raises(ValueError, match="kind must be 'skipgram' or 'cbow'"):
        emb.Word2Vec(5, 3, "glove")
