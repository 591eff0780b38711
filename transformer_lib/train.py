"""Training: the loss, label smoothing, the learning-rate schedules, and the one fit loop.

Introduced in chapter "Training: from logits to loss". The model outputs logits; the loss
compares their softmax with a *target distribution* -- one-hot, or label-smoothed as in the
paper (section 5.4, epsilon_ls = 0.1) -- on every real target token, never on padding.

:func:`fit` is the only training loop in the package: every task in :mod:`transformer_lib.tasks`
and every chapter that trains something calls it with its own batches, loss and evaluation.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import torch
import torch.nn.functional as F
from tqdm.std import tqdm  # a text bar: it renders the same in a terminal, Jupyter, Colab and the book


# ------------------------------------------------------------------------ distributions
def entropy(q: torch.Tensor) -> torch.Tensor:
    """H(q) = -sum_i q_i log q_i over the last axis (0 log 0 = 0). (..., V) -> (...)."""
    return -torch.xlogy(q, q).sum(-1)


def cross_entropy_dist(q: torch.Tensor, log_p: torch.Tensor) -> torch.Tensor:
    """H(q, p) = -sum_i q_i log p_i: target distribution q, model log-probabilities log p. (..., V) -> (...)."""
    return -(q * log_p).sum(-1)


def kl_divergence(q: torch.Tensor, log_p: torch.Tensor) -> torch.Tensor:
    """KL(q || p) = sum_i q_i (log q_i - log p_i) = H(q, p) - H(q). (..., V) -> (...)."""
    return torch.xlogy(q, q).sum(-1) - (q * log_p).sum(-1)


def smoothed_targets(targets: torch.Tensor, vocab_size: int, smoothing: float = 0.1, pad_id: int = 0) -> torch.Tensor:
    """The label-smoothed target distribution q for each target token.

    The true token gets 1 - epsilon; epsilon is spread evenly over the V - 2 tokens that are
    neither the true token nor ``<pad>`` (which is never a right answer). With epsilon = 0
    this is the one-hot distribution.

    Args:
        targets: (B, T) token ids.
        vocab_size: V.
        smoothing: epsilon in [0, 1).
        pad_id: the padding id, which gets probability 0.

    Returns:
        (B, T, V): rows summing to 1, and rows of zeros where the target is padding.
    """
    if not 0.0 <= smoothing < 1.0:
        raise ValueError(f"smoothing (epsilon_ls) must lie in [0, 1), got {smoothing}")
    if vocab_size < 3:
        raise ValueError(f"label smoothing needs a vocabulary of at least 3 tokens, got V={vocab_size}")
    q = torch.full((*targets.shape, vocab_size), smoothing / (vocab_size - 2))  # (B, T, V)
    q[..., pad_id] = 0.0
    q.scatter_(-1, targets.unsqueeze(-1), 1.0 - smoothing)
    return q.masked_fill((targets == pad_id).unsqueeze(-1), 0.0)  # padding is not a target at all


def label_smoothed_loss(logits: torch.Tensor, targets: torch.Tensor, smoothing: float = 0.1, pad_id: int = 0) -> torch.Tensor:
    """Mean cross-entropy H(q, softmax(logits)) over the non-padding target tokens.

    Args:
        logits: (B, T, V) model outputs.
        targets: (B, T) ids; positions equal to ``pad_id`` are left out of the mean.
        smoothing: epsilon_ls (0 gives ordinary cross-entropy, equal to
            ``F.cross_entropy(..., ignore_index=pad_id)``).

    Returns:
        a scalar: -(1/N) sum_{t not pad} sum_v q_tv log p_tv, N the number of real tokens.
    """
    if logits.ndim != 3 or targets.shape != logits.shape[:2]:
        raise ValueError(f"logits must be (B, T, V) and targets (B, T); got {tuple(logits.shape)} and {tuple(targets.shape)}")
    log_p = F.log_softmax(logits, dim=-1)  # (B, T, V)
    q = smoothed_targets(targets, logits.shape[-1], smoothing, pad_id).to(log_p.dtype)  # (B, T, V)
    per_token = cross_entropy_dist(q, log_p)  # (B, T)
    real = targets != pad_id  # (B, T)
    n = real.sum()
    if n == 0:
        raise ValueError("every target is padding: there is nothing to learn from")
    return per_token.masked_fill(~real, 0.0).sum() / n


def token_accuracy(logits: torch.Tensor, targets: torch.Tensor, pad_id: int = 0) -> float:
    """Share of non-padding positions where argmax(logits) is the target."""
    real = targets != pad_id
    return float(((logits.argmax(-1) == targets) & real).sum() / real.sum())


# ------------------------------------------------------------------------------ schedule
def noam_rate(step: int, d_model: int, warmup: int = 4000, factor: float = 1.0) -> float:
    """The paper's learning rate (section 5.3, equation 3), with an optional overall factor:

        lrate = factor * d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)

    It rises linearly for ``warmup`` steps, peaks at step = warmup, then decays as 1/sqrt(step).
    Steps count from 1.
    """
    if step < 1:
        raise ValueError(f"steps count from 1, got step={step}")
    if warmup < 1 or d_model < 1:
        raise ValueError(f"warmup and d_model must be positive, got warmup={warmup}, d_model={d_model}")
    return factor * d_model ** -0.5 * min(step ** -0.5, step * warmup ** -1.5)


def noam_scheduler(optimizer: torch.optim.Optimizer, d_model: int, warmup: int = 4000, factor: float = 1.0):
    """A ``LambdaLR`` that sets the learning rate to :func:`noam_rate` (the optimizer's lr must be 1)."""
    for g in optimizer.param_groups:
        if g["lr"] != 1.0:
            raise ValueError(f"create the optimizer with lr=1.0 (the schedule gives the whole rate), got {g['lr']}")
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda i: noam_rate(i + 1, d_model, warmup, factor))


