"""Pretraining then fine-tuning (tasks/acceptability.py, chapter "One block, three families"):
the scoring contract, the shipped learning curve, and a retrained point of it."""

from __future__ import annotations

import pytest
import torch

from transformer_lib.data.acceptability import Pair
from transformer_lib.nn import GPT, GPTConfig
from transformer_lib.tasks import acceptability as A
from transformer_lib.tasks import gpt as tiny


@pytest.fixture(scope="module")
def vocab():
    return tiny.char_vocab(tiny.corpus_text("train"))


def test_encode_pairs_pads_after_each_sentence_and_ends_it_with_a_newline(vocab):
    ids, lengths = A.encode_pairs(vocab, [Pair("she has a cat", "she have a cat", "agreement")])
    assert ids.shape == (1, 2, 15) and lengths.tolist() == [[14, 15]]
    assert tiny.decode(vocab, ids[0, 0, :14]) == "she has a cat\n" and tiny.decode(vocab, ids[0, 1]) == "she have a cat\n"


def test_sentence_logprob_is_the_sum_of_the_next_character_log_probabilities(vocab):
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=len(vocab), block_size=32, d_model=16, n_heads=2, n_layers=1, d_ff=32)).eval()
    ids, lengths = A.encode_pairs(vocab, [Pair("he is sad", "he are sad", "agreement")])
    with torch.inference_mode():
        got = A.sentence_logprob(model, ids[0], lengths[0])  # (2,)
        for j in range(2):
            x = ids[0, j, : lengths[0, j]]  # one sentence, no padding
            logp = model(x[None])[0].log_softmax(-1)  # (T, V)
            expected = sum(float(logp[t - 1, x[t]]) for t in range(1, len(x)))
            assert float(got[j]) == pytest.approx(expected, abs=1e-5)
        assert torch.allclose(A.margins(model, (ids, lengths)), got[:1] - got[1:])


def test_bad_init_gets_a_message():
    with pytest.raises(ValueError, match="init must be one of"):
        A.start("random", 0)


@pytest.mark.weights
def test_the_pretrained_start_is_the_shipped_gpt_and_scratch_is_fresh():
    shipped = tiny.load_tiny_gpt()[0].state_dict()
    pre, scr = A.start("pretrained", 0)[0], A.start("scratch", 0)[0]
    assert all(torch.equal(v, pre.state_dict()[k]) for k, v in shipped.items())
    assert not torch.equal(scr.embed.table.weight, shipped["embed.table.weight"])


@pytest.mark.weights
def test_before_fine_tuning_the_pretrained_model_already_prefers_the_grammatical_sentence(vocab):
    test = A.test_set(vocab)
    pre = A.finetune("pretrained", 0, test=test)[1]
    rnd = A.finetune("scratch", 0, seed=0, test=test)[1]
    assert pre["test_accuracy"] > 0.9 and rnd["test_accuracy"] < pre["test_accuracy"] - 0.15, (pre, rnd)


@pytest.mark.weights
def test_finetune_trains_and_reports_its_accuracies(vocab):
    test = A.encode_pairs(vocab, [Pair("he is sad", "he are sad", "agreement")])
    model, rec = A.finetune("pretrained", 8, seed=0, config=A.FinetuneConfig(steps=3, warmup=1), test=test)
    assert set(rec) >= {"init", "n_labelled", "seed", "test_accuracy", "train_accuracy"}
    assert rec["test_accuracy"] in (0.0, 1.0) and 0 <= rec["train_accuracy"] <= 1
    assert model.training  # fit puts the mode back


@pytest.mark.weights
def test_the_shipped_curve_is_complete_and_meets_its_bar():
    curve = A.load_curve()
    assert curve["sizes"] == list(A.SIZES) and curve["seeds"] == list(A.DOCUMENTED_SEEDS)
    assert len(curve["runs"]) == (len(A.SIZES) + 1) * len(A.DOCUMENTED_SEEDS) * len(A.INITS)
    assert curve["meets_bar"] and curve["test_pairs"] == 394
    acc = {(r["init"], r["n_labelled"], r["seed"]): r["test_accuracy"] for r in curve["runs"]}
    for n in (0, *A.SIZES):
        if n <= 256:  # scripts/finetune_gpt.py's bar, on every seed
            assert all(acc["pretrained", n, s] - acc["scratch", n, s] >= 0.08 for s in A.DOCUMENTED_SEEDS)
    pre, scr = A.mean_accuracy(curve, "pretrained"), A.mean_accuracy(curve, "scratch")
    assert pre[-1] > 0.95 and scr[-1] > scr[0]  # with many pairs the model from scratch learns too


@pytest.mark.slow
@pytest.mark.weights
def test_retrained_the_pretrained_start_still_wins_by_the_bar():
    """One point of the shipped curve retrained here (another CPU gives other last bits)."""
    torch.set_num_threads(1)
    got = {init: A.finetune(init, 128, seed=1)[1]["test_accuracy"] for init in A.INITS}
    assert got["pretrained"] - got["scratch"] >= 0.08, got
