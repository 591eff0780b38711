"""The explorers of chapters "Self-attention", "Masking", "Multi-head attention" and
"Positional encoding" (transformer_lib.views.self_attention, masking, multi_head, positional):
the controls the pages show, frames equal to the library's computation, clear messages for
bad settings. (tests/views/test_views.py checks the built pages' data; test_views_live.py the widgets.)"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from transformer_lib import ref
from transformer_lib.views import masking, multi_head, positional, self_attention


# ---------------------------------------------------------------------- self-attention
def test_scale_explorer_controls_and_frames():
    ex = self_attention.scale_explorer()
    assert ex.controls == {"d_k": [4, 16, 64, 256, 1024], "scaling": ["divide by √d_k", "no scaling"]}
    assert ex.initial == {"d_k": 64, "scaling": "divide by √d_k"}
    rng = np.random.default_rng(7)  # the draw the explorer makes
    q, k = rng.standard_normal((8, 1024)), rng.standard_normal((8, 1024))
    for d_k in (4, 256):
        scaled, raw = ex.frame_fn(d_k=d_k, scaling="divide by √d_k"), ex.frame_fn(d_k=d_k, scaling="no scaling")
        np.testing.assert_allclose(scaled["panels"][0]["z"], ref.softmax(q[:, :d_k] @ k[:, :d_k].T / np.sqrt(d_k)), atol=1e-5)
        np.testing.assert_allclose(raw["panels"][0]["z"], ref.softmax(q[:, :d_k] @ k[:, :d_k].T), atol=1e-5)
        np.testing.assert_allclose(scaled["panels"][1]["values"], scaled["panels"][0]["z"][0])
    big = np.array(ex.frame_fn(d_k=1024, scaling="no scaling")["panels"][0]["z"])
    assert big.max(-1).mean() > 0.9  # unscaled softmax saturates at large d_k
    assert "d_k = 1024, no scaling: mean largest weight" in ex.frame_fn(d_k=1024, scaling="no scaling")["caption"]


@pytest.mark.parametrize("d_k,scaling,match", [(0, "no scaling", r"d_k must lie in 1\.\.1024"),
                                                (4, "halve", "scaling must be one of")])
def test_scale_frame_rejects_bad_settings(d_k, scaling, match):
    q = np.ones((8, 1024))
    with pytest.raises(ValueError, match=match):
        self_attention.scale_frame(q, q, d_k, scaling)


# ---------------------------------------------------------------------------- masking
@pytest.mark.parametrize("kind", masking.MASK_KINDS)
@pytest.mark.parametrize("length,padded", [(2, 6), (4, 8), (6, 6)])
def test_mask_frames_show_the_library_masks(kind, length, padded):
    ex = masking.mask_explorer()
    fr = ex.frame_fn(mask_kind=kind, length=length, padded_length=padded)
    pad = ref.padding_mask([length], padded)[0, 0]  # (1, S)
    expected = {"causal": ref.causal_mask(padded), "padding": np.broadcast_to(pad, (padded, padded)),
                "causal + padding": ref.causal_mask(padded) & pad}[kind]
    np.testing.assert_array_equal(np.array(fr["panels"][0]["z"]) == 1, expected)
    scores = np.random.default_rng(1).standard_normal((10, 10))[:padded, :padded] * 1.5
    np.testing.assert_allclose(fr["panels"][1]["z"], ref.softmax(np.where(expected, scores, -np.inf)), atol=1e-5)
    assert fr["panels"][0]["x"][length:] == ["<pad>"] * (padded - length)


def test_mask_explorer_controls_and_bad_settings():
    ex = masking.mask_explorer()
    assert ex.controls == {"mask_kind": ["causal", "padding", "causal + padding"], "length": [2, 3, 4, 5, 6],
                           "padded_length": [6, 8]}
    assert ex.initial == {"mask_kind": "causal + padding", "length": 4, "padded_length": 6}
    with pytest.raises(ValueError, match=r"true length must lie in 1\.\.padded length \(6\), got 7"):
        ex.frame_fn(mask_kind="causal", length=7, padded_length=6)
    with pytest.raises(ValueError, match="mask_kind must be one of"):
        ex.frame_fn(mask_kind="future", length=2, padded_length=6)
    with pytest.raises(ValueError, match=r"padded length must lie in 1\.\.10"):
        masking.explorer_mask("causal", 2, 12)


# ------------------------------------------------------------------------- positional
@pytest.mark.parametrize("layout", ["interleaved", "concatenated"])
def test_pe_frames_equal_the_library(layout):
    ex = positional.pe_explorer()
    assert ex.controls["d_model"] == [16, 64, 128] and ex.initial["position"] == 7
    fr = ex.frame_fn(d_model=16, max_len=20, layout=layout, position=7)
    table = ref.sinusoidal_positional_encoding(20, 16, layout=layout)
    np.testing.assert_allclose(fr["panels"][0]["z"], np.round(table, 2), atol=1e-9)
    np.testing.assert_allclose(fr["panels"][1]["series"][0]["y"], table @ table[7] / 8, atol=1e-5)
    assert fr["panels"][1]["highlight_x"] == 7


def test_pe_frame_rejects_a_position_beyond_the_table():
    with pytest.raises(ValueError, match="position 20 is beyond the last of 20 positions"):
        positional.pe_frame(16, 20, "interleaved", 20)


# ------------------------------------------------------------------------- multi-head
@pytest.fixture(scope="module")
def lookup():
    from transformer_lib.tasks.lookup import LookupModel, LookupTask

    torch.manual_seed(0)
    task = LookupTask()
    model = LookupModel(task, d_model=16, n_heads=2, n_layers=2, d_ff=32).eval()  # untrained: the view is what counts
    stats = [[{"previous": 0.1 * (2 * l + h), "card": 0.5} for h in range(2)] for l in range(2)]
    return model, task, stats


def test_heads_explorer_shows_each_heads_weights(lookup):
    model, task, stats = lookup
    seqs = multi_head.example_sequences(task)
    assert len(seqs) == 4 and seqs[-1] == "A1 B2 C3 D4 E1 e d c b a"
    ex = multi_head.heads_explorer(model, task, stats, seqs)
    assert ex.controls["layer"] == [0, 1] and ex.controls["head"] == [0, 1] and ex.editable == {"sequence"}
    fr = ex.frame_fn(sequence="A1 B2 a b", layer=1, head=0)
    w = model.attention(task.encode("A1 B2 a b"))["encoder"][1][0, 0].numpy()  # (T, T)
    np.testing.assert_allclose(fr["panels"][0]["z"], w, atol=1e-5)
    np.testing.assert_allclose(fr["panels"][1]["values"], w[-1], atol=1e-5)
    assert fr["panels"][0]["x"] == ["<s>", "A1", "B2", "a", "b"]
    assert "puts 0.20 on the previous token" in fr["caption"] and "a→" in fr["caption"]


def test_heads_frame_rejects_bad_input(lookup):
    model, task, stats = lookup
    with pytest.raises(ValueError, match="unknown token"):
        multi_head.heads_frame(model, task, stats, "A1 zz", 0, 0)
    with pytest.raises(ValueError, match=r"layer must lie in 0\.\.1 and head in 0\.\.1, got 2 and 0"):
        multi_head.heads_frame(model, task, stats, "A1 a", 2, 0)
