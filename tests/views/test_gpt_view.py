"""The sampling explorer (views/gpt.py): its numbers are the library's."""

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
    with pytest.raises(ValueError, match="never seen the character"):
        ex.frame_fn(prompt="i am 7", temperature=1.0, top_k=5, top_p=1.0)
    full = ex.frame_fn(prompt="i am ", temperature=1.0, top_k=len(vocab), top_p=1.0)
    np.testing.assert_allclose(full["panels"][0]["values"], full["panels"][1]["values"], atol=1e-5)  # panels keep 5 decimals
