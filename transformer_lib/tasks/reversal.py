"""Reverse a sequence: the small task on which chapter "Residuals, LayerNorm and BatchNorm"
compares post-norm (the paper) with pre-norm.

A sequence is ``length`` = 8 random tokens from ``vocab`` = 12 symbols; the target at
position t is the token at position length - 1 - t. Nothing about a token tells where it must
go, so attention has to move every token across the sequence. :class:`EncoderStack` is a
stack of the library's :class:`~transformer_lib.nn.EncoderLayer` (4 layers, d_model = 32,
4 heads) with a readout at every position; ``norm_first`` switches the layers between
post-norm and pre-norm (pre-norm then adds one final LayerNorm, as GPT-2 does).

:func:`train_reversal` trains it with the package's one loop, :func:`transformer_lib.train.fit`,
with Adam at a constant learning rate and no warm-up; :func:`init_gradients` measures the
gradient each layer gets at initialisation.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from transformer_lib.nn.blocks import EncoderLayer
from transformer_lib.nn.config import seed_everything
from transformer_lib.nn.norms import LayerNorm
from transformer_lib.nn.positional import SinusoidalPositionalEncoding, TokenEmbedding
from transformer_lib.nn.modes import evaluating
from transformer_lib.train import History, fit

VOCAB, LENGTH = 12, 8  # V symbols; L tokens per sequence
D_MODEL, N_HEADS, N_LAYERS = 32, 4, 4


def reversal_batch(gen: torch.Generator, size: int = 32, vocab: int = VOCAB, length: int = LENGTH) -> tuple[torch.Tensor, torch.Tensor]:
    """``size`` random sequences and their reversals, drawn from ``gen``: two (size, length) id tensors."""
    if size < 1 or vocab < 2 or length < 1:
        raise ValueError(f"need size >= 1, vocab >= 2 and length >= 1, got size={size}, vocab={vocab}, length={length}")
    x = torch.randint(0, vocab, (size, length), generator=gen)  # (B, L)
    return x, x.flip(1)  # (B, L): the target at t is the input at L - 1 - t


class EncoderStack(nn.Module):
    """Embedding + sinusoidal positions, ``n_layers`` library encoder layers, a final LayerNorm
    for pre-norm, and a linear readout at every position: (B, L) ids -> (B, L, V) logits.

    Args:
        norm_first: False = post-norm (the paper), True = pre-norm.
        vocab, d_model, n_heads, n_layers: V, D, H and the depth (d_ff = 4 d_model).
        max_len: the longest sequence the positional table covers.
    """

    def __init__(self, norm_first: bool, vocab: int = VOCAB, d_model: int = D_MODEL, n_heads: int = N_HEADS,
                 n_layers: int = N_LAYERS, max_len: int = 16):
        super().__init__()
        if n_layers < 1:
            raise ValueError(f"n_layers must be positive, got {n_layers}")
        self.embed = TokenEmbedding(vocab, d_model)
        nn.init.normal_(self.embed.table.weight, std=d_model ** -0.5)  # as transformer_lib.nn.Transformer does
        self.pos = SinusoidalPositionalEncoding(d_model, max_len)
        self.layers = nn.ModuleList([EncoderLayer(d_model, n_heads, 4 * d_model, norm_first=norm_first) for _ in range(n_layers)])
        self.norm = LayerNorm(d_model) if norm_first else nn.Identity()
        self.readout = nn.Linear(d_model, vocab)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if ids.ndim != 2:
            raise ValueError(f"ids must have shape (B, L), got {tuple(ids.shape)}")
        h = self.pos(self.embed(ids))  # (B, L, D)
        for layer in self.layers:
            h = layer(h)  # (B, L, D)
        return self.readout(self.norm(h))  # (B, L, V)


def reversal_loss(model: nn.Module, batch) -> torch.Tensor:
    """Mean cross-entropy over every position of a (ids, targets) batch."""
    x, y = batch
    logits = model(x)  # (B, L, V)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))  # (B * L, V) against (B * L,)


def init_gradients(norm_first: bool, seed: int = 0, size: int = 256) -> np.ndarray:
    """The gradient norm each layer's parameters get from the loss at initialisation
    (one batch of ``size`` sequences): an array of ``n_layers`` numbers, layer 1 first."""
    seed_everything(seed)
    model = EncoderStack(norm_first)
    reversal_loss(model, reversal_batch(torch.Generator().manual_seed(seed), size)).backward()
    return np.array([np.sqrt(sum(p.grad.pow(2).sum().item() for p in layer.parameters())) for layer in model.layers])


def reversal_accuracy(model: nn.Module, size: int = 512, seed: int = 99) -> float:
    """Share of tokens put in the right place on ``size`` fresh sequences (drawn with ``seed``),
    in eval mode under ``torch.inference_mode()``; the model's mode is put back."""
    x, y = reversal_batch(torch.Generator().manual_seed(seed), size)
    with evaluating(model):
        return (model(x).argmax(-1) == y).float().mean().item()


def train_reversal(norm_first: bool, lr: float, steps: int = 80, seed: int = 0, batch_size: int = 32,
                   progress=False) -> tuple[np.ndarray, float, History]:
    """Train a fresh :class:`EncoderStack` with :func:`transformer_lib.train.fit`: Adam with the
    paper's betas (0.9, 0.98) and eps 1e-9 at a constant ``lr`` (no warm-up), ``batch_size``
    fresh sequences per step; the initialisation and the batches are seeded by ``seed``.

    Returns:
        the training loss of every step (steps,), the test accuracy (:func:`reversal_accuracy`)
        and fit's :class:`History`.
    """
    if lr <= 0:
        raise ValueError(f"the learning rate must be positive, got {lr}")
    seed_everything(seed)
    model = EncoderStack(norm_first)
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98), eps=1e-9)  # the paper's Adam settings
    gen = torch.Generator().manual_seed(seed)
    history = fit(model, lambda step: reversal_batch(gen, batch_size), reversal_loss, steps=steps, optimizer=opt,
                  record_every=1, progress=progress, desc=f"{'pre' if norm_first else 'post'}-norm, lr {lr:g}")
    return np.array(history.train_loss), reversal_accuracy(model), history
