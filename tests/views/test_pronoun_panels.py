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
