"""The chapters' figures (transformer_lib.plots, one module per topic): each returns a Figure,
leaves nothing open in pyplot, labels its axes, draws the numbers it was given, and rejects
bad input with a message."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from transformer_lib import plots, ref


def _check(fig):
    """A Figure, every drawn axis labelled: by an axis label, by named ticks (tokens), or, for
    panels sharing a y axis, by their neighbour's label. Axes turned off are diagrams."""
    assert isinstance(fig, Figure)
    fig.canvas.draw()
    for ax in fig.axes:
        if not ax.axison or ax.get_label() == "<colorbar>":
            continue
        named = lambda ticks: any(t.get_text() and not t.get_text().lstrip("−-").replace(".", "").isdigit() for t in ticks)
        assert ax.get_xlabel() or named(ax.get_xticklabels()), f"x axis of {ax.get_title()!r} has no label"
        ylabels = [a.get_ylabel() for a in ax.get_shared_y_axes().get_siblings(ax)]
        assert any(ylabels) or named(ax.get_yticklabels()), f"y axis of {ax.get_title()!r} has no label"
    return fig


@pytest.fixture(autouse=True)
def _nothing_left_open():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before, "a plot helper left a figure open in pyplot"


# -------------------------------------------------------------------------- intro
def test_path_lengths_draws_the_given_steps():
    fig = _check(plots.path_lengths([2, 4, 8], {"recurrent": [1, 3, 7], "attention": [1, 1, 1]}))
    ax = fig.axes[0]
    assert [ln.get_label() for ln in ax.lines] == ["recurrent", "attention"]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1, 3, 7])
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "sequence length n"


def test_transformer_families_draws_the_masks_it_is_given():
    causal = ref.causal_mask(5)
    fig = _check(plots.transformer_families(causal, cross_rows=3))
    images = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(images) == 4
    np.testing.assert_array_equal(images[1], causal)  # the causal panel shows the mask passed in
    assert images[3].shape == (3, 5) and np.all(images[0])


@pytest.mark.parametrize("bad,match", [
    (lambda: plots.path_lengths([2, 4], {"rnn": [1, 2, 3]}), "3 path lengths for 2"),
    (lambda: plots.path_lengths([0, 4], {"rnn": [1, 2]}), "positive"),
    (lambda: plots.path_lengths([2, 4], {}), "empty"),
    (lambda: plots.transformer_families(np.ones((3, 4), bool)), "square boolean"),
    (lambda: plots.transformer_families(ref.causal_mask(3).astype(int)), "square boolean"),
])
def test_intro_figures_reject_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()


# ------------------------------------------------------- self-attention and masking
def test_score_variance_and_saturation_draw_the_measurements():
    dims = [4, 16, 64]
    fig = _check(plots.score_variance(dims, raw=[4.1, 15.8, 64.5], scaled=[1.02, 0.99, 1.01]))
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [4.1, 15.8, 64.5])
    np.testing.assert_allclose(fig.axes[0].lines[1].get_ydata(), [1.02, 0.99, 1.01])
    np.testing.assert_allclose(fig.axes[0].lines[2].get_ydata(), dims)  # the y = d_k guide
    fig = _check(plots.softmax_saturation(dims, {"unscaled": [0.5, 0.8, 0.95], "scaled": [0.3, 0.3, 0.3]},
                                          {"unscaled": [0.4, 0.2, 0.05], "scaled": [0.5, 0.5, 0.5]}))
    left, right = fig.axes
    np.testing.assert_allclose(left.lines[0].get_ydata(), [0.5, 0.8, 0.95])
    np.testing.assert_allclose(right.lines[1].get_ydata(), [0.5, 0.5, 0.5])
    assert left.get_ylabel() == "mean largest weight"


