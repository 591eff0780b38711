"""Pretraining, then fine-tuning, measured (chapter "One block, three families").

The tiny GPT of :mod:`transformer_lib.tasks.gpt` learned English by predicting the next character
of grammatical sentences; nobody told it what a grammatical sentence is. Here it is fine-tuned to
pick the grammatical sentence of a minimal pair (:mod:`transformer_lib.data.acceptability`: a
sentence and the same sentence with one agreement or article error), next to the same
architecture trained on the same labelled pairs from random weights.

The model *is* the classifier, as GPT-2 and GPT-3 use a language model (Radford et al. 2019;
Brown et al. 2020): it picks the sentence it gives the higher probability, log p(sentence) being
the sum of log p(each character | the ones before). So the pretrained model can be measured before
any fine-tuning (0 labelled pairs), and fine-tuning adds no new weights. Fine-tuning trains every
weight to widen the margin log p(good) - log p(bad) on the labelled pairs (a logistic loss on the
margin, as a reward model compares two answers).

Variants tried while building this, and dropped: a CoLA-style classifier (one sentence, a new
linear head on the hidden states, GPT-1's recipe) learned slowly from both starts; given enough
steps, the model from scratch caught up by a few thousand examples, and the gap between the
starts was small and changed sign between seeds below that.

:func:`learning_curve` runs both starts for several numbers of labelled pairs and seeds;
``scripts/finetune_gpt.py`` runs it and ships the result (``weights/finetune_curve.json``), which
:func:`load_curve` reads, so the chapter does not train.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F

from transformer_lib.data import acceptability
from transformer_lib.data.vocab import Vocab
from transformer_lib.nn.gpt import GPT
from transformer_lib.nn.modes import evaluating
from transformer_lib.tasks import gpt as tiny
from transformer_lib.train import fit, warmup_cosine

INITS = ("pretrained", "scratch")
CURVE = "finetune_curve.json"  # transformer_lib/weights/, written by scripts/finetune_gpt.py
DOCUMENTED_SEEDS = (0, 1, 2)
SIZES = (16, 32, 64, 128, 256, 512, 1024, 2048)  # labelled pairs


def encode_pairs(vocab: Vocab, pairs) -> tuple[torch.Tensor, torch.Tensor]:
    """Pairs -> ids (N, 2, T) padded on the right (good first) and lengths (N, 2).

    Each sentence ends with the newline the GPT saw after every sentence in pretraining, so the
    model also judges how the sentence ends.
    """
    texts = [[p.good + "\n", p.bad + "\n"] for p in pairs]
    lengths = torch.tensor([[len(g), len(b)] for g, b in texts])  # (N, 2)
    ids = torch.zeros(len(texts), 2, int(lengths.max()), dtype=torch.long)  # (N, 2, T); id 0 ("\n") as padding
    for i, two in enumerate(texts):
        for j, t in enumerate(two):
            ids[i, j, : len(t)] = torch.tensor(vocab.encode(t))
    return ids, lengths


def sentence_logprob(model: GPT, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """log p(sentence) for ids (B, T) of lengths (B,): the sum of log p(ids[t] | ids[:t]) for
    1 <= t < length (both sentences of a pair start with the same character)."""
    logp = model(ids)[:, :-1].log_softmax(-1).gather(-1, ids[:, 1:, None])[..., 0]  # (B, T - 1)
    inside = torch.arange(1, ids.shape[1]) < lengths[:, None]  # (B, T - 1): targets within the sentence
    return (logp * inside).sum(1)  # (B,)


def margins(model: GPT, data) -> torch.Tensor:
    """log p(good) - log p(bad) for each encoded pair (N,); positive = the model picks the right one."""
    ids, lengths = data
    both = sentence_logprob(model, ids.flatten(0, 1), lengths.flatten())  # (2N,): good, bad, good, bad, ...
    return both[0::2] - both[1::2]


def accuracy(model: GPT, data, batch_size: int = 256) -> float:
    """The share of pairs in which the model gives the grammatical sentence the higher probability."""
    ids, lengths = data
    with evaluating(model):
        right = sum(int((margins(model, (i, n)) > 0).sum()) for i, n in zip(ids.split(batch_size), lengths.split(batch_size)))
    return right / len(ids)


def test_set(vocab: Vocab):
    """Every held-out sentence (word combinations never seen in training) with one error: encoded pairs."""
    return encode_pairs(vocab, acceptability.make_pairs(tiny.corpus_text("heldout").splitlines()))


@dataclass(frozen=True)
class FinetuneConfig:
    """One recipe for both starts (AdamW, warm-up then cosine decay), so only the start differs."""

    steps: int = 400
    batch_size: int = 32  # pairs per step
    lr: float = 1e-3
    warmup: int = 40
    weight_decay: float = 0.01


def start(init: str, seed: int) -> tuple[GPT, Vocab]:
    """The shipped tiny GPT (``"pretrained"``) or the same shape with fresh weights drawn from ``seed``."""
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    model, vocab, _ = tiny.load_tiny_gpt()
    if init == "scratch":
        torch.manual_seed(seed)
        model = GPT(model.config)
    return model.train(), vocab


def finetune(init: str, n_labelled: int, seed: int = 0, config: FinetuneConfig | None = None, test=None,
             progress=False) -> tuple[GPT, dict]:
    """Fine-tune from ``init`` on ``n_labelled`` pairs of the training split (drawn by ``seed``);
    ``n_labelled=0`` measures the start itself.

    Returns the model and a record with its accuracy on the held-out pairs (``test``: the encoded
    :func:`test_set`, computed if None) and on the labelled pairs.
    """
    fc = config or FinetuneConfig()
    model, vocab = start(init, seed)
    test = test_set(vocab) if test is None else test
    t0 = time.perf_counter()
    record = {"init": init, "n_labelled": n_labelled, "seed": seed}
    if n_labelled:
        train = encode_pairs(vocab, acceptability.make_pairs(tiny.corpus_text("train").splitlines(), n_labelled, seed))
        gen = torch.Generator().manual_seed(seed)

        def batch(step):
            pick = torch.randint(0, n_labelled, (min(fc.batch_size, n_labelled),), generator=gen)  # (B,)
            return train[0][pick], train[1][pick]

        def loss_fn(model, b):
            return F.softplus(-margins(model, b)).mean()  # -log sigmoid(log p(good) - log p(bad))

        opt = torch.optim.AdamW(model.parameters(), lr=fc.lr, weight_decay=fc.weight_decay)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(fc.warmup, fc.steps))
        fit(model, batch, loss_fn, steps=fc.steps, optimizer=opt, schedule=sched, record_every=fc.steps,
            progress=progress, desc=f"{init}, {n_labelled} pairs, seed {seed}")
        record["train_accuracy"] = accuracy(model, train)
    record["test_accuracy"] = accuracy(model, test)
    record["seconds"] = round(time.perf_counter() - t0, 2)
    return model, record


def _one_run(job) -> dict:
    init, n, seed, config = job
    torch.set_num_threads(1)  # each run on one thread: the same sums whichever worker runs it
    return finetune(init, n, seed, config)[1]


def learning_curve(sizes=SIZES, seeds=DOCUMENTED_SEEDS, config: FinetuneConfig | None = None, progress=True,
                   workers: int = 1) -> dict:
    """Held-out accuracy of both starts for every number of labelled pairs and seed, and of both
    starts before fine-tuning (``"before"``: the pretrained model, and a fresh one per seed).

    Every run is seeded and runs on one thread, so ``workers`` processes give the same numbers as one.
    """
    from concurrent.futures import ProcessPoolExecutor

    from tqdm.auto import tqdm

    jobs = [(init, n, seed, config) for n in (0, *sizes) for seed in seeds for init in INITS]
    bar = dict(total=len(jobs), desc="fine-tuning runs", disable=not progress)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            runs = list(tqdm(pool.map(_one_run, jobs), **bar))
    else:
        runs = [_one_run(j) for j in tqdm(jobs, **bar)]
    return {"sizes": list(sizes), "seeds": list(seeds), "recipe": asdict(config or FinetuneConfig()),
            "test_pairs": len(acceptability.make_pairs(tiny.corpus_text("heldout").splitlines())), "runs": runs}


def mean_accuracy(curve: dict, init: str, sizes=None) -> list[float]:
    """The mean held-out accuracy over seeds, per number of labelled pairs (``sizes``; default the curve's)."""
    sizes = curve["sizes"] if sizes is None else sizes
    return [sum(r["test_accuracy"] for r in curve["runs"] if r["init"] == init and r["n_labelled"] == n)
            / len(curve["seeds"]) for n in sizes]


def load_curve() -> dict:
    """The shipped learning curve (written by ``scripts/finetune_gpt.py``)."""
    return json.loads((tiny.weights_stem().parent / CURVE).read_text(encoding="utf-8"))
