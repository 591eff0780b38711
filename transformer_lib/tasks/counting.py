"""Exactly two A's? A one-layer toy that shows what the feed-forward block adds to attention
(chapter "The feed-forward block").

A sequence is a ``[CLS]`` token followed by ``SEQ`` = 8 tokens from {A, B, C, D}; its label
is 1 when exactly two of them are A. Half of the sequences have exactly two A's, the rest a
count drawn uniformly from 0..8. :class:`CountingModel` embeds the tokens, lets one attention
head gather (with a residual connection), optionally adds a position-wise feed-forward block
(d_ff = 4 d_model, also with a residual), and reads the answer from the ``[CLS]`` position with
a linear layer. Attention alone can report the *fraction* of A's; "exactly two" needs a yes
between two no's, which the FFN's ReLU supplies.

:func:`train_counter` trains it with the package's one loop, :func:`transformer_lib.train.fit`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from transformer_lib.nn.attention import MultiHeadAttention
from transformer_lib.nn.blocks import feed_forward
from transformer_lib.nn.config import seed_everything
from transformer_lib.nn.modes import evaluating
from transformer_lib.train import History, fit

SEQ = 8  # tokens after [CLS]
CLS, A = 0, 1  # token ids; B, C, D are 2, 3, 4
VOCAB = ("[CLS]", "A", "B", "C", "D")
TARGET = 2  # the count of A's that makes the label 1


def count_batch(n: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``n`` random sequences of the task, drawn from ``gen``.

    Returns:
        ids (n, 1 + SEQ) with ``[CLS]`` first, labels (n,) (1 iff exactly two A's) and the
        true counts of A (n,).
    """
    if n < 1:
        raise ValueError(f"n (the number of sequences) must be positive, got {n}")
    k = torch.where(torch.rand(n, generator=gen) < 0.5, torch.full((n,), TARGET),
                    torch.randint(0, SEQ + 1, (n,), generator=gen))  # (n,) how many A's
    ids = torch.randint(2, 5, (n, SEQ), generator=gen)  # (n, SEQ): B, C or D
    ranks = torch.rand(n, SEQ, generator=gen).argsort(1)  # (n, SEQ): a random order of the positions
    ids = torch.where(ranks < k[:, None], torch.full_like(ids, A), ids)  # k random positions become A
    ids = torch.cat([torch.full((n, 1), CLS), ids], dim=1)  # (n, 1 + SEQ)
    return ids, (k == TARGET).long(), k


class CountingModel(nn.Module):
    """Embedding -> one attention head + residual -> [FFN + residual] -> linear readout at [CLS].

    Args:
        with_ffn: add the feed-forward block (d_ff = 4 d_model) after attention.
        d_model: D, the width of the residual stream.
    """

    def __init__(self, with_ffn: bool, d_model: int = 16):
        super().__init__()
        if d_model < 1:
            raise ValueError(f"d_model must be positive, got {d_model}")
        self.embed = nn.Embedding(len(VOCAB), d_model)
        self.attn = MultiHeadAttention(d_model, n_heads=1)
        self.linear1 = nn.Linear(d_model, 4 * d_model) if with_ffn else None
        self.linear2 = nn.Linear(4 * d_model, d_model) if with_ffn else None
        self.readout = nn.Linear(d_model, 2)

    @property
    def with_ffn(self) -> bool:
        return self.linear1 is not None

    def gathered(self, ids: torch.Tensor) -> torch.Tensor:
        """The residual stream after attention: (B, 1 + SEQ) ids -> (B, 1 + SEQ, D)."""
        if ids.ndim != 2 or ids.shape[1] != 1 + SEQ:
            raise ValueError(f"ids must have shape (B, {1 + SEQ}) ([CLS] + {SEQ} tokens), got {tuple(ids.shape)}")
        if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= len(VOCAB)):
            raise ValueError(f"token ids must lie in 0..{len(VOCAB) - 1} ({', '.join(VOCAB)}), got {int(ids.min())}..{int(ids.max())}")
        h = self.embed(ids)  # (B, 1 + SEQ, D)
        return h + self.attn(h, h, h)[0]  # gather (the module returns (out, weights))

    def hidden(self, ids: torch.Tensor) -> torch.Tensor:
        """The FFN's hidden layer at [CLS], max(0, x W_1 + b_1): (B, 1 + SEQ) ids -> (B, 4D)."""
        if not self.with_ffn:
            raise ValueError("this model has no feed-forward block (it was built with with_ffn=False)")
        return F.relu(self.linear1(self.gathered(ids)[:, 0]))  # (B, 4D)

    def forward(self, ids: torch.Tensor, ablate: Sequence[int] = ()) -> torch.Tensor:
        """(B, 1 + SEQ) ids -> (B, 2) logits for "not exactly two" / "exactly two".

        ``ablate`` lists FFN hidden units to zero (an ablation, chapter "The feed-forward block");
        by default none is touched.
        """
        h = self.gathered(ids)  # (B, 1 + SEQ, D)
        if ablate and not self.with_ffn:
            raise ValueError("this model has no feed-forward block, so it has no hidden units to ablate")
        if self.with_ffn and ablate:
            units = torch.as_tensor(list(ablate), dtype=torch.long)
            if units.min() < 0 or units.max() >= self.linear1.out_features:
                raise ValueError(f"hidden units lie in 0..{self.linear1.out_features - 1}, got {list(ablate)}")
            hidden = F.relu(self.linear1(h))  # (B, 1 + SEQ, 4D)
            hidden[..., units] = 0.0  # the ablation
            h = h + self.linear2(hidden)
        elif self.with_ffn:
            h = h + feed_forward(h, self.linear1, self.linear2, nn.Identity())  # transform, per token
        return self.readout(h[:, 0])  # read the [CLS] position