def test_masking_methods_draws_each_row_and_shades_the_hidden_keys():
    keep = np.array([True, True, False])
    rows = {"after": [0.2, 0.3, 0.0], "-inf": [0.4, 0.6, 0.0]}
    fig = _check(plots.masking_methods(keep, rows, title="t"))
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches if hasattr(p, "get_height") and p.get_width() < 1][:6]
    np.testing.assert_allclose(heights, [0.2, 0.3, 0.0, 0.4, 0.6, 0.0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["after (sum 0.50)", "-inf (sum 1.00)"]
    assert ax.get_title() == "t"


@pytest.mark.parametrize("bad,match", [
    (lambda: plots.score_variance([4, 16], [1, 2, 3], [1, 2]), "one value per d_k"),
    (lambda: plots.softmax_saturation([4], {"a": [1]}, {"b": [1]}), "same labels"),
    (lambda: plots.masking_methods([1, 0], {"a": [1, 0]}), "boolean"),
    (lambda: plots.masking_methods(np.array([False, True]), {"a": [1, 0]}), "block of keys at the end"),
    (lambda: plots.masking_methods(np.array([True, False]), {"a": [1, 0, 0]}), "the mask has 2 keys"),
])
def test_attention_figures_reject_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()


# ----------------------------------------------------- positional, embeddings, model
def test_offset_dot_products_one_line_per_start():
    offsets = np.arange(-2, 3)
    fig = _check(plots.offset_dot_products(offsets, {50: [1, 2, 3, 2, 1], 100: [0, 1, 2, 1, 0]}, d_model=8))
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [0, 1, 2, 1, 0])
    assert "d_model = 8" in ax.get_title() and ax.lines[0].get_linewidth() > ax.lines[1].get_linewidth()
    with pytest.raises(ValueError, match="2 values for 5 offsets"):
        plots.offset_dot_products(offsets, {50: [1, 2]}, d_model=8)


def test_embedding_figures():
    words = ["cat", "dog", "car"]
    d = np.abs(np.subtract.outer([0, 1, 5], [0, 1, 5]))
    fig = _check(plots.distance_matrices([d, np.sqrt(2) * (1 - np.eye(3))], ["ids", "one-hot"], words))
    assert [t.get_text() for t in fig.axes[0].texts][:3] == ["0", "1", "5"]
    pts = {"skipgram": np.array([[0, 0], [1, 1], [5, 5.0]])}
    fig = _check(plots.word_map(pts, words, {"cat": "animal", "dog": "animal"}.get, ["animal"]))
    assert [t.get_text() for t in fig.axes[0].texts] == words
    fig = _check(plots.grouped_bars(["emb", "layers"], {"a": [1, 2], "b": [3, 4]}, ylabel="M"))
    np.testing.assert_allclose(sorted(p.get_height() for p in fig.axes[0].patches), [1, 2, 3, 4])
    with pytest.raises(ValueError, match="each matrix must be"):
        plots.distance_matrices([np.ones((2, 2))], ["x"], words)
    with pytest.raises(ValueError, match="not among the classes"):
        plots.word_map(pts, words, lambda w: "food", ["animal"])
    with pytest.raises(ValueError, match="3 values for 2 groups"):
        plots.grouped_bars(["a", "b"], {"s": [1, 2, 3]}, ylabel="y")


def test_encoder_decoder_figures():
    counts = {"small": {"embed": 10, "encoder": 30, "generator": 0}}
    fig = _check(plots.parameter_bars(counts))
    ax = fig.axes[0]
    assert ax.get_title() == "small: 40 parameters"
    assert " 0 (shared)" in [t.get_text() for t in ax.texts]
    S, T = 4, 3
    enc, dec, cross = np.full((S, S), 1 / S), np.tril(np.ones((T, T))) / np.arange(1, T + 1)[:, None], np.full((T, S), 1 / S)
    fig = _check(plots.attention_kinds(enc, dec, cross))
    np.testing.assert_allclose(fig.axes[1].images[0].get_array(), dec)
    assert fig.axes[2].get_xlabel() == "source position" and fig.axes[2].get_ylabel() == "target position"
    with pytest.raises(ValueError, match=r"cross \(T, S\)"):
        plots.attention_kinds(enc, dec, cross.T)
    with pytest.raises(ValueError, match="non-negative int"):
        plots.parameter_bars({"m": {"a": -1}})


# ------------------------------------------------------------------------- decoding
def _trace():
    """Two beams over two steps, sentence 1 of a batch of 2: step 1 keeps 'a' (3) and 'b' (4);
    step 2 puts 'b' + <eos> (2) in slot 0 and 'a' + 'c' (5) in slot 1."""
    t = lambda rows: torch.tensor(rows)
    return [
        {"parent": t([[0, 0], [0, 0]]), "token": t([[9, 9], [3, 4]]), "score": t([[0.0, -1.0], [-0.1, -0.5]])},
        {"parent": t([[0, 1], [1, 0]]), "token": t([[9, 9], [2, 5]]), "score": t([[0.0, -1.0], [-0.3, -0.9]])},
    ]


def test_beam_tree_draws_each_kept_prefix_with_its_score():
    tokens = ["<pad>", "<bos>", "<eos>", "a", "b", "c", "", "", "", "z"]
    fig = _check(plots.beam_tree(_trace(), tokens, eos_id=2, b=1, title="k = 2"))
    boxes = [t for t in fig.axes[0].texts if t.get_text()]  # the arrows are empty annotations
    assert [t.get_text() for t in boxes] == ["<bos>", "a\n-0.10", "b\n-0.50", "<eos>\n-0.30", "c\n-0.90"]
    assert boxes[3].get_bbox_patch().get_facecolor() != boxes[4].get_bbox_patch().get_facecolor()  # ended: pink
    arrows = [t for t in fig.axes[0].texts if not t.get_text()]
    assert [a.xy[1] for a in arrows] == [0, -1, 0, -1]  # each step's two kept prefixes, in slots 0 and 1
    assert [a.xyann[1] for a in arrows] == [0, 0, -1, 0]  # ... each drawn from the prefix it extends
    with pytest.raises(ValueError, match="b must lie in 0..1"):
        plots.beam_tree(_trace(), tokens, eos_id=2, b=2)
    with pytest.raises(ValueError, match="empty"):
        plots.beam_tree([], tokens, eos_id=2)


def test_greedy_steps_and_bleu_by_beam():
    fig = _check(plots.greedy_steps([(["a", "b"], [0.9, 0.1]), (["c", "a"], [0.6, 0.3])]))
    assert len(fig.axes) == 2 and [t.get_text() for t in fig.axes[1].get_xticklabels()] == ["c", "a"]
    assert fig.axes[0].patches[0].get_facecolor() != fig.axes[0].patches[1].get_facecolor()  # the chosen word in red
    results = {"m": {1: {"bleu": 80.0, "exact": 50.0}, 4: {"bleu": 90.0, "exact": 70.0}}}
    fig = _check(plots.bleu_by_beam(results, n_sentences=10))
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [80, 90])
    np.testing.assert_allclose(fig.axes[1].lines[0].get_ydata(), [50, 70])
    with pytest.raises(ValueError, match="every step needs 2"):
        plots.greedy_steps([(["a", "b"], [0.9, 0.1]), (["c"], [1.0])])
    with pytest.raises(ValueError, match="'exact' score"):
        plots.bleu_by_beam({"m": {1: {"bleu": 1.0}}}, 3)


