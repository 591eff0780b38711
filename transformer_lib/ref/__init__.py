"""NumPy reference implementations, one file per concept, readable as the paper's equations.

Each function names the chapter that introduces it; the tests hold every one of them equal
to its PyTorch counterpart in :mod:`transformer_lib.nn` and to torch's own modules.
"""

from transformer_lib.ref.attention import (
    additive_attention,
    merge_heads,
    multi_head_attention,
    scaled_dot_product_attention,
    softmax,
    split_heads,
)
from transformer_lib.ref.blocks import (
    decoder_layer, encoder_layer, feed_forward, layer_params, swiglu_feed_forward, swiglu_hidden_width,
)
from transformer_lib.ref.flash import flash_attention
from transformer_lib.ref.gqa import check_kv_heads, grouped_attention, grouped_query_attention, repeat_kv
from transformer_lib.ref.masks import (
    block_layout_to_mask,
    block_sparse_layout,
    block_sparse_mask,
    causal_mask,
    dilated_mask,
    full_mask,
    padding_mask,
    padding_mask_from_ids,
    prefix_lm_mask,
    sliding_window_mask,
)
from transformer_lib.ref.norms import batch_norm, layer_norm, rms_norm
from transformer_lib.ref.positional import frequencies, relative_position_matrix, sinusoidal_positional_encoding
from transformer_lib.ref.rotary import apply_rotary, rotary_frequencies

__all__ = [
    "softmax",
    "scaled_dot_product_attention",
    "additive_attention",
    "split_heads",
    "merge_heads",
    "multi_head_attention",
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
    "flash_attention",
    "sinusoidal_positional_encoding",
    "layer_norm",
    "batch_norm",
    "feed_forward",
    "encoder_layer",
    "decoder_layer",
    "layer_params",
    "frequencies",
    "relative_position_matrix",
    # chapter "The modern block"
    "apply_rotary",
    "rotary_frequencies",
    "rms_norm",
    "grouped_attention",
    "grouped_query_attention",
    "repeat_kv",
    "check_kv_heads",
    "swiglu_feed_forward",
    "swiglu_hidden_width",
]
