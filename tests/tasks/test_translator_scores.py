"""What chapter "Decoding" measures (transformer_lib.tasks.translator): words from ids, and
beam search scored with BLEU per beam size, equal to the library's own translate helpers."""

from __future__ import annotations

import pytest
import torch

from transformer_lib.data import encode_pairs, make_corpus
from transformer_lib.tasks.translator import bleu_and_exact, load_translator, translate_batch
from transformer_lib.tasks.translator import score_beams, words

pytestmark = pytest.mark.weights  # loads the shipped model


@pytest.fixture(scope="module")
def translator():
    return load_translator("translator")


@pytest.fixture(scope="module")
def heldout(translator):
    test = make_corpus(**translator.info["corpus"]).test[:40]
    return test, encode_pairs(test, translator.src_vocab, translator.tgt_vocab)[0]  # (N, S)


def test_words_stops_at_eos_and_checks_its_input(translator):
    v = translator.tgt_vocab
    ids = torch.tensor([v.bos_id, v.index["i"], v.index["am"], v.eos_id, v.index["i"]])
    assert words(translator, ids) == "i am"
    with pytest.raises(ValueError, match=r"one row of ids \(L,\)"):
        words(translator, ids[None])


def test_score_beams_equals_translate_batch_and_sacrebleu(translator, heldout):
    test, src = heldout
    refs = [en for _, en in test]
    scored = score_beams(translator, src, refs, ks=[1, 3])
    assert list(scored) == [1, 3]
    for k, r in scored.items():
        hyps = translate_batch(translator, [fr for fr, _ in test], beam=k, batch_size=len(test))
        assert r["hyps"] == hyps
        assert r["bleu"] == pytest.approx(bleu_and_exact(hyps, refs)["bleu"], abs=1e-9)
        assert r["exact"] == pytest.approx(100 * sum(h == e for h, e in zip(hyps, refs)) / len(refs))
        assert r["res"].tokens.shape[0] == len(test) and r["seconds"] > 0
        assert r["res"].beams.shape[:2] == (len(test), k)  # searched with beam size k


def test_score_beams_rejects_bad_input(translator, heldout):
    test, src = heldout
    with pytest.raises(ValueError, match="3 references for 40 source sentences"):
        score_beams(translator, src, ["a", "b", "c"])
    with pytest.raises(ValueError, match=r"\(N, S\)"):
        score_beams(translator, src[0], ["a"])
    with pytest.raises(ValueError, match="at least 1"):
        score_beams(translator, src, [en for _, en in test], ks=[0])
