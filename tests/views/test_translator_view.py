"""The translator's explorable view (chapter "Training"): data equal to the model's, bad input, escaping."""

import json

import numpy as np
import pytest
import torch

from transformer_lib.decoding import greedy_decode
from transformer_lib.tasks.translator import load_translator
from transformer_lib.views.translator import translation_explorer

pytestmark = pytest.mark.weights
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def translator():
    return load_translator("translator")


@pytest.fixture(scope="module")
def explorer(translator):
    return translation_explorer(translator, ["je suis étudiant", "merci", "il n' a pas de voiture rouge"])


def test_inspect_matches_the_model(translator):
    r = translator.inspect("il n' a pas de voiture rouge")
    src = translator.encode_source("il n' a pas de voiture rouge")
    tokens, _ = greedy_decode(translator.model, src)
    out = [translator.tgt_vocab.tokens[i] for i in tokens[0] if i != 0]
    assert r["output"] == out and out[-1] == "<eos>"
    assert r["translation"] == "he does not have a red car"
    tgt_in = torch.tensor([[translator.tgt_vocab.bos_id] + [translator.tgt_vocab.index[w] for w in out[:-1]]])
    with torch.no_grad():
        probs = translator.model(src, tgt_in).softmax(-1)[0].numpy()  # teacher forcing on the greedy output
        att = translator.model.attention(src, tgt_in)
    np.testing.assert_allclose(r["probs"], probs, atol=1e-5)
    np.testing.assert_allclose(r["cross"], torch.stack([w[0] for w in att["cross"]]).numpy())
    L, S = len(out), src.shape[1]
    assert r["cross"].shape == (2, 4, L, S) and r["encoder"].shape == (2, 4, S, S) and r["decoder"].shape == (2, 4, L, L)
    np.testing.assert_allclose(r["cross"].sum(-1), 1.0, atol=1e-5)


def test_precomputed_frames_equal_the_live_frames(explorer):
    spec = explorer.spec()
    assert len(spec["frames"]) == 3 * 2 * 5
    names = list(explorer.controls)
    for key, fr in spec["frames"].items():
        values = {n: explorer.controls[n][int(i)] for n, i in zip(names, key.split(","))}
        assert fr == explorer.frame_fn(**values)
    fr = explorer.frame_fn(sentence="je suis étudiant", layer=2, head="mean")
    assert "i am a student" in fr["caption"]
    assert fr["panels"][1]["y"] == ["i", "am", "a", "student", "<eos>"]
    assert fr["panels"][1]["x"] == ["je", "suis", "étudiant", "<eos>"]


def test_heads_and_layers_change_the_drawing(explorer):
    a = explorer.frame_fn(sentence="merci", layer=1, head="mean")
    b = explorer.frame_fn(sentence="merci", layer=2, head="mean")
    c = explorer.frame_fn(sentence="merci", layer=2, head="1")
    assert a["panels"][1]["z"] != b["panels"][1]["z"] and b["panels"][1]["z"] != c["panels"][1]["z"]


def test_unknown_word_gives_a_clear_message(explorer):
    with pytest.raises(ValueError, match="“astronaute” is not in this model's vocabulary"):
        explorer.frame_fn(sentence="je suis astronaute", layer=1, head="mean")


def test_widget_updates_and_escapes_hostile_text(explorer):
    w = explorer.widget()
    box = w.controls["sentence"]
    box.value = "merci"
    assert w.message.value == ""
    box.value = HOSTILE
    assert "is not in this model" in w.message.value
    assert "<img" not in w.message.value and "“img”" in w.message.value  # only the words are quoted, never the raw text
    box.value = "je suis étudiant"
    assert w.message.value == ""
    w.controls["head"].value = "2"
    assert w.message.value == ""


def test_static_html_escapes_labels(translator):
    # a vocabulary token cannot be hostile, but the caption carries the typed sentence verbatim:
    # check the JSON in the page has no raw '<' from any label or caption
    ex = translation_explorer(translator, ["je suis étudiant"])
    page = ex.html()
    data = page.split('class="aho-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and "&lt;" not in data  # escaped as \u003c, decoded by JSON.parse
    assert json.loads(data)["frames"]
