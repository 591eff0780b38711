"""The views of chapter "One block, three families (BERT, GPT, T5)": an explorer over the
families' attention masks for a sentence the reader picks, and the three objectives as
input/target tables.

Masks come from :mod:`transformer_lib.ref.masks` (True = may attend), examples from
:mod:`transformer_lib.data.objectives`; this module only arranges them.
"""

from __future__ import annotations

import html
from typing import Sequence

import numpy as np

from transformer_lib import ref, views
from transformer_lib.data import objectives

SENTENCES = ("the cat sat on the mat because it was warm", "translate English to German : the house is small",
             "summarize : the book teaches attention")
PATTERNS = ("BERT: bidirectional", "GPT: causal", "prefix LM", "T5 encoder", "T5 decoder", "T5 cross-attention")
PREFIX_LENGTHS = tuple(range(0, 11))
MAX_TOKENS = 16  # longest sentence the explorer draws legibly


def _words(sentence: str) -> list[str]:
    words = str(sentence).split()
    if not words:
        raise ValueError("type a sentence of at least one word")
    if len(words) > MAX_TOKENS:
        raise ValueError(f"the sentence has {len(words)} words; the explorer draws at most {MAX_TOKENS}")
    return words


def pattern_mask(pattern: str, sentence: str, prefix_len: int = 0, seed: int = 0):
    """The mask of one family's attention over ``sentence``: ``(mask, key_tokens, query_tokens)``.

    The T5 patterns use the span-corrupted sentence (:func:`~transformer_lib.data.objectives.span_corruption`
    with ``seed``): its encoder reads the corrupted input; its decoder reads the targets shifted
    right behind ``<bos>``. ``prefix_len`` (clipped to the sentence's length) matters only for the
    prefix LM.
    """
    if pattern not in PATTERNS:
        raise ValueError(f"pattern must be one of {PATTERNS}, got {pattern!r}")
    words = _words(sentence)
    T = len(words)
    if pattern.startswith("T5"):
        if T < 2:
            raise ValueError("T5's span corruption needs a sentence of at least two words")
        ex = objectives.span_corruption(words, seed)
        enc, dec = list(ex.inputs), ["<bos>"] + list(ex.targets[:-1])  # decoder input: targets shifted right
        return {"T5 encoder": (ref.full_mask(len(enc)), enc, enc),
                "T5 decoder": (ref.causal_mask(len(dec)), dec, dec),
                "T5 cross-attention": (ref.full_mask(len(dec), len(enc)), enc, dec)}[pattern]
    mask = {"BERT: bidirectional": lambda: ref.full_mask(T), "GPT: causal": lambda: ref.causal_mask(T),
            "prefix LM": lambda: ref.prefix_lm_mask(min(int(prefix_len), T), T)}[pattern]()
    return mask, words, words


def pattern_frame(pattern: str, sentence: str, prefix_len: int) -> dict:
    """One frame of the explorer: the mask as a heatmap, and a caption that counts what it allows."""
    mask, keys, queries = pattern_mask(pattern, sentence, prefix_len)
    T = len(_words(sentence))
    note = {"prefix LM": f"the first {min(prefix_len, T)} words see each other both ways, the rest only look back",
            "BERT: bidirectional": "every word sees every word (the prefix length does not apply)",
            "GPT: causal": "each word sees itself and the words before it (the prefix length does not apply)",
            "T5 encoder": "the corrupted input, read bidirectionally",
            "T5 decoder": "the target spans, written causally",
            "T5 cross-attention": "every decoder position sees the whole encoder input"}[pattern]
    return views.frame(
        views.heatmap_panel(mask.astype(float), x=keys, y=queries, title=f"{pattern} (1 = may attend)",
                            xlabel="key", ylabel="query", vmin=0, vmax=1, decimals=0),
        caption=f"{pattern}: {note}; {int(mask.sum())} of {mask.size} (query, key) pairs allowed",
    )


def family_explorer() -> views.Explorer:
    """The chapter's explorer: sentence (editable in a kernel) x attention pattern x prefix length."""
    return views.Explorer(
        pattern_frame,
        controls={"sentence": list(SENTENCES), "pattern": list(PATTERNS), "prefix_len": list(PREFIX_LENGTHS)},
        labels={"prefix_len": "prefix length"},
        initial={"pattern": "prefix LM", "prefix_len": 4},
        editable=["sentence"],
        title="One sentence, the families' attention patterns",
    )


def objectives_table(examples: Sequence[objectives.Example]) -> str:
    """The examples as one HTML table: per objective an input row and a target row, one token
    per cell. Masked-LM targets sit under their inputs (``·`` = no loss there); a token chosen
    for masked LM is marked with how it was changed. Every token is HTML-escaped."""
    if not examples:
        raise ValueError("objectives_table needs at least one example")
    cell = "border:1px solid #d0d7de;padding:2px 6px;font-family:monospace;white-space:nowrap"
    rows = []
    for ex in examples:
        if not isinstance(ex, objectives.Example):
            raise ValueError(f"expected objectives.Example values, got {type(ex).__name__}")
        notes = [f" ({h})" if h else "" for h in ex.how] or [""] * len(ex.inputs)
        ins = [html.escape(t) + f"<sub>{html.escape(n)}</sub>" for t, n in zip(ex.inputs, notes)]
        tgts = ["·" if t is None else html.escape(t) for t in ex.targets]
        for k, (label, toks) in enumerate((("input", ins), ("target", tgts))):
            head = f'<th rowspan="2" style="{cell}">{html.escape(ex.objective)}</th>' if k == 0 else ""
            rows.append(f"<tr>{head}<th style=\"{cell}\">{label}</th>"
                        + "".join(f'<td style="{cell}">{t}</td>' for t in toks) + "</tr>")
    return '<table style="border-collapse:collapse;font-size:13px">' + "".join(rows) + "</table>"


__all__ = ["PATTERNS", "SENTENCES", "family_explorer", "objectives_table", "pattern_frame", "pattern_mask"]
