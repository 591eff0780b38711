"""The sampling explorer of chapter "Decoder-only models (GPT)" (built on :mod:`transformer_lib.views`).

:func:`sampling_frame` shows, for a prompt, the tiny GPT's distribution of the next character
(temperature 1, nothing cut) next to the distribution a sampler actually draws from after
temperature, top-k and top-p (:func:`transformer_lib.decoding.sampling_probs`). It draws the
live widget and the static figure. The book's page precomputes no frames: it ships each listed
prompt's logits and computes the frame in the page (the in-page program ``sampling`` of
``explorer.js``, see :mod:`transformer_lib.views`), which is exact, as these are pure functions of
the logits; tests/browser/test_browser_gpt_sampling.py holds the page's frames equal to this
function's. Both compute in float64, where they agree to about 1e-15.

Any other prompt the reader types runs the tiny GPT itself in the page (page model ``gpt``,
``views/programs/gpt.js``, over ``transformer_lib/web/runtime.js``): its logits then differ from
torch's by about 1e-5 (float32 weights, float64 arithmetic in a different order), and
tests/browser/test_browser_typing_gpt.py holds those frames equal to this function's within 1e-4.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from transformer_lib import views
from transformer_lib.decoding import sampling_probs
from transformer_lib.nn.modes import evaluating
from transformer_lib.tasks import gpt as tiny

SHOWN = tiny.SHOWN  # characters a bar label could not show: newline and space
# The page computes its frames, so the grid can be fine at no cost in page weight.
TEMPERATURES = (0.1, 0.25, 0.5, 0.75, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0)
TOP_PS = tuple(round(1 - 0.05 * i, 2) for i in range(20))  # 1, 0.95, ..., 0.05
PROMPTS = ("i am ", "she does not li", "they have a b", "he watches th", "we do not ", "you have a white c")


def char_label(c: str) -> str:
    """A character as a bar label: newline and space made visible."""
    return SHOWN.get(c, c)


def next_logits(model, vocab, prompt: str) -> torch.Tensor:
    """The model's logits (V,) for the character after ``prompt`` (clear ``ValueError`` for bad prompts)."""
    ids = tiny.encode(vocab, prompt, model.config.block_size)  # (1, T)
    with evaluating(model):
        return model(ids)[0, -1]  # (V,)


def sampling_frame(model, vocab, prompt: str, temperature: float, top_k: int, top_p: float, logits=None) -> dict:
    """Two bar charts over the vocabulary: p(next character | prompt), and what sampling draws from.

    ``top_k`` equal to the vocabulary size means no top-k cut; ``top_p`` = 1 no nucleus cut.
    ``logits`` optionally gives :func:`next_logits` computed beforehand. Computed in float64,
    as the page's mirror of this function (explorer.js ``sampling``) computes in JavaScript's
    doubles: so the two agree to about 1e-15, not float32's 1e-7.
    """
    logits = (next_logits(model, vocab, prompt) if logits is None else logits).double()
    V = len(vocab)
    p = logits.softmax(-1).numpy()
    q = sampling_probs(logits, temperature, None if top_k >= V else top_k, None if top_p >= 1.0 else top_p).numpy()
    labels = [char_label(c) for c in vocab.tokens]
    kept = np.flatnonzero(q > 0)
    top = int(np.argmax(q))
    caption = (f"after “{prompt}”: {len(kept)} of {V} characters can be drawn; the most likely, "
               f"“{labels[top]}”, now has p = {q[top]:.2f} (it had {p[top]:.2f})")
    return views.frame(
        views.bars_panel(p, labels, title="the model: p(next character)", ylabel="probability", vmax=1),
        views.bars_panel(q, labels, title=f"sampled from: T = {temperature:g}, top-k = {top_k}, top-p = {top_p:g}",
                         ylabel="probability", vmax=1, highlight=kept.tolist()),
        caption=caption,
    )


def page_data(vocab, logits: dict[str, torch.Tensor]) -> dict:
    """What the page's ``sampling`` program reads: the bar labels and each prompt's logits (V,)
    as Python floats (float32 values, which JSON carries exactly)."""
    return {"labels": [char_label(c) for c in vocab.tokens],
            "logits": {pr: [float(x) for x in lg.tolist()] for pr, lg in logits.items()}}


def sampling_explorer(model, vocab, prompts: Sequence[str] = PROMPTS):
    """Temperature, top-k and top-p on the next-character distribution of any prompt the reader types.

    The static page ships the listed prompts' logits and computes each frame itself
    (``page_program``), so it offers every top-k from V down to 1 and top-p in steps of 0.05; a
    typed prompt runs the model in the page (``page_model="gpt"``), and in a kernel through torch.
    """
    prompts = list(prompts)
    cache = {pr: next_logits(model, vocab, pr) for pr in prompts}
    V = len(vocab)

    def frame_fn(prompt, temperature, top_k, top_p):
        return sampling_frame(model, vocab, prompt, temperature, top_k, top_p, cache.get(prompt))

    return views.Explorer(
        frame_fn,
        controls={"prompt": prompts, "temperature": list(TEMPERATURES), "top_k": list(range(V, 0, -1)),
                  "top_p": list(TOP_PS)},
        labels={"prompt": "prompt", "temperature": "temperature", "top_k": f"top-k ({V} = all)", "top_p": "top-p (1 = all)"},
        initial={"temperature": 1.0},
        editable=["prompt"],
        title="Sampling the next character: type your own prompt",
        page_program=("sampling", page_data(vocab, cache)), page_model="gpt",
    )
