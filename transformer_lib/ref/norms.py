"""LayerNorm and BatchNorm in NumPy (chapter "Residuals, LayerNorm and BatchNorm").

Both compute ``(x - mean) / sqrt(var + eps) * gamma + beta``; they differ only in which
axes the mean and variance are taken over. For text of shape (B, T, D):

* LayerNorm: over D, separately for every token -- one (mean, var) per (b, t).
* BatchNorm: over B and T, separately for every feature -- one (mean, var) per d,
  shared by every token of every sequence in the batch.

RMSNorm (chapter "The modern block", :func:`rms_norm`) drops the mean: it divides each token
by its root mean square over D and has a scale but no shift.
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


def rms_norm(x, gamma, eps: float | None = None):
    """RMSNorm (Zhang & Sennrich 2019): scale every token by its root mean square, no centring.

    y[..., :] = x[..., :] / sqrt(mean(x[..., :]^2) + eps) * gamma   (chapter "The modern block").

    LayerNorm without the mean subtraction and without beta: for a token whose features have
    mean 0 the two agree; otherwise LayerNorm removes the mean and RMSNorm keeps it
    (tests/ref/test_rms_norm.py shows it on x = [1, 2, 3, 4]).

    eps is handled exactly as ``torch.nn.RMSNorm``: added to the mean square *inside* the
    square root, and ``eps=None`` means the machine epsilon of x's dtype
    (``np.finfo(x.dtype).eps``, e.g. 2.2e-16 for float64, 1.2e-7 for float32).

    Args:
        x: (..., D), e.g. (B, T, D).
        gamma: (D,), the learned scale.
        eps: see above.

    Returns:
        (..., D).
    """
    x, gamma = np.asarray(x), np.asarray(gamma)
    if x.ndim == 0:
        raise ValueError("rms_norm expects x of shape (..., D), got a scalar")
    D = x.shape[-1]
    if gamma.shape != (D,):
        raise ValueError(f"gamma must have shape (D,) = ({D},) to match x of shape {x.shape}, got {gamma.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    if eps is None:
        eps = np.finfo(x.dtype).eps
    ms = np.mean(x * x, axis=-1, keepdims=True)  # (..., 1), the mean square
    return x / np.sqrt(ms + eps) * gamma
