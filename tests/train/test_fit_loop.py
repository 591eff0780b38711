"""The fit loop against a loop written out here: Adam with the paper's settings, the paper's
learning rate, the label-smoothed loss -- each spelled out from section 5 of Vaswani et al. 2017,
not imported from the library.
"""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F

from transformer_lib.nn import Transformer, TransformerConfig
from transformer_lib.train import History, fit, fit_seq2seq, teacher_forced_scores, warmup_cosine

PAD, V = 0, 9


pytestmark = pytest.mark.usefixtures("float64")  # parity in float64 (tests/conftest.py)


def tiny(dropout=0.0, seed=0):
    torch.manual_seed(seed)
    return Transformer(TransformerConfig(src_vocab_size=V, tgt_vocab_size=V, d_model=8, n_heads=2, n_encoder_layers=1,
                                         n_decoder_layers=1, d_ff=16, dropout=dropout, max_len=8))


def one_pair_repeated(n=6):
    """Every row is the same pair, so every batch is the same whatever rows are drawn."""
    src = torch.tensor([[3, 4, 5, 2, 0]]).repeat(n, 1)
    tgt_in = torch.tensor([[1, 6, 7, 8, 0]]).repeat(n, 1)
    tgt_out = torch.tensor([[6, 7, 8, 2, 0]]).repeat(n, 1)
    return src, tgt_in, tgt_out


def smoothed_cross_entropy(logits, targets, eps):
    """Section 5.4: the true token gets 1 - eps, the other V - 2 non-<pad> tokens eps / (V - 2)."""
    log_p = logits.log_softmax(-1)
    total, n = 0.0, 0
    for b in range(targets.shape[0]):
        for t in range(targets.shape[1]):
            y = int(targets[b, t])
            if y == PAD:
                continue
            q = torch.full((V,), eps / (V - 2))
            q[PAD], q[y] = 0.0, 1.0 - eps
            total = total - (q * log_p[b, t]).sum()
            n += 1
    return total / n


def paper_rate(step, d_model, warmup):
    """Equation 3: d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)."""
    return d_model ** -0.5 * min(step ** -0.5, step * warmup ** -1.5)


def test_train_is_adam_with_the_paper_schedule_and_the_smoothed_loss():
    data = one_pair_repeated()
    model = tiny()
    mine = copy.deepcopy(model)
    steps, batch, warmup, eps = 5, 3, 2, 0.1
    hist = fit_seq2seq(model, data, steps=steps, batch_size=batch, smoothing=eps, warmup=warmup, heldout_data=data,
                 record_every=2, progress=False)

    opt = torch.optim.Adam(mine.parameters(), lr=0.0, betas=(0.9, 0.98), eps=1e-9)  # section 5.3
    losses, heldout = [], []
    src, tgt_in, tgt_out = (x[:batch] for x in data)
    mine.train()
    for step in range(1, steps + 1):
        for g in opt.param_groups:
            g["lr"] = paper_rate(step, 8, warmup)
        loss = smoothed_cross_entropy(mine(src, tgt_in), tgt_out, eps)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if step in (2, 4, 5):
            with torch.no_grad():
                logits = mine.eval()(*data[:2])
                heldout.append(F.cross_entropy(logits.reshape(-1, V), data[2].reshape(-1), ignore_index=PAD).item())
            mine.train()

    for a, b in zip(model.parameters(), mine.parameters()):
        torch.testing.assert_close(a, b, atol=1e-8, rtol=1e-6)
    assert hist.step == [2, 4, 5]  # every record_every steps, and the last one
    assert hist.train_loss == pytest.approx([(losses[0] + losses[1]) / 2, (losses[2] + losses[3]) / 2, losses[4]], rel=1e-6)
    assert hist.heldout_loss == pytest.approx(heldout, rel=1e-6)
    assert losses[-1] < losses[0]  # it did learn something


def test_train_runs_the_model_in_training_mode_and_evaluates_in_eval_mode():
    model = tiny(dropout=0.1)
    modes = []
    model.register_forward_pre_hook(lambda m, args: modes.append(m.training))
    data = one_pair_repeated()
    fit_seq2seq(model, data, steps=3, batch_size=2, heldout_data=data, record_every=1, progress=False)
    assert modes == [True, False] * 3  # a training step, then the held-out evaluation, each time
    assert model.training  # put back as it was: in training mode


def test_fit_puts_an_eval_model_back_in_eval_mode_even_after_an_error():
    model = tiny(dropout=0.1).eval()
    data = one_pair_repeated()
    fit_seq2seq(model, data, steps=2, batch_size=2, heldout_data=data, record_every=1, progress=False)
    assert not model.training

    def broken(model, batch):
        raise RuntimeError("a loss that fails")

    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(RuntimeError, match="a loss that fails"):
        fit(model, lambda step: None, broken, steps=2, optimizer=opt, progress=False)
    assert not model.training


def test_evaluate_restores_the_mode_it_found():
    model = tiny(dropout=0.1).train()
    teacher_forced_scores(model, one_pair_repeated())
    assert model.training


def test_teacher_forced_scores_run_without_dropout_even_on_a_training_model():
    """Scored in eval mode: a model in training mode with heavy dropout gets the eval-mode numbers, every time."""
    model = tiny(dropout=0.5).train()
    data = one_pair_repeated()
    first = [teacher_forced_scores(model, data) for _ in range(3)]
    assert first[0] == first[1] == first[2]
    assert first[0] == teacher_forced_scores(model.eval(), data)


