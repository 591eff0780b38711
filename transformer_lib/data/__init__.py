"""Data the book generates itself (no downloads): one module per corpus, one :class:`Vocab`
and one :class:`Tokenizer` API (:mod:`transformer_lib.data.vocab`) for all of them.

* :mod:`~transformer_lib.data.translation` -- French -> English pairs (chapters "Training", "Decoding").
* :mod:`~transformer_lib.data.pronoun` -- Winograd-style "it" sentences (chapter "It -> animal").
* :mod:`~transformer_lib.data.bpe` -- byte-pair encoding learned on a corpus (chapter "Tokens").
* :mod:`~transformer_lib.data.word2vec` -- template sentences for word2vec (chapter "Embeddings").
"""

from transformer_lib.data.translation import TranslationCorpus, encode_pairs, generate_pairs, make_corpus
from transformer_lib.data.vocab import BOS, EOS, PAD, UNK, Tokenizer, Vocab

__all__ = ["BOS", "EOS", "PAD", "UNK", "Tokenizer", "TranslationCorpus", "Vocab", "encode_pairs", "generate_pairs",
           "make_corpus"]
