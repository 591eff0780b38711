"""A private helper until :mod:`transformer_lib.nn` has its own: run a model for inference
without changing its mode behind the caller's back."""

from __future__ import annotations

from contextlib import contextmanager

import torch


@contextmanager
def inference(model: torch.nn.Module):
    """Eval mode under ``torch.inference_mode()``; the training flag is put back as it was."""
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            yield model
    finally:
        model.train(was_training)
