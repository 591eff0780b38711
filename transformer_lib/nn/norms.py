"""LayerNorm from scratch (chapter "Residuals, LayerNorm and BatchNorm")."""

from __future__ import annotations

import torch
from torch import nn


class LayerNorm(nn.Module):
    """y = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias, statistics over the last axis (D).

    Each token is normalised on its own, so the result never depends on the other tokens or
    sequences in the batch (unlike BatchNorm).
    """

    def __init__(self, d_model: int, eps: float = 1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d_model))
        self.bias = nn.Parameter(torch.zeros(d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=-1, keepdim=True)  # (..., 1)
        var = x.var(dim=-1, keepdim=True, unbiased=False)  # (..., 1), biased as in the paper
        return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias
