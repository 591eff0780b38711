"""The views of chapter "One block, three families": the explorer's masks are the library's
masks over the sentence (or its span-corrupted form for T5), the objectives table escapes
its text, and bad input gets a message."""

from __future__ import annotations

import numpy as np
import pytest

from transformer_lib import ref
from transformer_lib.data import objectives
from transformer_lib.views import families


def test_explorer_controls():
    ex = families.family_explorer()
    assert ex.controls["pattern"] == list(families.PATTERNS) and ex.controls["prefix_len"] == list(range(11))
    assert "sentence" in ex.editable and ex.initial["pattern"] == "prefix LM"


@pytest.mark.parametrize("sentence", families.SENTENCES)
def test_frames_show_the_library_masks(sentence):
    words = sentence.split()
    T = len(words)
    for p in (0, 3, T, 10):
        z = np.array(families.pattern_frame("prefix LM", sentence, p)["panels"][0]["z"])
        np.testing.assert_array_equal(z, ref.prefix_lm_mask(min(p, T), T))
    np.testing.assert_array_equal(families.pattern_frame("BERT: bidirectional", sentence, 2)["panels"][0]["z"],
                                  np.ones((T, T)))
    np.testing.assert_array_equal(families.pattern_frame("GPT: causal", sentence, 2)["panels"][0]["z"], ref.causal_mask(T))
    ex = objectives.span_corruption(words, 0)
    cross = families.pattern_frame("T5 cross-attention", sentence, 0)["panels"][0]
    assert cross["x"] == list(ex.inputs) and cross["y"] == ["<bos>"] + list(ex.targets[:-1])
    assert np.array(cross["z"]).all()
    dec = families.pattern_frame("T5 decoder", sentence, 0)["panels"][0]
    np.testing.assert_array_equal(dec["z"], ref.causal_mask(len(ex.targets)))
    caption = families.pattern_frame("GPT: causal", sentence, 0)["caption"]
    assert f"{T * (T + 1) // 2} of {T * T} (query, key) pairs allowed" in caption


@pytest.mark.parametrize("args,match", [
    (("GPT", "a b", 0), "pattern must be one of"),
    (("GPT: causal", "   ", 0), "at least one word"),
    (("GPT: causal", " ".join(["w"] * 17), 0), "at most 16"),
    (("T5 encoder", "alone", 0), "at least two words"),
])
def test_bad_settings_get_a_message(args, match):
    with pytest.raises(ValueError, match=match):
        families.pattern_frame(*args)


def test_objectives_table_escapes_every_token_and_lays_out_each_example():
    words = ["<b>bold</b>", "a&b", "x", "y", "z", "w"]
    exs = [objectives.masked_lm(words, ["q"], 0, rate=0.5), objectives.next_token(words),
           objectives.span_corruption(words, 0)]
    page = families.objectives_table(exs)
    assert "<b>bold" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page and "a&amp;b" in page
    assert page.count("<tr>") == 6 and "&lt;extra_id_0&gt;" in page
    assert page.count("<td") == sum(len(e.inputs) + len(e.targets) for e in exs)
    with pytest.raises(ValueError, match="at least one example"):
        families.objectives_table([])
    with pytest.raises(ValueError, match="expected objectives.Example"):
        families.objectives_table(["a"])


@pytest.mark.book
def test_families_page_shows_the_library_masks_and_the_escaped_objectives(built_book):
    import json
    import re

    page = (built_book / "chapters" / "families.html").read_text(encoding="utf-8")
    (blob,) = re.findall(r'<script type="application/json" class="aho-data">(.*?)</script>', page, re.S)
    spec = json.loads(blob)
    assert len(spec["frames"]) == len(families.SENTENCES) * len(families.PATTERNS) * 11
    names = [c["name"] for c in spec["controls"]]
    for key, fr in spec["frames"].items():
        values = {n: spec["controls"][k]["options"][int(i)] for k, (n, i) in enumerate(zip(names, key.split(",")))}
        if values["pattern"] == "prefix LM":
            T = len(values["sentence"].split())
            np.testing.assert_array_equal(np.array(fr["panels"][0]["z"]) == 1,
                                          ref.prefix_lm_mask(min(int(values["prefix_len"]), T), T))
    assert "&lt;extra_id_0&gt;" in page and "<extra_id_0>" not in page
