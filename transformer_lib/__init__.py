"""transformer_lib: the code behind *Attention, Hands-On*.

Every figure and number in the book is computed by this package. It has two halves
that mirror each other and are held equal by the tests (float64 parity):

* :mod:`transformer_lib.ref` -- NumPy functions that read like the paper's equations.
* :mod:`transformer_lib.nn` -- PyTorch modules that train.

Around them, one place per job:

* :mod:`transformer_lib.tasks` -- the book's trained toys, one file each (word2vec, lookup,
  counting, reversal, translator, pronoun), with their corpora in :mod:`transformer_lib.data`.
* :mod:`transformer_lib.train` -- the losses, the schedules and ``fit``, the one training loop.
* :mod:`transformer_lib.checkpoint` -- the one save/load (safetensors + JSON).
* :mod:`transformer_lib.decoding` -- greedy, beam search, sampling.
* :mod:`transformer_lib.plots` (arrays in, a matplotlib Figure out) and
  :mod:`transformer_lib.views` (a live ipywidget in a kernel, self-contained HTML/JS on the
  rendered page). Both are imported lazily, so ``import transformer_lib`` needs no display.

Shape letters (used in every docstring and shape comment)::

    B   batch size
    T   query length (positions that ask)
    S   key/value length (positions that are looked at)
    H   number of heads
    D   d_model, the width of the residual stream
    Dh  d_head = D / H, the width of one head
    V   vocabulary size

Heads are laid out (B, H, T, Dh), as in ``torch.nn.functional.scaled_dot_product_attention``.

Masks are boolean with **True = may attend** (the SDPA convention), broadcastable to
(B, H, T, S); a padding mask is (B, 1, 1, S) in ``ref`` and ``nn`` alike. A query row whose
keys are all masked gets zero weights and a zero output, never NaN.
"""

from transformer_lib.nn.config import TransformerConfig, seed_everything

__all__ = ["TransformerConfig", "seed_everything", "load_it_model"]
__version__ = "0.1.0"


def load_it_model(*args, **kwargs):
    """Load the shipped pronoun-resolution model (chapter "It -> animal").

    Imported lazily so that ``import transformer_lib`` stays light.
    """
    from transformer_lib.tasks.pronoun import load_it_model as _load

    return _load(*args, **kwargs)
