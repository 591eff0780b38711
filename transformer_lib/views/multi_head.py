"""The explorer of chapter "Multi-head attention": where each head of the trained lookup
model (:mod:`transformer_lib.tasks.lookup`) attends, on a sequence the reader picks or types.
"""

from __future__ import annotations

from typing import Sequence

import torch

from transformer_lib import views


def heads_frame(model, task, head_stats, sequence: str, layer: int, head: int) -> dict:
    """One frame: head ``head`` of layer ``layer`` on ``sequence`` (heatmap, and the bars of
    the last token), captioned with the head's measured habits and the model's answers.

    Args:
        model: a trained ``LookupModel``; task: its ``LookupTask``.
        head_stats: ``lookup_scores(model)["heads"]``, per layer and head a dict with the mean
            weight on the ``previous`` token and on the matching ``card``.
        sequence: cards and questions, e.g. ``"A1 B2 C3 c a b"``; bad input raises a
            ValueError that says why (shown inside the widget).
    """
    n_layers, n_heads = len(head_stats), len(head_stats[0])
    if not 0 <= layer < n_layers or not 0 <= head < n_heads:
        raise ValueError(f"layer must lie in 0..{n_layers - 1} and head in 0..{n_heads - 1}, got {layer} and {head}")
    ids = task.encode(sequence)  # (1, T); ValueError with a message for bad input
    toks = task.tokens(ids[0])
    with torch.no_grad():
        _, digit_logits, weights = model(ids, need_weights=True)  # weights: list over layers of (1, H, T, T)
    w = weights[layer][0, head].numpy()  # (T, T)
    digits = digit_logits[0].argmax(-1) + 1  # (T,) predicted digit at each position
    answers = ", ".join(f"{t}→{int(d)}" for t, d in zip(toks, digits) if t.islower() and len(t) == 1)
    s = head_stats[layer][head]
    return views.frame(
        views.heatmap_panel(w, x=toks, y=toks, title=f"layer {layer}, head {head}", xlabel="attended to",
                            ylabel="attending", vmin=0, vmax=1),
        views.bars_panel(w[-1], toks, title=f"where the last token '{toks[-1]}' attends", ylabel="weight", vmax=1),
        caption=f"On 1,000 random sequences this head puts {s['previous']:.2f} on the previous token and "
                f"{s['card']:.2f} on the matching card. Model's answers: {answers or '(no questions)'}",
    )


def example_sequences(task, seeds: Sequence[int] = (3, 11, 12)) -> list[str]:
    """Sequences for the explorer's drop-down: the task's random samples for ``seeds`` (start
    token dropped, so each is a string a reader could type), and one hand-written one."""
    texts = [" ".join(task.tokens(task.sample(1, torch.Generator().manual_seed(s))[0][0])[1:]) for s in seeds]
    return texts + ["A1 B2 C3 D4 E1 e d c b a"]


def heads_explorer(model, task, head_stats, sequences: Sequence[str]) -> views.Explorer:
    """The chapter's explorer: sequence (editable in a kernel) x layer x head."""
    return views.Explorer(
        lambda sequence, layer, head: heads_frame(model, task, head_stats, sequence, layer, head),
        controls={"sequence": list(sequences), "layer": list(range(len(head_stats))),
                  "head": list(range(len(head_stats[0])))},
        editable=["sequence"],
        title="Where each head of the lookup model attends",
    )
