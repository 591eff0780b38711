"""LayerNorm from scratch (chapter "Residuals, LayerNorm and BatchNorm")."""

from __future__ import annotations

import torch
from torch import nn


class LayerNorm(nn.Module):
    """y = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias, statistics over the last axis (D).

    Each token is normalised on its own, so the result never depends on the other tokens or
    sequences in the batch (unlike BatchNorm). Equal to ``torch.nn.LayerNorm(d_model, eps)``
    and to :func:`transformer_lib.ref.layer_norm`.

    Args:
        d_model: D, the size of the last axis.
        eps: added to the variance so that a constant vector does not divide by zero.
    """

    def __init__(self, d_model: int, eps: float = 1e-5):
        super().__init__()
        if int(d_model) != d_model or d_model <= 0:
            raise ValueError(f"d_model must be a positive integer, got {d_model!r}")
        self.d_model, self.eps = int(d_model), eps
        self.weight = nn.Parameter(torch.ones(self.d_model))
        self.bias = nn.Parameter(torch.zeros(self.d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (..., D) -> (..., D)."""
        if x.ndim == 0 or x.shape[-1] != self.d_model:
            raise ValueError(
                f"LayerNorm expects the last axis to be d_model={self.d_model}, got input of shape {tuple(x.shape)}"
            )
        mean = x.mean(dim=-1, keepdim=True)  # (..., 1)
        var = x.var(dim=-1, keepdim=True, unbiased=False)  # (..., 1), biased, as torch.nn.LayerNorm
        return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias

    def extra_repr(self) -> str:
        return f"{self.d_model}, eps={self.eps}"
