"""Greedy, beam search and sampling on hand-built toy models whose answers are known on paper.

A toy model here is a table of next-token probabilities, one row per prefix, wrapped in the
interface the decoders use (``encode``, ``decode``, ``generator``, ``src_mask``, ``config``).
Its decoder output at the last position *is* the log-distribution, and the generator is the
identity, so every probability below is exact and every expected answer is worked out by
hand in the test, not by the library's code.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import torch

from transformer_lib import nn as tnn
from transformer_lib.decoding import beam_search, greedy_decode, length_penalty, sample, sequence_log_prob

PAD, BOS, EOS, A, B, C = 0, 1, 2, 3, 4, 5
V = 6
TINY = 1e-9  # stands in for "impossible" so every log-probability stays finite


class TableModel(torch.nn.Module):
    """p(next | prefix) from ``tables[source id][prefix without <bos>]``; unknown prefixes end at once.

    The source is one token whose id selects the table, so a batch can mix sentences.
    ``modes`` records whether the model was in training mode on every decoder call.
    """

    def __init__(self, tables, pad_id=PAD):
        super().__init__()
        self.tables = tables
        self.config = SimpleNamespace(tgt_vocab_size=V, pad_id=pad_id)
        self.generator = torch.nn.Identity()
        self.modes = []

    def src_mask(self, src):
        return tnn.padding_mask_from_ids(src, PAD)  # (B, 1, 1, S)

    def encode(self, src, src_mask=None):
        return src[:, :, None].float()  # (B, S, 1): the memory remembers the source id

    def decode(self, tgt, memory, src_mask=None):
        self.modes.append(self.training)
        rows = []
        for seq, mem in zip(tgt.tolist(), memory[:, 0, 0].tolist()):
            dist = self.tables[int(mem)].get(tuple(seq[1:]), {EOS: 1.0})
            p = torch.full((V,), TINY)
            for token, prob in dist.items():
                p[token] = prob
            rows.append(torch.log(p / p.sum()))
        h = torch.stack(rows)[:, None, :]  # (N, 1, V): only the last position is read
        return h.expand(-1, tgt.shape[1], -1)  # (N, t, V)

    def forward(self, src, tgt):  # teacher forcing: every position's log-distribution
        memory = self.encode(src)
        return torch.stack([self.decode(tgt[:, : t + 1], memory)[:, -1] for t in range(tgt.shape[1])], dim=1)


# Greedy is a trap: "a" is the likelier first word (0.6), but after it the sentence can end
# only with probability 0.4 (0.24 in all), whereas "b" (0.4) ends with 0.9 (0.36 in all).
TRAP = {(): {A: 0.6, B: 0.4}, (A,): {EOS: 0.4, A: 0.3, B: 0.3}, (B,): {EOS: 0.9, A: 0.05, B: 0.05}}
# Short or long: "<eos>" at once (0.4) beats "a a a <eos>" (0.6 * 0.9 * 0.6 * 0.99) on raw
# probability, but not once both are divided by GNMT's length penalty with alpha = 1.
SHORT_LONG = {(): {A: 0.6, EOS: 0.4}, (A,): {A: 0.9, EOS: 0.1}, (A, A): {A: 0.6, B: 0.4}, (A, A, A): {EOS: 0.99, B: 0.01}}
# Sure: the first step ends the sentence with probability 0.9.
SURE = {(): {EOS: 0.9, A: 0.1}, (A,): {A: 1.0}}


def gnmt_lp(length, alpha):
    """Wu et al. 2016, eq. 14, as published: lp(Y) = (5 + |Y|)^alpha / (5 + 1)^alpha."""
    return (5 + length) ** alpha / (5 + 1) ** alpha


def src(*ids):
    return torch.tensor([[i] for i in ids])  # (B, 1): source id i selects table i


@pytest.mark.parametrize("decoder", [greedy_decode, beam_search, sample])
def test_max_len_must_be_positive(decoder):
    with pytest.raises(ValueError, match="max_len"):
        decoder(TableModel({7: TRAP}), src(7), max_len=0)


def test_toy_model_is_a_proper_distribution():
    model = TableModel({7: TRAP})
    memory = model.encode(src(7, 7))
    first = model.decode(torch.tensor([[BOS], [BOS]]), memory)[:, -1]  # (2, V)
    second = model.decode(torch.tensor([[BOS, A], [BOS, B]]), memory)[:, -1]
    for log_p in (first, second):
        torch.testing.assert_close(log_p.exp().sum(-1), torch.ones(2))
    assert float(first[0, A].exp()) == pytest.approx(0.6) and float(second[1, EOS].exp()) == pytest.approx(0.9)


@pytest.mark.parametrize("length,alpha", [(1, 0.6), (4, 0.6), (10, 1.0), (23, 0.2), (7, 0.0)])
def test_length_penalty_is_gnmt_eq_14(length, alpha):
    got = length_penalty(torch.tensor(float(length)), alpha)
    assert float(got) == pytest.approx(gnmt_lp(length, alpha), rel=1e-6)


def test_greedy_falls_into_the_trap():
    tokens, scores = greedy_decode(TableModel({7: TRAP}), src(7), max_len=5)
    assert tokens.tolist() == [[A, EOS]]
    assert float(scores[0]) == pytest.approx(math.log(0.6 * 0.4), abs=1e-5)


def test_beam_of_two_escapes_the_trap_and_keeps_distinct_hypotheses():
    res = beam_search(TableModel({7: TRAP}), src(7), k=2, max_len=5, alpha=0.0)
    assert res.tokens.tolist() == [[B, EOS]]
    assert float(res.scores[0]) == pytest.approx(math.log(0.4 * 0.9), abs=1e-5)
    assert res.beams[0].tolist() == [[B, EOS], [A, EOS]]  # both, best first, not two copies of one
    torch.testing.assert_close(res.beam_scores[0], torch.tensor([math.log(0.36), math.log(0.24)]))
    greedy, _ = greedy_decode(TableModel({7: TRAP}), src(7), max_len=5)
    assert not torch.equal(res.tokens, greedy)


def test_beam_of_three_keeps_three_distinct_hypotheses():
    res = beam_search(TableModel({7: TRAP}), src(7), k=3, max_len=2, alpha=0.0)
    # after two tokens the three best paths are b-<eos> 0.36, a-<eos> 0.24, then a-a / a-b 0.18
    hyps = [tuple(h) for h in res.beams[0].tolist()]
    assert len(set(hyps)) == 3
    assert hyps[:2] == [(B, EOS), (A, EOS)] and hyps[2] in {(A, A), (A, B)}
    torch.testing.assert_close(res.beam_scores[0], torch.log(torch.tensor([0.36, 0.24, 0.18])))


@pytest.mark.parametrize("alpha", [1.0, 0.0])
def test_length_penalty_direction_follows_the_published_formula(alpha):
    res = beam_search(TableModel({7: SHORT_LONG}), src(7), k=2, max_len=10, alpha=alpha)
    short, long_ = (math.log(0.4), 1), (math.log(0.6 * 0.9 * 0.6 * 0.99), 4)  # (log P, |Y|)
    expected = max([short, long_], key=lambda h: h[0] / gnmt_lp(h[1], alpha))
    assert expected is (long_ if alpha else short)  # the penalty rescues the longer, less likely sentence
    assert float(res.scores[0]) == pytest.approx(expected[0], abs=1e-5)
    if expected is long_:
        assert res.tokens[0].tolist() == [A, A, A, EOS]
        assert res.beams[0].tolist() == [[A, A, A, EOS], [EOS, PAD, PAD, PAD]]
        norm = [h[0] / gnmt_lp(h[1], alpha) for h in (long_, short)]
        torch.testing.assert_close(res.beam_norm_scores[0], torch.tensor(norm), atol=1e-5, rtol=1e-5)
    else:  # "a a a" cannot catch up with log 0.4 any more: the search stops and returns it unfinished
        assert res.tokens[0].tolist() == [EOS, PAD, PAD]
        assert res.beams[0, 1].tolist() == [A, A, A]


def test_search_stops_once_no_live_prefix_can_win():
    res = beam_search(TableModel({7: SURE}), src(7), k=2, max_len=10, alpha=0.0)
    # log 0.9 > log 0.1 >= any continuation of "a": settled after one step, "a" returned unfinished
    assert len(res.trace) == 1
    assert res.beams[0].tolist() == [[EOS], [A]]


def test_a_batch_of_different_sentences_is_searched_independently():
    model = TableModel({7: TRAP, 8: SHORT_LONG, 9: SURE})
    res = beam_search(model, src(8, 7, 9), k=2, max_len=10, alpha=1.0)
    assert res.tokens[0].tolist()[:4] == [A, A, A, EOS]
    assert res.tokens[1].tolist()[:2] == [B, EOS] and set(res.tokens[1].tolist()[2:]) <= {PAD}
    assert res.tokens[2].tolist()[0] == EOS and set(res.tokens[2].tolist()[1:]) <= {PAD}
    tokens, scores = greedy_decode(model, src(8, 7, 9), max_len=10)
    assert tokens.tolist() == [[A, A, A, EOS], [A, EOS, PAD, PAD], [EOS, PAD, PAD, PAD]]
    torch.testing.assert_close(scores, torch.log(torch.tensor([0.6 * 0.9 * 0.6 * 0.99, 0.24, 0.9])))


def test_finished_rows_are_filled_with_the_models_own_pad_id():
    """<pad> need not be token 0: after <eos>, every decoder writes the model's pad_id."""
    model = TableModel({8: SHORT_LONG, 9: SURE}, pad_id=C)
    tokens, _ = greedy_decode(model, src(9, 8), max_len=6)
    assert tokens.tolist() == [[EOS, C, C, C], [A, A, A, EOS]]
    res = beam_search(model, src(9, 8), k=2, max_len=6, alpha=1.0)
    assert res.tokens.tolist() == [[EOS, C, C, C], [A, A, A, EOS]]
    sampled, _ = sample(model, src(9, 8), temperature=1e-3, max_len=6, generator=torch.Generator().manual_seed(0))
    assert sampled.tolist() == [[EOS, C, C, C], [A, A, A, EOS]]


