"""The book's trained toys, one file each, built from the library's modules.

* :mod:`~transformer_lib.tasks.word2vec` -- skip-gram and CBOW in miniature (chapter "Tokens and embeddings").
* :mod:`~transformer_lib.tasks.lookup` -- a two-layer model that learns to look a card up (chapter "Multi-head attention").
* :mod:`~transformer_lib.tasks.translator` -- the shipped French -> English translator (chapters "Training", "Decoding").
* :mod:`~transformer_lib.tasks.pronoun` -- the shipped "it" -> animal / street model (chapter "It -> animal").

Their corpora live in :mod:`transformer_lib.data`, their views in :mod:`transformer_lib.views`.
"""
