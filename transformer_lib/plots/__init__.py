"""Plot helpers: arrays in, a matplotlib Figure out; one module per topic.

They never call ``plt.show()`` and never compute model internals: a chapter computes the
weights, masks or scores with the library and hands the arrays here. Each figure is closed
in pyplot as soon as it is made, so in a notebook the returned Figure displays itself once,
as the cell's last expression; in a script, ``fig.savefig(...)``. Every function is
reachable as ``plots.<name>``:

- :mod:`~transformer_lib.plots.core`: ``heatmap``, ``heatmaps``, ``attention_heads`` (every chapter)
- :mod:`~transformer_lib.plots.intro`: ``path_lengths``, ``transformer_families``
- :mod:`~transformer_lib.plots.attention`: ``score_variance``, ``softmax_saturation``, ``masking_methods``
- :mod:`~transformer_lib.plots.curves`: ``loss_curve``
- :mod:`~transformer_lib.plots.positional`: ``offset_dot_products``, ``dot_products_by_distance``
- :mod:`~transformer_lib.plots.embeddings`: ``distance_matrices``, ``word_map``, ``grouped_bars``
- :mod:`~transformer_lib.plots.encoder_decoder`: ``parameter_bars``, ``attention_kinds``
- :mod:`~transformer_lib.plots.families`: ``attention_patterns``, ``finetune_curve`` (chapter "One block, three families")
- :mod:`~transformer_lib.plots.decoding`: ``greedy_steps``, ``beam_tree``, ``bleu_by_beam``
- :mod:`~transformer_lib.plots.tokens`: ``vocab_vs_length`` (chapter "Tokens")
- :mod:`~transformer_lib.plots.pronoun`: ``it_attention_bars``, ``it_training_curves``
- :mod:`~transformer_lib.plots.gpt`: ``kv_cache_timing``, ``baseline_losses``
- :mod:`~transformer_lib.plots.cost`: ``layer_costs``, ``log_log_panels`` (chapter "The cost of attention")
- :mod:`~transformer_lib.plots.modern`: ``loss_by_position`` (chapter "The modern block")
- :mod:`~transformer_lib.plots.training`: ``layer_parameter_bars``, ``unit_curves``, ``normalisation_groups``,
  ``gradient_by_layer``, ``smoothed_losses``, ``training_curves``, ``target_distributions``, ``histograms``,
  ``learning_rates`` (chapters "The feed-forward block", "Residuals, LayerNorm and BatchNorm", "Training")
"""

from __future__ import annotations

from transformer_lib.plots.attention import masking_methods, score_variance, softmax_saturation
from transformer_lib.plots.cost import layer_costs, log_log_panels
from transformer_lib.plots.core import attention_heads, draw_heatmap, heatmap, heatmaps
from transformer_lib.plots.curves import loss_curve
from transformer_lib.plots.decoding import beam_tree, bleu_by_beam, greedy_steps
from transformer_lib.plots.embeddings import distance_matrices, grouped_bars, word_map
from transformer_lib.plots.encoder_decoder import attention_kinds, parameter_bars
from transformer_lib.plots.families import attention_patterns, finetune_curve
from transformer_lib.plots.gpt import baseline_losses, kv_cache_timing
from transformer_lib.plots.modern import loss_by_position
from transformer_lib.plots.intro import path_lengths, transformer_families
from transformer_lib.plots.positional import dot_products_by_distance, offset_dot_products
from transformer_lib.plots.pronoun import it_attention_bars, it_training_curves
from transformer_lib.plots.tokens import vocab_vs_length
from transformer_lib.plots.training import (
    gradient_by_layer, histograms, layer_parameter_bars, learning_rates, normalisation_groups, smoothed_losses,
    target_distributions, training_curves, unit_curves,
)

__all__ = [
    "attention_heads", "attention_kinds", "attention_patterns", "beam_tree", "bleu_by_beam", "distance_matrices",
    "draw_heatmap", "greedy_steps", "grouped_bars", "heatmap", "heatmaps", "it_attention_bars", "loss_curve", "masking_methods",
    "offset_dot_products", "dot_products_by_distance", "parameter_bars", "path_lengths", "score_variance", "softmax_saturation",
    "training_curves", "transformer_families", "finetune_curve", "word_map", "it_training_curves", "layer_parameter_bars", "unit_curves",
    "normalisation_groups", "gradient_by_layer", "smoothed_losses", "target_distributions", "histograms", "learning_rates",
    "vocab_vs_length",
    "kv_cache_timing", "baseline_losses",
    "layer_costs", "log_log_panels",
    "loss_by_position",
]
