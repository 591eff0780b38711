"""The figures of chapter "Decoding": each greedy step's top candidates, the tree that beam
search keeps, and BLEU / exact match against the beam size.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from transformer_lib.plots.core import _new_figure


def greedy_steps(steps: Sequence[tuple[Sequence[str], Sequence[float]]]):
    """Chapter "Decoding": one small bar chart per greedy step, the step's top candidates
    and their probabilities, the chosen (first) one in red.

    Args:
        steps: per step, ``(words, probabilities)``, most probable first, the same number each step.

    Returns:
        the Figure.
    """
    if not steps:
        raise ValueError("steps is empty: give at least one step's (words, probabilities)")
    n = len(steps[0][0])
    fig = _new_figure((2.1 * len(steps), 2.8))
    axes = fig.subplots(1, len(steps), sharey=True, squeeze=False)[0]
    for t, (ax, (names, ps)) in enumerate(zip(axes, steps), 1):
        ps = np.asarray(ps, dtype=float)
        if len(names) != n or ps.shape != (n,):
            raise ValueError(f"step {t}: {len(names)} words and {ps.size} probabilities; every step needs {n} of each")
        ax.bar(range(n), ps, color=["#d62728"] + ["#1f77b4"] * (n - 1))
        ax.set_xticks(range(n), [str(s) for s in names], rotation=60, ha="right", fontsize=8)
        ax.set_title(f"step {t}", fontsize=9)
    axes[0].set_ylabel("p(next word)")
    fig.suptitle(f"greedy decoding: each step's top {'five' if n == 5 else n} (red: chosen)", fontsize=10)
    return fig


def beam_tree(trace: Sequence[dict], tokens: Sequence[str], eos_id: int, b: int = 0, title: str = ""):
    """Chapter "Decoding": the prefixes beam search kept at each step, for sentence ``b``.

    Each kept prefix is a box with its last word and summed log-probability, joined by an
    arrow to the prefix it extends; a hypothesis that has ended (``<eos>``, pink) is carried
    on as a dotted line.

    Args:
        trace: ``BeamResult.trace`` of :func:`transformer_lib.decoding.beam_search`: per step a
            dict of (B, k) ``parent``, ``token`` and ``score`` (-inf for an empty slot).
        tokens: the target vocabulary's tokens (id -> word).
        eos_id: the id of ``<eos>``.
        b: which sentence of the batch.

    Returns:
        the Figure (x: decoding step, y: beam slot).
    """
    if not trace:
        raise ValueError("the trace is empty: beam_search made no step")
    as_np = lambda a: np.asarray(a.detach().cpu() if hasattr(a, "detach") else a)
    B, k = as_np(trace[0]["token"]).shape  # (B, k)
    if not 0 <= b < B:
        raise ValueError(f"b must lie in 0..{B - 1} (the batch has {B} sentences), got {b}")
    fig = _new_figure((1.3 * (len(trace) + 1), 0.8 * k + 1.2))
    ax = fig.subplots()
    ax.text(0, 0, "<bos>", ha="center", va="center", bbox=dict(boxstyle="round", fc="#eee"))
    finished_before = np.zeros(k, dtype=bool)  # (k,) slots whose hypothesis had ended
    for t, step in enumerate(trace, 1):
        parents, toks, scores = (as_np(step[key])[b] for key in ("parent", "token", "score"))  # (k,) each
        now_finished = np.zeros(k, dtype=bool)
        for j in range(k):
            if not np.isfinite(scores[j]):
                continue
            par = int(parents[j])
            frozen = bool(finished_before[par])
            now_finished[j] = frozen or int(toks[j]) == eos_id
            y0 = 0 if t == 1 else -par
            if frozen:  # a finished hypothesis carried over: a dotted continuation
                ax.plot([t - 1 + 0.3, t - 0.3], [y0, -j], ":", color="#999")
                continue
            ax.annotate("", xy=(t - 0.32, -j), xytext=(t - 1 + 0.32, y0), arrowprops=dict(arrowstyle="->", color="#555"))
            ax.text(t, -j, f"{tokens[int(toks[j])]}\n{float(scores[j]):.2f}", ha="center", va="center", fontsize=10,
                    bbox=dict(boxstyle="round", fc="#fdd" if int(toks[j]) == eos_id else "#ddf"))
        finished_before = now_finished
    ax.set_xlim(-0.6, len(trace) + 0.6)
    ax.set_ylim(-k + 0.4, 0.6)
    ax.axis("off")  # positions are steps and slots; the boxes say what they hold
    ax.set_title(title, fontsize=10)
    return fig


def bleu_by_beam(results: dict[str, dict[int, dict]], n_sentences: int):
    """Chapter "Decoding": BLEU (left) and exact match (right) against the beam size, one
    line per model.

    Args:
        results: ``{model name: {k: {"bleu": ..., "exact": ...}}}`` (as ``tasks.translator.score_beams`` gives).
        n_sentences: how many held-out sentences were scored (for the title).

    Returns:
        the Figure.
    """
    if not results:
        raise ValueError("results is empty: give at least one model's {k: scores}")
    fig = _new_figure((10, 3.2))
    left, right = fig.subplots(1, 2)
    ks = sorted({k for r in results.values() for k in r})
    for (name, r), marker in zip(results.items(), ["o-", "s--", "^-.", "D:"] * 3):
        kk = sorted(r)
        for ax, key in ((left, "bleu"), (right, "exact")):
            if any(key not in r[k] for k in kk):
                raise ValueError(f"{name}: every beam size needs a {key!r} score")
            ax.plot(kk, [r[k][key] for k in kk], marker, label=name)
    left.set_ylabel("BLEU (sacrebleu)")
    right.set_ylabel("exact match (%)")
    for ax in (left, right):
        ax.set_xlabel("beam size k")
        ax.set_xticks(ks)
        ax.legend(fontsize=8)
    fig.suptitle(f"{n_sentences} held-out sentences (k = 1 is greedy)", fontsize=10)
    return fig
