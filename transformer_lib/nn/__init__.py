"""PyTorch modules that train, one file per concept, mirroring :mod:`transformer_lib.ref`."""

from transformer_lib.nn.attention import MultiHeadAttention
from transformer_lib.nn.blocks import DecoderLayer, EncoderLayer, feed_forward
from transformer_lib.nn.config import TransformerConfig, seed_everything
from transformer_lib.nn.masks import causal_mask, padding_mask, to_torch_blocked
from transformer_lib.nn.model import Transformer
from transformer_lib.nn.norms import LayerNorm
from transformer_lib.nn.positional import (
    LearnedPositionalEmbedding,
    SinusoidalPositionalEncoding,
    TokenEmbedding,
    relative_position_matrix,
    sinusoidal_positional_encoding,
)

__all__ = [
    "MultiHeadAttention",
    "EncoderLayer",
    "DecoderLayer",
    "feed_forward",
    "LayerNorm",
    "Transformer",
    "TransformerConfig",
    "seed_everything",
    "causal_mask",
    "padding_mask",
    "to_torch_blocked",
    "SinusoidalPositionalEncoding",
    "TokenEmbedding",
    "sinusoidal_positional_encoding",
    "relative_position_matrix",
    "LearnedPositionalEmbedding",
]
