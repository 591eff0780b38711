"""plots.attention_patterns (chapter "One block, three families"): panels of different
shapes side by side, labelled, and messages for bad panels."""

from __future__ import annotations

import pytest

from transformer_lib import plots, ref


def test_attention_patterns_draws_each_mask_with_its_tokens_and_count():
    words = "the cat sat on".split()
    fig = plots.attention_patterns([("GPT", ref.causal_mask(4), words, words),
                                    ("cross", ref.full_mask(2, 4), words, ["a", "b"])])
    axes = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in axes] == ["GPT\n10 of 16 pairs", "cross\n8 of 8 pairs"]
    assert all(ax.get_xlabel() == "key" and ax.get_ylabel() == "query" for ax in axes)
    assert [t.get_text() for t in axes[1].get_yticklabels()] == ["a", "b"]


@pytest.mark.parametrize("panels,match", [
    ([], "at least one"),
    ([("x", ref.causal_mask(2), "ab")], "each panel is"),
    ([("x", ref.causal_mask(2).astype(float), "ab", "ab")], "boolean"),
    ([("x", ref.causal_mask(2), ["a"], ["a", "b"])], "labels"),
])
def test_bad_panels_get_a_message(panels, match):
    with pytest.raises(ValueError, match=match):
        plots.attention_patterns(panels)
    with pytest.raises(ValueError, match="per_row must be a positive whole number"):
        plots.attention_patterns([("x", ref.causal_mask(2), "ab", "ab")], per_row=0)


def test_attention_patterns_wraps_into_rows():
    fig = plots.attention_patterns([(f"m{i}", ref.causal_mask(3), "abc", "abc") for i in range(5)], per_row=2)
    rows = [[ax.get_title().split("\n")[0] for ax in sub.axes] for sub in fig.subfigs]
    assert rows == [["m0", "m1"], ["m2", "m3"], ["m4"]]


def _curve(sizes=(8, 16), seeds=(0, 1)):
    runs = [{"init": i, "n_labelled": n, "seed": s, "test_accuracy": 0.5 + 0.1 * (i == "pretrained") + 0.01 * s}
            for i in ("pretrained", "scratch") for n in (0, *sizes) for s in seeds]
    return {"sizes": list(sizes), "seeds": list(seeds), "runs": runs}


def test_finetune_curve_draws_each_start_as_its_mean_with_the_seeds_range():
    fig = plots.finetune_curve(_curve())
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert [ln.get_ydata().tolist() for ln in lines] == [pytest.approx([0.605] * 3), pytest.approx([0.505] * 3)]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0\n(before)", "8", "16"]
    assert "pretrained" in lines[0].get_label() and "scratch" in lines[1].get_label()
    assert ax.get_xlabel() == "labelled examples (minimal pairs)" and ax.get_ylabel() == "held-out accuracy"
    assert len(ax.collections) == 2  # one shaded range per start


@pytest.mark.parametrize("curve", [{}, {"sizes": [8], "seeds": [0], "runs": []},
                                   {**_curve(), "runs": [r for r in _curve()["runs"] if r["n_labelled"]]},
                                   {**_curve(), "runs": _curve()["runs"][1:]}])
def test_finetune_curve_rejects_an_incomplete_curve(curve):
    with pytest.raises(ValueError, match="curve"):
        plots.finetune_curve(curve)
