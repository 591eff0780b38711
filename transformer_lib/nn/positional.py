"""Positional encodings as modules (chapter "Positional encoding")."""

from __future__ import annotations

import math

import torch
from torch import nn


def sinusoidal_positional_encoding(max_len: int, d_model: int, layout: str = "interleaved") -> torch.Tensor:
    """The paper's sin/cos table (max_len, D) in float64; equal to the NumPy reference.

    ``layout="interleaved"`` (the paper: sin, cos, sin, cos, ...) or ``"concatenated"``
    (all sines, then all cosines). See :func:`transformer_lib.ref.sinusoidal_positional_encoding`.
    """
    if d_model <= 0 or d_model % 2:
        raise ValueError(f"d_model must be a positive even number, got {d_model!r}")
    if max_len <= 0:
        raise ValueError(f"max_len must be a positive integer, got {max_len!r}")
    if layout not in ("interleaved", "concatenated"):
        raise ValueError(f"layout must be 'interleaved' or 'concatenated', got {layout!r}")
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]  # (max_len, 1)
    i = torch.arange(d_model // 2, dtype=torch.float64)[None, :]  # (1, D/2)
    angle = pos / 10000 ** (2 * i / d_model)  # (max_len, D/2)
    if layout == "concatenated":
        return torch.cat([angle.sin(), angle.cos()], dim=-1)  # (max_len, D): sines, then cosines
    pe = torch.stack([angle.sin(), angle.cos()], dim=-1)  # (max_len, D/2, 2)
    return pe.reshape(max_len, d_model)  # (max_len, D): sin, cos, sin, cos, ...


def relative_position_matrix(k: int, d_model: int, layout: str = "interleaved") -> torch.Tensor:
    """M_k (D, D) with PE(pos + k) = M_k PE(pos): one 2 x 2 rotation by k * w_i per (sin, cos) pair.

    Float64; equal to :func:`transformer_lib.ref.relative_position_matrix`, which explains it.
    """
    if d_model <= 0 or d_model % 2:
        raise ValueError(f"d_model must be a positive even number, got {d_model!r}")
    if layout not in ("interleaved", "concatenated"):
        raise ValueError(f"layout must be 'interleaved' or 'concatenated', got {layout!r}")
    if int(k) != k:
        raise ValueError(f"the offset k must be an integer, got {k!r}")
    half = d_model // 2
    i = torch.arange(half, dtype=torch.float64)  # (D/2,)
    a = k / 10000 ** (2 * i / d_model)  # (D/2,) one angle per pair
    c, s = a.cos(), a.sin()
    rot = torch.stack([torch.stack([c, s], -1), torch.stack([-s, c], -1)], -2)  # (D/2, 2, 2)
    M = torch.block_diag(*rot)  # (D, D), interleaved: pair i on rows/columns 2i, 2i+1
    if layout == "concatenated":
        order = torch.cat([torch.arange(0, d_model, 2), torch.arange(1, d_model, 2)])  # sines first, then cosines
        M = M[order][:, order]  # (D, D)
    return M


class TokenEmbedding(nn.Module):
    """Token ids (B, T) -> vectors (B, T, D), multiplied by sqrt(D) as in the paper (section 3.4)."""

    def __init__(self, vocab_size: int, d_model: int, padding_idx: int | None = None):
        super().__init__()
        self.d_model = d_model
        self.table = nn.Embedding(vocab_size, d_model, padding_idx=padding_idx)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= self.table.num_embeddings):
            raise ValueError(f"token ids must lie in 0..{self.table.num_embeddings - 1}, got {int(ids.min())}..{int(ids.max())}")
        return self.table(ids) * math.sqrt(self.d_model)  # (B, T, D)


class SinusoidalPositionalEncoding(nn.Module):
    """Adds the fixed sinusoidal table to a (B, T, D) input, then dropout."""

    def __init__(self, d_model: int, max_len: int, dropout: float = 0.0):
        super().__init__()
        self.register_buffer("pe", sinusoidal_positional_encoding(max_len, d_model).float(), persistent=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        T = x.shape[1]
        if T > self.pe.shape[0]:
            raise ValueError(f"sequence of length {T} is longer than max_len={self.pe.shape[0]}")
        return self.dropout(x + self.pe[:T].to(x.dtype))  # (B, T, D)


class LearnedPositionalEmbedding(nn.Module):
    """Adds a learned vector per position (B, T, D) -> (B, T, D), then dropout.

    The alternative the paper tried (section 3.5, "nearly identical results"); it cannot
    go beyond the ``max_len`` positions it was trained on. Initialised N(0, 1), like
    ``nn.Embedding``.
    """

    def __init__(self, d_model: int, max_len: int, dropout: float = 0.0):
        super().__init__()
        self.table = nn.Embedding(max_len, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """x (B, T, D) holds positions offset .. offset + T - 1 (offset > 0 after a KV cache)."""
        T = x.shape[1]
        if offset + T > self.table.num_embeddings:
            n = self.table.num_embeddings
            raise ValueError(f"sequence of length {T} is longer than max_len={n}" if not offset else
                             f"positions {offset}..{offset + T - 1} run past max_len={n} (offset {offset} + length {T})")
        return self.dropout(x + self.table.weight[offset : offset + T].to(x.dtype))  # (B, T, D)
