"""The sampling explorer (views/gpt.py): its numbers are the library's."""

import json
import re

import numpy as np
import pytest
import torch

from transformer_lib import decoding
from transformer_lib.tasks import gpt as tiny
from transformer_lib.views import gpt as gv


@pytest.fixture(scope="module")
def shipped():
    model, vocab, _ = tiny.load_tiny_gpt()
    return model, vocab


@pytest.mark.weights
def test_frame_numbers_are_the_library_sampling_probs(shipped):
    model, vocab = shipped
    fr = gv.sampling_frame(model, vocab, "i am ", 0.8, 5, 0.9)
    logits = gv.next_logits(model, vocab, "i am ")
    np.testing.assert_allclose(fr["panels"][0]["values"], logits.softmax(-1).numpy(), atol=1e-5)  # panels keep 5 decimals
    want = decoding.sampling_probs(logits, 0.8, 5, 0.9).numpy()
    np.testing.assert_allclose(fr["panels"][1]["values"], want, atol=1e-5)  # panels keep 5 decimals
    assert fr["panels"][1]["highlight"] == np.flatnonzero(want > 0).tolist()
    assert fr["panels"][0]["labels"][:2] == ["⏎", "␣"]


@pytest.mark.weights
def test_explorer_grid_and_bad_prompt(shipped):
    model, vocab = shipped
    ex = gv.sampling_explorer(model, vocab, ["i am "])
    assert ex.controls["top_k"][0] == len(vocab)
    with pytest.raises(ValueError, match="not in this model's vocabulary"):
        ex.frame_fn(prompt="i am 7", temperature=1.0, top_k=5, top_p=1.0)
    full = ex.frame_fn(prompt="i am ", temperature=1.0, top_k=len(vocab), top_p=1.0)
    np.testing.assert_allclose(full["panels"][0]["values"], full["panels"][1]["values"], atol=1e-5)  # panels keep 5 decimals


@pytest.mark.weights
def test_page_ships_the_logits_and_no_frames(shipped):
    """The page computes its frames (explorer.js ``sampling``) from the logits it ships: exactly
    the model's, for every prompt, in float32 values that JSON carries without loss."""
    model, vocab = shipped
    ex = gv.sampling_explorer(model, vocab)
    spec = ex.spec()
    assert "frames" not in spec and spec["program"] == "sampling"
    assert spec["data"]["labels"] == [gv.char_label(c) for c in vocab.tokens]
    assert list(spec["data"]["logits"]) == list(gv.PROMPTS) == ex.controls["prompt"]
    for prompt, shipped_logits in spec["data"]["logits"].items():
        assert shipped_logits == gv.next_logits(model, vocab, prompt).tolist()
    assert json.loads(re.search(r'class="aho-data">(.*?)</script>', ex.html(), re.S).group(1)) == spec
    assert ex.controls["top_k"] == list(range(len(vocab), 0, -1)) and len(ex.controls["top_p"]) == 20


@pytest.mark.weights
def test_frame_computes_in_float64(shipped):
    """float64, as the page's JavaScript does: the frame's distribution is the float64 one (a
    float32 softmax differs from it by about 1e-7 and would show in the 5th decimal now and then)."""
    model, vocab = shipped
    logits = gv.next_logits(model, vocab, "we do not ")
    fr = gv.sampling_frame(model, vocab, "we do not ", 0.5, len(vocab), 1.0, logits)
    want = decoding.sampling_probs(logits.double(), 0.5).numpy()
    assert fr["panels"][1]["values"] == np.round(want, 5).tolist()


@pytest.mark.weights
def test_explorer_runs_the_model_on_typed_prompts_in_the_page(shipped):
    """The page's text box runs the tiny GPT (page model ``gpt``, mirroring sampling_frame); the
    listed prompts keep the shipped logits, so nothing is fetched until the reader types."""
    from transformer_lib import views

    model, vocab = shipped
    ex = gv.sampling_explorer(model, vocab)
    spec = ex.spec()
    assert ex.page_model == "gpt" and spec["model"] == {"program": "gpt", "file": "tiny_gpt", "text": "prompt"}
    assert views.PAGE_MODELS["gpt"]["mirrors"] == "transformer_lib.views.gpt.sampling_frame"
    assert spec["program"] == "sampling" and "frames" not in spec  # listed prompts: the shipped logits


@pytest.mark.weights
def test_live_widget_takes_typed_text_and_marks_unknown_characters(shipped):
    model, vocab = shipped
    w = gv.sampling_explorer(model, vocab).widget()
    box = w.controls["prompt"]
    assert box.continuous_update  # every keystroke, as on the page
    box.value = "the cat sees a "  # not a listed prompt: computed live
    assert w.message.value == "" and w.draws == 2
    box.value = "the cat? sees Tom!"  # "Tom" is lower-cased; "?" and "!" are unknown
    with pytest.raises(ValueError) as err:
        tiny.encode(vocab, "the cat? sees Tom!", model.config.block_size)
    assert str(err.value).startswith("“?”, “!” are not in this model's vocabulary")
    assert "“?”, “!” are not in this model&#x27;s vocabulary" in w.message.value  # the same message, escaped
    box.value = "the cat sees a "
    assert w.message.value == "" and w.draws == 2  # shown again from the widget's cache
