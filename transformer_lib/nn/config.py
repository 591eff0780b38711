"""The model's configuration and reproducibility helpers (chapter "Self-attention")."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import torch

from transformer_lib._checks import check_heads


@dataclass(frozen=True)
class TransformerConfig:
    """Everything that fixes a Transformer's shape. Defaults are the paper's base model.

    Validated on construction, so an impossible model fails here with a clear message
    rather than deep inside a reshape.
    """

    src_vocab_size: int = 32000  # source-side V (encoder input)
    tgt_vocab_size: int = 32000  # target-side V (decoder input and output)
    d_model: int = 512  # D, the width of the residual stream
    n_heads: int = 8  # H; d_head = D / H
    n_encoder_layers: int = 6  # N in the paper; the decoder cross-attends to this stack's output
    n_decoder_layers: int = 6
    d_ff: int = 2048  # hidden width of the feed-forward block (4 x D in the paper)
    dropout: float = 0.1
    max_len: int = 512  # longest sequence the positional encoding covers
    norm_first: bool = False  # False: post-norm LayerNorm(x + f(x)), the paper; True: pre-norm
    share_embeddings: bool = True  # one matrix for both embeddings and the output projection
    pad_id: int = 0  # token id of <pad> in both vocabularies

    def __post_init__(self):
        check_heads(self.d_model, self.n_heads)
        for name in ("src_vocab_size", "tgt_vocab_size", "d_ff", "max_len"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.n_encoder_layers < 0 or self.n_decoder_layers < 0:
            raise ValueError("layer counts cannot be negative")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must lie in [0, 1), got {self.dropout}")
        if self.share_embeddings and self.src_vocab_size != self.tgt_vocab_size and self.n_encoder_layers > 0:
            raise ValueError(
                "share_embeddings=True needs one shared vocabulary: "
                f"src_vocab_size={self.src_vocab_size} != tgt_vocab_size={self.tgt_vocab_size}"
            )

    @property
    def d_head(self) -> int:
        """Dh = D / H."""
        return self.d_model // self.n_heads


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy and torch, so a rebuild draws the same figures."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
