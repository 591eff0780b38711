"""word2vec in miniature: the training examples, the training loop, and that both models
learn to put words of one kind near each other (the corpus: tests/data/test_word2vec_data.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from transformer_lib.tasks import word2vec as emb


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
    corpus = emb.make_sentences(1000, seed=0)
    model, vocab, losses = emb.train_word2vec(corpus, kind, dim=16, epochs=10, seed=0)
    assert losses[-1] < losses[0]
    purity = emb.class_purity(model.embeddings, vocab, k=3)
    assert purity >= 0.85, purity  # chance is about 1/6
    assert emb.word_class(emb.nearest_neighbours(model.embeddings, vocab, "cat", 1)[0][0]) == "animal"


def test_untrained_embeddings_are_not_clustered():
    corpus = emb.make_sentences(300, seed=0)
    vocab = emb.build_vocab(corpus)
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


@pytest.mark.parametrize("kind", ["skipgram", "cbow"])
def test_train_word2vec_is_adam_over_shuffled_epochs(kind):
    """Against the loop written out here: a fresh order from the seed every epoch, Adam, and
    each epoch's loss the mean over examples (the last batch is smaller)."""
    corpus = emb.make_sentences(40, seed=3)
    model, vocab, losses = emb.train_word2vec(corpus, kind, dim=4, epochs=2, batch_size=64, lr=0.05, seed=2)
    assert vocab == emb.build_vocab(corpus)

    ids = [vocab.encode(s) for s in corpus]
    x, y = emb.skipgram_pairs(ids, 2) if kind == "skipgram" else emb.cbow_examples(ids, 2)
    X, Y = torch.as_tensor(x), torch.as_tensor(y)
    assert len(Y) % 64 != 0  # the case where a plain mean over batches would be wrong
    gen = torch.Generator().manual_seed(2)
    torch.manual_seed(2)
    mine = emb.Word2Vec(len(vocab), 4, kind)
    opt = torch.optim.Adam(mine.parameters(), lr=0.05)
    mine_losses = []
    for _ in range(2):
        order = torch.randperm(len(Y), generator=gen)
        total = 0.0
        for b in range(0, len(Y), 64):
            idx = order[b:b + 64]
            loss = torch.nn.functional.cross_entropy(mine(X[idx]), Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        mine_losses.append(total / len(Y))
    for a, b in zip(model.parameters(), mine.parameters()):
        torch.testing.assert_close(a, b)
    assert losses == pytest.approx(mine_losses, rel=1e-9)
