"""The explorer of chapter "Tokens" (transformer_lib.views.tokens): frames show the library's
segmentation, merges and lengths; the page's precomputed frames equal the live ones; bad
settings get a clear message. (test_views_live.py drives its widget.)"""

from __future__ import annotations

import json
import re

import pytest

from transformer_lib.data.bpe import BPE
from transformer_lib.views.tokens import merge_explorer, merge_frame, shown

TEXTS = ["nous ne regardons pas le cheval", "vous regardez le chat", "elles regardent la maison"] * 3


@pytest.fixture(scope="module")
def bpe():
    return BPE.learn(TEXTS, 40)


def test_frame_shows_the_segmentation_merges_and_lengths(bpe):
    k = 12
    fr = merge_frame(bpe, len(TEXTS), TEXTS[0], k)
    tokens = bpe.tokenize(TEXTS[0], k)
    seg, merges, curve = fr["panels"]
    assert seg["labels"] == [t.replace(" ", "␣") for t in tokens] and seg["values"] == [len(t) for t in tokens]
    assert merges["labels"] == [f"{shown(a)}+{shown(b)}" for a, b in bpe.merges[k - 8:k]]
    assert merges["values"] == list(bpe.counts[k - 8:k]) and merges["highlight"] == [7]
    assert curve["x"][0] == len(bpe.alphabet) and curve["highlight_x"] == len(bpe.alphabet) + k
    assert curve["series"][0]["y"] == pytest.approx([n / len(TEXTS) for n in bpe.lengths], abs=1e-5)
    assert " | ".join(shown(t) for t in tokens) in fr["caption"]
    assert merge_frame(bpe, len(TEXTS), TEXTS[0], 0)["panels"][1]["labels"] == []


def test_page_frames_equal_the_live_frames(bpe):
    ks = [0, 5, len(bpe.merges)]
    ex = merge_explorer(bpe, len(TEXTS), TEXTS[:2], ks)
    assert ex.controls == {"k": ks, "sentence": TEXTS[:2]} and ex.editable == {"sentence"}
    data = re.search(r'class="aho-data">(.*?)</script>', ex.html(), re.S).group(1)
    spec = json.loads(data)
    assert len(spec["frames"]) == 6
    for i, k in enumerate(ks):
        for j, s in enumerate(TEXTS[:2]):
            assert spec["frames"][f"{i},{j}"] == json.loads(json.dumps(merge_frame(bpe, len(TEXTS), s, k)))


def test_bad_settings_get_a_clear_message(bpe):
    with pytest.raises(ValueError, match=r"unknown character\(s\) '\?q'"):
        merge_frame(bpe, len(TEXTS), "quoi ?", 3)
    with pytest.raises(ValueError, match=r"number of merges must lie in 0\.\.40"):
        merge_explorer(bpe, len(TEXTS), TEXTS[:1], [0, 41])
    with pytest.raises(ValueError, match="at least one sentence"):
        merge_explorer(bpe, len(TEXTS), [], [0])


@pytest.mark.book
def test_built_page_frames_equal_the_library(built_book):
    """The frames on the built page are what the library computes now, from the corpus."""
    from transformer_lib.data import generate_pairs

    page = (built_book / "chapters" / "tokens.html").read_text(encoding="utf-8")
    (data,) = re.findall(r'<script type="application/json" class="aho-data">(.*?)</script>', page, re.S)
    spec = json.loads(data)
    french = sorted({fr for fr, _, _ in generate_pairs()})
    bpe = BPE.learn(french, 1000)
    ks, sentences = ([int(o) for o in spec["controls"][0]["options"]], spec["controls"][1]["options"])
    assert ks[-1] == len(bpe.merges) and len(spec["frames"]) == len(ks) * len(sentences)
    for key, fr in spec["frames"].items():
        i, j = map(int, key.split(","))
        assert fr == json.loads(json.dumps(merge_frame(bpe, len(french), sentences[j], ks[i])))
