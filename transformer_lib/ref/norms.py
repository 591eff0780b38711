"""LayerNorm and BatchNorm in NumPy (chapter "Residuals, LayerNorm and BatchNorm").

Both compute ``(x - mean) / sqrt(var + eps) * gamma + beta``; they differ only in which
axes the mean and variance are taken over. For text of shape (B, T, D):

* LayerNorm: over D, separately for every token -- one (mean, var) per (b, t).
* BatchNorm: over B and T, separately for every feature -- one (mean, var) per d,
  shared by every token of every sequence in the batch.
"""

from __future__ import annotations

import numpy as np


def _check(x, gamma, beta, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, gamma, beta = np.asarray(x), np.asarray(gamma), np.asarray(beta)
    if x.ndim != 3:
        raise ValueError(f"{name} expects text-shaped input (B, T, D), got shape {x.shape}")
    D = x.shape[-1]
    for pname, p in (("gamma", gamma), ("beta", beta)):
        if p.shape != (D,):
            raise ValueError(f"{pname} must have shape (D,) = ({D},) to match x of shape {x.shape}, got {p.shape}")
    return x, gamma, beta


def layer_norm(x, gamma, beta, eps: float = 1e-5):
    """LayerNorm (Ba et al. 2016): normalise every token over its D features.

    y[b, t, :] = (x[b, t, :] - mu[b, t]) / sqrt(sigma2[b, t] + eps) * gamma + beta,
    mu and sigma2 the mean and (biased) variance over the last axis.

    Args:
        x: (B, T, D).
        gamma, beta: (D,), the learned scale and shift.
        eps: added to the variance so a constant vector does not divide by zero.

    Returns:
        (B, T, D).
    """
    x, gamma, beta = _check(x, gamma, beta, "layer_norm")
    mu = x.mean(axis=-1, keepdims=True)  # (B, T, 1)
    var = x.var(axis=-1, keepdims=True)  # (B, T, 1), biased (divide by D)
    return (x - mu) / np.sqrt(var + eps) * gamma + beta


def batch_norm(x, gamma, beta, eps: float = 1e-5):
    """BatchNorm (Ioffe & Szegedy 2015) on text, with training-mode statistics.

    y[b, t, d] = (x[b, t, d] - mu[d]) / sqrt(sigma2[d] + eps) * gamma[d] + beta[d],
    mu and sigma2 the mean and (biased) variance over the batch and time axes (B and T)
    -- what ``torch.nn.BatchNorm1d`` computes in training mode on x.transpose(1, 2).

    Args:
        x: (B, T, D).
        gamma, beta: (D,).
        eps: added to the variance.

    Returns:
        (B, T, D).
    """
    x, gamma, beta = _check(x, gamma, beta, "batch_norm")
    mu = x.mean(axis=(0, 1), keepdims=True)  # (1, 1, D)
    var = x.var(axis=(0, 1), keepdims=True)  # (1, 1, D), biased (divide by B*T)
    return (x - mu) / np.sqrt(var + eps) * gamma + beta
