"""Pretraining, then fine-tuning, measured (chapter "One block, three families").

The tiny GPT of :mod:`transformer_lib.tasks.gpt` learned English by predicting the next character
of grammatical sentences; nobody told it what a grammatical sentence is. Here it is fine-tuned to
judge sentences (:mod:`transformer_lib.data.acceptability`: grammatical, or one agreement or
article error), next to the same architecture trained on the same labelled examples from random
weights. The recipe follows GPT-1 (Radford et al. 2018, section 3.2): one linear layer (D -> 2
classes) on the body's final hidden states, every weight trained on the labelled examples with a
small learning rate. One change: GPT-1 reads only the last position; here every position scores
the sentence and the sentence takes the highest score (max pooling over positions, as a CNN's
global max pool), because an error is local: "she have" is wrong at "have", wherever it stands.
Reading only the last position, both starts stayed near chance with a few hundred examples.

:func:`learning_curve` runs both for several numbers of labelled examples and seeds;
``scripts/finetune_gpt.py`` runs it and ships the result (``weights/finetune_curve.json``), which
:func:`load_curve` reads, so the chapter does not train.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from transformer_lib.data import acceptability
from transformer_lib.data.vocab import Vocab
from transformer_lib.nn.gpt import GPT
from transformer_lib.nn.modes import evaluating
from transformer_lib.tasks import gpt as tiny
from transformer_lib.train import fit, warmup_cosine

INITS = ("pretrained", "scratch")
CURVE = "finetune_curve.json"  # transformer_lib/weights/, written by scripts/finetune_gpt.py
DOCUMENTED_SEEDS = (0, 1, 2)
SIZES = (32, 64, 128, 256, 512, 1024, 2048)  # labelled examples


class GPTClassifier(nn.Module):
    """A GPT body and a linear head on every position, max-pooled: ids (B, T), lengths (B,) -> logits (B, C)."""

    def __init__(self, body: GPT, n_classes: int = 2):
        super().__init__()
        self.body = body
        self.head = nn.Linear(body.config.d_model, n_classes)  # D -> C

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor, with_lm: bool = False):
        """Class logits (B, C); with ``with_lm``, also the body's next-token logits (B, T, V)."""
        h = self.body.hidden_states(ids)  # (B, T, D); padding comes after each sentence, so the causal mask hides it
        scores = self.head(h)  # (B, T, C): each position's vote
        padding = torch.arange(ids.shape[1]) >= lengths[:, None]  # (B, T): True past the sentence's end
        logits = scores.masked_fill(padding[..., None], float("-inf")).amax(1)  # (B, C): the strongest vote per class
        return (logits, self.body.lm_head(h)) if with_lm else logits


