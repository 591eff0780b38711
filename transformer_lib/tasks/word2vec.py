"""word2vec in miniature: CBOW and skip-gram on a corpus the book generates
(chapter "Embeddings").

The corpus comes from a tiny grammar in which words of one kind (animals, foods, drinks,
places, people, vehicles) appear in the same contexts, so a model that predicts words from
their neighbours (Mikolov et al. 2013) has every reason to give them nearby vectors. It
is small enough to train in a few seconds on a CPU, with a full softmax over the vocabulary
instead of the negative sampling a real vocabulary needs.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from transformer_lib.data.vocab import Vocab
from transformer_lib.data.word2vec import TEMPLATES, WORD_CLASSES, build_vocab, make_sentences, word_class
from transformer_lib.train import fit

__all__ = ["TEMPLATES", "WORD_CLASSES", "Word2Vec", "build_vocab", "cbow_examples", "class_purity", "cosine_similarity",
           "make_sentences", "nearest_neighbours", "pca_2d", "skipgram_pairs", "train_word2vec", "word_class"]


def skipgram_pairs(sentences: list[list[int]], window: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(centre, context) id pairs: every word within ``window`` of a centre word.

    Returns:
        centres (N,), contexts (N,).
    """
    c, o = [], []
    for s in sentences:
        for i, w in enumerate(s):
            for j in range(max(0, i - window), min(len(s), i + window + 1)):
                if j != i:
                    c.append(w)
                    o.append(s[j])
    return np.array(c), np.array(o)


def cbow_examples(sentences: list[list[int]], window: int = 2, pad_id: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """(context window, centre) examples; missing neighbours at sentence edges are ``pad_id``.

    Returns:
        contexts (N, 2 * window), centres (N,).
    """
    ctx, cen = [], []
    for s in sentences:
        for i, w in enumerate(s):
            around = [s[j] if 0 <= j < len(s) else pad_id for j in range(i - window, i + window + 1) if j != i]
            ctx.append(around)
            cen.append(w)
    return np.array(ctx), np.array(cen)


class Word2Vec(nn.Module):
    """Both word2vec models share this shape: an input table W_in (V, D) and an output
    projection W_out (D -> V) scored with a softmax over the vocabulary.

    * skip-gram: the centre word's vector predicts each context word,
      p(o | c) = softmax(W_out v_c)[o].
    * CBOW: the mean of the context words' vectors predicts the centre word,
      p(c | context) = softmax(W_out mean(v_context))[c].

    The rows of ``W_in`` are the word embeddings.
    """

    def __init__(self, vocab_size: int, dim: int, kind: str = "skipgram"):
        super().__init__()
        if kind not in ("skipgram", "cbow"):
            raise ValueError(f"kind must be 'skipgram' or 'cbow', got {kind!r}")
        self.kind = kind
        self.W_in = nn.Embedding(vocab_size, dim)
        self.W_out = nn.Linear(dim, vocab_size, bias=False)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """skip-gram: centre ids (N,) -> logits (N, V); CBOW: context ids (N, 2w) with -1 for
        missing neighbours -> logits (N, V)."""
        if self.kind == "skipgram":
            return self.W_out(self.W_in(inputs))  # (N, D) -> (N, V)
        present = (inputs >= 0).unsqueeze(-1)  # (N, 2w, 1)
        vecs = self.W_in(inputs.clamp(min=0)) * present  # (N, 2w, D), missing neighbours zeroed
        mean = vecs.sum(1) / present.sum(1).clamp(min=1)  # (N, D)
        return self.W_out(mean)  # (N, V)

    @property
    def embeddings(self) -> np.ndarray:
        """(V, D) the learned word vectors, as NumPy."""
        return self.W_in.weight.detach().cpu().numpy().copy()


def train_word2vec(sentences: list[list[str]], kind: str = "skipgram", dim: int = 16, window: int = 2,
                   epochs: int = 10, batch_size: int = 256, lr: float = 0.02, seed: int = 0,
                   progress=False) -> tuple[Word2Vec, Vocab, list[float]]:
    """Train skip-gram or CBOW with Adam and a full softmax, with :func:`transformer_lib.train.fit`.

    Args:
        sentences: token lists, e.g. from :func:`transformer_lib.data.word2vec.make_sentences`.
        kind: "skipgram" or "cbow".
        dim: D, the embedding width.
        window: how many neighbours on each side count as context.
        epochs: passes over the examples, each in a fresh random order (from ``seed``).
        progress: a progress bar, as for :func:`~transformer_lib.train.fit`.

    Returns:
        (model, vocab, losses): the trained model, its vocabulary and the mean
        cross-entropy over the examples of every epoch.
    """
    vocab = build_vocab(sentences)
    ids = [vocab.encode(s) for s in sentences]
    if kind == "skipgram":
        x, y = skipgram_pairs(ids, window)
    elif kind == "cbow":
        x, y = cbow_examples(ids, window)
    else:
        raise ValueError(f"kind must be 'skipgram' or 'cbow', got {kind!r}")
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = Word2Vec(len(vocab), dim, kind)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    X, Y = torch.as_tensor(x), torch.as_tensor(y)
    n_batches = (len(Y) + batch_size - 1) // batch_size
    order = torch.empty(0, dtype=torch.long)
    summed: list[float] = []  # per epoch: the sum over examples of their loss

    def batch(step: int) -> torch.Tensor:  # step counts from 1; a new epoch draws a new order
        nonlocal order
        b = (step - 1) % n_batches
        if b == 0:
            order = torch.randperm(len(Y), generator=gen)
            summed.append(0.0)
        return order[b * batch_size:(b + 1) * batch_size]

    def loss_fn(model, idx):
        loss = nn.functional.cross_entropy(model(X[idx]), Y[idx])
        summed[-1] += loss.item() * len(idx)  # the last batch is smaller: weigh by examples
        return loss

    fit(model, batch, loss_fn, steps=epochs * n_batches, optimizer=opt, record_every=n_batches, progress=progress,
        desc=f"training {kind}")
    losses = [s / len(Y) for s in summed]
    return model.eval(), vocab, losses


def cosine_similarity(E: np.ndarray) -> np.ndarray:
    """(V, D) -> (V, V) cosine similarity of every pair of rows."""
    U = E / np.linalg.norm(E, axis=1, keepdims=True).clip(min=1e-12)
    return U @ U.T


def nearest_neighbours(E: np.ndarray, vocab: Vocab, word: str, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` words whose vectors have the highest cosine similarity to ``word``'s."""
    i = vocab.encode([word])[0]  # a clear message for an unknown word
    sims = cosine_similarity(E)[i]
    order = [j for j in np.argsort(-sims) if j != i][:k]
    return [(vocab.tokens[j], float(sims[j])) for j in order]


def class_purity(E: np.ndarray, vocab: Vocab, k: int = 3) -> float:
    """Fraction of content words' ``k`` nearest neighbours that share their class."""
    hits = total = 0
    for w in vocab.tokens:
        c = word_class(w)
        if c is None:
            continue
        for n, _ in nearest_neighbours(E, vocab, w, k):
            hits += word_class(n) == c
            total += 1
    return hits / total


def pca_2d(E: np.ndarray) -> np.ndarray:
    """Project the rows of E (V, D) on their two principal directions -> (V, 2)."""
    X = E - E.mean(0)
    _, _, Vt = np.linalg.svd(X, full_matrices=False)
    return X @ Vt[:2].T  # (V, D) @ (D, 2)
