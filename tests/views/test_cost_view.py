"""The explorer of chapter "The cost of attention": its panels are the library's masks, its caption
counts them, and a block size that does not divide the length gives the mask API's message in the
frame (so the page and the figure show it too), while a window < 1 is refused with a message."""

from __future__ import annotations

import numpy as np
import pytest

from transformer_lib import ref, views
from transformer_lib.views import cost as cv


def test_explorer_grid_and_start():
    ex = cv.sparse_explorer()
    assert ex.controls == {"window": list(cv.WINDOWS), "dilation": list(cv.DILATIONS), "block_size": list(cv.BLOCK_SIZES)}
    assert any(cv.T % b for b in cv.BLOCK_SIZES), "the grid should hold a block size that does not divide T"
    assert ex.initial == {"window": 3, "dilation": 1, "block_size": 3}


@pytest.mark.parametrize("window,dilation,block_size", [(1, 1, 2), (3, 2, 3), (6, 3, 6), (2, 3, 6)])
def test_the_panels_are_the_library_masks(window, dilation, block_size):
    fr = cv.sparse_frame(window, dilation, block_size)
    z = [np.array(p["z"]) for p in fr["panels"]]
    np.testing.assert_array_equal(z[0], ref.dilated_mask(cv.T, window, dilation))
    np.testing.assert_array_equal(z[1], ref.block_sparse_mask(cv.T, block_size, window=2, n_global=1, n_random=1))
    assert all(p["xlabel"] == "key position" and p["ylabel"] == "query position" for p in fr["panels"])
    kept = int(ref.dilated_mask(cv.T, window, dilation).sum())
    kind = "sliding window" if dilation == 1 else "dilated window"
    assert fr["panels"][0]["title"].startswith(kind)
    assert f"{kind}: {kept} of {cv.T * cv.T} pairs" in fr["caption"]


def test_dilation_one_is_the_sliding_window():
    np.testing.assert_array_equal(cv.sparse_frame(4, 1, 2)["panels"][0]["z"], ref.sliding_window_mask(cv.T, 4))


def test_a_block_size_that_does_not_divide_T_shows_the_message_in_the_frame():
    fr = cv.sparse_frame(3, 2, 4)
    assert "block_size=4 does not divide the length T=42" in fr["caption"]
    assert fr["panels"][1]["title"].endswith("not defined") and not np.array(fr["panels"][1]["z"]).any()
    np.testing.assert_array_equal(fr["panels"][0]["z"], ref.dilated_mask(cv.T, 3, 2))


def test_every_frame_of_the_page_grid_is_drawn():
    frames = cv.sparse_explorer().frames()
    assert len(frames) == len(cv.WINDOWS) * len(cv.DILATIONS) * len(cv.BLOCK_SIZES)
    views.render_frame(cv.sparse_frame(3, 2, 4))  # the static figure of a refused setting draws too


@pytest.mark.parametrize("args,match", [((0, 1, 4), "window"), ((2, 0, 4), "dilation")])
def test_a_window_or_dilation_below_one_gets_a_message(args, match):
    with pytest.raises(ValueError, match=f"positive integer {match}"):
        cv.sparse_frame(*args)
