"""Loss, label smoothing, the schedule and the training loop (chapter "Training")."""


import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from transformer_lib import seed_everything
from transformer_lib.data import encode_pairs, make_corpus
from transformer_lib.nn import Transformer, TransformerConfig
from transformer_lib.train import (
    cross_entropy_dist, entropy, teacher_forced_scores, kl_divergence, label_smoothed_loss, noam_rate, noam_scheduler,
    smoothed_targets, token_accuracy, fit_seq2seq,
)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 30), st.integers(0, 2**16), st.floats(0.0, 0.9))
def test_cross_entropy_is_entropy_plus_kl(V, seed, eps):
    g = torch.Generator().manual_seed(seed)
    log_p = torch.randn(4, V, generator=g, dtype=torch.float64).log_softmax(-1)
    q = torch.rand(4, V, generator=g, dtype=torch.float64) ** 3  # some near-zero entries
    q = (1 - eps) * q / q.sum(-1, keepdim=True) + eps / V
    torch.testing.assert_close(cross_entropy_dist(q, log_p), entropy(q) + kl_divergence(q, log_p))
    # against torch's KL (which takes log p first and q second)
    torch.testing.assert_close(kl_divergence(q, log_p), F.kl_div(log_p, q, reduction="none").sum(-1))


def test_one_hot_cross_entropy_equals_kl():
    q = F.one_hot(torch.tensor([2, 0]), 5).double()
    log_p = torch.randn(2, 5, dtype=torch.float64).log_softmax(-1)
    torch.testing.assert_close(entropy(q), torch.zeros(2, dtype=torch.float64))
    torch.testing.assert_close(cross_entropy_dist(q, log_p), kl_divergence(q, log_p))


def test_smoothed_targets():
    t = torch.tensor([[3, 4, 0]])
    q = smoothed_targets(t, 6, 0.1, pad_id=0)
    torch.testing.assert_close(q.sum(-1), torch.tensor([[1.0, 1.0, 0.0]]))
    assert q[0, 0, 3] == pytest.approx(0.9) and q[0, 0, 1] == pytest.approx(0.1 / 4)
    assert (q[..., 0] == 0).all()
    torch.testing.assert_close(smoothed_targets(t, 6, 0.0)[0, :2], F.one_hot(t[0, :2], 6).float())
    with pytest.raises(ValueError, match="smoothing"):
        smoothed_targets(t, 6, 1.0)


def test_loss_without_smoothing_is_torch_cross_entropy_ignoring_padding():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(3, 5, 7, generator=g, dtype=torch.float64)
    targets = torch.randint(1, 7, (3, 5), generator=g)
    targets[0, 3:] = 0
    targets[2, 1:] = 0
    ours = label_smoothed_loss(logits, targets, 0.0, pad_id=0)
    theirs = F.cross_entropy(logits.reshape(-1, 7), targets.reshape(-1), ignore_index=0)
    torch.testing.assert_close(ours, theirs)


def test_loss_ignores_padding_positions():
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(2, 6, 9, generator=g)
    targets = torch.randint(1, 9, (2, 6), generator=g)
    targets[:, 4:] = 0
    base = label_smoothed_loss(logits, targets, 0.1)
    changed = logits.clone()
    changed[:, 4:] = 100 * torch.randn(2, 2, 9, generator=g)  # whatever the model says at padding
    torch.testing.assert_close(label_smoothed_loss(changed, targets, 0.1), base)
    # and the mean is over real tokens only: equal to the loss on the unpadded part
    torch.testing.assert_close(label_smoothed_loss(logits[:, :4], targets[:, :4], 0.1), base)
    logits.requires_grad_(True)
    label_smoothed_loss(logits, targets, 0.1).backward()
    assert (logits.grad[:, 4:] == 0).all()


def test_loss_bad_input():
    with pytest.raises(ValueError, match="every target is padding"):
        label_smoothed_loss(torch.randn(1, 2, 5), torch.zeros(1, 2, dtype=torch.long))
    with pytest.raises(ValueError, match=r"\(B, T, V\)"):
        label_smoothed_loss(torch.randn(2, 5), torch.zeros(2, dtype=torch.long))


def test_smoothed_loss_minimum_is_the_smoothed_distribution():
    V, eps = 6, 0.1
    t = torch.tensor([[2]])
    q = smoothed_targets(t, V, eps)
    best = label_smoothed_loss(torch.log(q.clamp_min(1e-30)), t, eps)
    torch.testing.assert_close(best, entropy(q)[0, 0])  # KL = 0 there
    sharper = label_smoothed_loss(torch.tensor([[[0.0, 0, 20, 0, 0, 0]]]), t, eps)
    assert sharper > best  # being over-confident is penalised


@pytest.mark.parametrize("d_model,warmup", [(512, 4000), (64, 400), (16, 1)])
def test_noam_rate_formula(d_model, warmup):
    for step in [1, 2, warmup // 2 + 1, warmup, warmup + 1, 10 * warmup]:
        expect = d_model ** -0.5 * min(step ** -0.5, step * warmup ** -1.5)
        assert noam_rate(step, d_model, warmup) == pytest.approx(expect)
    rates = [noam_rate(s, d_model, warmup) for s in range(1, 3 * warmup + 2)]
    assert int(np.argmax(rates)) + 1 == warmup  # the peak is at step = warmup
    assert noam_rate(warmup, d_model, warmup) == pytest.approx(d_model ** -0.5 * warmup ** -0.5)
    assert noam_rate(4 * warmup, d_model, warmup, factor=2.0) == pytest.approx(2 * 0.5 * noam_rate(warmup, d_model, warmup))


def test_noam_scheduler_sets_the_rate():
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([p], lr=1.0)
    sched = noam_scheduler(opt, 64, 10)
    seen = []
    for _ in range(20):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert seen == pytest.approx([noam_rate(s, 64, 10) for s in range(1, 21)])
    with pytest.raises(ValueError, match="lr=1.0"):
        noam_scheduler(torch.optim.Adam([p], lr=0.1), 64, 10)
    with pytest.raises(ValueError, match="count from 1"):
        noam_rate(0, 64)


def test_token_accuracy_ignores_padding():
    logits = F.one_hot(torch.tensor([[1, 2, 3]]), 5).float()
    assert token_accuracy(logits, torch.tensor([[1, 2, 0]])) == 1.0
    assert token_accuracy(logits, torch.tensor([[1, 4, 0]])) == 0.5


@pytest.mark.slow
def test_short_training_learns_the_language():
    """A quality bar, not a time bar: a few hundred steps already translate most tokens."""
    seed_everything(0)
    torch.set_num_threads(1)  # a small model: one thread is as fast, and never oversubscribes a shared CPU
    c = make_corpus()
    cfg = TransformerConfig(src_vocab_size=len(c.src_vocab), tgt_vocab_size=len(c.tgt_vocab), d_model=32, n_heads=2,
                            n_encoder_layers=1, n_decoder_layers=1, d_ff=64, dropout=0.0, max_len=16,
                            share_embeddings=False)
    model = Transformer(cfg)
    test = encode_pairs(c.test, c.src_vocab, c.tgt_vocab)
    before = teacher_forced_scores(model, test)
    hist = fit_seq2seq(model, encode_pairs(c.train, c.src_vocab, c.tgt_vocab), steps=300, batch_size=64, warmup=100,
                 heldout_data=test, record_every=100, progress=False)
    assert hist.step == [100, 200, 300] and len(hist.heldout_loss) == 3
    assert hist.heldout_loss[-1] < before[0] / 3
    assert hist.heldout_acc[-1] > 0.8
    assert model.training  # put back as it was
