"""Attention: the NumPy reference and the PyTorch module against torch's own, in float64.

Chapter "Self-attention" (scaled dot-product) and the skeleton's public contract.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from transformer_lib import nn as tnn
from transformer_lib import ref

B, H, T, S, DH = 2, 3, 5, 7, 4


pytestmark = pytest.mark.usefixtures("float64")  # parity in float64 (tests/conftest.py)


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _masks():
    """The four mask situations the contract names, as bool arrays broadcastable to (B, H, T, S)."""
    lengths = np.array([S, 3])
    causal = np.tril(np.ones((T, S), dtype=bool), k=S - T)  # query t sees keys up to t + (S - T)
    pad = ref.padding_mask(lengths, S)[:, None]  # (B, 1, 1, S)
    return {"none": None, "causal": causal, "padding": pad, "both": causal & pad}


# ------------------------------------------------------------------------------ ref
def test_softmax_rows_sum_to_one_and_handle_all_masked_rows():
    x = np.array([[1.0, 2.0, 3.0], [-np.inf, -np.inf, -np.inf], [1000.0, 0.0, -1000.0]])
    p = ref.softmax(x)
    np.testing.assert_allclose(p[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    np.testing.assert_array_equal(p[1], 0.0)
    assert np.all(np.isfinite(p)) and p[2, 0] == pytest.approx(1.0)


@pytest.mark.parametrize("case", ["none", "causal", "padding", "both"])
def test_ref_sdpa_matches_torch(case):
    q, k, v = _rand(B, H, T, DH, seed=1), _rand(B, H, S, DH, seed=2), _rand(B, H, S, 6, seed=3)
    mask = _masks()[case]
    out, w = ref.scaled_dot_product_attention(q, k, v, mask)
    tm = None if mask is None else torch.from_numpy(np.broadcast_to(mask, (B, H, T, S)).copy())
    expected = F.scaled_dot_product_attention(*map(torch.from_numpy, (q, k, v)), attn_mask=tm)
    np.testing.assert_allclose(out, expected.numpy(), atol=1e-12)
    np.testing.assert_allclose(w.sum(-1), 1.0)
    if mask is not None:
        assert np.all(w[~np.broadcast_to(mask, w.shape)] == 0.0), "masked keys must get exactly zero weight"


def test_fully_masked_rows_give_zeros_not_nan():
    q, k, v = _rand(1, T, DH), _rand(1, S, DH), _rand(1, S, DH)
    mask = np.ones((T, S), dtype=bool)
    mask[2] = False
    out, w = ref.scaled_dot_product_attention(q, k, v, mask)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(w))
    np.testing.assert_array_equal(out[0, 2], 0.0)
    np.testing.assert_array_equal(w[0, 2], 0.0)


def test_ref_causal_and_padding_masks():
    np.testing.assert_array_equal(ref.causal_mask(3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    assert ref.causal_mask(4).dtype == bool
    pm = ref.padding_mask([2, 0, 3], 3)
    assert pm.shape == (3, 1, 3) and pm.dtype == bool
    np.testing.assert_array_equal(pm[:, 0], [[1, 1, 0], [0, 0, 0], [1, 1, 1]])


# ------------------------------------------------------------------------------- nn
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
    fused = mine(x_q, x_kv, x_kv, mask=ours)  # the fused path, no weights
    torch.testing.assert_close(fused, out, atol=1e-12, rtol=1e-10)


def test_ref_multi_head_attention_matches_module():
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


def test_fused_and_explicit_paths_agree_in_training_mode_without_dropout():
    mine, _ = _module_pair()
    x = torch.randn(B, T, 12, requires_grad=True)
    explicit = tnn.MultiHeadAttention(12, 3, fused=False).double()
    explicit.load_state_dict(mine.state_dict())
    a, b = mine(x, x, x), explicit(x, x, x)
    torch.testing.assert_close(a, b, atol=1e-12, rtol=1e-10)
    ga, = torch.autograd.grad(a.sum(), x)
    gb, = torch.autograd.grad(b.sum(), x)
    torch.testing.assert_close(ga, gb, atol=1e-12, rtol=1e-10)


def test_fully_masked_rows_are_finite_in_both_paths_and_gradients():
    mine, _ = _module_pair()
    x = torch.randn(1, T, 12, requires_grad=True)
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    mask[1] = False
    for need in (False, True):
        out = mine(x, x, x, mask=mask, need_weights=need)
        out = out[0] if need else out
        assert torch.isfinite(out).all()
        torch.testing.assert_close(out[0, 1], mine.W_O.bias)  # the head outputs are zero
        g, = torch.autograd.grad(out.sum(), x)
        assert torch.isfinite(g).all()


# ----------------------------------------------------------------------- invariances
def test_future_tokens_never_change_past_outputs():
    mine, _ = _module_pair()
    x = torch.randn(1, T, 12)
    mask = tnn.causal_mask(T)
    y = x.clone()
    y[0, 3:] = torch.randn(T - 3, 12) * 10  # change the future of position 2
    for need in (False, True):
        a = mine(x, x, x, mask=mask, need_weights=need)
        b = mine(y, y, y, mask=mask, need_weights=need)
        a, b = (a[0], b[0]) if need else (a, b)
        torch.testing.assert_close(a[0, :3], b[0, :3], atol=1e-12, rtol=0)
        assert not torch.allclose(a[0, 3:], b[0, 3:])


def test_padded_keys_never_change_the_other_outputs():
    mine, _ = _module_pair()
    x = torch.randn(1, S, 12)
    y = x.clone()
    y[0, 4:] = torch.randn(S - 4, 12) * 10  # different padding content
    mask = tnn.padding_mask(torch.tensor([4]), S)  # (1, 1, 1, S)
    a, b = mine(x, x, x, mask=mask), mine(y, y, y, mask=mask)
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
def test_bad_inputs_raise_clear_messages():
    q, k, v = np.zeros((T, 4)), np.zeros((S, 4)), np.zeros((S, 3))
    with pytest.raises(ValueError, match=r"Q and K disagree on d_k.*\(5, 4\).*\(7, 5\)"):
        ref.scaled_dot_product_attention(q, np.zeros((S, 5)), v)
    with pytest.raises(ValueError, match=r"K and V disagree on length.*\(7, 4\).*\(6, 3\)"):
        ref.scaled_dot_product_attention(q, k, np.zeros((6, 3)))
    with pytest.raises(ValueError, match=r"\(4, 4\) does not broadcast.*\(5, 7\)"):
        ref.scaled_dot_product_attention(q, k, v, mask=np.ones((4, 4), dtype=bool))
    with pytest.raises(ValueError, match=r"must be boolean.*float64"):
        ref.scaled_dot_product_attention(q, k, v, mask=np.ones((T, S)))
    with pytest.raises(ValueError, match=r"d_model % n_heads != 0.*d_model=10.*n_heads=3"):
        tnn.MultiHeadAttention(10, 3)
    with pytest.raises(ValueError, match=r"d_model % n_heads != 0"):
        tnn.TransformerConfig(d_model=10, n_heads=3)
    with pytest.raises(ValueError, match=r"d_model % n_heads != 0"):
        ref.multi_head_attention(np.zeros((T, 10)), np.zeros((T, 10)), *[np.zeros((10, 10))] * 4, n_heads=3)
    m = tnn.MultiHeadAttention(8, 2)
    x = torch.zeros(1, T, 8)
    with pytest.raises(ValueError, match=r"query must have shape \(B, length, d_model=8\), got \(1, 5, 6\)"):
        m(torch.zeros(1, T, 6), x, x)
    with pytest.raises(ValueError, match=r"K and V disagree on length"):
        m(x, x, torch.zeros(1, 4, 8))
    with pytest.raises(ValueError, match=r"must be boolean.*torch.float64"):
        m(x, x, x, mask=torch.ones(T, T))
    with pytest.raises(ValueError, match=r"\(3, 5\) does not broadcast.*\(1, 2, 5, 5\)"):
        m(x, x, x, mask=torch.ones(3, T, dtype=torch.bool))


def test_config_is_frozen_and_validated():
    c = tnn.TransformerConfig(d_model=64, n_heads=4)
    assert c.d_head == 16
    with pytest.raises(Exception):
        c.d_model = 32  # frozen
    with pytest.raises(ValueError, match="dropout"):
        tnn.TransformerConfig(dropout=1.5)


def test_seed_everything_reproduces_draws():
    tnn.seed_everything(3)
    a = (np.random.rand(), torch.rand(1).item())
    tnn.seed_everything(3)
    assert a == (np.random.rand(), torch.rand(1).item())
