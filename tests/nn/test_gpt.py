"""The decoder-only model (nn/gpt.py): causal blocks from EncoderLayer, shifted targets, tied weights, the KV cache."""

import pytest
import torch

from transformer_lib import nn as tnn


def tiny(seed=0, **kw):
    torch.manual_seed(seed)
    cfg = dict(vocab_size=11, block_size=16, d_model=16, n_heads=4, n_layers=2, d_ff=32)
    cfg.update(kw)
    return tnn.GPT(tnn.GPTConfig(**cfg)).eval()


def test_logits_shape_and_weight_tying():
    m = tiny()
    ids = torch.randint(0, 11, (3, 7))
    assert m(ids).shape == (3, 7, 11)
    assert m.lm_head.weight is m.embed.table.weight
    untied = tiny(tie_weights=False)
    assert untied.lm_head.weight is not untied.embed.table.weight
    n_tied = sum(p.numel() for p in m.parameters())
    assert sum(p.numel() for p in untied.parameters()) == n_tied + 11 * 16


def test_blocks_are_the_encoder_layer_with_a_causal_mask():
    m = tiny()
    ids = torch.randint(0, 11, (2, 6))
    x = m.pos(m.embed(ids))
    for layer in m.layers:
        assert type(layer) is tnn.EncoderLayer and layer.norm_first
        x = layer(x, tnn.causal_mask(6))
    torch.testing.assert_close(m(ids), m.lm_head(m.final_norm(x)))


@pytest.mark.parametrize("cut", [1, 3, 5])
def test_future_tokens_never_change_past_logits(cut):
    m = tiny()
    a = torch.randint(0, 11, (2, 8))
    b = a.clone()
    b[:, cut:] = torch.randint(0, 11, (2, 8 - cut))
    torch.testing.assert_close(m(a)[:, :cut], m(b)[:, :cut])
    assert not torch.allclose(m(a)[:, cut:], m(b)[:, cut:])


def test_shift_targets():
    ids = torch.arange(10).reshape(2, 5)
    x, y = tnn.shift_targets(ids)
    assert x.tolist() == [[0, 1, 2, 3], [5, 6, 7, 8]] and y.tolist() == [[1, 2, 3, 4], [6, 7, 8, 9]]
    with pytest.raises(ValueError, match="at least 2 tokens"):
        tnn.shift_targets(torch.zeros(2, 1, dtype=torch.long))


@pytest.mark.parametrize("chunks", [[8], [5, 1, 1, 1], [3, 2, 3], [1] * 8])
def test_cache_gives_the_full_pass_logits(chunks):
    m = tiny(seed=1)
    ids = torch.randint(0, 11, (2, sum(chunks)))
    full, weights_full = m(ids, need_weights=True)
    cache, parts, start = None, [], 0
    for n in chunks:
        logits, cache, w = m(ids[:, start:start + n], past_kv=cache, use_cache=True, need_weights=True)
        parts.append(logits)
        torch.testing.assert_close(w[0], weights_full[0][:, :, start:start + n, :start + n])
        start += n
    torch.testing.assert_close(torch.cat(parts, dim=1), full, rtol=1e-5, atol=1e-5)
    assert len(cache) == 2 and cache[0][0].shape == (2, 4, 8, 4)  # (B, H, S, Dh)


def test_cache_layout_is_the_projected_keys_and_values():
    m = tiny(seed=2)
    ids = torch.randint(0, 11, (1, 5))
    _, cache = m(ids, use_cache=True)
    x = m.layers[0].norm1(m.pos(m.embed(ids)))
    att = m.layers[0].self_attn
    torch.testing.assert_close(cache[0][0], att._split(att.W_K(x)))
    torch.testing.assert_close(cache[0][1], att._split(att.W_V(x)))


