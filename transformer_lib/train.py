"""Training a Transformer: the loss, label smoothing, the learning-rate schedule, the loop.

Introduced in chapter "Training: from logits to loss". The model outputs logits; the loss
compares their softmax with a *target distribution* -- one-hot, or label-smoothed as in the
paper (section 5.4, epsilon_ls = 0.1) -- on every real target token, never on padding.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

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


# --------------------------------------------------------------------------------- loop
@dataclass
class History:
    """What :func:`train` records: per evaluation point, the step and the running numbers."""

    step: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)  # label-smoothed loss, mean since the last record
    train_acc: list = field(default_factory=list)  # token accuracy under teacher forcing
    heldout_loss: list = field(default_factory=list)  # plain cross-entropy (epsilon = 0) on held-out data
    heldout_acc: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    seconds: float = 0.0


@torch.no_grad()
def evaluate(model, data, pad_id: int = 0) -> tuple[float, float]:
    """Plain cross-entropy and token accuracy on (src, tgt_in, tgt_out) tensors, in eval mode."""
    was_training = model.training
    model.eval()
    src, tgt_in, tgt_out = data
    logits = model(src, tgt_in)  # (B, T, V)
    loss = float(label_smoothed_loss(logits, tgt_out, 0.0, pad_id))
    acc = token_accuracy(logits, tgt_out, pad_id)
    model.train(was_training)
    return loss, acc


def train(model, train_data, steps: int, batch_size: int = 64, smoothing: float = 0.1, warmup: int = 400,
          factor: float = 1.0, heldout_data=None, record_every: int = 50, seed: int = 0, progress: bool = True,
          callback=None) -> History:
    """Train an encoder-decoder on teacher-forced batches with Adam and the paper's schedule.

    Args:
        model: a :class:`transformer_lib.nn.Transformer`.
        train_data: (src (N, S), tgt_in (N, T), tgt_out (N, T)) id tensors, e.g. from
            :func:`transformer_lib.data.encode_pairs`.
        steps: optimizer steps; each draws ``batch_size`` random pairs.
        smoothing: epsilon_ls of the loss.
        warmup, factor: of :func:`noam_rate` (Adam with beta = (0.9, 0.98), eps = 1e-9, section 5.3).
        heldout_data: optional tensors like ``train_data``, evaluated every ``record_every`` steps.
        seed: seeds the batch order (the model's initialisation is the caller's).
        progress: show a tqdm progress bar (True: on stderr; or a file-like object to write it to).
        callback: optional ``callback(history)`` after each record (e.g. to redraw live curves).

    Returns:
        a :class:`History`. The model is left in eval mode.
    """
    if steps < 1 or batch_size < 1 or record_every < 1:
        raise ValueError(f"steps, batch_size and record_every must be positive, got {steps}, {batch_size}, {record_every}")

    pad_id = model.config.pad_id
    src, tgt_in, tgt_out = train_data
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)
    sched = noam_scheduler(opt, model.config.d_model, warmup, factor)
    hist = History()
    run_loss, run_acc, run_n = 0.0, 0.0, 0
    start = time.perf_counter()
    model.train()
    file = progress if hasattr(progress, "write") else None  # None: tqdm's default, stderr
    bar = tqdm(range(1, steps + 1), desc="training", disable=not progress, leave=True, mininterval=0.5, file=file)
    for step in bar:
        idx = torch.randint(0, src.shape[0], (batch_size,), generator=gen)
        logits = model(src[idx], tgt_in[idx])  # (batch, T, V)
        loss = label_smoothed_loss(logits, tgt_out[idx], smoothing, pad_id)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        run_loss += loss.item()
        run_acc += token_accuracy(logits.detach(), tgt_out[idx], pad_id)
        run_n += 1
        if step % record_every == 0 or step == steps:
            hist.step.append(step)
            hist.train_loss.append(run_loss / run_n)
            hist.train_acc.append(run_acc / run_n)
            hist.lr.append(opt.param_groups[0]["lr"])
            if heldout_data is not None:
                h_loss, h_acc = evaluate(model, heldout_data, pad_id)
                hist.heldout_loss.append(h_loss)
                hist.heldout_acc.append(h_acc)
            bar.set_postfix(loss=f"{run_loss / run_n:.3f}", acc=f"{run_acc / run_n:.3f}")
            run_loss, run_acc, run_n = 0.0, 0.0, 0
            if callback is not None:
                callback(hist)
    model.eval()
    hist.seconds = time.perf_counter() - start
    return hist
