"""A decoder-only language model, GPT-style (chapter "Decoder-only models (GPT)").

Nothing new inside: token embedding + learned positions (or, with ``GPTConfig(positions=...)``,
the fixed sinusoidal table or RoPE; chapter "The modern block"), then ``n_layers`` of the book's
:class:`~transformer_lib.nn.EncoderLayer` run with a causal mask (self-attention only, no
cross-attention: that *is* a decoder-only block), a final LayerNorm, and the output
projection tied to the token embedding (Press & Wolf 2017). It is trained to predict every
next token at once: the targets are the inputs shifted left by one (:func:`shift_targets`).

The KV cache: ``forward(ids, past_kv=cache, use_cache=True)`` runs only the new positions,
reads the keys and values of the earlier ones from ``cache`` (one (K, V) pair per layer, each
(B, H, S_past, Dh)) and returns the cache grown by the new positions. Generation
(:func:`transformer_lib.decoding.generate`) then costs one position per token instead of the
whole prefix. Memory: 2 (K and V) x n_layers x B x S x D numbers (:func:`kv_cache_bytes`).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from transformer_lib._checks import check_heads
from transformer_lib.nn.blocks import EncoderLayer
from transformer_lib.nn.masks import causal_mask
from transformer_lib.nn.norms import LayerNorm
from transformer_lib.nn.positional import LearnedPositionalEmbedding, TokenEmbedding, sinusoidal_positional_encoding

POSITIONS = ("learned", "sinusoidal", "rope")


@dataclass(frozen=True)
class GPTConfig:
    """Everything that fixes a GPT's shape (validated on construction). Defaults: a tiny model."""

    vocab_size: int = 64  # V
    block_size: int = 48  # the context trained on; with learned positions also the most the model can read
    d_model: int = 64  # D
    n_heads: int = 4  # H; d_head = D / H
    n_layers: int = 2
    d_ff: int = 256  # hidden width of the feed-forward block (4 x D, as in GPT-2)
    dropout: float = 0.0
    tie_weights: bool = True  # the output projection is the token embedding matrix (V, D)
    # How the model knows where a token is: "learned" (one trained vector per position, GPT-2),
    # "sinusoidal" (the fixed table added to the embeddings, Vaswani et al. 2017) or "rope" (queries
    # and keys rotated in every attention, Su et al. 2021). Only "learned" stops at block_size.
    positions: str = "learned"

    def __post_init__(self):
        check_heads(self.d_model, self.n_heads)
        if self.positions not in POSITIONS:
            raise ValueError(f"positions must be one of {POSITIONS}, got {self.positions!r}")
        if self.positions != "learned" and self.d_model % 2:
            raise ValueError(f"{self.positions} positions pair up features: d_model must be even, got {self.d_model}")
        if self.positions == "rope" and self.d_head % 2:
            raise ValueError(f"RoPE rotates pairs of features: d_head = d_model / n_heads = {self.d_head} must be even")
        for name in ("vocab_size", "block_size", "n_layers", "d_ff"):
            v = getattr(self, name)
            if int(v) != v or v <= 0:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must lie in [0, 1), got {self.dropout}")

    @property
    def d_head(self) -> int:
        """Dh = D / H."""
        return self.d_model // self.n_heads


