"""LayerNorm from scratch (chapter "Residuals, LayerNorm and BatchNorm") and RMSNorm (chapter "The modern block")."""

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


class RMSNorm(nn.Module):
    """y = x / sqrt(mean(x^2) + eps) * weight, over the last axis (D): RMSNorm, Zhang & Sennrich 2019.

    Chapter "The modern block". LayerNorm without centring and without bias: one statistic
    instead of two. Equal to :func:`transformer_lib.ref.rms_norm` and to
    ``torch.nn.RMSNorm(d_model, eps)`` (same parameter name ``weight``, so state dicts load
    across), including eps: added inside the square root, and ``eps=None`` means
    ``torch.finfo(x.dtype).eps``, as torch does.

    Args:
        d_model: D, the size of the last axis.
        eps: see above; None (the default, as in torch) or a non-negative number.
    """

    def __init__(self, d_model: int, eps: float | None = None):
        super().__init__()
        if isinstance(d_model, bool) or int(d_model) != d_model or d_model <= 0:
            raise ValueError(f"d_model must be a positive integer, got {d_model!r}")
        if eps is not None and not eps >= 0:
            raise ValueError(f"eps must be None (the dtype's machine epsilon) or a number >= 0, got {eps!r}")
        self.d_model, self.eps = int(d_model), eps
        self.weight = nn.Parameter(torch.ones(self.d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (..., D) -> (..., D)."""
        if x.ndim == 0 or x.shape[-1] != self.d_model:
            raise ValueError(
                f"RMSNorm expects the last axis to be d_model={self.d_model}, got input of shape {tuple(x.shape)}"
            )
        eps = torch.finfo(x.dtype).eps if self.eps is None else self.eps
        ms = x.pow(2).mean(dim=-1, keepdim=True)  # (..., 1), the mean square
        return x * torch.rsqrt(ms + eps) * self.weight

    def extra_repr(self) -> str:
        return f"{self.d_model}, eps={self.eps}"
