"""The bar panels of chapter "It -> animal" (views.pronoun.last_layer_from_it): the last
layer's attention from "it", averaged over heads, with the two nouns named."""

from __future__ import annotations

import numpy as np
import pytest

import transformer_lib as tl
from transformer_lib.data import pronoun as C
from transformer_lib.views import pronoun as it_views

pytestmark = pytest.mark.weights  # loads the shipped model


@pytest.fixture(scope="module")
def model():
    return tl.load_it_model()


def test_last_layer_from_it_is_the_mean_over_heads(model):
    ex = C.sentence("animal", "street", "tired")
    panel = it_views.last_layer_from_it(model, ex, "t")
    tokens, w = model.sentence_attention(ex.text)  # (L, H, T, T)
    assert panel["tokens"] == tokens and panel["title"] == "t"
    assert (panel["referent"], panel["other"]) == ("animal", "street")
    np.testing.assert_allclose(panel["weights"], w[-1, :, ex.it_index].mean(0))
    assert not np.allclose(panel["weights"], w[0, :, ex.it_index].mean(0))  # the last layer, not the first
    assert np.isclose(panel["weights"].sum(), 1.0)


def test_last_layer_from_it_wants_an_example(model):
    with pytest.raises(ValueError, match="corpus Example"):
        it_views.last_layer_from_it(model, "the animal didn't cross the street because it was too tired .", "t")


def test_the_sentence_box_runs_the_model_in_the_page_and_the_kernel_answers_every_keystroke(model):
    ex = it_views.sentence_explorer(model, ["the animal didn't cross the street because it was too tired ."])
    assert ex.page_model == "pronoun" and ex.spec()["model"]["text"] == "sentence"
    box = ex.widget()
    assert box.controls["sentence"].continuous_update  # as the page does: a frame per keystroke
    box.controls["sentence"].value = "the horse didn't cross the river because it was too far ."
    assert box.message.value == "" and box.draws == 2


def test_a_word_in_another_role_gets_a_note_in_the_caption(model):
    far = it_views.it_frame(model, "the horse didn't cross the river because it was too far .")
    assert "“far” stands here as the adjective, but the model saw it only in “was far too”" in far["caption"]
    plain = it_views.it_frame(model, "the horse didn't cross the river because it was far too wide .")
    assert "stands here" not in plain["caption"]


def test_word_in_adjective_slot_measures_every_frame(model):
    from transformer_lib.tasks.pronoun import word_in_adjective_slot

    r = word_in_adjective_slot(model, "far", per_frame=2)
    assert r["n"] == 2 * len(C.FRAMES) and 0 <= r["nearest"] <= 1 and 0 < r["median_p"] <= 1
    assert r["example"].endswith("too far .")
    tired = word_in_adjective_slot(model, "tired", per_frame=2)
    assert tired["nearest"] != r["nearest"] or tired["median_p"] != r["median_p"]
    with pytest.raises(ValueError, match="not in this model's vocabulary"):
        word_in_adjective_slot(model, "purple")