def train_counter(with_ffn: bool, steps: int = 400, batch_size: int = 64, lr: float = 3e-3, seed: int = 0,
                  progress=False) -> tuple[CountingModel, History]:
    """Train a :class:`CountingModel` with :func:`transformer_lib.train.fit`: Adam, cross-entropy,
    ``batch_size`` fresh sequences per step (the batch order seeded by ``seed``, as is the
    initialisation, so both models of the chapter see the same batches).

    Returns:
        the trained model (in training mode) and fit's :class:`History` (``train_loss``, ``train_acc``).
    """
    seed_everything(seed)
    model = CountingModel(with_ffn)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)

    def loss_fn(model, batch):
        ids, y, _ = batch
        logits = model(ids)  # (batch, 2)
        return F.cross_entropy(logits, y), {"acc": float((logits.argmax(-1) == y).float().mean())}

    history = fit(model, lambda step: count_batch(batch_size, gen), loss_fn, steps=steps, optimizer=opt,
                  record_every=max(1, steps // 4), progress=progress,
                  desc=f"attention {'+ FFN' if with_ffn else 'only'}")
    return model, history


def accuracy_by_count(model: nn.Module, ids: torch.Tensor, labels: torch.Tensor, counts: torch.Tensor,
                      ablate: Sequence[int] = ()) -> tuple[float, list[float]]:
    """Test accuracy overall and for each true count 0..SEQ of A's (NaN for a count with no
    sequence), in eval mode under ``torch.inference_mode()``; the model's mode is put back.
    ``ablate``: FFN hidden units to zero while measuring (see :meth:`CountingModel.forward`)."""
    with evaluating(model):
        logits = model(ids, ablate=ablate) if ablate else model(ids)  # (n, 2)
        hit = (logits.argmax(-1) == labels).float()  # (n,)
    return hit.mean().item(), [hit[counts == k].mean().item() for k in range(SEQ + 1)]


def mean_hidden_by_count(model: CountingModel, ids: torch.Tensor, counts: torch.Tensor) -> torch.Tensor:
    """The FFN's hidden units at [CLS] averaged over the sequences with each count of A's:
    (SEQ + 1, 4D), under ``torch.inference_mode()``."""
    with torch.inference_mode():
        hidden = model.hidden(ids)  # (n, 4D)
    return torch.stack([hidden[counts == k].mean(0) for k in range(SEQ + 1)])  # (SEQ + 1, 4D)


def hinge_units(mean_by_k, threshold: float = 0.05) -> dict[str, list[int]]:
    """The FFN hidden units that switch at the target count, from :func:`mean_hidden_by_count`.

    Args:
        mean_by_k: (SEQ + 1, 4D) mean activation of each unit for each count of A's.
        threshold: a unit counts as active for a count when its mean exceeds this.

    Returns:
        ``{"fewer": [...], "more": [...]}``: units active for every count below ``TARGET`` and
        silent from ``TARGET`` on ("fewer than two"), and units silent up to ``TARGET`` and active
        for every count above it ("more than two"); each list ordered by the unit's largest mean.
    """
    m = np.asarray(mean_by_k, dtype=float)
    if m.ndim != 2 or m.shape[0] != SEQ + 1:
        raise ValueError(f"mean_by_k must have shape ({SEQ + 1}, units), got {m.shape}")
    on = m > threshold  # (SEQ + 1, U)
    fewer = on[:TARGET].all(0) & ~on[TARGET:].any(0)
    more = ~on[:TARGET + 1].any(0) & on[TARGET + 1:].all(0)
    order = lambda mask: [int(u) for u in sorted(np.flatnonzero(mask), key=lambda u: -m[:, u].max())]  # noqa: E731
    return {"fewer": order(fewer), "more": order(more)}