# -------------------------------------------------------------------------- pronoun
def test_it_attention_bars_colours_the_nouns():
    panel = {"tokens": ["the", "animal", "street", "it"], "weights": [0.1, 0.7, 0.15, 0.05],
             "referent": "animal", "other": "street", "title": "t"}
    fig = _check(plots.it_attention_bars([[panel, panel]], ylabel="attention"))
    bars = fig.axes[0].patches
    np.testing.assert_allclose([b.get_height() for b in bars], panel["weights"])
    colours = [tuple(b.get_facecolor()) for b in bars]
    from matplotlib.colors import to_rgba

    from transformer_lib.plots import pronoun

    assert colours == [to_rgba(c) for c in (pronoun.REST, pronoun.RIGHT, pronoun.OTHER, pronoun.REST)]
    with pytest.raises(ValueError, match="3 weights for 4 tokens"):
        plots.it_attention_bars([[{**panel, "weights": [1, 0, 0]}]], ylabel="a")
    with pytest.raises(ValueError, match="every row as long"):
        plots.it_attention_bars([[panel], [panel, panel]], ylabel="a")


def test_training_curves_and_loss_curve():
    h = {"step": [100, 200], "loss": [0.7, 0.1], "train_accuracy": [0.5, 0.9], "heldout_accuracy": [0.4, 0.95]}
    fig = _check(plots.it_training_curves({"run": h}))
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [0.7, 0.1])
    np.testing.assert_allclose(fig.axes[1].lines[1].get_ydata(), [0.4, 0.95])
    with pytest.raises(ValueError, match="lacks"):
        plots.it_training_curves({"run": {"step": [1]}})
    fig = _check(plots.loss_curve([3.0, 1.0, 0.5], title="t"))
    assert fig.axes[0].get_yscale() == "log" and fig.axes[0].get_xlabel() == "training step"
    with pytest.raises(ValueError, match="positive, finite"):
        plots.loss_curve([1.0, 0.0])


def test_dot_products_by_distance_one_line_per_curve():
    ks = np.arange(5)
    fig = _check(plots.dot_products_by_distance(ks, {"d_model = 8": [1, 0.5, -0.1, 0.2, 0.0], "d_model = 4": [1, 0, 0, 0, 0]}))
    ax = fig.axes[0]
    assert len([l for l in ax.get_lines() if l.get_label() in ("d_model = 8", "d_model = 4")]) == 2
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [1, 0.5, -0.1, 0.2, 0.0])
    with pytest.raises(ValueError, match="2 values for 5 distances"):
        plots.dot_products_by_distance(ks, {"x": [1, 2]})
    with pytest.raises(ValueError, match="curves is empty"):
        plots.dot_products_by_distance(ks, {})
