"""The explorer of chapter "Tokens": byte-pair encoding merge by merge.

Control: the number of merges ``k`` and a sentence. Panels: the sentence's tokens after ``k``
merges (bar height = characters per token), the last merges learned up to ``k`` (bar height =
how often the pair occurred when it was merged), and vocabulary size against the mean number
of tokens per sentence of the training corpus, the current ``k`` marked. The segmentation is
:meth:`transformer_lib.data.bpe.BPE.tokenize`; this module only arranges it into frames.
"""

from __future__ import annotations

from typing import Sequence

from transformer_lib import views
from transformer_lib.data.bpe import BPE

SPACE = "␣"  # how a space inside a token is shown


def shown(token: str) -> str:
    """A token as displayed: its spaces made visible."""
    return token.replace(" ", SPACE)


def merge_frame(bpe: BPE, n_texts: int, sentence: str, k: int, last: int = 8) -> dict:
    """One frame: ``sentence`` after ``k`` merges, merges ``k - last + 1 .. k``, and the
    vocabulary-size / mean-length curve of the training corpus (``n_texts`` texts, whose
    symbol totals after each merge are ``bpe.lengths``)."""
    tokens = bpe.tokenize(sentence, k)  # checks k and the characters
    recent = range(max(0, k - last), k)
    n_alpha = len(bpe.specials) + len(bpe.alphabet)
    sizes = [n_alpha + j for j in range(len(bpe.lengths))]
    means = [n / n_texts for n in bpe.lengths]
    merges = [f"{shown(bpe.merges[j][0])}+{shown(bpe.merges[j][1])}" for j in recent]
    return views.frame(
        views.bars_panel([len(t) for t in tokens], [shown(t) for t in tokens],
                         title=f"{len(tokens)} tokens after {k} merges", ylabel="characters per token",
                         vmax=max(6, max((len(t) for t in tokens), default=1))),
        views.bars_panel([bpe.counts[j] for j in recent], merges,
                         title=f"merges {recent.start + 1}..{k}" if k else "no merge yet",
                         ylabel="pair count when merged", highlight=[len(merges) - 1] if merges else []),
        views.line_panel(sizes, {"training corpus": means}, title="vocabulary size vs sequence length",
                         xlabel="vocabulary size", ylabel="mean tokens per sentence", highlight_x=n_alpha + k),
        caption=f"{k} merges, vocabulary {n_alpha + k}: " + " | ".join(shown(t) for t in tokens)
                + f"  ({len(sentence)} characters -> {len(tokens)} tokens; corpus mean {means[k]:.1f} tokens per sentence)",
    )


def merge_explorer(bpe: BPE, n_texts: int, sentences: Sequence[str], ks: Sequence[int]) -> views.Explorer:
    """The chapter's explorer over merge steps ``ks`` and example ``sentences`` (a reader may
    type another sentence over the alphabet in the live view)."""
    if not sentences or not ks:
        raise ValueError("the merge explorer needs at least one sentence and one merge step")
    for k in ks:
        bpe._k(k)  # every step must have been learned
    return views.Explorer(
        lambda sentence, k: merge_frame(bpe, n_texts, sentence, k),
        controls={"k": list(ks), "sentence": list(sentences)},
        labels={"k": "merges k", "sentence": "sentence"},
        initial={"k": list(ks)[len(ks) // 2]},
        editable=["sentence"],
        title="Byte-pair encoding, merge by merge",
    )
