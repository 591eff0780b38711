"""The lookup task of chapter "Multi-head attention": the sampler, the encoder of typed
sequences, the training loop, and that two heads specialise."""

from __future__ import annotations

import pytest
import torch

from transformer_lib.tasks.lookup import IGNORE, LookupModel, LookupTask, lookup_loss, lookup_scores, train_lookup_model


def test_lookup_samples_have_consistent_targets():
    task = LookupTask()
    x, prev, digit = task.sample(50, torch.Generator().manual_seed(0))
    C = task.n_cards
    assert x.shape == (50, task.max_len)
    assert (prev[:, 0] == IGNORE).all() and (prev[:, 1:] == x[:, :-1]).all()
    assert (digit[:, : 1 + C] == IGNORE).all()
    card = task.card_position(x)
    for b in range(50):
        toks = task.tokens(x[b])
        assert toks[0] == "<s>"
        for t in range(1 + C, task.max_len):
            c = toks[int(card[b, t])]
            assert c[0].lower() == toks[t]  # the card has the question's letter
            assert int(c[1]) == int(digit[b, t]) + 1  # and the target is its digit
        assert len({toks[i][0] for i in range(1, 1 + C)}) == C  # cards have distinct letters


@pytest.mark.parametrize("text,match", [
    ("", "empty"),
    ("   ", "empty"),
    ("A1 Z9", "unknown token"),
    ("<img src=x onerror=alert(1)>", "unknown token"),
    ("A1 " * 11, "longer than the model's 11 positions"),
])
def test_lookup_encode_rejects_bad_text(text, match):
    with pytest.raises(ValueError, match=match):
        LookupTask().encode(text)


def test_lookup_encode_round_trips():
    task = LookupTask()
    ids = task.encode("C3 A1 a c")
    assert task.tokens(ids[0]) == ["<s>", "C3", "A1", "a", "c"]
    assert task.tokens(task.encode("<s> C3")[0]) == ["<s>", "C3"]


@pytest.mark.slow
def test_lookup_model_learns_both_tasks_with_two_specialised_heads():
    torch.manual_seed(0)
    model = LookupModel(LookupTask(), d_model=32, n_heads=2, n_layers=2, d_ff=64)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as in the chapter: a model this small trains faster on one thread
    try:
        losses = train_lookup_model(model, steps=250, batch_size=64, lr=3e-3, seed=0, progress=False).train_loss
    finally:
        torch.set_num_threads(threads)
    assert losses[-1] < 0.1
    r = lookup_scores(model, n=500, seed=1)
    assert r["prev_accuracy"] > 0.98 and r["digit_accuracy"] > 0.98
    heads = [h for layer in r["heads"] for h in layer]
    prev_heads = [i for i, h in enumerate(heads) if h["previous"] > 0.5]
    card_heads = [i for i, h in enumerate(heads) if h["card"] > 0.5]
    assert prev_heads and card_heads and not set(prev_heads) & set(card_heads)
    attn = model.attention(model.task.encode("A1 B2 C3 b"))["encoder"]
    assert len(attn) == 2 and attn[0].shape == (1, 2, 5, 5)
    torch.testing.assert_close(attn[0].sum(-1), torch.ones(1, 2, 5))


def test_train_lookup_model_is_adam_on_fresh_seeded_batches():
    """Against the loop written out here: the same batches, Adam, one record per step."""
    torch.manual_seed(0)
    model = LookupModel(LookupTask(), d_model=16, n_heads=2, n_layers=1, d_ff=32)
    torch.manual_seed(0)
    mine = LookupModel(LookupTask(), d_model=16, n_heads=2, n_layers=1, d_ff=32)
    hist = train_lookup_model(model, steps=4, batch_size=8, lr=1e-2, seed=5, progress=False)
    g = torch.Generator().manual_seed(5)
    opt = torch.optim.Adam(mine.parameters(), lr=1e-2)
    losses = []
    for _ in range(4):
        loss = lookup_loss(mine, *mine.task.sample(8, g))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    for a, b in zip(model.parameters(), mine.parameters()):
        torch.testing.assert_close(a, b)
    assert hist.step == [1, 2, 3, 4] and hist.train_loss == pytest.approx(losses, rel=1e-6)


def test_ablate_head_removes_exactly_that_heads_term():
    from transformer_lib.tasks.lookup import ablate_head

    torch.manual_seed(0)
    model = LookupModel(LookupTask(), d_model=16, n_heads=2, n_layers=2, d_ff=32).eval()
    x, _, _ = model.task.sample(4, torch.Generator().manual_seed(0))
    before = [p.clone() for p in model.parameters()]
    ablated = ablate_head(model, 0, 1)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))  # original untouched
    attn, attn_ab = model.layers[0].self_attn, ablated.layers[0].self_attn
    h = model.embed(x) + model.position.weight[: x.shape[1]]
    with torch.no_grad():
        _, w = attn(h, h, h, need_weights=True)  # (B, H, T, T)
        v = attn.W_V(h).view(*h.shape[:2], 2, 8).transpose(1, 2)  # (B, H, T, Dh)
        head0 = (w[:, 0] @ v[:, 0]) @ attn.W_O.weight[:, :8].T  # (B, T, D): head 0's term alone
        got = attn_ab(h, h, h)[0]
    torch.testing.assert_close(got, head0 + attn.W_O.bias, atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="head must lie in 0..1"):
        ablate_head(model, 0, 2)
    with pytest.raises(ValueError, match="layer must lie in 0..1"):
        ablate_head(model, 5, 0)