def test_sequence_log_prob_is_the_product_along_the_path():
    model = TableModel({7: TRAP, 8: SHORT_LONG})
    tokens = torch.tensor([[B, EOS, PAD, PAD], [A, A, A, EOS]])
    got = sequence_log_prob(model, src(7, 8), tokens)
    torch.testing.assert_close(got, torch.log(torch.tensor([0.36, 0.6 * 0.9 * 0.6 * 0.99])))


@pytest.mark.parametrize("training", [True, False])
def test_decoders_run_in_eval_mode_without_autograd_and_restore_the_mode(training):
    model = TableModel({7: TRAP}).train(training)
    model.generator.train(not training)  # a submodule in the other mode stays so
    tokens, _ = greedy_decode(model, src(7), max_len=3)
    beam_search(model, src(7), k=2, max_len=3)
    sample(model, src(7), max_len=3, generator=torch.Generator().manual_seed(0))
    scores = sequence_log_prob(model, src(7), tokens)
    assert model.modes and not any(model.modes)
    assert model.training == training and model.generator.training == (not training)
    assert tokens.is_inference() and scores.is_inference()  # run under torch.inference_mode()


def test_sampling_follows_the_tempered_distribution():
    """First tokens of many one-step samples: frequencies within 5 standard errors of p^(1/T) / Z."""
    n = 3000
    model = TableModel({7: TRAP})
    for temperature in (0.5, 1.0, 2.0):
        tokens, scores = sample(model, src(*[7] * n), temperature=temperature, max_len=1,
                                generator=torch.Generator().manual_seed(0))
        want = 0.6 ** (1 / temperature) / (0.6 ** (1 / temperature) + 0.4 ** (1 / temperature))
        share = float((tokens[:, 0] == A).float().mean())
        assert abs(share - want) < 5 * math.sqrt(want * (1 - want) / n), (temperature, share, want)
        expected_scores = torch.where(tokens[:, 0] == A, math.log(0.6), math.log(0.4))
        torch.testing.assert_close(scores, expected_scores)  # scored at temperature 1


def test_top_k_sampling_keeps_exactly_the_k_likeliest_tokens():
    model = TableModel({7: {(): {A: 0.5, B: 0.3, C: 0.2}}})
    tokens, _ = sample(model, src(*[7] * 400), top_k=2, max_len=1, generator=torch.Generator().manual_seed(0))
    assert set(tokens[:, 0].tolist()) == {A, B}


def test_sampled_rows_are_padded_after_eos():
    model = TableModel({7: SURE, 8: SHORT_LONG})
    tokens, _ = sample(model, src(*[7, 8] * 50), temperature=1e-3, max_len=6, generator=torch.Generator().manual_seed(0))
    assert tokens[0].tolist()[0] == EOS and set(tokens[0].tolist()[1:]) == {PAD}
    assert tokens[1].tolist()[:4] == [A, A, A, EOS]