# ------------------------------------------------------------------------------ schedules
def warmup_cosine(warmup: int, steps: int) -> Callable[[int], float]:
    """A learning-rate multiplier for ``LambdaLR``: linear warm-up over ``warmup`` steps, then a
    cosine decay to 0 at ``steps``. Index ``i`` counts optimizer steps from 0."""
    if warmup < 1 or steps < 1:
        raise ValueError(f"warmup and steps must be positive, got warmup={warmup}, steps={steps}")

    def multiplier(i: int) -> float:
        if i < warmup:
            return (i + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (i - warmup) / max(1, steps - warmup)))

    return multiplier


# ----------------------------------------------------------------------------- the loop
class History:
    """What :func:`fit` records, one entry per record point.

    ``step`` (the step just taken), ``lr`` (the learning rate that step used), and one list per
    measured value: ``train_loss`` and ``train_<metric>`` (means over the steps since the
    previous record) and whatever ``evaluate`` returned (e.g. ``heldout_loss``). Read them as
    attributes (``history.train_loss``) or with :meth:`as_dict`. ``seconds`` is the wall time.
    """

    def __init__(self):
        self.step: list[int] = []
        self.lr: list[float] = []
        self.values: dict[str, list[float]] = {}
        self.seconds: float = 0.0

    def __getattr__(self, name: str):
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        raise AttributeError(f"History has no {name!r}; it recorded {sorted(values)}")

    def record(self, step: int, lr: float, values: dict[str, float]) -> None:
        if self.step and set(values) != set(self.values):
            raise ValueError(f"record {step} measured {sorted(values)}, earlier records {sorted(self.values)}")
        self.step.append(step)
        self.lr.append(lr)
        for k, v in values.items():
            self.values.setdefault(k, []).append(float(v))

    def as_dict(self) -> dict[str, Any]:
        return {"step": list(self.step), "lr": list(self.lr), **{k: list(v) for k, v in self.values.items()},
                "seconds": self.seconds}

    def __repr__(self) -> str:
        last = {k: round(v[-1], 4) for k, v in self.values.items()} if self.step else {}
        return f"History({len(self.step)} records, last step {self.step[-1] if self.step else None}: {last})"


def _batch_source(batches) -> Callable[[int], Any]:
    if callable(batches):
        return batches
    it = iter(batches)

    def next_batch(step: int):
        try:
            return next(it)
        except StopIteration:
            raise ValueError(f"the batches ran out at step {step}: give at least `steps` of them") from None

    return next_batch


