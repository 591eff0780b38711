"""Probes: small measurements that let the code find a picture instead of drawing it by hand
(chapter "Residuals, LayerNorm and BatchNorm").

* :func:`shares_statistics` -- nudge one input number of a normalisation and see which
  outputs move: those share its mean and variance (its normalisation group).
* :func:`layer_gradient_norms` -- the gradient that reaches each layer of a deep stack of
  ``tanh(Linear(x))``, with and without residual connections.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch


def shares_statistics(norm: Callable[[np.ndarray], np.ndarray], shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Which outputs of ``norm`` move when input element 0 is nudged by 1.

    Args:
        norm: an array function ``norm(x) -> y`` of one shape in and out (e.g.
            ``lambda a: ref.layer_norm(a, gamma, beta)``).
        shape: the input's shape; the input is standard normal, drawn with ``seed``.

    Returns:
        a bool array of ``shape``: True where the output moved (element 0 included).
    """
    x = np.random.default_rng(seed).standard_normal(shape)
    nudged = x.copy()
    nudged.flat[0] += 1.0
    y, y_nudged = np.asarray(norm(x)), np.asarray(norm(nudged))
    if y.shape != x.shape or y_nudged.shape != x.shape:
        raise ValueError(f"norm must return an array of the input's shape {x.shape}, got {y.shape}")
    return np.abs(y_nudged - y) > 1e-9


def layer_gradient_norms(residual: bool, depth: int = 32, width: int = 64, batch: int = 128, seed: int = 0) -> np.ndarray:
    """The norm of d(loss)/dW for each layer of a stack of ``depth`` layers
    f(x) = tanh(Linear(x)) at PyTorch's default initialisation, computing x + f(x) per layer
    when ``residual`` and f(x) otherwise; the loss is mean(h^2) at the top.

    Returns:
        (depth,) gradient norms, layer 1 (nearest the input) first.
    """
    if depth < 1 or width < 1 or batch < 1:
        raise ValueError(f"depth, width and batch must be positive, got {depth}, {width}, {batch}")
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(width, width) for _ in range(depth)]
    h = torch.randn(batch, width)  # (batch, width)
    for lin in layers:
        h = h + torch.tanh(lin(h)) if residual else torch.tanh(lin(h))
    h.pow(2).mean().backward()
    return np.array([lin.weight.grad.norm().item() for lin in layers])
