"""GPTConfig(positions=...): learned (the default, unchanged), sinusoidal and RoPE (chapter "The modern block")."""

import math

import pytest
import torch
import torch.nn.functional as F

from transformer_lib import nn as tnn
from transformer_lib.nn.gpt import GPT, GPTConfig
from transformer_lib.nn.positional import sinusoidal_positional_encoding


def _model(positions, seed=0, **kw):
    torch.manual_seed(seed)
    return GPT(GPTConfig(vocab_size=11, block_size=8, d_model=16, n_heads=2, n_layers=2, d_ff=32,
                         positions=positions, **kw)).double().eval()


def test_default_is_learned_with_the_same_parameters_as_before():
    assert GPTConfig().positions == "learned"
    m = _model("learned")
    assert "pos.table.weight" in m.state_dict()
    assert not any(layer.self_attn.rotary for layer in m.layers)
    with pytest.raises(ValueError, match="block_size=8"):
        m(torch.zeros(1, 9, dtype=torch.long))


@pytest.mark.parametrize("positions", ["sinusoidal", "rope"])
def test_nothing_learned_per_position_so_longer_inputs_run(positions):
    m = _model(positions)
    assert not any(k.startswith("pos") for k in m.state_dict())
    assert all(layer.self_attn.rotary == (positions == "rope") for layer in m.layers)
    out = m(torch.randint(0, 11, (2, 30)))  # 30 > block_size = 8
    assert out.shape == (2, 30, 11) and torch.isfinite(out).all()


def test_bad_positions_get_a_clear_message():
    with pytest.raises(ValueError, match="positions must be one of"):
        GPTConfig(positions="alibi")
    with pytest.raises(ValueError, match="d_head .* must be even"):
        GPTConfig(d_model=12, n_heads=4, positions="rope")  # d_head = 3
    with pytest.raises(ValueError, match="d_head .* must be even"):
        tnn.MultiHeadAttention(12, 4, rotary=True)


def test_sinusoidal_adds_the_table_to_the_embeddings():
    m = _model("sinusoidal")
    ids = torch.randint(0, 11, (2, 12))
    x = m.embed(ids) + sinusoidal_positional_encoding(12, 16)  # (B, T, D)
    mask = tnn.causal_mask(12)
    for layer in m.layers:
        x = layer(x, mask)
    torch.testing.assert_close(m(ids), m.lm_head(m.final_norm(x)))


def test_rotary_attention_rotates_q_and_k_then_attends():
    torch.manual_seed(0)
    mha = tnn.MultiHeadAttention(16, 2, rotary=True).double()
    x = torch.randn(2, 7, 16, dtype=torch.float64)
    mask = tnn.causal_mask(7)
    q, k, v = (w(x).view(2, 7, 2, 8).transpose(1, 2) for w in (mha.W_Q, mha.W_K, mha.W_V))  # (B, H, T, Dh)
    q, k = tnn.apply_rotary(q), tnn.apply_rotary(k)
    heads = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # (B, H, T, Dh)
    want = mha.W_O(heads.transpose(1, 2).reshape(2, 7, 16))
    for need_weights in (False, True):  # fused and explicit paths
        torch.testing.assert_close(mha(x, x, x, mask, need_weights=need_weights)[0], want)
    scores = q @ k.transpose(-2, -1) / math.sqrt(8)
    torch.testing.assert_close(mha(x, x, x, mask, need_weights=True)[1],
                               scores.masked_fill(~mask, float("-inf")).softmax(-1))


def test_rope_outputs_depend_on_offsets_only_so_shifting_every_position_changes_nothing():
    """RoPE: the same tokens read at positions 5..10 (5 hidden cached positions first) or 0..5 agree."""
    torch.manual_seed(0)
    mha = tnn.MultiHeadAttention(16, 2, rotary=True).double()
    x = torch.randn(1, 6, 16, dtype=torch.float64)
    at_zero, _ = mha(x, x, x, tnn.causal_mask(6))
    hidden = torch.randn(1, 2, 5, 8, dtype=torch.float64)  # 5 earlier keys/values nobody may read
    mask = torch.cat([torch.zeros(6, 5, dtype=torch.bool), tnn.causal_mask(6)], dim=1)  # (T, S_past + T)
    at_five, _ = mha(x, x, x, mask, past_kv=(hidden, hidden))
    torch.testing.assert_close(at_five, at_zero)
    plain = tnn.MultiHeadAttention(16, 2).double()
    plain.load_state_dict(mha.state_dict())
    assert not torch.allclose(plain(x, x, x, tnn.causal_mask(6))[0], at_zero)  # the rotation did something


@pytest.mark.parametrize("positions", ["learned", "sinusoidal", "rope"])
def test_the_kv_cache_gives_the_full_forward(positions):
    m = _model(positions)
    T = 8 if positions == "learned" else 20  # sinusoidal and rope also past block_size = 8
    ids = torch.randint(0, 11, (2, T))
    full = m(ids)
    logits, cache = m(ids[:, :3], use_cache=True)
    steps = [logits]
    for t in range(3, T):
        logits, cache = m(ids[:, t : t + 1], past_kv=cache, use_cache=True)
        steps.append(logits)
    torch.testing.assert_close(torch.cat(steps, 1), full)


@pytest.mark.parametrize("positions", ["sinusoidal", "rope"])
def test_future_tokens_never_change_earlier_logits(positions):
    m = _model(positions)
    a = torch.randint(0, 11, (1, 16))
    b = a.clone()
    b[:, 10:] = (b[:, 10:] + 1) % 11
    torch.testing.assert_close(m(a)[:, :10], m(b)[:, :10])
    assert not torch.allclose(m(a)[:, 10:], m(b)[:, 10:])


def test_the_three_kinds_see_order():
    """Without positions, causal attention reads its prefix as a set: swapping two earlier tokens would
    leave the last logits unchanged. Each kind of position breaks that."""
    ids = torch.tensor([[1, 2, 3, 4, 5, 6]])
    swapped = torch.tensor([[2, 1, 3, 4, 5, 6]])
    for positions in ("learned", "sinusoidal", "rope"):
        m = _model(positions)
        assert not torch.allclose(m(ids)[0, -1], m(swapped)[0, -1]), positions
