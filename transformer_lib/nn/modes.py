"""Running a model for inference without changing its mode behind the caller's back.

Every inference helper of the library (decoding, ``Transformer.attention``, ``shape_trace``,
the tasks' predictions) runs inside :func:`evaluating`, so a model that was training is
still training afterwards, and one in eval mode stays in eval mode.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

import torch
from torch import nn


@contextlib.contextmanager
def evaluating(model: nn.Module, inference: bool = True) -> Iterator[nn.Module]:
    """Run the block with ``model`` in eval mode (dropout off) and without autograd, then put
    every submodule's training flag back exactly as it was (a submodule frozen in eval mode
    inside a training model stays so).

    Args:
        model: any ``nn.Module``.
        inference: True runs the block under ``torch.inference_mode()`` (fastest; a tensor
            made there cannot be edited in place or saved for backward later: ``clone()`` it
            first); False under ``torch.no_grad()``, whose results are ordinary tensors.

    Yields:
        ``model``.

    Example::

        with nn.evaluating(model):
            logits = model(src, tgt)
    """
    flags = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with torch.inference_mode() if inference else torch.no_grad():
            yield model
    finally:
        for m, was_training in flags:
            m.training = was_training
