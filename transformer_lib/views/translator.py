"""The translator's views: chapter "Training" (one greedy translation: its output distributions and
cross-attention) and chapter "Decoding" (the same, for a sentence the reader types, with the
beam-search translation beside the greedy one).

Built on :mod:`transformer_lib.views`; the translator itself is :mod:`transformer_lib.tasks.translator`.
Each view has one frame function: :func:`translation_frame` (chapter "Training") and
:func:`decoding_frame` (chapter "Decoding", mirrored in the page by ``views/programs/translation.js``).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from transformer_lib import views
from transformer_lib.decoding import beam_search, length_penalty
from transformer_lib.tasks.translator import Translator

BEAM = {"k": 4, "alpha": 0.6, "max_len": 20}  # the paper's beam (section 6.1); max_len as greedy's
RUNNER_UP = 0.05  # decoding_frame's left panel shows any token this probable at some step
CACHE_SIZE = 256  # sentences kept per explorer (a live box sees one new text per keystroke)


def _panels(translator: Translator, r: dict, cols: list[int], layer, head, prefix: str = "", xlabel: str = "English token") -> list[dict]:
    """The two heatmaps of one greedy translation ``r`` (:meth:`Translator.inspect`): each step's
    probabilities of the tokens ``cols``; and the cross-attention of decoder layer ``layer``
    (1-based), head ``head`` ("1".."H" or "mean")."""
    w = r["cross"][int(layer) - 1]  # (H, L, S)
    w = w.mean(0) if head == "mean" else w[int(head) - 1]  # (L, S)
    return [
        views.heatmap_panel(r["probs"][:, cols], x=[translator.tgt_vocab.tokens[i] for i in cols], y=r["output"],
                            vmin=0, vmax=1, decimals=2, title=f"{prefix}next-word distribution at each step",
                            xlabel=xlabel, ylabel="step (word chosen)"),
        views.heatmap_panel(w, x=r["source"], y=r["output"], vmin=0, vmax=1, decimals=2,
                            title=f"{prefix}cross-attention, decoder layer {layer}, head {head}",
                            xlabel="French token (key)", ylabel="English word (query)"),
    ]


def translation_frame(translator: Translator, sentence: str, layer, head, inspected: dict | None = None) -> dict:
    """Chapter "Training": one greedy translation of ``sentence``, its per-step output distributions
    and the cross-attention of one decoder layer and head (or their mean).

    ``inspected`` optionally gives ``translator.inspect(sentence)`` computed beforehand. Raises
    ``ValueError`` (shown inside the widget) for words the translator does not know.
    """
    r = inspected if inspected is not None else translator.inspect(str(sentence))
    probs = r["probs"]  # (L, V)
    top = {int(i) for row in probs for i in np.argsort(row)[-3:]}  # the tokens in any step's top three
    cols = sorted(top, key=lambda i: (-probs[:, i].max(), i))  # most probable first; ties: vocabulary order
    chosen = ", ".join(f"{probs[t].max():.2f}" for t in range(len(r["output"])))
    return views.frame(*_panels(translator, r, cols, layer, head),
                       caption=f"{sentence} → {r['translation']}   (probability of each chosen word: {chosen})")


def analyse(translator: Translator, sentence: str) -> dict:
    """What :func:`decoding_frame` draws for one sentence: :meth:`Translator.inspect` (greedy) plus
    ``beam`` (the best hypothesis of :func:`transformer_lib.decoding.beam_search` with :data:`BEAM`,
    as words), ``beam_log_p`` (its summed log-probability, ``<eos>`` included) and ``beam_norm``
    (that divided by GNMT's length penalty: what the beam ranks by), and ``greedy_log_p`` and
    ``greedy_norm``, the same two numbers for the greedy output."""
    src = translator.encode_source(sentence)  # (1, S); ValueError for unknown words
    r = translator.inspect(sentence, max_len=BEAM["max_len"])
    res = beam_search(translator.model, src, k=BEAM["k"], max_len=BEAM["max_len"], alpha=BEAM["alpha"])
    ids = [translator.tgt_vocab.index[w] for w in r["output"]]
    g = float(np.log(r["probs"][np.arange(len(ids)), ids].astype(np.float64)).sum())
    return {**r, "greedy_log_p": g, "greedy_norm": g / float(length_penalty(len(ids), BEAM["alpha"])),
            "beam": " ".join(translator.tgt_vocab.decode(res.tokens[0])), "beam_log_p": float(res.scores[0]),
            "beam_norm": float(res.beam_norm_scores[0, 0])}


def _shown(words: str) -> str:
    return words if words else "(nothing)"


def decoding_frame(translator: Translator, sentence: str, layer, head, analysed: dict | None = None) -> dict:
    """Chapter "Decoding": the reader's French ``sentence``, translated greedily (the two panels of
    :func:`translation_frame`, titled "greedy: ...") and by beam search (k = 4, alpha = 0.6), both
    in the caption with their summed log-probabilities, and, when they differ, why.

    ``analysed`` optionally gives :func:`analyse` computed beforehand. Raises ``ValueError`` (shown
    inside the widget, and on the page) for words the translator does not know. Mirrored exactly by
    the page program ``views/programs/translation.js``.
    """
    sentence = str(sentence)
    r = analysed if analysed is not None else analyse(translator, sentence)
    g, b = r["translation"], r["beam"]
    caption = (f"{sentence} → greedy: {_shown(g)} (log p = {r['greedy_log_p']:.2f}) | beam (k = {BEAM['k']}): "
               f"{_shown(b)} (log p = {r['beam_log_p']:.2f})")
    if g == b:
        caption += "; the same sentence"
    elif r["beam_log_p"] > r["greedy_log_p"]:
        caption += "; they differ: the beam found a more probable sentence than greedy's word-by-word choices"
    elif r["beam_norm"] > r["greedy_norm"]:
        caption += ("; they differ: greedy's sentence is more probable, but the beam ranks finished sentences "
                    f"by log p / lp(|Y|) (α = {BEAM['alpha']}), which prefers the longer one here")
    else:
        caption += ("; they differ: greedy's sentence scores higher even after length normalisation, "
                    f"but its prefix fell out of the beam of {BEAM['k']}")
    return views.frame(*_panels(translator, r, decoding_columns(translator, r), layer, head, prefix="greedy: ",
                                xlabel=f"English token (the chosen ones, then any other with p ≥ {RUNNER_UP})"),
                       caption=caption)


def decoding_columns(translator: Translator, r: dict) -> list[int]:
    """The left panel's tokens in :func:`decoding_frame`: the words greedy decoding chose, in the
    order it chose them, then every other token given at least :data:`RUNNER_UP` at some step, in
    vocabulary order. (Not "each step's top three": with label smoothing the runners-up of a
    confident step are near-ties around 0.001, noise whose order no two machines agree on.)"""
    chosen = list(dict.fromkeys(translator.tgt_vocab.index[w] for w in r["output"]))
    others = np.nonzero(r["probs"].max(0) >= RUNNER_UP)[0]  # (n,) ascending: vocabulary order
    return chosen + [int(i) for i in others if int(i) not in chosen]


def _controls(translator: Translator, sentences) -> dict:
    n_layers, n_heads = translator.model.config.n_decoder_layers, translator.model.config.n_heads
    return dict(controls={"sentence": list(sentences), "layer": list(range(1, n_layers + 1)),
                          "head": ["mean"] + [str(h) for h in range(1, n_heads + 1)]},
                labels={"sentence": "French", "layer": "decoder layer", "head": "head"}, initial={"layer": n_layers},
                editable=["sentence"])


def _cached(fn, size: int = CACHE_SIZE):
    """``fn(sentence)`` remembered for the last ``size`` sentences (moving a layer or head recomputes nothing)."""
    cache: OrderedDict = OrderedDict()

    def get(sentence: str):
        if sentence not in cache:
            cache[sentence] = fn(sentence)  # a ValueError is not cached: the reader fixes the word
            while len(cache) > size:
                cache.popitem(last=False)
        cache.move_to_end(sentence)
        return cache[sentence]

    return get


def translation_explorer(translator: Translator, sentences, title: str = "French → English: the output distributions and the cross-attention"):
    """Chapter "Training"'s view of one translation (:func:`translation_frame`).

    Controls: the French sentence (editable in a kernel: type your own; unknown words get a
    message naming them), the decoder layer, and the head (or their mean).
    """
    inspect = _cached(translator.inspect)
    return views.Explorer(lambda sentence, layer, head: translation_frame(translator, sentence, layer, head,
                                                                         inspect(str(sentence))),
                          title=title, **_controls(translator, sentences))


def decoding_explorer(translator: Translator, sentences,
                      title: str = "Type your own French sentence: greedy decoding and beam search"):
    """Chapter "Decoding"'s view (:func:`decoding_frame`): the box offers ``sentences`` and takes
    any text from the translator's vocabulary.

    In a kernel the live widget runs the torch model on every keystroke; on the book's page the
    listed sentences show precomputed frames and any other text runs the same model in the page
    (page program ``translation``, ``views/programs/translation.js``).
    """
    get = _cached(lambda s: analyse(translator, s))
    return views.Explorer(lambda sentence, layer, head: decoding_frame(translator, str(sentence), layer, head,
                                                                       get(str(sentence))),
                          title=title, page_model="translation", **_controls(translator, sentences))