def encode_examples(vocab: Vocab, examples) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Sentences -> ids (N, T) padded on the right, lengths (N,) and labels (N,).

    Each sentence ends with the newline the GPT saw after every sentence in pretraining, so the
    model knows where it ends (an article error can be in the last word but one).
    """
    texts = [ex.text + "\n" for ex in examples]
    lengths = torch.tensor([len(t) for t in texts])  # (N,)
    ids = torch.zeros(len(texts), int(lengths.max()), dtype=torch.long)  # (N, T); id 0 ("\n") as padding
    for i, t in enumerate(texts):
        ids[i, : len(t)] = torch.tensor(vocab.encode(t))
    return ids, lengths, torch.tensor([ex.label for ex in examples])


def accuracy(model: GPTClassifier, data, batch_size: int = 256) -> float:
    """The share of examples classified right, in eval mode."""
    ids, lengths, labels = data
    with evaluating(model):
        right = sum(int((model(i, n).argmax(-1) == y).sum())
                    for i, n, y in zip(ids.split(batch_size), lengths.split(batch_size), labels.split(batch_size)))
    return right / len(labels)


@dataclass(frozen=True)
class FinetuneConfig:
    """One recipe for both starts (AdamW, warm-up then cosine decay), so only the start differs."""

    steps: int = 200
    batch_size: int = 32
    lr: float = 1e-3
    warmup: int = 20
    weight_decay: float = 0.01
    lm_weight: float = 0.5  # GPT-1's auxiliary language-modelling loss on the labelled sentences (its lambda)


def classifier(init: str, seed: int) -> tuple[GPTClassifier, Vocab]:
    """The shipped tiny GPT (``"pretrained"``) or the same shape with fresh weights (``"scratch"``),
    with a fresh head, both drawn from ``seed``."""
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    body, vocab, _ = tiny.load_tiny_gpt()
    torch.manual_seed(seed)
    if init == "scratch":
        body = GPT(body.config)
    return GPTClassifier(body).train(), vocab


def finetune(init: str, n_labelled: int, seed: int = 0, config: FinetuneConfig | None = None, test=None,
             progress=False) -> tuple[GPTClassifier, dict]:
    """Train a classifier from ``init`` on ``n_labelled`` examples of the training split (drawn by ``seed``).

    Returns the model and a record with its accuracy on the held-out test set (``test``: the
    encoded :func:`test_set`, computed if None) and on the labelled examples themselves.
    """
    fc = config or FinetuneConfig()
    model, vocab = classifier(init, seed)
    train = encode_examples(vocab, acceptability.make_examples(tiny.corpus_text("train").splitlines(), n_labelled,
                                                               seed=seed))
    test = test_set(vocab) if test is None else test
    gen = torch.Generator().manual_seed(seed)

    def batch(step):
        pick = torch.randint(0, n_labelled, (min(fc.batch_size, n_labelled),), generator=gen)  # (B,)
        return tuple(t[pick] for t in train)

    def loss_fn(model, b):
        ids, lengths, labels = b
        logits, lm = model(ids, lengths, with_lm=True)  # (B, C), (B, T, V)
        inside = torch.arange(1, ids.shape[1]) < lengths[:, None]  # (B, T - 1): targets within the sentence
        lm_loss = F.cross_entropy(lm[:, :-1][inside], ids[:, 1:][inside])
        return F.cross_entropy(logits, labels) + fc.lm_weight * lm_loss

    opt = torch.optim.AdamW(model.parameters(), lr=fc.lr, weight_decay=fc.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(fc.warmup, fc.steps))
    start = time.perf_counter()
    fit(model, batch, loss_fn, steps=fc.steps, optimizer=opt, schedule=sched, record_every=fc.steps,
        progress=progress, desc=f"{init}, {n_labelled} examples, seed {seed}")
    return model, {"init": init, "n_labelled": n_labelled, "seed": seed, "test_accuracy": accuracy(model, test),
                   "train_accuracy": accuracy(model, train), "seconds": round(time.perf_counter() - start, 2)}


def test_set(vocab: Vocab):
    """Every held-out sentence twice, as written and with one error: encoded (ids, lengths, labels)."""
    return encode_examples(vocab, acceptability.make_examples(tiny.corpus_text("heldout").splitlines(), both=True))


def learning_curve(sizes=SIZES, seeds=DOCUMENTED_SEEDS, config: FinetuneConfig | None = None, progress=True) -> dict:
    """Test accuracy of both starts for every number of labelled examples and seed.

    Returns ``{"sizes", "seeds", "recipe", "runs": [record, ...], "test_examples"}``.
    """
    vocab = tiny.load_tiny_gpt()[1]
    test = test_set(vocab)
    runs = []
    from tqdm.auto import tqdm

    jobs = [(init, n, seed) for n in sizes for seed in seeds for init in INITS]
    for init, n, seed in tqdm(jobs, desc="fine-tuning runs", disable=not progress):
        runs.append(finetune(init, n, seed, config, test)[1])
    return {"sizes": list(sizes), "seeds": list(seeds), "recipe": asdict(config or FinetuneConfig()),
            "test_examples": len(test[2]), "runs": runs}


def mean_accuracy(curve: dict, init: str) -> list[float]:
    """The mean test accuracy over seeds, per number of labelled examples, for one start."""
    return [sum(r["test_accuracy"] for r in curve["runs"] if r["init"] == init and r["n_labelled"] == n)
            / len(curve["seeds"]) for n in curve["sizes"]]


def load_curve() -> dict:
    """The shipped learning curve (written by ``scripts/finetune_gpt.py``)."""
    return json.loads((tiny.weights_stem().parent / CURVE).read_text(encoding="utf-8"))
