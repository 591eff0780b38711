"""Self-check and exercise of the chapter "Decoding: greedy and beam search"."""

import pytest
import torch

from transformer_lib.exercises import decoding as ex
from transformer_lib.tasks.translator import load_translator


def my_greedy(model, src, *, position=-1, pad_id=0, strip_bos=True):
    memory = model.encode(src)
    seqs = torch.full((src.shape[0], 1), 1)
    done = torch.zeros(src.shape[0], dtype=torch.bool)
    for _ in range(20):
        best = model.generator(model.decode(seqs, memory, model.src_mask(src))[:, position]).argmax(-1)
        best = best.masked_fill(done, pad_id)
        seqs = torch.cat([seqs, best[:, None]], dim=1)
        done = done | (best == 2)
        if done.all():
            break
    return seqs[:, 1:] if strip_bos else seqs


@pytest.fixture(scope="module")
def qs():
    return ex.questions()


def test_numeric_answer_is_gnmts_formula(qs):
    lo, hi = qs[0]["answers"][0]["range"]
    assert lo <= (5 + 7) ** 0.6 / (5 + 1) ** 0.6 <= hi


def test_the_ranking_example_separates_the_two_forms():
    e = ex.ranking_example()
    gnmt = e["log_p"] / ((5 + e["lengths"]) / 6) ** 0.6
    per_token = e["log_p"] / e["lengths"]
    torch.testing.assert_close(e["gnmt"], gnmt)
    torch.testing.assert_close(e["per_token"], per_token)
    assert (gnmt[0] > gnmt[1]) != (per_token[0] > per_token[1])


@pytest.fixture(scope="module")
def translator():
    return load_translator("translator")


@pytest.mark.weights
def test_check_accepts_a_right_answer(translator):
    verdict = ex.check_greedy(my_greedy, translator)
    assert verdict.ok and verdict.message.startswith("Correct")


@pytest.mark.weights
@pytest.mark.parametrize("wrong", [dict(position=0), dict(pad_id=2), dict(strip_bos=False)])
def test_check_names_what_is_wrong(translator, wrong):
    verdict = ex.check_greedy(lambda m, s: my_greedy(m, s, **wrong), translator)
    assert not verdict.ok and verdict.message.startswith("Not yet") and "input" in verdict.message


