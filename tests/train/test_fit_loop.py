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
from transformer_lib.train import evaluate, train

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
    hist = train(model, data, steps=steps, batch_size=batch, smoothing=eps, warmup=warmup, heldout_data=data,
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
    train(model, data, steps=3, batch_size=2, heldout_data=data, record_every=1, progress=False)
    assert modes == [True, False] * 3  # a training step, then the held-out evaluation, each time
    assert not model.training  # left in eval mode


def test_evaluate_restores_the_mode_it_found():
    model = tiny(dropout=0.1).train()
    evaluate(model, one_pair_repeated())
    assert model.training


def test_batches_are_drawn_from_every_training_pair():
    model = tiny()
    seen = set()
    model.register_forward_pre_hook(lambda m, args: seen.update(int(s) for s in args[0][:, 0]) if m.training else None)
    src = torch.tensor([[3, 2], [4, 2], [5, 2]])
    tgt_in, tgt_out = torch.tensor([[1, 6]] * 3), torch.tensor([[6, 2]] * 3)
    train(model, (src, tgt_in, tgt_out), steps=4, batch_size=16, progress=False)
    assert seen == {3, 4, 5}



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
