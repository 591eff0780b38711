"""What chapter "Decoding" measures: a translator's outputs as words, and BLEU / exact match
of beam search for several beam sizes on a held-out split.

Search itself is :mod:`transformer_lib.decoding`; BLEU is
:func:`transformer_lib.tasks.translator.bleu_and_exact`. The chapter's figures of these
numbers are :func:`transformer_lib.plots.bleu_by_beam` and :func:`transformer_lib.plots.beam_tree`.
"""

from __future__ import annotations

import time
from typing import Iterable, Sequence

import torch

from transformer_lib.decoding import beam_search
from transformer_lib.tasks.translator import Translator, bleu_and_exact


def words(translator: Translator, ids) -> str:
    """English ids (one row: (L,)) -> the sentence, stopping at ``<eos>``."""
    ids = torch.as_tensor(ids)
    if ids.dim() != 1:
        raise ValueError(f"words decodes one row of ids (L,), got shape {tuple(ids.shape)}; pass tokens[i]")
    return " ".join(translator.tgt_vocab.decode(ids))


def score_beams(translator: Translator, src: torch.Tensor, references: Sequence[str],
                ks: Iterable[int] = range(1, 6)) -> dict[int, dict]:
    """Beam search with each beam size in ``ks`` over the whole batch ``src`` (N, S).

    Returns:
        ``{k: {"res": BeamResult, "hyps": [N sentences], "seconds": wall-clock time of the
        search, "bleu": corpus BLEU, "exact": exact-match %}}``. ``k = 1`` is greedy decoding.
    """
    if src.dim() != 2:
        raise ValueError(f"src must be a batch of id rows (N, S), got shape {tuple(src.shape)}")
    if len(references) != src.shape[0]:
        raise ValueError(f"{len(references)} references for {src.shape[0]} source sentences")
    out = {}
    for k in ks:
        if int(k) < 1:
            raise ValueError(f"beam sizes must be at least 1, got {k}")
        t0 = time.perf_counter()
        res = beam_search(translator.model, src, k=int(k))
        hyps = [words(translator, row) for row in res.tokens]
        out[int(k)] = dict(res=res, hyps=hyps, seconds=time.perf_counter() - t0, **bleu_and_exact(hyps, references))
    return out
