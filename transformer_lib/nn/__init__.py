"""PyTorch modules that train, one file per concept, mirroring :mod:`transformer_lib.ref`."""

from transformer_lib.nn.attention import MultiHeadAttention, attend, repeat_kv
from transformer_lib.nn.blocks import DecoderLayer, EncoderLayer, SwiGLU, feed_forward, to_torch_state_dict
from transformer_lib.nn.config import TransformerConfig, seed_everything
from transformer_lib.nn.gqa import GroupedQueryAttention, grouped_attention
from transformer_lib.nn.gpt import GPT, GPTConfig, kv_cache_bytes, shift_targets
from transformer_lib.nn.masks import (
    block_layout_to_mask, block_sparse_layout, block_sparse_mask, causal_mask, dilated_mask, full_mask, padding_mask,
    padding_mask_from_ids, prefix_lm_mask, sliding_window_mask, to_torch_blocked,
)
from transformer_lib.nn.model import Transformer
from transformer_lib.nn.modes import evaluating
from transformer_lib.nn.norms import LayerNorm, RMSNorm
from transformer_lib.nn.rotary import RotaryEmbedding, apply_rotary, rotary_frequencies
from transformer_lib.nn.sparse import block_sparse_attention, dense_mask_of
from transformer_lib.nn.trace import TraceRow, format_trace, parameter_counts, shape_trace
from transformer_lib.nn.positional import (
    LearnedPositionalEmbedding,
    SinusoidalPositionalEncoding,
    TokenEmbedding,
    relative_position_matrix,
    sinusoidal_positional_encoding,
)

__all__ = [
    "MultiHeadAttention",
    "attend",
    "EncoderLayer",
    "DecoderLayer",
    "feed_forward",
    "LayerNorm",
    "Transformer",
    "GPT",
    "GPTConfig",
    "kv_cache_bytes",
    "shift_targets",
    "TransformerConfig",
    "seed_everything",
    "causal_mask",
    "full_mask",
    "prefix_lm_mask",
    "padding_mask",
    "padding_mask_from_ids",
    "sliding_window_mask",
    "dilated_mask",
    "block_sparse_layout",
    "block_layout_to_mask",
    "block_sparse_mask",
    "block_sparse_attention",
    "dense_mask_of",
    "evaluating",
    "to_torch_blocked",
    "SinusoidalPositionalEncoding",
    "TokenEmbedding",
    "sinusoidal_positional_encoding",
    "to_torch_state_dict",
    "shape_trace",
    "format_trace",
    "parameter_counts",
    "TraceRow",
    "relative_position_matrix",
    "LearnedPositionalEmbedding",
    # chapter "The modern block"
    "RotaryEmbedding",
    "apply_rotary",
    "rotary_frequencies",
    "RMSNorm",
    "GroupedQueryAttention",
    "grouped_attention",
    "repeat_kv",
    "SwiGLU",
]
