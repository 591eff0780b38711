"""The book's trained toys, one file each, built from the library's modules.

* :mod:`~transformer_lib.tasks.word2vec` -- skip-gram and CBOW in miniature (chapter "Embeddings").
* :mod:`~transformer_lib.tasks.reversal` -- reverse a sequence: post-norm against pre-norm without warm-up (chapter "Residuals, LayerNorm and BatchNorm").
* :mod:`~transformer_lib.tasks.counting` -- "exactly two A's?": what the feed-forward block adds to attention (chapter "The feed-forward block").
* :mod:`~transformer_lib.tasks.lookup` -- a two-layer model that learns to look a card up (chapter "Multi-head attention").
* :mod:`~transformer_lib.tasks.translator` -- the shipped French -> English translator (chapters "Training", "Decoding").
* :mod:`~transformer_lib.tasks.pronoun` -- the shipped "it" -> animal / street model (chapter "It -> animal").
* :mod:`~transformer_lib.tasks.gpt` -- the shipped tiny character-level GPT (chapter "Decoder-only models (GPT)").

Their corpora live in :mod:`transformer_lib.data`, their views in :mod:`transformer_lib.views`.
"""