def test_batches_are_drawn_from_every_training_pair():
    model = tiny()
    seen = set()
    model.register_forward_pre_hook(lambda m, args: seen.update(int(s) for s in args[0][:, 0]) if m.training else None)
    src = torch.tensor([[3, 2], [4, 2], [5, 2]])
    tgt_in, tgt_out = torch.tensor([[1, 6]] * 3), torch.tensor([[6, 2]] * 3)
    fit_seq2seq(model, (src, tgt_in, tgt_out), steps=4, batch_size=16, progress=False)
    assert seen == {3, 4, 5}


# ------------------------------------------------------------------ the generic loop
def test_fit_records_means_since_the_last_record_the_rate_each_step_used_and_evaluations():
    """A one-parameter model whose loss is known at every step: fit's records are checked by hand."""
    w = torch.nn.Parameter(torch.tensor(0.0))
    model = torch.nn.Module()
    model.w = w
    opt = torch.optim.SGD([w], lr=0.5)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: 1.0 / (i + 1))  # 0.5, 0.25, 0.1667, ...
    seen_w = []

    def loss_fn(model, target):
        seen_w.append(model.w.item())
        return (model.w - target) ** 2, {"w": model.w.item()}

    hist = fit(model, [1.0, 1.0, 1.0], loss_fn, steps=3, optimizer=opt, schedule=sched, record_every=2,
               evaluate=lambda m: {"distance": abs(1.0 - m.w.item())}, progress=False)
    # w: 0 -> 0 + 0.5 * 2 * (1 - 0) = 1.0 -> stays at 1.0 (gradient 0)
    assert seen_w == [0.0, 1.0, 1.0]
    assert hist.step == [2, 3]
    assert hist.lr == pytest.approx([0.25, 0.5 / 3])  # the rate each recorded step used, not the next one's
    assert hist.train_loss == pytest.approx([(1.0 + 0.0) / 2, 0.0])
    assert hist.train_w == pytest.approx([0.5, 1.0])
    assert hist.distance == pytest.approx([0.0, 0.0])
    assert set(hist.as_dict()) == {"step", "lr", "train_loss", "train_w", "distance", "seconds"}
    with pytest.raises(AttributeError, match="recorded"):
        hist.heldout_loss


def test_fit_evaluates_in_eval_mode_calls_back_after_each_record_and_keeps_one_set_of_values():
    w = torch.nn.Parameter(torch.tensor(0.0))
    model = torch.nn.Module()
    model.w = w
    seen = []
    hist = fit(model, lambda step: 1.0, lambda m, t: (m.w - t) ** 2, steps=5, optimizer=torch.optim.SGD([w], lr=0.1),
               record_every=2, progress=False, callback=lambda h: seen.append(list(h.step)),
               evaluate=lambda m: {"in_training_mode": m.training, "recording_gradients": torch.is_grad_enabled()})
    assert seen == [[2], [2, 4], [2, 4, 5]]  # after every record, with the history so far
    assert hist.in_training_mode == hist.recording_gradients == [0.0] * 3  # eval mode, under inference_mode
    assert model.training
    hist = History()
    hist.record(1, 0.1, {"train_loss": 1.0})
    with pytest.raises(ValueError, match="record 2 measured"):
        hist.record(2, 0.1, {"train_loss": 1.0, "heldout_loss": 2.0})


def test_fit_says_when_the_batches_run_out_and_rejects_bad_counts():
    w = torch.nn.Parameter(torch.tensor(0.0))
    model = torch.nn.Module()
    model.w = w
    opt = torch.optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="ran out at step 3"):
        fit(model, [1.0, 1.0], lambda m, t: (m.w - t) ** 2, steps=3, optimizer=opt, progress=False)
    with pytest.raises(ValueError, match="positive"):
        fit(model, [1.0], lambda m, t: (m.w - t) ** 2, steps=0, optimizer=opt, progress=False)


def test_warmup_cosine_rises_linearly_then_decays_to_zero():
    f = warmup_cosine(4, 12)
    assert [f(i) for i in range(4)] == pytest.approx([0.25, 0.5, 0.75, 1.0])
    assert f(8) == pytest.approx(0.5)  # half-way through the decay
    assert f(12) == pytest.approx(0.0, abs=1e-12)
    assert all(f(i) >= f(i + 1) for i in range(4, 12))
    with pytest.raises(ValueError):
        warmup_cosine(0, 10)



# ----------------------------------------------------------------- the loss and accuracy
def test_garbage_at_padding_positions_never_reaches_the_loss_or_the_accuracy():
    """A padded position is left out: even NaN logits there change nothing, and a pad 'hit' is no hit."""
    from transformer_lib.train import label_smoothed_loss, token_accuracy

    g = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 4, V, generator=g)
    targets = torch.tensor([[5, 6, 2, PAD], [7, 2, PAD, PAD]])
    clean = label_smoothed_loss(logits, targets, 0.1)
    dirty = logits.clone()
    dirty[0, 3] = float("nan")
    dirty[1, 2:] = float("nan")
    assert torch.isfinite(label_smoothed_loss(dirty, targets, 0.1))
    torch.testing.assert_close(label_smoothed_loss(dirty, targets, 0.1), clean)
    torch.testing.assert_close(clean, smoothed_cross_entropy(logits, targets, 0.1))
    picks = torch.full((2, 4, V), -10.0)
    picks[..., PAD] = 10.0  # argmax is <pad> everywhere: right only where the target is padding
    assert token_accuracy(picks, targets) == 0.0
