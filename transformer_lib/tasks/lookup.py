"""A toy task that needs two different heads, and a tiny encoder that learns it
(chapter "Multi-head attention").

A sequence is a start token, a small "dictionary" of cards and then questions::

    <s>  C3  A1  F4  B2  H3   a  h  c  f  b

Each card is an upper-case letter with a digit; each question is a lower-case letter whose
card is in the dictionary. At every position the model predicts two things:

* the **previous token** (everywhere but the start): a head must look one step back;
* at a question, the **digit on the matching card**: a head must find the card with the
  same letter, wherever it is, and read its digit.

Neither prediction can be made from the token itself, and the digits are random, so the
model has to learn both attention patterns. Two heads per layer are enough, and a model of
about 30,000 parameters learns it in a few hundred steps on a CPU.
"""

from __future__ import annotations

import copy
import string
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from transformer_lib.nn.blocks import EncoderLayer
from transformer_lib.nn.modes import evaluating
from transformer_lib.train import History, fit

IGNORE = -100  # target value the loss skips (positions with nothing to predict)


@dataclass(frozen=True)
class LookupTask:
    """The vocabulary and the sampler of the lookup task."""

    n_letters: int = 8  # letters A.. on cards, a.. as questions
    n_digits: int = 4  # digits 1..n_digits on the cards
    n_cards: int = 5  # cards per sequence (and as many questions)

    def __post_init__(self):
        if not 1 <= self.n_cards <= self.n_letters <= 26:
            raise ValueError(f"need 1 <= n_cards <= n_letters <= 26, got n_cards={self.n_cards}, n_letters={self.n_letters}")
        if not 1 <= self.n_digits <= 9:
            raise ValueError(f"n_digits must lie in 1..9, got {self.n_digits}")

    @property
    def vocab(self) -> list[str]:
        """Cards "A1".."H4", then questions "a".."h", then the start token "<s>"."""
        cards = [f"{L}{d}" for L in string.ascii_uppercase[: self.n_letters] for d in range(1, self.n_digits + 1)]
        return cards + list(string.ascii_lowercase[: self.n_letters]) + ["<s>"]

    @property
    def max_len(self) -> int:
        """T: start + cards + questions."""
        return 1 + 2 * self.n_cards

    def tokens(self, ids) -> list[str]:
        """Token ids (T,) -> their labels."""
        vocab = self.vocab
        return [vocab[int(i)] for i in ids]

    def encode(self, text: str) -> torch.Tensor:
        """A space-separated sequence such as ``"C3 A1 a"`` -> ids (1, T), with the start token prepended.

        Raises ``ValueError`` with a message for empty input, unknown tokens and sequences
        longer than the model's positions.
        """
        words = str(text).split()
        if words and words[0] == "<s>":
            words = words[1:]
        if not words:
            raise ValueError("the sequence is empty: type cards such as 'C3 A1' and questions such as 'a c'")
        index = {w: i for i, w in enumerate(self.vocab)}
        unknown = [w for w in words if w not in index or w == "<s>"]
        if unknown:
            raise ValueError(f"unknown token(s) {', '.join(repr(w) for w in unknown[:5])}: cards are a letter "
                             f"A-{string.ascii_uppercase[self.n_letters - 1]} with a digit 1-{self.n_digits} "
                             f"(e.g. 'C3'), questions a lower-case letter (e.g. 'c')")
        if len(words) + 1 > self.max_len:
            raise ValueError(f"{len(words)} tokens plus <s> is longer than the model's {self.max_len} positions")
        return torch.tensor([[len(self.vocab) - 1] + [index[w] for w in words]])  # (1, T)

    def sample(self, n: int, generator: torch.Generator | None = None):
        """n random sequences: ids (n, T), previous-token targets (n, T), digit targets (n, T).

        Targets are ``IGNORE`` where there is nothing to predict; digit targets are 0-based.
        """
        C, L, Dg = self.n_cards, self.n_letters, self.n_digits
        letters = torch.stack([torch.randperm(L, generator=generator)[:C] for _ in range(n)])  # (n, C)
        digits = torch.randint(0, Dg, (n, C), generator=generator)  # (n, C)
        order = torch.stack([torch.randperm(C, generator=generator) for _ in range(n)])  # (n, C) questions' cards
        cards = letters * Dg + digits  # (n, C) ids of "A1".. cards
        questions = L * Dg + torch.gather(letters, 1, order)  # (n, C) ids of "a"..
        x = torch.cat([torch.full((n, 1), len(self.vocab) - 1), cards, questions], dim=1)  # (n, T)
        prev = torch.cat([torch.full((n, 1), IGNORE), x[:, :-1]], dim=1)  # (n, T)
        digit = torch.full_like(x, IGNORE)
        digit[:, 1 + C:] = torch.gather(digits, 1, order)  # (n, C)
        return x, prev, digit

    def card_position(self, x: torch.Tensor) -> torch.Tensor:
        """For each question position, the position of its card (B, T); -1 elsewhere or if absent."""
        L, Dg = self.n_letters, self.n_digits
        is_card, is_question = x < L * Dg, (x >= L * Dg) & (x < L * Dg + L)
        letter = torch.where(is_card, x // Dg, torch.where(is_question, x - L * Dg, -1))  # (B, T)
        same = (letter[:, :, None] == letter[:, None, :]) & is_question[:, :, None] & is_card[:, None, :]  # (B, T, T)
        pos = same.float().argmax(-1)  # (B, T)
        return torch.where(same.any(-1), pos, -1)


class LookupModel(nn.Module):
    """Token + learned position embedding, a stack of ``EncoderLayer``, two linear read-outs."""

    def __init__(self, task: LookupTask, d_model: int = 32, n_heads: int = 2, n_layers: int = 2, d_ff: int = 64):
        super().__init__()
        self.task = task
        self.embed = nn.Embedding(len(task.vocab), d_model)
        self.position = nn.Embedding(task.max_len, d_model)
        self.layers = nn.ModuleList([EncoderLayer(d_model, n_heads, d_ff) for _ in range(n_layers)])
        self.prev_head = nn.Linear(d_model, len(task.vocab))
        self.digit_head = nn.Linear(d_model, task.n_digits)

    def forward(self, x: torch.Tensor, need_weights: bool = False):
        """ids (B, T) -> previous-token logits (B, T, V), digit logits (B, T, n_digits)
        [, list of per-layer attention (B, H, T, T)]."""
        if x.ndim != 2 or x.shape[1] > self.task.max_len:
            raise ValueError(f"x must be ids of shape (B, T) with T <= {self.task.max_len}, got {tuple(x.shape)}")
        h = self.embed(x) + self.position.weight[: x.shape[1]]  # (B, T, D)
        weights = []
        for layer in self.layers:
            if need_weights:  # the explicit path, which returns the weights
                h, w = layer(h, need_weights=True)
                weights.append(w)
            else:  # the fused path, faster for training
                h = layer(h)
        out = (self.prev_head(h), self.digit_head(h))
        return (*out, weights) if need_weights else out

    def attention(self, x: torch.Tensor) -> dict[str, list[torch.Tensor]]:
        """Every layer's attention in one call, as :meth:`transformer_lib.nn.Transformer.attention`:
        ``{"encoder": [(B, H, T, T) per layer]}`` (bertviz's input for B = 1). Runs in eval mode
        under ``torch.inference_mode()``; the model's mode is put back."""
        with evaluating(self):
            return {"encoder": self(x, need_weights=True)[2]}


def lookup_loss(model: LookupModel, x, prev, digit) -> torch.Tensor:
    """Sum of the two cross-entropies, each averaged over the positions that have a target."""
    p, d = model(x)
    return (F.cross_entropy(p.flatten(0, 1), prev.flatten(), ignore_index=IGNORE)
            + F.cross_entropy(d.flatten(0, 1), digit.flatten(), ignore_index=IGNORE))


def train_lookup_model(model: LookupModel, steps: int = 300, batch_size: int = 64, lr: float = 3e-3, seed: int = 0,
                       progress=True) -> History:
    """Train with Adam on fresh random batches (from ``seed``), with :func:`transformer_lib.train.fit`.

    Returns:
        the :class:`~transformer_lib.train.History`, one record per step (``history.train_loss``).
        The model is put back in the mode it was in.
    """
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    return fit(model, lambda step: model.task.sample(batch_size, g), lambda m, b: lookup_loss(m, *b), steps=steps,
               optimizer=opt, record_every=1, progress=progress, desc="training the lookup model")


def lookup_scores(model: LookupModel, n: int = 1000, seed: int = 1) -> dict:
    """Accuracy on n fresh sequences, and what each head attends to (eval mode under
    ``torch.inference_mode()``; the model's mode is put back).

    Returns ``{"prev_accuracy", "digit_accuracy", "heads"}`` where ``heads[l][h]`` is
    ``{"previous": mean weight on position t-1, "card": mean weight of a question on its card}``.
    """
    x, prev, digit = model.task.sample(n, torch.Generator().manual_seed(seed))
    with evaluating(model):
        p, d, weights = model(x, need_weights=True)
    has_prev, has_digit = prev != IGNORE, digit != IGNORE
    card = model.task.card_position(x)  # (B, T)
    heads = []
    for w in weights:  # (B, H, T, T)
        prev_w = torch.diagonal(w[:, :, 1:, :-1], dim1=-2, dim2=-1).mean(dim=(0, 2))  # (H,) weight on t-1
        q = has_digit  # question positions
        card_w = torch.gather(w, 3, card.clamp(min=0)[:, None, :, None].expand(-1, w.shape[1], -1, 1))[..., 0]  # (B, H, T)
        card_w = (card_w * q[:, None]).sum(dim=(0, 2)) / q.sum()  # (H,)
        heads.append([{"previous": float(a), "card": float(b)} for a, b in zip(prev_w, card_w)])
    return {
        "prev_accuracy": float((p.argmax(-1) == prev)[has_prev].float().mean()),
        "digit_accuracy": float((d.argmax(-1) == digit)[has_digit].float().mean()),
        "heads": heads,
    }


def ablate_head(model: LookupModel, layer: int, head: int) -> LookupModel:
    """A copy of ``model`` in which one head of one layer contributes nothing (an ablation).

    Head ``h`` reaches the layer's output only through columns ``h*Dh:(h+1)*Dh`` of ``W_O``'s
    weight (stored (out, in)); zeroing them removes exactly that head's term from
    MultiHead(x) = sum over heads of head_h W_O,h. The original model is not changed.
    """
    if not 0 <= layer < len(model.layers):
        raise ValueError(f"layer must lie in 0..{len(model.layers) - 1}, got {layer}")
    attn = model.layers[layer].self_attn
    if not 0 <= head < attn.n_heads:
        raise ValueError(f"head must lie in 0..{attn.n_heads - 1}, got {head}")
    ablated = copy.deepcopy(model)
    W_O = ablated.layers[layer].self_attn.W_O.weight  # (D_out, D_in)
    Dh = W_O.shape[1] // attn.n_heads
    with torch.no_grad():
        W_O[:, head * Dh:(head + 1) * Dh] = 0.0  # head h's block of input columns
    return ablated
