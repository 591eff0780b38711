"""Parameters from shape, and the published sizes of BERT, GPT-2, GPT-3 and T5 (chapter
"One block, three families").

:func:`parameter_count` counts a model's parameters from its shape alone (a
:class:`ModelShape`, or the library's own :class:`~transformer_lib.nn.TransformerConfig`),
with one formula: per attention block ``4 D (H Dh)`` weights, per feed-forward block
``2 D d_ff``, plus biases, norms and embeddings. :data:`PUBLISHED` holds the published
shapes and totals, each number with its source, so the formula can be held against them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelShape:
    """The shape of a Transformer, everything :func:`parameter_count` needs.

    A stack with ``n_encoder_layers`` > 0 and ``n_decoder_layers`` == 0 is an encoder (BERT),
    the reverse a decoder-only model (GPT: its layers are self-attention + feed-forward, like an
    encoder's, under a causal mask); both > 0 is an encoder-decoder (T5), whose decoder layers
    also cross-attend.
    """

    d_model: int  # D
    n_heads: int  # H
    d_ff: int  # hidden width of the feed-forward block
    vocab_size: int  # rows of the token embedding (V)
    n_encoder_layers: int = 0
    n_decoder_layers: int = 0
    d_head: int | None = None  # Dh; None = D / H (T5-11B: 128 heads of 128 with D = 1024, so H Dh != D)
    learned_positions: int = 0  # rows of a learned position table (BERT, GPT); 0: sinusoidal or relative
    relative_buckets: int = 0  # T5: one (buckets, H) table of relative-position biases per stack
    biases: bool = True  # linear layers and norms have biases (T5: neither)
    final_norms: int = 0  # norms outside the layers (a pre-norm stack's final one; BERT's embedding norm)
    tied_output: bool = True  # the output projection is the embedding matrix (no extra weights)
    second_vocab_size: int = 0  # a separate target-side embedding table (an untied encoder-decoder)
    cross_attention: bool | None = None  # decoder layers cross-attend; None: iff there is an encoder

    def __post_init__(self):
        for name in ("d_model", "n_heads", "d_ff"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("vocab_size", "n_encoder_layers", "n_decoder_layers", "learned_positions", "relative_buckets",
                     "final_norms", "second_vocab_size"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative, got {getattr(self, name)}")
        if self.d_head is None and self.d_model % self.n_heads:
            raise ValueError(f"d_model ({self.d_model}) must be divisible by n_heads ({self.n_heads}), "
                             "or give d_head explicitly")

    @property
    def head_width(self) -> int:
        """Dh."""
        return self.d_head if self.d_head is not None else self.d_model // self.n_heads

    @classmethod
    def from_config(cls, config) -> "ModelShape":
        """The shape of the library's :class:`~transformer_lib.nn.Transformer` built from a
        ``TransformerConfig`` (sinusoidal positions, so no position table; every decoder layer
        cross-attends), or of its :class:`~transformer_lib.nn.GPT` built from a ``GPTConfig``
        (a learned position per context slot, pre-norm layers and one final norm)."""
        c = config
        if hasattr(c, "block_size"):  # a GPTConfig
            return cls(d_model=c.d_model, n_heads=c.n_heads, d_ff=c.d_ff, vocab_size=c.vocab_size,
                       n_decoder_layers=c.n_layers, learned_positions=c.block_size, final_norms=1,
                       tied_output=c.tie_weights)
        return cls(d_model=c.d_model, n_heads=c.n_heads, d_ff=c.d_ff, vocab_size=c.src_vocab_size,
                   n_encoder_layers=c.n_encoder_layers, n_decoder_layers=c.n_decoder_layers,
                   final_norms=2 if c.norm_first else 0, tied_output=c.share_embeddings,
                   second_vocab_size=0 if c.share_embeddings else c.tgt_vocab_size, cross_attention=True)


def parameter_breakdown(shape) -> dict[str, int]:
    """Parameters per part: ``embeddings``, ``positions``, ``encoder layers``, ``decoder layers``,
    ``final norms`` and ``output``. ``shape``: a :class:`ModelShape`, a ``TransformerConfig`` or a ``GPTConfig``."""
    s = _as_shape(shape)
    D, A, F, b = s.d_model, s.n_heads * s.head_width, s.d_ff, s.biases  # A = H Dh, the attention's inner width
    norm = 2 * D if b else D  # LayerNorm: gain and bias; T5's norm: gain only
    attention = 4 * D * A + (3 * A + D if b else 0)  # W_Q, W_K, W_V: D -> A; W_O: A -> D
    feed_forward = 2 * D * F + (F + D if b else 0)
    cross = s.n_encoder_layers > 0 if s.cross_attention is None else s.cross_attention
    decoder_layer = (2 * attention + 3 * norm) if cross else (attention + 2 * norm)
    n_stacks = (s.n_encoder_layers > 0) + (s.n_decoder_layers > 0)
    return {
        "embeddings": (s.vocab_size + s.second_vocab_size) * D,
        "positions": s.learned_positions * D + s.relative_buckets * s.n_heads * n_stacks,
        "encoder layers": s.n_encoder_layers * (attention + feed_forward + 2 * norm),
        "decoder layers": s.n_decoder_layers * (decoder_layer + feed_forward),
        "final norms": s.final_norms * norm,
        "output": 0 if s.tied_output else (s.second_vocab_size or s.vocab_size) * D,
    }


def parameter_count(shape) -> int:
    """The number of parameters of a model of this shape (a :class:`ModelShape`, a
    ``TransformerConfig`` or a ``GPTConfig``): the sum of :func:`parameter_breakdown`."""
    return sum(parameter_breakdown(shape).values())


def _as_shape(shape) -> ModelShape:
    if isinstance(shape, ModelShape):
        return shape
    from transformer_lib.nn.config import TransformerConfig
    from transformer_lib.nn.gpt import GPTConfig

    if isinstance(shape, (TransformerConfig, GPTConfig)):
        return ModelShape.from_config(shape)
    raise ValueError(f"expected a ModelShape, a TransformerConfig or a GPTConfig, got {type(shape).__name__}")


@dataclass(frozen=True)
class Published:
    """One published model: its shape, its published total, and where each number comes from."""

    name: str
    family: str  # "encoder", "decoder" or "encoder-decoder"
    parameters: int  # the total the paper states
    shape: ModelShape
    context: int  # tokens of context in pretraining
    source: str  # paper, table or section, for each number
    note: str = ""  # why the formula differs from the published total, where it does by more than 1 %

    @property
    def n_layers(self) -> int:
        """Layers per stack (T5: the encoder's, equal to the decoder's)."""
        return self.shape.n_encoder_layers or self.shape.n_decoder_layers


_BERT = "Devlin et al. 2019 (BERT), section 3 (L, H, A, totals; d_ff = 4H, footnote; 30,000 WordPiece vocabulary), appendix A.2 (512 tokens)"
_GPT2 = ("Radford et al. 2019 (GPT-2), table 2 (parameters, layers, d_model) and section 2.3 (vocabulary 50,257, context "
         "1024); heads from the hparams.json of OpenAI's released checkpoints (github.com/openai/gpt-2)")
_GPT3 = ("Brown et al. 2020 (GPT-3), table 2.1 (parameters, layers, d_model, heads, d_head 128) and section 2.1 "
         "(context 2048, d_ff = 4 d_model, GPT-2's architecture and vocabulary)")
_T5 = ("Raffel et al. 2020 (T5), sections 3.1.2 (Base: 12 + 12 blocks, d_model 768, d_ff 3072, 12 heads of 64, 512 tokens, "
       "~220M) and 3.7 (Large, 11B), section 2.1 (32 relative-position buckets, norms without bias), section 3.1.3 "
       "(32,000 wordpieces)")


def _bert(d, layers, heads):
    return ModelShape(d_model=d, n_heads=heads, d_ff=4 * d, vocab_size=30_000, n_encoder_layers=layers,
                      learned_positions=512, final_norms=1)


def _gpt(d, layers, heads, context, d_head=None):
    return ModelShape(d_model=d, n_heads=heads, d_ff=4 * d, vocab_size=50_257, n_decoder_layers=layers, d_head=d_head,
                      learned_positions=context, final_norms=1)


def _t5(d, layers, heads, d_head, d_ff):
    return ModelShape(d_model=d, n_heads=heads, d_ff=d_ff, vocab_size=32_000, n_encoder_layers=layers,
                      n_decoder_layers=layers, d_head=d_head, relative_buckets=32, biases=False, final_norms=2)


_BERT_GAP = ("the formula leaves out BERT's 2 segment embeddings and its pooler (D x D + D), and counts a "
             "vocabulary of 30,000 where the released one has 30,522 tokens; the paper's total is rounded")
PUBLISHED: tuple[Published, ...] = (
    Published("BERT-base", "encoder", 110_000_000, _bert(768, 12, 12), 512, _BERT, _BERT_GAP),
    Published("BERT-large", "encoder", 340_000_000, _bert(1024, 24, 16), 512, _BERT, _BERT_GAP),
    Published("GPT-2 small", "decoder", 117_000_000, _gpt(768, 12, 12, 1024), 1024, _GPT2,
              "the paper's 117M was a miscount: OpenAI's released checkpoint is named 124M, which the formula gives"),
    Published("GPT-2 medium", "decoder", 345_000_000, _gpt(1024, 24, 16, 1024), 1024, _GPT2,
              "the paper's 345M was a miscount, as for the small model: the released checkpoint is named 355M"),
    Published("GPT-2 large", "decoder", 762_000_000, _gpt(1280, 36, 20, 1024), 1024, _GPT2,
              "the released checkpoint is named 774M, which the formula gives"),
    Published("GPT-2 XL", "decoder", 1_542_000_000, _gpt(1600, 48, 25, 1024), 1024, _GPT2,
              "the released checkpoint is named 1558M, which the formula gives"),
    Published("GPT-3 175B", "decoder", 175_000_000_000, _gpt(12288, 96, 96, 2048, d_head=128), 2048, _GPT3),
    Published("T5-base", "encoder-decoder", 220_000_000, _t5(768, 12, 12, 64, 3072), 512, _T5,
              "the paper says 'about 220 million'"),
    Published("T5-large", "encoder-decoder", 770_000_000, _t5(1024, 24, 16, 64, 4096), 512, _T5,
              "the paper says 'about 770 million'; the formula leaves none of T5's weights out, so the 4 % gap is the paper's rounding"),
    Published("T5-11B", "encoder-decoder", 11_000_000_000, _t5(1024, 24, 128, 128, 65536), 512, _T5,
              "the paper gives 11 billion as a round number"),
)
TOLERANCE = 0.07  # the largest gap, GPT-2 small's 6.4 %, is the paper's miscount (see its note)


def published(name: str) -> Published:
    """The :data:`PUBLISHED` entry called ``name`` (e.g. ``"GPT-3 175B"``)."""
    for p in PUBLISHED:
        if p.name == name:
            return p
    raise ValueError(f"no published model called {name!r}; known: {[p.name for p in PUBLISHED]}")


__all__ = ["ModelShape", "PUBLISHED", "Published", "TOLERANCE", "parameter_breakdown", "parameter_count", "published"]
