"""The tiny GPT of chapter "Decoder-only models (GPT)": a character-level language model.

Its text is the English side of the book's own translation corpus
(:func:`transformer_lib.data.translation.make_corpus`, seed 0), one sentence per line: the
training split's sentences to learn from, the held-out split's (word combinations never seen
in training) to measure on. No download. Every character is a token (``\\n`` ends a sentence),
so the vocabulary is a few dozen symbols and the model has to learn spelling, words and
grammar from scratch.

Use it as a client would (the chapter "One block, three families" fine-tunes it)::

    from transformer_lib.tasks import gpt as tiny
    model, vocab, meta = tiny.load_tiny_gpt()     # nn.GPT (eval mode), the character Vocab, the JSON record
    ids = tiny.encode(vocab, "i am a ", model.config.block_size)      # (1, T) ids, clear errors on bad text
    out = decoding.generate(model, ids, 30, greedy=True)
    tiny.decode(vocab, out[0])

``train_tiny_gpt(seed)`` is the recipe (``scripts/train_gpt.py`` runs it and ships the weights);
``heldout_windows``, ``ngram_loss`` and ``model_loss`` measure a model and the unigram and
bigram baselines on exactly the same held-out predictions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import torch
import torch.nn.functional as F

from transformer_lib import checkpoint
from transformer_lib.data.translation import make_corpus
from transformer_lib.data.vocab import Tokenizer, Vocab
from transformer_lib.nn.gpt import GPT, GPTConfig, shift_targets
from transformer_lib.nn.modes import evaluating
from transformer_lib.train import fit, warmup_cosine

SHOWN = {"\n": "⏎", " ": "␣"}  # characters a reader could not see in a message or a label
CHARS = Tokenizer(r"[\s\S]", name="characters, lower-cased")  # every character is a token, "\n" included
WEIGHTS = "tiny_gpt"  # transformer_lib/weights/tiny_gpt.{safetensors,json}, written by scripts/train_gpt.py
DOCUMENTED_SEEDS = (0, 1, 2)  # scripts/train_gpt.py trains each; all meet the bars; seed 0 is shipped


def corpus_text(split: str) -> str:
    """The English sentences of the translation corpus's ``"train"`` or ``"heldout"`` split, one per line."""
    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train' or 'heldout', got {split!r}")
    corpus = make_corpus(seed=0)
    pairs = corpus.train if split == "train" else corpus.test
    return "".join(en + "\n" for _, en in pairs)


def char_vocab(text: str) -> Vocab:
    """Every character of ``text``, sorted (``\\n`` first); no specials: an unknown character is an error."""
    return Vocab.build([text], (), "sorted", CHARS)


def encode(vocab: Vocab, text: str, block_size: int | None = None) -> torch.Tensor:
    """A prompt -> ids (1, T), with one clear message for an empty, unknown or over-long prompt."""
    if not isinstance(text, str) or not text:
        raise ValueError("the prompt is empty; type the beginning of a sentence, e.g. 'i am '")
    unknown = vocab.unknown(text)
    if unknown:  # the page's runtime (transformer_lib/web) gives the same message
        chars = list(dict.fromkeys(unknown))
        known = " ".join(SHOWN.get(t, t) for t in vocab.tokens)
        raise ValueError(f"{', '.join(f'“{c}”' for c in chars)} {'is' if len(chars) == 1 else 'are'} not in this model's "
                         f"vocabulary: it reads one character at a time and knows only {known}")
    ids = torch.tensor([vocab.encode(text)])  # (1, T)
    if block_size is not None and ids.shape[1] >= block_size:
        raise ValueError(f"the prompt has {ids.shape[1]} characters; the model's context is {block_size}, "
                         "and at least one must be left to generate")
    return ids


def decode(vocab: Vocab, ids) -> str:
    """Ids -> the text they spell."""
    return "".join(vocab.decode(ids, strip=False))


