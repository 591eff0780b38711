"""Data the book generates itself (no downloads)."""

from transformer_lib.data.translation import (
    BOS, EOS, PAD, UNK, TranslationCorpus, Vocab, encode_pairs, generate_pairs, make_corpus, tokenize,
)

__all__ = ["BOS", "EOS", "PAD", "UNK", "TranslationCorpus", "Vocab", "encode_pairs", "generate_pairs",
           "make_corpus", "tokenize"]