def test_attention_past_kv_matches_one_pass():
    torch.manual_seed(0)
    mha = tnn.MultiHeadAttention(8, 2).eval()
    x = torch.randn(2, 6, 8)
    full, _ = mha(x, x, x, mask=tnn.causal_mask(6))
    _, _, past = mha(x[:, :4], x[:, :4], x[:, :4], mask=tnn.causal_mask(4), use_cache=True)
    new, _, kv = mha(x[:, 4:], x[:, 4:], x[:, 4:], mask=tnn.causal_mask(6)[4:], past_kv=past, use_cache=True)
    torch.testing.assert_close(new, full[:, 4:])
    assert kv[0].shape == (2, 2, 6, 4)
    with pytest.raises(ValueError, match="past_kv must be a pair"):
        mha(x, x, x, past_kv=(past[0][:, :1], past[1]))
    with pytest.raises(ValueError, match="does not broadcast"):
        mha(x[:, 4:], x[:, 4:], x[:, 4:], mask=tnn.causal_mask(2), past_kv=past)


def test_encoder_layer_return_forms_with_cache():
    torch.manual_seed(0)
    layer = tnn.EncoderLayer(8, 2, 16).eval()
    x = torch.randn(1, 3, 8)
    out, cache = layer(x, tnn.causal_mask(3), use_cache=True)
    torch.testing.assert_close(out, layer(x, tnn.causal_mask(3)))
    out2, w, cache2 = layer(x, tnn.causal_mask(3), need_weights=True, use_cache=True)
    assert w.shape == (1, 2, 3, 3) and cache2[0].shape == (1, 2, 3, 4)


def test_bad_inputs_have_clear_messages():
    m = tiny()
    with pytest.raises(ValueError, match="block_size=16"):
        m(torch.zeros(1, 17, dtype=torch.long))
    _, cache = m(torch.zeros(1, 10, dtype=torch.long), use_cache=True)
    with pytest.raises(ValueError, match="block_size=16"):
        m(torch.zeros(1, 7, dtype=torch.long), past_kv=cache)
    with pytest.raises(ValueError, match="integer token ids"):
        m(torch.zeros(1, 3))
    with pytest.raises(ValueError, match="token ids must lie in"):
        m(torch.tensor([[11]]))
    with pytest.raises(ValueError, match="one \\(K, V\\) pair per layer"):
        m(torch.zeros(1, 1, dtype=torch.long), past_kv=cache[:1])
    with pytest.raises(ValueError, match="d_model % n_heads"):
        tnn.GPTConfig(d_model=10, n_heads=4)
    with pytest.raises(ValueError, match="block_size must be a positive integer"):
        tnn.GPTConfig(block_size=0)
    with pytest.raises(ValueError, match="dropout"):
        tnn.GPTConfig(dropout=1.0)


def test_kv_cache_bytes():
    assert tnn.kv_cache_bytes(2, 64, 64, bytes_per_number=4) == 2 * 2 * 64 * 64 * 4
    # GPT-3 175B (96 layers, d_model 12288), 2048 tokens in float16: 2 x 96 x 2048 x 12288 x 2 bytes = 9.66 GB
    assert tnn.kv_cache_bytes(96, 12288, 2048) == 9_663_676_416
    m = tiny()
    _, cache = m(torch.zeros(3, 5, dtype=torch.long), use_cache=True)
    numbers = sum(t.numel() for kv in cache for t in kv)
    assert tnn.kv_cache_bytes(2, 16, 5, batch=3, bytes_per_number=4) == numbers * 4
    with pytest.raises(ValueError, match="context must be a positive integer"):
        tnn.kv_cache_bytes(2, 16, 0)


def test_learned_positions_offset():
    pos = tnn.LearnedPositionalEmbedding(4, 6)
    x = torch.zeros(1, 2, 4)
    torch.testing.assert_close(pos(x, offset=3), pos.table.weight[3:5][None])
    with pytest.raises(ValueError, match="run past max_len=6"):
        pos(x, offset=5)