# ----------------------------------------------------------------------------- measuring
def heldout_windows(ids: torch.Tensor, block_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Cut a 1-D id sequence into non-overlapping windows of block_size + 1 and shift them:
    inputs and targets (N, block_size). Every model and baseline is scored on these targets,
    each predicted from the same window's earlier characters (a baseline uses only the last)."""
    n = (ids.numel() - 1) // block_size
    if n < 1:
        raise ValueError(f"{ids.numel()} ids are too few for one window of {block_size + 1}")
    windows = ids[: n * block_size + 1].unfold(0, block_size + 1, block_size)  # (n, block_size + 1), overlapping by 1
    return shift_targets(windows)


def ngram_loss(train_ids: torch.Tensor, inputs: torch.Tensor, targets: torch.Tensor, order: int, vocab_size: int,
               alpha: float = 1.0) -> float:
    """Mean cross-entropy (nats per token) of a unigram (``order=1``) or bigram (``order=2``) model
    counted on ``train_ids`` (1-D) with add-``alpha`` smoothing, on ``targets`` (N, T); a bigram
    predicts targets[n, t] from inputs[n, t], the character before it."""
    if order not in (1, 2):
        raise ValueError(f"order must be 1 (unigram) or 2 (bigram), got {order!r}")
    if order == 1:
        counts = torch.bincount(train_ids, minlength=vocab_size).double() + alpha  # (V,)
        log_p = (counts / counts.sum()).log()
        return float(-log_p[targets].mean())
    pairs = train_ids[:-1] * vocab_size + train_ids[1:]  # (N,) one index per (previous, next)
    counts = torch.bincount(pairs, minlength=vocab_size ** 2).double().reshape(vocab_size, vocab_size) + alpha  # (V, V)
    log_p = (counts / counts.sum(-1, keepdim=True)).log()  # row: the previous character
    return float(-log_p[inputs, targets].mean())


def model_loss(model: GPT, inputs: torch.Tensor, targets: torch.Tensor, batch_size: int = 256) -> float:
    """Mean cross-entropy (nats per token) of ``model`` on (N, T) windows, in eval mode."""
    with evaluating(model):
        total = sum(F.cross_entropy(model(x).flatten(0, 1), y.flatten(), reduction="sum").item()
                    for x, y in zip(inputs.split(batch_size), targets.split(batch_size)))
    return total / targets.numel()


def scores(model: GPT, vocab: Vocab) -> dict[str, float]:
    """Held-out loss of the model and of the unigram and bigram baselines, on the same held-out targets."""
    train_ids = torch.tensor(vocab.encode(corpus_text("train")))
    x, y = heldout_windows(torch.tensor(vocab.encode(corpus_text("heldout"))), model.config.block_size)
    V = len(vocab)
    return {"heldout_loss": model_loss(model, x, y), "unigram_loss": ngram_loss(train_ids, x, y, 1, V),
            "bigram_loss": ngram_loss(train_ids, x, y, 2, V), "heldout_tokens": int(y.numel())}


# ----------------------------------------------------------------------------- training
@dataclass(frozen=True)
class TrainConfig:
    """The recipe of the shipped model (AdamW, warm-up then cosine decay)."""

    steps: int = 800
    batch_size: int = 24  # windows of block_size + 1 characters per step
    lr: float = 3e-3
    warmup: int = 100
    weight_decay: float = 0.01


def train_tiny_gpt(seed: int = 0, model_config: GPTConfig | None = None, train: TrainConfig | None = None,
                   progress=True) -> tuple[GPT, dict]:
    """Train a fresh tiny GPT on the training text with :func:`transformer_lib.train.fit`.

    Returns the model (in train mode, as built) and its record: the recipe, the history, the
    wall-clock seconds and :func:`scores` at the end.
    """
    tc = train or TrainConfig()
    text = corpus_text("train")
    vocab = char_vocab(text)
    mc = model_config or GPTConfig(vocab_size=len(vocab))
    if mc.vocab_size != len(vocab):
        raise ValueError(f"model_config.vocab_size must be {len(vocab)} (the characters of the text), got {mc.vocab_size}")
    torch.manual_seed(seed)
    model = GPT(mc)
    data = torch.tensor(vocab.encode(text))  # (N,)
    gen = torch.Generator().manual_seed(seed)
    block = mc.block_size

    def batch(step):
        start = torch.randint(0, data.numel() - block - 1, (tc.batch_size, 1), generator=gen)  # (B, 1)
        return shift_targets(data[start + torch.arange(block + 1)])  # (B, block + 1) -> two (B, block)

    def loss_fn(model, b):
        logits = model(b[0])  # (B, T, V)
        return F.cross_entropy(logits.flatten(0, 1), b[1].flatten())

    opt = torch.optim.AdamW(model.parameters(), lr=tc.lr, weight_decay=tc.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(tc.warmup, tc.steps))
    start = time.perf_counter()
    hist = fit(model, batch, loss_fn, steps=tc.steps, optimizer=opt, schedule=sched, record_every=100,
               progress=progress, desc=f"tiny GPT, seed {seed}")
    seconds = time.perf_counter() - start
    record = {"seed": seed, "train": tc.__dict__, "history": hist.as_dict(), "train_seconds": round(seconds, 1),
              **scores(model, vocab)}
    return model, record


# ----------------------------------------------------------------------------- the shipped model
def weights_stem() -> Path:
    return Path(str(resources.files("transformer_lib") / "weights")) / WEIGHTS


def load_tiny_gpt() -> tuple[GPT, Vocab, dict]:
    """The shipped model (eval mode), its character vocabulary and its JSON record (``meta``)."""
    model, meta = checkpoint.load(weights_stem(), lambda c: GPT(GPTConfig(**c)))
    vocab = Vocab(tuple(meta["vocab"]), (), CHARS)
    return model.eval(), vocab, meta