def fit(model: torch.nn.Module, batches: Callable[[int], Any] | Iterable, loss_fn: Callable, *, steps: int,
        optimizer: torch.optim.Optimizer, schedule=None, evaluate: Callable[[torch.nn.Module], dict] | None = None,
        record_every: int = 50, progress=True, callback: Callable[[History], None] | None = None,
        desc: str = "training") -> History:
    """Train ``model`` for ``steps`` optimizer steps: the one loop of the book.

    Each step: draw a batch, ``loss_fn(model, batch)`` in training mode, backward, an optimizer
    step, then a schedule step. Every ``record_every`` steps (and after the last one) it records
    the means since the previous record and, if given, ``evaluate(model)`` -- run in eval mode
    under ``torch.inference_mode()``.

    Args:
        model: any ``torch.nn.Module``.
        batches: ``batches(step) -> batch`` (steps count from 1), or an iterable of batches.
        loss_fn: ``loss_fn(model, batch)`` returns the loss (a scalar tensor), or
            ``(loss, {"acc": 0.9, ...})`` with extra numbers to average and record as ``train_acc``, ...
        steps: how many optimizer steps.
        optimizer: over the model's parameters.
        schedule: an optional ``torch.optim.lr_scheduler`` stepped after every optimizer step.
        evaluate: optional ``evaluate(model) -> {"heldout_loss": ..., ...}`` at every record.
        record_every: steps between records.
        progress: a tqdm bar: True (on stderr), False, or a file-like object to write it to.
        callback: ``callback(history)`` after each record (e.g. to redraw live curves).

    Returns:
        a :class:`History`. The model is put back in the mode it was in (train or eval).
    """
    if steps < 1 or record_every < 1:
        raise ValueError(f"steps and record_every must be positive, got steps={steps}, record_every={record_every}")
    next_batch = _batch_source(batches)
    hist = History()
    was_training = model.training
    sums: dict[str, float] = {}
    n = 0
    start = time.perf_counter()
    file = progress if hasattr(progress, "write") else None  # None: tqdm's default, stderr
    bar = tqdm(range(1, steps + 1), desc=desc, disable=not progress, leave=True, mininterval=0.5, file=file)
    try:
        for step in bar:
            model.train()
            out = loss_fn(model, next_batch(step))
            loss, extra = out if isinstance(out, tuple) else (out, {})
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            lr = optimizer.param_groups[0]["lr"]  # the rate this step uses
            optimizer.step()
            if schedule is not None:
                schedule.step()
            for k, v in {"loss": loss.item(), **extra}.items():
                sums[k] = sums.get(k, 0.0) + float(v)
            n += 1
            if step % record_every == 0 or step == steps:
                values = {f"train_{k}": v / n for k, v in sums.items()}
                if evaluate is not None:
                    model.eval()
                    with torch.inference_mode():
                        values.update(evaluate(model))
                hist.record(step, lr, values)
                bar.set_postfix({k: f"{v:.3f}" for k, v in values.items()})
                sums, n = {}, 0
                if callback is not None:
                    callback(hist)
    finally:
        model.train(was_training)
        bar.close()
    hist.seconds = time.perf_counter() - start
    return hist


# --------------------------------------------------------------- sequence-to-sequence
def teacher_forced_scores(model, data, pad_id: int = 0) -> tuple[float, float]:
    """Plain cross-entropy and token accuracy of an encoder-decoder on (src, tgt_in, tgt_out)
    tensors, in eval mode under ``torch.inference_mode()``; the model's mode is put back."""
    from transformer_lib.nn.modes import evaluating

    with evaluating(model):
        src, tgt_in, tgt_out = data
        logits = model(src, tgt_in)  # (B, T, V)
        loss = float(label_smoothed_loss(logits, tgt_out, 0.0, pad_id))
        acc = token_accuracy(logits, tgt_out, pad_id)
    return loss, acc


def fit_seq2seq(model, train_data, steps: int, batch_size: int = 64, smoothing: float = 0.1, warmup: int = 400,
                factor: float = 1.0, heldout_data=None, record_every: int = 50, seed: int = 0, progress=True,
                callback=None) -> History:
    """Train an encoder-decoder the paper's way: :func:`fit` with teacher-forced random batches,
    the label-smoothed loss, Adam (beta = (0.9, 0.98), eps = 1e-9) and :func:`noam_rate` (section 5.3).

    Args:
        model: a :class:`transformer_lib.nn.Transformer`.
        train_data: (src (N, S), tgt_in (N, T), tgt_out (N, T)) id tensors, e.g. from
            :func:`transformer_lib.data.encode_pairs`.
        steps: optimizer steps; each draws ``batch_size`` random pairs.
        smoothing: epsilon_ls of the loss.
        warmup, factor: of :func:`noam_rate`.
        heldout_data: optional tensors like ``train_data``, scored every ``record_every`` steps
            (``heldout_loss``, ``heldout_acc``: plain cross-entropy and token accuracy).
        seed: seeds the batch order (the model's initialisation is the caller's).
        progress, callback: as for :func:`fit`.

    Returns:
        a :class:`History` with ``train_loss``, ``train_acc`` (and ``heldout_loss``, ``heldout_acc``).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    pad_id = model.config.pad_id
    src, tgt_in, tgt_out = train_data
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)

    def batch(step):
        idx = torch.randint(0, src.shape[0], (batch_size,), generator=gen)
        return src[idx], tgt_in[idx], tgt_out[idx]

    def loss_fn(model, b):
        logits = model(b[0], b[1])  # (batch, T, V)
        loss = label_smoothed_loss(logits, b[2], smoothing, pad_id)
        return loss, {"acc": token_accuracy(logits.detach(), b[2], pad_id)}

    def heldout(model):
        loss, acc = teacher_forced_scores(model, heldout_data, pad_id)
        return {"heldout_loss": loss, "heldout_acc": acc}

    return fit(model, batch, loss_fn, steps=steps, optimizer=opt, schedule=noam_scheduler(opt, model.config.d_model, warmup, factor),
               evaluate=heldout if heldout_data is not None else None, record_every=record_every, progress=progress,
               callback=callback)
