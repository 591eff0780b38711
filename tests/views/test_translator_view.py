"""The translator's explorable views (chapters "Training" and "Decoding"): data equal to the model's, the
beam search in the decoding view's caption, bad input, typed text, escaping."""

import json

import numpy as np
import pytest
import torch

from transformer_lib.decoding import beam_search, greedy_decode
from transformer_lib.tasks.translator import load_translator
from transformer_lib.views import PAGE_MODELS
from transformer_lib.views import translator as tv
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


# ----------------------------------------------------------------- chapter "Decoding": decoding_frame

LISTED = ["je suis étudiant", "elle est actrice", "ils cuisiniers", "elle la lettre"]


@pytest.fixture(scope="module")
def decoding(translator):
    return tv.decoding_explorer(translator, LISTED)


def _search(translator, sentence):
    src = translator.encode_source(sentence)
    g_tok, g_lp = greedy_decode(translator.model, src)
    res = beam_search(translator.model, src, k=4, max_len=20, alpha=0.6)
    return g_tok[0], float(g_lp[0]), res


@pytest.mark.parametrize("head", ["mean", "1", "4"])
def test_decoding_frame_shapes_labels_and_both_translations(translator, decoding, head):
    s = "je suis étudiant"
    fr = decoding.frame_fn(sentence=s, layer=2, head=head)
    dist, cross = fr["panels"]
    g_tok, g_lp, res = _search(translator, s)
    out = [translator.tgt_vocab.tokens[i] for i in g_tok if i != 0]
    assert dist["y"] == cross["y"] == out == ["i", "am", "a", "student", "<eos>"]
    assert cross["x"] == ["je", "suis", "étudiant", "<eos>"]
    assert np.shape(cross["z"]) == (5, 4) and np.allclose(np.sum(cross["z"], 1), 1, atol=1e-4)
    assert np.shape(dist["z"]) == (5, len(dist["x"])) and dist["x"][:5] == out  # the chosen words first, in order
    assert dist["xlabel"] and dist["ylabel"] and cross["xlabel"] == "French token (key)" and cross["ylabel"]
    assert cross["title"] == f"greedy: cross-attention, decoder layer 2, head {head}"
    assert fr["caption"] == (f"{s} → greedy: {translator.translate(s)} (log p = {g_lp:.2f}) | beam (k = 4): "
                             f"{translator.translate(s, beam=4)} (log p = {float(res.scores[0]):.2f}); the same sentence")


def test_left_panel_columns_are_the_chosen_words_then_every_probable_other(translator, decoding):
    r = tv.analyse(translator, "elle la lettre")
    cols = tv.decoding_columns(translator, r)
    chosen = list(dict.fromkeys(translator.tgt_vocab.index[w] for w in r["output"]))
    assert cols[:len(chosen)] == chosen
    rest = cols[len(chosen):]
    assert rest == sorted(rest) and rest  # this sentence has runners-up
    assert set(cols) == set(chosen) | set(np.nonzero(r["probs"].max(0) >= tv.RUNNER_UP)[0].tolist())
    fr = decoding.frame_fn(sentence="elle la lettre", layer=1, head="mean")
    np.testing.assert_allclose(fr["panels"][0]["z"], r["probs"][:, cols], atol=1e-5)


def test_caption_says_when_and_why_greedy_and_beam_differ(translator, decoding):
    # "ils cuisiniers" (no verb): greedy repeats "they"; the beam's sentence is more probable
    g_tok, g_lp, res = _search(translator, "ils cuisiniers")
    assert float(res.scores[0]) > g_lp
    cap = decoding.frame_fn(sentence="ils cuisiniers", layer=2, head="mean")["caption"]
    assert f"greedy: {translator.translate('ils cuisiniers')} (log p = {g_lp:.2f})" in cap
    assert f"beam (k = 4): {translator.translate('ils cuisiniers', beam=4)} (log p" in cap
    assert cap.endswith("they differ: the beam found a more probable sentence than greedy's word-by-word choices")
    # "elle la lettre": greedy's shorter sentence is more probable; the length penalty prefers the beam's
    g_tok, g_lp, res = _search(translator, "elle la lettre")
    L = int((g_tok != 0).sum())
    assert float(res.scores[0]) <= g_lp and float(res.beam_norm_scores[0, 0]) > g_lp / ((5 + L) / 6) ** 0.6
    cap = decoding.frame_fn(sentence="elle la lettre", layer=2, head="mean")["caption"]
    assert "which prefers the longer one here" in cap and "(α = 0.6)" in cap


def test_decoding_frame_bad_input_gives_the_translators_message(translator, decoding):
    for text in ("je suis astronaute", "", "<img src=x>", " ".join(["je"] * 40)):
        with pytest.raises(ValueError) as want:
            translator.encode_source(text)
        with pytest.raises(ValueError) as got:
            decoding.frame_fn(sentence=text, layer=2, head="mean")
        assert str(got.value) == str(want.value)
    with pytest.raises(ValueError, match="“astronaute” is not in this model's vocabulary; nearest known words"):
        decoding.frame_fn(sentence="je suis astronaute", layer=1, head="2")


def test_moving_layer_or_head_does_not_search_again(translator, monkeypatch):
    calls = []
    real = tv.beam_search
    monkeypatch.setattr(tv, "beam_search", lambda *a, **k: calls.append(1) or real(*a, **k))
    ex = tv.decoding_explorer(translator, ["merci"])
    for layer in (1, 2):
        for head in ex.controls["head"]:
            ex.frame_fn(sentence="il mange la voiture", layer=layer, head=head)
    assert len(calls) == 1


def test_live_widget_takes_typed_text(decoding):
    w = decoding.widget()
    box = w.controls["sentence"]
    assert box.continuous_update  # a page model: every keystroke redraws
    draws = w.draws
    box.value = "il mange la voiture"  # not listed
    assert w.message.value == "" and w.draws == draws + 1
    box.value = "il mange la voiturr"
    assert "“voiturr” is not in this model&#x27;s vocabulary; nearest known words (by spelling): voiture" in w.message.value
    box.value = "tu n'es pas professeure"  # elision typed without a space
    assert w.message.value == "" and w.draws == draws + 2
    w.controls["head"].value = "3"
    assert w.message.value == "" and w.draws == draws + 3


def test_page_spec_runs_the_translation_program(decoding):
    spec = decoding.spec()
    assert spec["model"] == {"program": "translation", "file": "translator", "text": "sentence"}
    assert len(spec["frames"]) == len(LISTED) * 2 * 5  # listed sentences keep their precomputed frames
    assert PAGE_MODELS["translation"]["mirrors"] == "transformer_lib.views.translator.decoding_frame"
    from importlib import resources
    js = resources.files("transformer_lib.views").joinpath("programs", "translation.js").read_text(encoding="utf-8")
    assert "PROGRAMS.translation = function" in js
