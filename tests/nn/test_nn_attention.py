"""Multi-head attention as a module (chapters "Self-attention", "Masking", "Multi-head
attention"): parity with torch.nn.MultiheadAttention and the NumPy reference in float64, the
(out, weights) contract, the fused and explicit paths, masking and its invariances, bad input.

Dropout and train/eval mode are tested in tests/nn/test_nn_dropout_and_modes.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import transformer_lib.nn.attention as attention_module
from transformer_lib import nn as tnn
from transformer_lib import ref

B, T, S = 2, 5, 7

pytestmark = pytest.mark.usefixtures("float64")  # parity in float64 (tests/conftest.py)


def _module_pair(D=12, H=3, bias=True, seed=0):
    torch.manual_seed(seed)
    mine = tnn.MultiHeadAttention(D, H, bias=bias).double()
    theirs = torch.nn.MultiheadAttention(D, H, bias=bias, batch_first=True).double()
    with torch.no_grad():
        theirs.in_proj_weight.copy_(torch.cat([mine.W_Q.weight, mine.W_K.weight, mine.W_V.weight]))
        theirs.out_proj.weight.copy_(mine.W_O.weight)
        if bias:
            theirs.in_proj_bias.copy_(torch.cat([mine.W_Q.bias, mine.W_K.bias, mine.W_V.bias]))
            theirs.out_proj.bias.copy_(mine.W_O.bias)
    return mine, theirs


def _weights(D, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((D, D)) / np.sqrt(D) for _ in range(4)], [rng.standard_normal(D) * 0.1 for _ in range(4)]


def _copy_into(mha, torch_mha, Ws, bs):
    with torch.no_grad():
        for lin, W, b in zip((mha.W_Q, mha.W_K, mha.W_V, mha.W_O), Ws, bs):
            lin.weight.copy_(torch.from_numpy(W.T))
            lin.bias.copy_(torch.from_numpy(b))
        torch_mha.in_proj_weight.copy_(torch.from_numpy(np.concatenate([W.T for W in Ws[:3]])))
        torch_mha.in_proj_bias.copy_(torch.from_numpy(np.concatenate(bs[:3])))
        torch_mha.out_proj.weight.copy_(torch.from_numpy(Ws[3].T))
        torch_mha.out_proj.bias.copy_(torch.from_numpy(bs[3]))


# ------------------------------------------------------------------------------ parity
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("case", ["none", "causal", "padding", "both"])
def test_mha_matches_torch_multihead_attention(case, bias):
    D, H = 12, 3
    mine, theirs = _module_pair(D, H, bias)
    x_q = torch.randn(B, T, D)
    x_kv = torch.randn(B, S, D)
    lengths = torch.tensor([S, 3])
    causal = torch.ones(T, S, dtype=torch.bool).tril(S - T)
    pad = (torch.arange(S)[None] < lengths[:, None])  # (B, S)
    attn_mask = causal if case in ("causal", "both") else None
    key_pad = pad if case in ("padding", "both") else None
    # Ours: one boolean mask, True = may attend. Torch: two masks, True = blocked.
    ours = None
    if attn_mask is not None:
        ours = attn_mask
    if key_pad is not None:
        ours = key_pad[:, None, None, :] if ours is None else ours & key_pad[:, None, None, :]
    out, w = mine(x_q, x_kv, x_kv, mask=ours, need_weights=True)
    exp_out, exp_w = theirs(x_q, x_kv, x_kv, need_weights=True, average_attn_weights=False,
                            attn_mask=None if attn_mask is None else tnn.to_torch_blocked(attn_mask),
                            key_padding_mask=None if key_pad is None else tnn.to_torch_blocked(key_pad))
    torch.testing.assert_close(out, exp_out, atol=1e-12, rtol=1e-10)
    torch.testing.assert_close(w, exp_w, atol=1e-12, rtol=1e-10)
    fused, no_weights = mine(x_q, x_kv, x_kv, mask=ours)  # the fused path, no weights
    torch.testing.assert_close(fused, out, atol=1e-12, rtol=1e-10)
    assert no_weights is None


@pytest.mark.parametrize("D,H,T,S", [(16, 4, 5, 5), (24, 3, 4, 7), (8, 1, 3, 3), (32, 8, 6, 2)])
@pytest.mark.parametrize("masked", [False, True])
def test_reference_module_and_torch_agree_in_float64(D, H, T, S, masked):
    Ws, bs = _weights(D, D + T)
    rng = np.random.default_rng(1)
    xq, xkv = rng.standard_normal((2, T, D)), rng.standard_normal((2, S, D))
    mask = ref.padding_mask([S, max(1, S - 2)], S) if masked else None  # (B, 1, 1, S)
    out, w = ref.multi_head_attention(xq, xkv, *Ws, n_heads=H, mask=mask, biases=bs)
    mha = tnn.MultiHeadAttention(D, H).double().eval()
    torch_mha = torch.nn.MultiheadAttention(D, H, batch_first=True).double().eval()
    _copy_into(mha, torch_mha, Ws, bs)
    tq, tkv = torch.from_numpy(xq), torch.from_numpy(xkv)
    tmask = torch.from_numpy(mask) if masked else None
    with torch.no_grad():
        ours, ours_w = mha(tq, tkv, tkv, mask=tmask, need_weights=True)
        fused, _ = mha(tq, tkv, tkv, mask=tmask)
        kpm = tnn.to_torch_blocked(tmask[:, 0, 0]) if masked else None
        theirs, theirs_w = torch_mha(tq, tkv, tkv, key_padding_mask=kpm, need_weights=True, average_attn_weights=False)
    np.testing.assert_allclose(ours.numpy(), out, atol=1e-12)
    np.testing.assert_allclose(fused.numpy(), out, atol=1e-12)
    np.testing.assert_allclose(theirs.numpy(), out, atol=1e-12)
    np.testing.assert_allclose(ours_w.numpy(), w, atol=1e-12)
    np.testing.assert_allclose(theirs_w.numpy(), w, atol=1e-12)


def test_ref_multi_head_attention_matches_module_under_a_causal_mask():
    D, H = 12, 3
    mine, _ = _module_pair(D, H)
    x = torch.randn(T, D)
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    out, w = mine(x[None], x[None], x[None], mask=mask, need_weights=True)
    Ws = [m.weight.detach().numpy().T for m in (mine.W_Q, mine.W_K, mine.W_V, mine.W_O)]  # (D_in, D_out)
    bs = [m.bias.detach().numpy() for m in (mine.W_Q, mine.W_K, mine.W_V, mine.W_O)]
    r_out, r_w = ref.multi_head_attention(x.numpy(), x.numpy(), *Ws, n_heads=H, mask=mask.numpy(), biases=bs)
    assert r_w.shape == (H, T, T)
    np.testing.assert_allclose(r_out, out[0].detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(r_w, w[0].detach().numpy(), atol=1e-12)


def written_out_mha(mha, query, key, value, mask=None):
    """MultiHead(Q, K, V) = Concat(head_1..head_H) W_O, head_i = softmax(Q_i K_i^T / sqrt(Dh)) V_i, one head at a time."""
    H, Dh = mha.n_heads, mha.d_head
    q, k, v = mha.W_Q(query), mha.W_K(key), mha.W_V(value)  # (B, T, D), (B, S, D), (B, S, D)
    heads = []
    for i in range(H):
        cols = slice(i * Dh, (i + 1) * Dh)
        scores = q[..., cols] @ k[..., cols].transpose(-1, -2) / math.sqrt(Dh)  # (B, T, S)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        heads.append(scores.softmax(-1) @ v[..., cols])  # (B, T, Dh)
    return mha.W_O(torch.cat(heads, dim=-1))


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("need_weights", [False, True])
def test_keys_and_values_may_come_from_different_tensors(fused, need_weights):
    torch.manual_seed(0)
    mha = tnn.MultiHeadAttention(12, 3, fused=fused)
    query, key, value = torch.randn(2, 4, 12), torch.randn(2, 6, 12), torch.randn(2, 6, 12)
    mask = torch.rand(4, 6) > 0.3
    mask[:, 0] = True
    out, _ = mha(query, key, value, mask=mask, need_weights=need_weights)
    torch.testing.assert_close(out, written_out_mha(mha, query, key, value, mask))


# -------------------------------------------------------------- the (out, weights) contract
@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("need_weights", [False, True])
def test_forward_always_returns_out_and_weights_like_torch(fused, need_weights):
    """A pair every time, as torch.nn.MultiheadAttention; weights (B, H, T, S) only when asked."""
    mha = tnn.MultiHeadAttention(8, 2, fused=fused)
    q, kv = torch.randn(2, 3, 8), torch.randn(2, 4, 8)
    result = mha(q, kv, kv, need_weights=need_weights)
    assert isinstance(result, tuple) and len(result) == 2
    out, w = result
    assert out.shape == (2, 3, 8)
    if need_weights:
        assert w.shape == (2, 2, 3, 4)
        torch.testing.assert_close(w.sum(-1), torch.ones(2, 2, 3))
    else:
        assert w is None


@pytest.mark.parametrize("fused,need_weights,expect_sdpa", [(True, False, True), (True, True, False), (False, False, False)])
def test_the_fused_flag_chooses_the_path(monkeypatch, fused, need_weights, expect_sdpa):
    calls = []
    real = attention_module.F.scaled_dot_product_attention

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(attention_module.F, "scaled_dot_product_attention", counting)
    x = torch.randn(1, 3, 8)
    tnn.MultiHeadAttention(8, 2, fused=fused)(x, x, x, need_weights=need_weights)
    assert bool(calls) == expect_sdpa


def test_fused_and_explicit_paths_agree_in_training_mode_without_dropout():
    mine, _ = _module_pair()
    x = torch.randn(B, T, 12, requires_grad=True)
    explicit = tnn.MultiHeadAttention(12, 3, fused=False).double()
    explicit.load_state_dict(mine.state_dict())
    (a, _), (b, _) = mine(x, x, x), explicit(x, x, x)
    torch.testing.assert_close(a, b, atol=1e-12, rtol=1e-10)
    ga, = torch.autograd.grad(a.sum(), x)
    gb, = torch.autograd.grad(b.sum(), x)
    torch.testing.assert_close(ga, gb, atol=1e-12, rtol=1e-10)


# --------------------------------------------------------------------------- masking
@pytest.mark.parametrize("need_weights", [False, True])  # fused and explicit paths
def test_fully_masked_queries_give_finite_outputs_zero_weights_and_gradients(need_weights):
    mine, _ = _module_pair()
    x = torch.randn(2, T, 12, requires_grad=True)
    mask = torch.ones(T, T, dtype=torch.bool).tril() & tnn.padding_mask(torch.tensor([T, 0]), T)  # (B, 1, T, T)
    mask[0, 0, 1] = False  # in sequence 0, query 1 may attend to nothing; sequence 1 is all padding
    out, w = mine(x, x, x, mask=mask, need_weights=need_weights)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out[0, 1], mine.W_O.bias)  # the head outputs are zero, then W_O's bias
    torch.testing.assert_close(out[1], mine.W_O.bias.expand(T, 12))
    if need_weights:
        assert (w[0, :, 1] == 0).all() and (w[1] == 0).all()
    g, = torch.autograd.grad(out.sum(), x)
    assert torch.isfinite(g).all()


@pytest.mark.parametrize("fused", [True, False])
def test_future_tokens_never_change_past_outputs(fused):
    mine, _ = _module_pair()
    mine.fused = fused
    x = torch.randn(1, T, 12)
    mask = tnn.causal_mask(T)
    y = x.clone()
    y[0, 3:] = torch.randn(T - 3, 12) * 10  # change the future of position 2
    with torch.no_grad():
        (a, _), (b, _) = mine(x, x, x, mask=mask), mine(y, y, y, mask=mask)
        torch.testing.assert_close(a[0, :3], b[0, :3], atol=1e-12, rtol=0)
        assert (a[0, 3:] - b[0, 3:]).abs().max() > 1e-3
        # without the mask the past does feel the future
        assert (mine(x, x, x)[0][0, :3] - mine(y, y, y)[0][0, :3]).abs().max() > 1e-3


def test_masked_parallel_pass_equals_incremental_prefixes():
    mine, _ = _module_pair()
    x = torch.randn(1, 6, 12)
    with torch.no_grad():
        full, _ = mine(x, x, x, mask=tnn.causal_mask(6))
        for t in range(6):
            p = x[:, : t + 1]
            torch.testing.assert_close(mine(p, p, p)[0][0, t], full[0, t])


@pytest.mark.parametrize("fused", [True, False])
def test_padded_keys_never_change_the_other_outputs(fused):
    mine, _ = _module_pair()
    mine.fused = fused
    x = torch.randn(1, S, 12)
    y = x.clone()
    y[0, 4:] = torch.randn(S - 4, 12) * 10  # different padding content
    mask = tnn.padding_mask(torch.tensor([4]), S)  # (1, 1, 1, S)
    with torch.no_grad():
        (a, _), (b, _) = mine(x, x, x, mask=mask), mine(y, y, y, mask=mask)
    torch.testing.assert_close(a[0, :4], b[0, :4], atol=1e-12, rtol=0)


def test_heads_are_permutation_equivariant():
    """Permuting the heads (their slices of W_Q, W_K, W_V and rows of W_O) changes nothing."""
    D, H = 12, 3
    mine, _ = _module_pair(D, H)
    perm = torch.tensor([2, 0, 1])
    idx = torch.cat([torch.arange(h * 4, (h + 1) * 4) for h in perm])
    other = tnn.MultiHeadAttention(D, H).double()
    with torch.no_grad():
        for name in ("W_Q", "W_K", "W_V"):
            getattr(other, name).weight.copy_(getattr(mine, name).weight[idx])
            getattr(other, name).bias.copy_(getattr(mine, name).bias[idx])
        other.W_O.weight.copy_(mine.W_O.weight[:, idx])
        other.W_O.bias.copy_(mine.W_O.bias)
    x = torch.randn(B, T, D)
    a, wa = mine(x, x, x, need_weights=True)
    b, wb = other(x, x, x, need_weights=True)
    torch.testing.assert_close(a, b, atol=1e-12, rtol=1e-10)
    torch.testing.assert_close(wa[:, perm], wb, atol=1e-12, rtol=1e-10)


# ------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad,match", [
    (lambda m, x: tnn.MultiHeadAttention(10, 3), r"d_model % n_heads != 0.*d_model=10.*n_heads=3"),
    (lambda m, x: m(torch.zeros(1, T, 6), x, x), r"query must have shape \(B, length, d_model=8\), got \(1, 5, 6\)"),
    (lambda m, x: m(x, x, torch.zeros(1, 4, 8)), r"K and V disagree on length"),
    (lambda m, x: m(x, torch.zeros(2, T, 8), torch.zeros(2, T, 8)), r"query batch 1 != key batch 2"),
    (lambda m, x: m(x, x, x, mask=torch.ones(T, T)), r"must be boolean.*torch.float64"),
    (lambda m, x: m(x, x, x, mask=torch.ones(3, T, dtype=torch.bool)), r"\(3, 5\) does not broadcast.*\(1, 2, 5, 5\)"),
])
def test_bad_inputs_raise_clear_messages(bad, match):
    m = tnn.MultiHeadAttention(8, 2)
    with pytest.raises(ValueError, match=match):
        bad(m, torch.zeros(1, T, 8))
