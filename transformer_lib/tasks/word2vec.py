"""word2vec in miniature: CBOW and skip-gram on a corpus the book generates
(chapter "Tokens and embeddings").

The corpus comes from a tiny grammar in which words of one kind (animals, foods, drinks,
places, people, vehicles) appear in the same contexts, so a model that predicts words from
their neighbours (Mikolov et al. 2013) has every reason to give them nearby vectors. It
is small enough to train in a few seconds on a CPU, with a full softmax over the vocabulary
instead of the negative sampling a real vocabulary needs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

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


def make_corpus(n_sentences: int = 1000, seed: int = 0) -> list[list[str]]:
    """Sentences (lists of words) drawn from :data:`TEMPLATES`, filled at random."""
    if n_sentences < 1:
        raise ValueError(f"n_sentences must be positive, got {n_sentences}")
    rng = random.Random(seed)
    out = []
    for _ in range(n_sentences):
        t = rng.choice(TEMPLATES)
        out.append(t.format(**{c: rng.choice(ws) for c, ws in WORD_CLASSES.items()}).split())
    return out


def word_class(word: str) -> str | None:
    """The class of a content word ('cat' -> 'animal'), None for function words."""
    return next((c for c, ws in WORD_CLASSES.items() if word in ws), None)


@dataclass(frozen=True)
class Vocab:
    """Words <-> ids, most frequent first."""

    words: tuple[str, ...]

    @classmethod
    def build(cls, sentences: list[list[str]]) -> "Vocab":
        counts: dict[str, int] = {}
        for s in sentences:
            for w in s:
                counts[w] = counts.get(w, 0) + 1
        return cls(tuple(sorted(counts, key=lambda w: (-counts[w], w))))

    def __len__(self) -> int:
        return len(self.words)

    def index(self, word: str) -> int:
        try:
            return self.words.index(word)
        except ValueError:
            raise ValueError(f"{word!r} is not in the vocabulary of {len(self)} words (e.g. {', '.join(self.words[:8])})") from None

    def encode(self, sentence: list[str]) -> list[int]:
        return [self.index(w) for w in sentence]


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
                   progress: bool = False) -> tuple[Word2Vec, Vocab, list[float]]:
    """Train skip-gram or CBOW with Adam and a full softmax.

    Args:
        sentences: lists of words, e.g. from :func:`make_corpus`.
        kind: "skipgram" or "cbow".
        dim: D, the embedding width.
        window: how many neighbours on each side count as context.
        progress: show a tqdm bar over the batches.

    Returns:
        (model, vocab, losses): the trained model, its vocabulary and the mean
        cross-entropy of every epoch.
    """
    from tqdm.auto import tqdm

    vocab = Vocab.build(sentences)
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
    losses = []
    n_batches = (len(Y) + batch_size - 1) // batch_size
    bar = tqdm(total=epochs * n_batches, desc=f"training {kind}", disable=not progress, leave=False)
    for _ in range(epochs):
        order = torch.randperm(len(Y), generator=gen)
        total = 0.0
        for b in range(n_batches):
            idx = order[b * batch_size:(b + 1) * batch_size]
            loss = nn.functional.cross_entropy(model(X[idx]), Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            bar.update()
        losses.append(total / len(Y))
    bar.close()
    return model, vocab, losses


def cosine_similarity(E: np.ndarray) -> np.ndarray:
    """(V, D) -> (V, V) cosine similarity of every pair of rows."""
    U = E / np.linalg.norm(E, axis=1, keepdims=True).clip(min=1e-12)
    return U @ U.T


def nearest_neighbours(E: np.ndarray, vocab: Vocab, word: str, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` words whose vectors have the highest cosine similarity to ``word``'s."""
    i = vocab.index(word)
    sims = cosine_similarity(E)[i]
    order = [j for j in np.argsort(-sims) if j != i][:k]
    return [(vocab.words[j], float(sims[j])) for j in order]


def class_purity(E: np.ndarray, vocab: Vocab, k: int = 3) -> float:
    """Fraction of content words' ``k`` nearest neighbours that share their class."""
    hits = total = 0
    for w in vocab.words:
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
