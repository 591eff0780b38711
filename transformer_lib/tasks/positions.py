"""Positions beyond the training context (chapter "The modern block"): sinusoidal against RoPE.

Two tiny GPTs with the recipe of :mod:`transformer_lib.tasks.gpt` (same text, same
``TrainConfig``, same shape), except for how they know where a character is: the fixed
sinusoidal table added to the embeddings (Vaswani et al. 2017) or rotary position embedding
inside every attention (Su et al. 2021), ``GPTConfig(positions=...)``. Both train on SHORT
windows (``TRAIN_CONTEXT`` = 32 characters) and are then measured on held-out windows of 32,
64, 128 and 256 characters: positions 32 and beyond are positions neither model has ever
attended from. Nothing learned is tied to a position in either model, so both can run there;
the question is whether what they learned still works.

``scripts/train_positions.py`` trains every documented seed, checks the bar and ships seed 0's
two models (``transformer_lib/weights/positions_{sinusoidal,rope}.*``)::

    from transformer_lib.tasks import positions
    models, vocab, meta = positions.load_position_models()   # {"sinusoidal": GPT, "rope": GPT}
    table = positions.loss_by_length(models["rope"], vocab)   # nats per character by position band
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import torch
import torch.nn.functional as F

from transformer_lib import checkpoint
from transformer_lib.data.vocab import Vocab
from transformer_lib.nn.gpt import GPT, GPTConfig
from transformer_lib.nn.modes import evaluating
from transformer_lib.tasks import gpt as tiny

KINDS = ("sinusoidal", "rope")
TRAIN_CONTEXT = 32  # the windows trained on; every longer length is extrapolation
LENGTHS = (32, 64, 128, 256)  # the held-out window lengths measured
DOCUMENTED_SEEDS = (0, 1, 2)  # scripts/train_positions.py trains each; seed 0 is shipped
WEIGHTS = "positions_{kind}"  # transformer_lib/weights/positions_{sinusoidal,rope}.{safetensors,json}


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return kind


def model_config(kind: str, vocab_size: int) -> GPTConfig:
    """The tiny GPT's shape (``GPTConfig`` defaults) with ``positions=kind`` and the short context."""
    return GPTConfig(vocab_size=vocab_size, block_size=TRAIN_CONTEXT, positions=_check_kind(kind))


def train_position_model(kind: str, seed: int = 0, train: tiny.TrainConfig | None = None, progress=True):
    """Train one model with :func:`transformer_lib.tasks.gpt.train_tiny_gpt` on ``TRAIN_CONTEXT``-character
    windows; returns (model, record) with :func:`loss_by_length` added to the record."""
    vocab = tiny.char_vocab(tiny.corpus_text("train"))
    model, record = tiny.train_tiny_gpt(seed, model_config(kind, len(vocab)), train, progress)
    record["loss_by_length"] = loss_by_length(model, vocab)
    return model, record


def bands(length: int) -> list[tuple[int, int]]:
    """Position bands [0, 32), [32, 64), [64, 128), ... up to ``length``: the first is the trained context."""
    if int(length) != length or length < 1:
        raise ValueError(f"length must be a positive integer, got {length!r}")
    edges = [0, TRAIN_CONTEXT]
    while edges[-1] < length:
        edges.append(edges[-1] * 2)
    edges = [e for e in edges if e < length] + [int(length)]
    return list(zip(edges[:-1], edges[1:]))


def position_losses(model: GPT, inputs: torch.Tensor, targets: torch.Tensor, batch_size: int = 64) -> torch.Tensor:
    """Cross-entropy (nats) at each position, averaged over the windows: (T,) from (N, T) inputs and targets."""
    with evaluating(model):
        per = [F.cross_entropy(model(x).transpose(1, 2), y, reduction="none")  # (b, V, T) vs (b, T) -> (b, T)
               for x, y in zip(inputs.split(batch_size), targets.split(batch_size))]
    return torch.cat(per).mean(0)  # (T,)


def loss_by_length(model: GPT, vocab: Vocab, lengths=LENGTHS) -> dict[str, dict[str, float]]:
    """Held-out loss (nats per character) of ``model`` on windows of each length, by position band.

    For each length L the held-out text is cut into non-overlapping windows of L + 1 characters
    (:func:`transformer_lib.tasks.gpt.heldout_windows`); every position of every window is
    predicted from that window's earlier characters only.

    Returns:
        ``{str(L): {"all": mean over all L positions, "0-32": ..., "32-64": ..., ...}}``.
    """
    ids = torch.tensor(vocab.encode(tiny.corpus_text("heldout")))
    out = {}
    for L in lengths:
        x, y = tiny.heldout_windows(ids, int(L))  # (N, L) each
        per = position_losses(model, x, y)  # (L,)
        out[str(L)] = {"all": float(per.mean()), **{f"{a}-{b}": float(per[a:b].mean()) for a, b in bands(L)}}
    return out


def weights_stem(kind: str) -> Path:
    return Path(str(resources.files("transformer_lib") / "weights")) / WEIGHTS.format(kind=_check_kind(kind))


def load_position_models() -> tuple[dict[str, GPT], Vocab, dict]:
    """The two shipped models (eval mode) by kind, the character vocabulary, and ``{kind: JSON record}``."""
    models, metas = {}, {}
    for kind in KINDS:
        models[kind], metas[kind] = checkpoint.load(weights_stem(kind), lambda c: GPT(GPTConfig(**c)))
        models[kind].eval()
    vocab = Vocab(tuple(metas["rope"]["vocab"]), (), tiny.CHARS)
    return models, vocab, metas
