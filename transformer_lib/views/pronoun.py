"""The explorable views of chapter "It -> animal" (built on :mod:`transformer_lib.views`).

:func:`it_frame` draws what the model does with one sentence: the attention *from "it"* in
every layer and head, and the model's probability for each noun of the sentence. The two
explorers feed it a grid of sentences (nouns x frame x adjective) or a list of sentences
a reader can edit in a kernel. The same function makes the live widget and the page's
precomputed frames, so they cannot disagree.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from transformer_lib.data import pronoun as C
from transformer_lib import views


def it_frame(model, sentence: str | C.Example, analysed=None) -> dict:
    """One view of ``sentence``: a heatmap of attention from "it" (rows = layer and head,
    columns = tokens) and bars of the model's probability for each noun in the sentence.

    ``analysed`` optionally gives ``model.analyse([sentence])[0]`` computed beforehand (in
    one batch for a whole grid). Raises ``ValueError`` (shown inside the widget) for words
    the model does not know.
    """
    ex = sentence if isinstance(sentence, C.Example) else None
    text = ex.text if ex is not None else str(sentence)
    if analysed is None:
        tokens, w = model.sentence_attention(text)  # w: (L, H, T, T)
        probs = model.probabilities(text)
    else:
        tokens, w, probs = analysed
    L, H, T, _ = w.shape
    i = tokens.index(C.IT)
    from_it = w[:, :, i, :].reshape(L * H, T)  # (L*H, T): row l*H + h = layer l, head h
    rows = [f"L{l + 1} H{h + 1}" for l in range(L) for h in range(H)]
    in_sentence = [t for t in dict.fromkeys(tokens) if t in probs]
    values = [probs[n] for n in in_sentence] + [1.0 - sum(probs[n] for n in in_sentence)]
    answer = max(probs, key=probs.get)
    caption = f"“{text}”: the model reads it as the {answer} (p = {probs[answer]:.2f})"
    if ex is not None:
        caption += f"; the corpus rule says the {ex.referent}"
    notes = C.role_notes(tokens)  # a known word in a role the model never saw it in: say so
    if notes:
        caption += ". " + " ".join(notes)
    return views.frame(
        views.heatmap_panel(from_it, x=tokens, y=rows, title="attention from “it”", xlabel="token looked at",
                      ylabel="layer, head", vmin=0, vmax=1, decimals=2),
        views.bars_panel(values, in_sentence + ["others"], title="what “it” refers to", ylabel="probability",
                   vmax=1, highlight=[in_sentence.index(answer)] if answer in in_sentence else []),
        caption=caption,
    )


# The static page's grid: small enough to keep the page light, wide enough to show the roles.
GRID = {
    "agent": ["animal", "child", "horse", "fence"],
    "object": ["street", "river", "hill", "dog"],
    "frame": [0, 5, 12],
    "adjective": ["tired", "scared", "weak", "wide", "deep", "steep"],
}


def frame_label(frame: int) -> str:
    """A frame as the reader sees it in a drop-down: ``the … didn't cross the …``."""
    return C.FRAMES[frame].replace("{a}", "[agent]").replace("{o}", "[object]")


def it_explorer(model, grid: dict | None = None):
    """The chapter's main explorer: choose the two nouns, the frame and the adjective."""
    g = {**GRID, **(grid or {})}
    labels = {frame_label(f): f for f in g["frame"]}
    # The page precomputes every setting: run the grid's sentences as one batch.
    grid_sentences = [C.sentence(a, o, adj, f) for a in g["agent"] for o in g["object"] for f in g["frame"]
                      for adj in g["adjective"] if a != o]
    cache = dict(zip((ex.text for ex in grid_sentences), model.analyse(grid_sentences)))

    def frame_fn(agent, object, frame, adjective):
        ex = C.sentence(agent, object, adjective, labels[frame])
        return it_frame(model, ex, cache.get(ex.text))

    return views.Explorer(
        frame_fn,
        controls={"agent": g["agent"], "object": g["object"], "frame": list(labels), "adjective": g["adjective"]},
        labels={"agent": "who acts", "object": "what is acted on", "frame": "frame", "adjective": "adjective"},
        title="Where does “it” look? (agent = the one who crosses, climbs or enters)",
    )


def sentence_explorer(model, sentences: Sequence[str]):
    """Type your own sentence: the box offers ``sentences`` and takes any text.

    In a kernel the live widget runs the torch model on every keystroke; on the book's page the
    listed sentences show precomputed frames and any other text runs the same model in the page
    (page program ``pronoun``, ``views/programs/pronoun.js``, mirroring :func:`it_frame`)."""
    cache = dict(zip(sentences, model.analyse(sentences)))
    return views.Explorer(lambda sentence: it_frame(model, sentence, cache.get(sentence)),
                          controls={"sentence": list(sentences)}, labels={"sentence": "your sentence"},
                          editable=["sentence"], page_model="pronoun",
                          title="Type your own sentence: where does “it” look, and what does the model answer?")


def attention_from_it(model, examples: Sequence[C.Example]) -> dict[str, np.ndarray]:
    """Mean attention from "it" to each part of the sentence, per layer and head.

    Returns ``{part: array (L, H)}`` for the parts ``"right noun"``, ``"other noun"``,
    ``"adjective"``, ``"it"`` itself and ``"everything else"``; averaged over ``examples``.
    """
    parts = ("right noun", "other noun", "adjective", "it", "everything else")
    acc = {p: 0.0 for p in parts}
    for ex, (_, w, _) in zip(examples, model.analyse(examples)):  # one padded batch; w: (L, H, T, T)
        row = w[:, :, ex.it_index, :]  # (L, H, T)
        idx = {"right noun": ex.noun_index(ex.referent), "other noun": ex.noun_index(ex.other),
               "adjective": ex.tokens.index(ex.adjective), "it": ex.it_index}
        for p, j in idx.items():
            acc[p] = acc[p] + row[:, :, j]
        acc["everything else"] = acc["everything else"] + row.sum(-1) - sum(row[:, :, j] for j in idx.values())
    return {p: np.asarray(v) / len(examples) for p, v in acc.items()}


def last_layer_from_it(model, example: C.Example, title: str) -> dict:
    """Chapter "It -> animal": one panel for :func:`transformer_lib.plots.it_attention_bars`,
    the attention from "it" in ``model``'s last layer, averaged over its heads.

    Returns:
        ``{"tokens", "weights" (T,), "referent", "other", "title"}``.
    """
    if not isinstance(example, C.Example):
        raise ValueError(f"example must be a corpus Example (e.g. pronoun.sentence(...)), got {type(example).__name__}")
    tokens, w = model.sentence_attention(example.text)  # w: (L, H, T, T)
    return {"tokens": tokens, "weights": w[-1, :, example.it_index, :].mean(0),  # (T,)
            "referent": example.referent, "other": example.other, "title": title}
