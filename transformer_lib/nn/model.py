"""The whole encoder-decoder Transformer (chapter "Encoder, decoder and cross-attention").

Built from a :class:`TransformerConfig`. ``encode`` and ``decode`` are separate so that
decoding (chapter "Decoding") can run the encoder once and the decoder step by step;
``attention`` returns every layer's weights in one call, in the shape bertviz expects.
"""

from __future__ import annotations

import torch
from torch import nn

from transformer_lib.nn.blocks import DecoderLayer, EncoderLayer, run_encoder_stack
from transformer_lib.nn.config import TransformerConfig
from transformer_lib.nn.masks import causal_mask, padding_mask_from_ids
from transformer_lib.nn.modes import evaluating
from transformer_lib.nn.norms import LayerNorm
from transformer_lib.nn.positional import SinusoidalPositionalEncoding, TokenEmbedding


class Transformer(nn.Module):
    """Encoder-decoder Transformer (Vaswani et al. 2017, figure 1).

    ``forward(src, tgt)`` takes token ids src (B, S) and tgt (B, T) and returns logits
    (B, T, V). Padding (``config.pad_id``) is masked automatically; the decoder's
    self-attention is causal.
    """

    def __init__(self, config: TransformerConfig):
        super().__init__()
        c = self.config = config
        self.src_embed = TokenEmbedding(c.src_vocab_size, c.d_model, padding_idx=c.pad_id)
        self.tgt_embed = TokenEmbedding(c.tgt_vocab_size, c.d_model, padding_idx=c.pad_id)
        self.pos = SinusoidalPositionalEncoding(c.d_model, c.max_len, c.dropout)
        layer_args = (c.d_model, c.n_heads, c.d_ff, c.dropout, c.norm_first)
        self.encoder_layers = nn.ModuleList([EncoderLayer(*layer_args) for _ in range(c.n_encoder_layers)])
        self.decoder_layers = nn.ModuleList([DecoderLayer(*layer_args) for _ in range(c.n_decoder_layers)])
        # Pre-norm stacks need a final LayerNorm (their residual stream is never normalised otherwise).
        self.encoder_norm = LayerNorm(c.d_model) if c.norm_first else nn.Identity()
        self.decoder_norm = LayerNorm(c.d_model) if c.norm_first else nn.Identity()
        self.generator = nn.Linear(c.d_model, c.tgt_vocab_size, bias=False)  # D -> V logits
        # Entries of std 1/sqrt(D): as the output projection (shared or not) this gives logits of
        # about unit scale at initialisation; as an embedding, TokenEmbedding's sqrt(D) factor
        # brings the entries to std 1, the scale of the positional encoding. (Section 3.4 states the
        # sqrt(D) multiplication and gives no reason; this reading is the book's, chapter "Embeddings".)
        # (torch's default N(0, 1) would make both D times too large in variance.)
        for table in (self.src_embed.table, self.tgt_embed.table):
            nn.init.normal_(table.weight, std=c.d_model ** -0.5)
            with torch.no_grad():
                table.weight[c.pad_id].zero_()
        if c.share_embeddings:  # section 3.4: one matrix for both embeddings and the output layer
            self.tgt_embed.table.weight = self.src_embed.table.weight
            self.generator.weight = self.tgt_embed.table.weight

    # checks ----------------------------------------------------------------------------
    @staticmethod
    def _check_ids(name: str, ids: torch.Tensor) -> None:
        if not isinstance(ids, torch.Tensor) or ids.ndim != 2 or ids.dtype.is_floating_point or ids.dtype == torch.bool:
            shape = tuple(ids.shape) if hasattr(ids, "shape") else type(ids).__name__
            raise ValueError(
                f"{name} must be a 2-D tensor of integer token ids (B, length), got {shape}"
                + (f" of dtype {ids.dtype}" if hasattr(ids, "dtype") else "")
            )

    def _check_pair(self, src, tgt) -> None:
        self._check_ids("src", src)
        self._check_ids("tgt", tgt)
        if src.shape[0] != tgt.shape[0]:
            raise ValueError(f"src and tgt must hold the same number of sequences: src batch {src.shape[0]} != tgt batch {tgt.shape[0]}")

    # masks -----------------------------------------------------------------------------
    def src_mask(self, src: torch.Tensor) -> torch.Tensor:
        """(B, S) ids -> bool (B, 1, 1, S): True where the key is a real token."""
        return padding_mask_from_ids(src, self.config.pad_id)  # (B, 1, 1, S)

    def tgt_mask(self, tgt: torch.Tensor) -> torch.Tensor:
        """(B, T) ids -> bool (B, 1, T, T): causal and not padding."""
        T = tgt.shape[1]
        return causal_mask(T, tgt.device) & padding_mask_from_ids(tgt, self.config.pad_id)  # (T, T) & (B, 1, 1, T) -> (B, 1, T, T)

    # the two halves ----------------------------------------------------------------------
    def encode(self, src: torch.Tensor, src_mask=None, need_weights: bool = False):
        """src ids (B, S) -> memory (B, S, D) (and a list of per-layer weights (B, H, S, S))."""
        self._check_ids("src", src)
        src_mask = self.src_mask(src) if src_mask is None else src_mask
        x = self.pos(self.src_embed(src))  # (B, S, D)
        out = run_encoder_stack(self.encoder_layers, x, src_mask, need_weights)
        if need_weights:
            return self.encoder_norm(out[0]), out[1]
        return self.encoder_norm(out)

    def decode(self, tgt, memory, src_mask=None, tgt_mask=None, need_weights: bool = False):
        """tgt ids (B, T), memory (B, S, D) -> decoder output (B, T, D) (and self/cross weights lists).

        Pass ``src_mask=self.src_mask(src)`` when the source is padded: memory alone cannot
        tell which of its positions were <pad>, and without the mask cross-attention reads them.
        """
        self._check_ids("tgt", tgt)
        if memory.ndim != 3 or memory.shape[0] != tgt.shape[0] or memory.shape[-1] != self.config.d_model:
            raise ValueError(
                f"memory must have shape (B={tgt.shape[0]}, S, d_model={self.config.d_model}) to match tgt "
                f"of shape {tuple(tgt.shape)}, got {tuple(memory.shape)}"
            )
        tgt_mask = self.tgt_mask(tgt) if tgt_mask is None else tgt_mask
        x = self.pos(self.tgt_embed(tgt))  # (B, T, D)
        self_w, cross_w = [], []
        for layer in self.decoder_layers:
            if need_weights:
                x, ws, wc = layer(x, memory, tgt_mask, src_mask, need_weights=True)
                self_w.append(ws)
                cross_w.append(wc)
            else:
                x = layer(x, memory, tgt_mask, src_mask)
        x = self.decoder_norm(x)
        return (x, self_w, cross_w) if need_weights else x

    def forward(self, src: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:
        """src (B, S), tgt (B, T) ids -> logits (B, T, V). Softmax is left to the loss."""
        self._check_pair(src, tgt)
        src_mask = self.src_mask(src)
        memory = self.encode(src, src_mask)
        return self.generator(self.decode(tgt, memory, src_mask))  # (B, T, V)

    def attention(self, src: torch.Tensor, tgt: torch.Tensor) -> dict[str, list[torch.Tensor]]:
        """Every layer's attention in one call: ``{"encoder": [...], "decoder": [...], "cross": [...]}``,
        lists of (B, H, S, S), (B, H, T, T) and (B, H, T, S) tensors -- bertviz's
        ``encoder_attention``, ``decoder_attention`` and ``cross_attention``.

        Runs in eval mode under ``torch.inference_mode()`` (:func:`~transformer_lib.nn.evaluating`)
        and leaves the model's mode as it found it."""
        self._check_pair(src, tgt)
        with evaluating(self):
            src_mask = self.src_mask(src)
            memory, enc_w = self.encode(src, src_mask, need_weights=True)
            _, dec_w, cross_w = self.decode(tgt, memory, src_mask, need_weights=True)
        return {"encoder": enc_w, "decoder": dec_w, "cross": cross_w}
