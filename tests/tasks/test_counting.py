"""The "exactly two A's?" task of chapter "The feed-forward block": the sampler, the model's
messages, and that fit trains the FFN model to the chapter's result while attention alone
stays short of it."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
import torch

from transformer_lib import train
from transformer_lib.tasks import counting


def test_count_batch_labels_match_the_sequences():
    ids, y, k = counting.count_batch(500, torch.Generator().manual_seed(0))
    assert ids.shape == (500, 1 + counting.SEQ) and y.shape == k.shape == (500,)
    assert (ids[:, 0] == counting.CLS).all() and (ids[:, 1:] != counting.CLS).all()
    assert torch.equal((ids[:, 1:] == counting.A).sum(1), k)
    assert torch.equal(y, (k == 2).long())
    assert 0.4 < y.float().mean() < 0.7  # half are drawn as "exactly two", a few more by chance
    again, _, _ = counting.count_batch(500, torch.Generator().manual_seed(0))
    assert torch.equal(ids, again)


def test_clear_messages():
    with pytest.raises(ValueError, match="must be positive"):
        counting.count_batch(0, torch.Generator())
    model = counting.CountingModel(with_ffn=False)
    with pytest.raises(ValueError, match=r"ids must have shape \(B, 9\)"):
        model(torch.zeros(2, 5, dtype=torch.long))
    with pytest.raises(ValueError, match=r"token ids must lie in 0..4"):
        model(torch.full((2, 9), 7))
    with pytest.raises(ValueError, match="no feed-forward block"):
        model.hidden(torch.zeros(2, 9, dtype=torch.long))
    with pytest.raises(ValueError, match="no hidden units to ablate"):
        model(torch.zeros(2, 9, dtype=torch.long), ablate=[0])
    with pytest.raises(ValueError, match=r"hidden units lie in 0..63"):
        counting.CountingModel(with_ffn=True)(torch.zeros(2, 9, dtype=torch.long), ablate=[64])
    with pytest.raises(ValueError, match=r"shape \(9, units\)"):
        counting.hinge_units(np.zeros((4, 3)))


def test_the_model_reads_cls_and_the_ffn_is_residual():
    torch.manual_seed(0)
    m = counting.CountingModel(with_ffn=True)
    ids, _, k = counting.count_batch(8, torch.Generator().manual_seed(3))
    assert m(ids).shape == (8, 2) and m.hidden(ids).shape == (8, 64)
    with torch.no_grad():  # a zero second FFN matrix leaves the attention-only path
        m.linear2.weight.zero_(); m.linear2.bias.zero_()
        torch.testing.assert_close(m(ids), m.readout(m.gathered(ids)[:, 0]))
    assert counting.mean_hidden_by_count(m, ids, k).shape == (counting.SEQ + 1, 64)


def test_ablation_zeroes_exactly_the_named_hidden_units():
    torch.manual_seed(0)
    m = counting.CountingModel(with_ffn=True)
    ids, _, _ = counting.count_batch(8, torch.Generator().manual_seed(3))
    with torch.no_grad():
        torch.testing.assert_close(m(ids, ablate=[]), m(ids))
        h = m.gathered(ids)[:, 0]  # (8, D)
        everything = m(ids, ablate=range(64))  # only linear2's bias is left
        torch.testing.assert_close(everything, m.readout(h + m.linear2.bias))
        one = torch.relu(m.linear1(h)); one[:, 5] = 0
        torch.testing.assert_close(m(ids, ablate=[5]), m.readout(h + m.linear2(one)))


def test_hinge_units_finds_both_families():
    k = np.arange(counting.SEQ + 1)[:, None]  # (9, 1)
    fewer, more, both = np.maximum(0, 2 - k), np.maximum(0, k - 2), np.ones_like(k)
    mean_by_k = np.hstack([both, more, fewer, 3 * more]).astype(float)  # units 0..3
    assert counting.hinge_units(mean_by_k) == {"fewer": [2], "more": [3, 1]}


def test_fit_is_what_trains_it(monkeypatch):
    spy = mock.Mock(wraps=train.fit)  # the real loop runs; the spy records its calls
    monkeypatch.setattr(counting, "fit", spy)
    model, history = counting.train_counter(True, steps=8)
    assert spy.call_count == 1 and spy.call_args.kwargs["steps"] == 8
    assert history.step[-1] == 8 and len(history.train_loss) == 4  # 4 records of 2 steps
    assert model.training  # fit put the mode back


@pytest.mark.slow
def test_the_ffn_learns_exactly_two_in_the_chapters_400_steps_and_attention_alone_does_not():
    test = counting.count_batch(4000, torch.Generator().manual_seed(1))
    ffn, _ = counting.train_counter(True, steps=400)
    alone, _ = counting.train_counter(False, steps=400)
    acc_ffn, by_k = counting.accuracy_by_count(ffn, *test)
    acc_alone, _ = counting.accuracy_by_count(alone, *test)
    assert acc_ffn >= 0.97  # the chapter shows 100.0 %
    assert min(by_k) >= 0.85  # every count of A's, not only the common ones
    assert acc_alone <= 0.94 and acc_ffn - acc_alone >= 0.05  # the chapter shows 86.5 %
    # the chapter's ablation: the "fewer than two" units are what rejects 0 and 1 A's
    families = counting.hinge_units(counting.mean_hidden_by_count(ffn, test[0], test[2]).numpy())
    assert families["fewer"] and families["more"]
    _, by_k_ablated = counting.accuracy_by_count(ffn, *test, ablate=families["fewer"])
    assert max(by_k_ablated[:2]) <= 0.5 and min(by_k_ablated[4:]) >= 0.85  # the chapter shows 0 % and 100 %
    assert ffn.training and alone.training
