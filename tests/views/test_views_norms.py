"""The normalisation explorer of chapter "Residuals, LayerNorm and BatchNorm": its data
equal the library's live computation, the live widget updates, bad settings get messages."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from transformer_lib import ref
from transformer_lib.views import norms


def test_padded_batch_has_zero_padding_and_the_right_lengths():
    x, real = norms.padded_text_batch(12)
    assert x.shape == (4, 12, norms.D) and real.sum(1).tolist() == list(norms.LENGTHS)
    assert np.all(x[~real] == 0) and np.all(np.abs(x[real]).sum(-1) > 0)
    with pytest.raises(ValueError, match="pad_to must be at least the longest sentence"):
        norms.padded_text_batch(3)


@pytest.mark.parametrize("pad_to", norms.PAD_TO)
def test_frames_hold_the_library_outputs(pad_to):
    x, real = norms.padded_text_batch(pad_to)
    g, b = np.ones(norms.D), np.zeros(norms.D)
    for norm, fn in (("LayerNorm", ref.layer_norm), ("BatchNorm", ref.batch_norm)):
        fr = norms.normalisation_frame(norm, pad_to)
        heat, stats, bars = fr["panels"]
        np.testing.assert_allclose(heat["z"], fn(x, g, b)[real], atol=1e-5)  # rounded to 5 decimals for the page
        clean = fn(x[real][None], g, b)[0]
        np.testing.assert_allclose(bars["values"], np.abs(fn(x, g, b)[real] - clean).max(-1), atol=1e-5)
        if norm == "BatchNorm":
            np.testing.assert_allclose(stats["series"][0]["y"], x.reshape(-1, norms.D).mean(0), atol=1e-5)


def test_layer_norm_is_untouched_by_padding_and_batch_norm_is_not():
    for pad_to in norms.PAD_TO:
        assert max(norms.normalisation_frame("LayerNorm", pad_to)["panels"][2]["values"]) < 1e-9
    worst = [max(norms.normalisation_frame("BatchNorm", p)["panels"][2]["values"]) for p in norms.PAD_TO]
    assert worst == sorted(worst) and worst[0] > 0.5  # more padding, more damage


def test_precomputed_page_data_equal_the_live_frames():
    ex = norms.normalisation_explorer()
    spec = ex.spec()
    for i, norm in enumerate(norms.NORMS):
        for j, pad_to in enumerate(norms.PAD_TO):
            assert spec["frames"][f"{i},{j}"] == norms.normalisation_frame(norm, pad_to)
    page = ex.html()
    data = re.search(r'<script type="application/json" class="aho-data">(.*?)</script>', page, re.S).group(1)
    assert json.loads(data) == json.loads(json.dumps(spec))
    assert len(page) < 200_000


def test_live_widget_updates_on_every_control(monkeypatch):
    pytest.importorskip("ipywidgets")
    from transformer_lib.views import live

    drawn = []
    real = live.draw_png
    monkeypatch.setattr(live, "draw_png", lambda fr, dpi: drawn.append(fr) or real(fr, dpi))
    w = norms.normalisation_explorer().widget()
    assert set(w.controls) == {"norm", "pad_to"}
    for name, value in (("norm", "LayerNorm"), ("pad_to", 24), ("norm", "BatchNorm")):
        w.controls[name].value = value  # triggers the update callback
        assert w.message.value == ""
        assert drawn[-1] == norms.normalisation_frame(w.controls["norm"].value, w.controls["pad_to"].value)
    assert len(drawn) == 4  # the first drawing, then one per change


def test_unknown_norm_gets_a_message():
    with pytest.raises(ValueError, match="norm must be one of"):
        norms.normalise(np.zeros((1, 2, 3)), "GroupNorm")