def shift_targets(ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Next-token training pairs from token ids (B, T + 1): inputs ids[:, :-1] and targets ids[:, 1:], each (B, T).

    Position t of the input is trained to predict token t + 1: one sequence gives T examples.
    """
    if not isinstance(ids, torch.Tensor) or ids.ndim != 2 or ids.shape[1] < 2:
        raise ValueError(f"ids must be a (B, T + 1) tensor with at least 2 tokens per row, got {getattr(ids, 'shape', ids)}")
    return ids[:, :-1], ids[:, 1:]  # (B, T), (B, T)


def kv_cache_bytes(n_layers: int, d_model: int, context: int, batch: int = 1, bytes_per_number: int = 2,
                   n_kv_heads: int | None = None, n_heads: int | None = None) -> int:
    """The KV cache's size: 2 (K and V) x n_layers x batch x context x d_model numbers.

    Per layer each position keeps one key and one value of width H x Dh = D. ``bytes_per_number``:
    2 for float16/bfloat16, 4 for float32. With grouped-query attention (chapter "The modern
    block"; Ainslie et al. 2023) give ``n_kv_heads`` and ``n_heads`` together: a position then
    keeps H_kv x Dh = d_model x n_kv_heads / n_heads numbers per key and per value.
    """
    for name, v in (("n_layers", n_layers), ("d_model", d_model), ("context", context), ("batch", batch),
                    ("bytes_per_number", bytes_per_number)):
        if int(v) != v or v <= 0:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if (n_kv_heads is None) != (n_heads is None):
        raise ValueError(f"give n_kv_heads and n_heads together (or neither), got n_kv_heads={n_kv_heads!r}, "
                         f"n_heads={n_heads!r}")
    if n_heads is None:  # every head keeps its own key and value: H x Dh = D numbers each
        return 2 * n_layers * batch * context * d_model * bytes_per_number
    for name, v in (("n_kv_heads", n_kv_heads), ("n_heads", n_heads)):
        if int(v) != v or v <= 0:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    check_heads(d_model, n_heads)
    if n_heads % n_kv_heads != 0:
        raise ValueError(f"n_heads % n_kv_heads != 0: n_heads={n_heads} query heads cannot share "
                         f"n_kv_heads={n_kv_heads} key/value heads in equal groups")
    return 2 * n_layers * batch * context * n_kv_heads * (d_model // n_heads) * bytes_per_number  # H_kv x Dh each


class GPT(nn.Module):
    """ids (B, T) -> next-token logits (B, T, V): embeddings, causal blocks, final norm, tied output."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        c = self.config = config
        self.embed = TokenEmbedding(c.vocab_size, c.d_model)
        if c.positions == "learned":
            self.pos = LearnedPositionalEmbedding(c.d_model, c.block_size, c.dropout)
        else:  # nothing learned: the sinusoidal table is computed for any length, RoPE acts inside attention
            self.pos_dropout = nn.Dropout(c.dropout)
        # Pre-norm blocks (GPT-2): x + f(LN(x)); the residual stream is normalised once at the end.
        # With RoPE every self-attention rotates its queries and keys by their positions.
        self.layers = nn.ModuleList([EncoderLayer(c.d_model, c.n_heads, c.d_ff, c.dropout, norm_first=True,
                                                  rotary=c.positions == "rope") for _ in range(c.n_layers)])
        self.final_norm = LayerNorm(c.d_model)
        self.lm_head = nn.Linear(c.d_model, c.vocab_size, bias=False)  # D -> V
        # TokenEmbedding multiplies by sqrt(D): start the table at std 1/sqrt(D) so token vectors
        # have unit-size entries, like the positions; the tied head then starts small too.
        nn.init.normal_(self.embed.table.weight, std=c.d_model ** -0.5)
        if c.tie_weights:
            self.lm_head.weight = self.embed.table.weight  # one (V, D) matrix, read both ways

    def forward(self, ids: torch.Tensor, past_kv: list | None = None, use_cache: bool = False,
                need_weights: bool = False):
        """Logits for the token after each position.

        Args:
            ids: (B, T) token ids; with ``past_kv``, only the new tokens.
            past_kv: the cache of earlier calls (a list of n_layers (K, V) pairs, each (B, H, S_past, Dh)) or None.
            use_cache: also return the cache grown by these T positions.
            need_weights: also return each layer's attention weights (B, H, T, S_past + T).

        Returns:
            logits (B, T, V); then the new cache if ``use_cache``; then the list of weights if ``need_weights``.
        """
        x, cache, weights = self._stack(ids, past_kv, use_cache, need_weights)
        logits = self.lm_head(x)  # (B, T, V)
        result = (logits,) + ((cache,) if use_cache else ()) + ((weights,) if need_weights else ())
        return result if len(result) > 1 else logits

    def hidden_states(self, ids: torch.Tensor) -> torch.Tensor:
        """The last layer's output after the final norm (B, T, D): what the output projection reads.

        Position t has seen tokens 0..t only, so the last position sums up the whole sequence; a
        classifier fine-tuned on top reads it there (GPT-1's recipe; chapter "One block, three
        families", :mod:`transformer_lib.tasks.acceptability`).
        """
        return self._stack(ids, None, False, False)[0]

    def _stack(self, ids, past_kv, use_cache, need_weights):
        """Embeddings, the causal layers and the final norm: (B, T, D), the cache list, the weights list."""
        if not isinstance(ids, torch.Tensor) or ids.ndim != 2 or ids.dtype.is_floating_point or ids.dtype == torch.bool:
            raise ValueError(f"ids must be a (B, T) tensor of integer token ids, got {getattr(ids, 'shape', type(ids))}")
        if past_kv is not None and len(past_kv) != len(self.layers):
            raise ValueError(f"past_kv must hold one (K, V) pair per layer ({len(self.layers)}), got {len(past_kv)}")
        T = ids.shape[1]
        S_past = 0 if past_kv is None else past_kv[0][0].shape[2]
        positions = self.config.positions
        if positions == "learned":
            if S_past + T > self.config.block_size:
                raise ValueError(f"{S_past + T} tokens do not fit the context of block_size={self.config.block_size} "
                                 "(the learned positions stop there); shorten the prompt or generate fewer tokens")
            x = self.pos(self.embed(ids), offset=S_past)  # (B, T, D)
        elif positions == "sinusoidal":  # the table for positions S_past .. S_past + T - 1, any length
            pe = sinusoidal_positional_encoding(S_past + T, self.config.d_model)[S_past:]  # (T, D) float64
            x = self.embed(ids)  # (B, T, D)
            x = self.pos_dropout(x + pe.to(x.device, x.dtype))  # (B, T, D)
        else:  # rope: the embeddings carry no position; every attention rotates q and k
            x = self.pos_dropout(self.embed(ids))  # (B, T, D)
        mask = causal_mask(S_past + T, ids.device)[S_past:]  # (T, S_past + T): new query t sees keys 0..S_past + t
        cache, weights = [], []
        for i, layer in enumerate(self.layers):
            out = layer(x, mask, need_weights=need_weights, past_kv=None if past_kv is None else past_kv[i],
                        use_cache=use_cache)
            if not (use_cache or need_weights):
                x = out
                continue
            x = out[0]
            if need_weights:
                weights.append(out[1])
            if use_cache:
                cache.append(out[-1])
        return self.final_norm(x), cache, weights  # (B, T, D)
