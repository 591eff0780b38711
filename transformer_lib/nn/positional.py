"""Positional encodings as modules (chapter "Positional encoding")."""

from __future__ import annotations

import math

import torch
from torch import nn


def sinusoidal_positional_encoding(max_len: int, d_model: int) -> torch.Tensor:
    """The paper's interleaved sin/cos table (max_len, D); equal to the NumPy reference."""
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]  # (max_len, 1)
    i = torch.arange(d_model // 2, dtype=torch.float64)[None, :]  # (1, D/2)
    angle = pos / 10000 ** (2 * i / d_model)  # (max_len, D/2)
    pe = torch.stack([angle.sin(), angle.cos()], dim=-1)  # (max_len, D/2, 2)
    return pe.reshape(max_len, d_model)  # (max_len, D): sin, cos, sin, cos, ...


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
