"""The view of chapter "Decoding": one translation's output distributions and cross-attention.

Built on :mod:`transformer_lib.views`; the translator itself is :mod:`transformer_lib.tasks.translator`.
"""

from __future__ import annotations

import numpy as np

from transformer_lib import views
from transformer_lib.tasks.translator import Translator


def translation_explorer(translator: Translator, sentences, title: str = "French → English: the output distributions and the cross-attention"):
    """The chapter's view of one translation: per-step output distributions and cross-attention.

    Controls: the French sentence (editable in a kernel: type your own; unknown words get a
    message naming them), the decoder layer, and the head (or their mean).
    Left panel: for each greedy step, the probabilities of the tokens that were in any step's
    top three; right panel: the cross-attention weights (output words x French tokens).
    """
    cache: dict = {}
    n_layers, n_heads = translator.model.config.n_decoder_layers, translator.model.config.n_heads
    vocab = translator.tgt_vocab

    def frame_fn(sentence, layer, head):
        sentence = str(sentence)
        if sentence not in cache:
            cache[sentence] = translator.inspect(sentence)  # ValueError for unknown words
        r = cache[sentence]
        probs = r["probs"]  # (L, V)
        cols = sorted({int(i) for row in probs for i in np.argsort(row)[-3:]}, key=lambda i: -probs[:, i].max())
        w = r["cross"][int(layer) - 1]  # (H, L, S)
        w = w.mean(0) if head == "mean" else w[int(head) - 1]  # (L, S)
        chosen = ", ".join(f"{probs[t].max():.2f}" for t in range(len(r["output"])))
        return views.frame(
            views.heatmap_panel(probs[:, cols], x=[vocab.tokens[i] for i in cols], y=r["output"], vmin=0, vmax=1,
                          decimals=2, title="next-word distribution at each step", xlabel="English token",
                          ylabel="step (word chosen)"),
            views.heatmap_panel(w, x=r["source"], y=r["output"], vmin=0, vmax=1, decimals=2,
                          title=f"cross-attention, decoder layer {layer}, head {head}",
                          xlabel="French token (key)", ylabel="English word (query)"),
            caption=f"{sentence} → {r['translation']}   (probability of each chosen word: {chosen})",
        )

    return views.Explorer(
        frame_fn,
        controls={"sentence": list(sentences), "layer": list(range(1, n_layers + 1)),
                  "head": ["mean"] + [str(h) for h in range(1, n_heads + 1)]},
        labels={"sentence": "French", "layer": "decoder layer", "head": "head"},
        initial={"layer": n_layers},
        editable=["sentence"],
        title=title,
    )
