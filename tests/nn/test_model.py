"""The whole Transformer: stacks against torch.nn.Transformer, invariances, the shape
trace and parameter counts, and bad input."""

from __future__ import annotations

import pytest
import torch

from transformer_lib import TransformerConfig
from transformer_lib import nn as tnn

CFG = dict(src_vocab_size=23, tgt_vocab_size=23, d_model=16, n_heads=4, n_encoder_layers=2, n_decoder_layers=3,
           d_ff=32, dropout=0.0, max_len=32)


def _model(norm_first=False, seed=0, **kw):
    torch.manual_seed(seed)
    m = tnn.Transformer(TransformerConfig(**{**CFG, "norm_first": norm_first, **kw})).double()
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():  # random LayerNorm weights too, so a swapped norm cannot hide
        for name, p in m.named_parameters():
            if "norm" in name:
                p.copy_(1 + 0.3 * torch.randn(p.shape, generator=g, dtype=p.dtype))
    return m.eval()


def _ids(B, L, seed, lengths=None):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(1, CFG["src_vocab_size"], (B, L), generator=g)
    if lengths is not None:
        for b, n in enumerate(lengths):
            ids[b, n:] = 0  # pad_id
    return ids


def _torch_transformer(m: tnn.Transformer) -> torch.nn.Transformer:
    c = m.config
    t = torch.nn.Transformer(c.d_model, c.n_heads, c.n_encoder_layers, c.n_decoder_layers, c.d_ff, dropout=0.0,
                             batch_first=True, norm_first=c.norm_first).double()
    for mine, theirs in zip(m.encoder_layers, t.encoder.layers):
        theirs.load_state_dict(tnn.to_torch_state_dict(mine))
    for mine, theirs in zip(m.decoder_layers, t.decoder.layers):
        theirs.load_state_dict(tnn.to_torch_state_dict(mine))
    t.encoder.norm.load_state_dict(m.encoder_norm.state_dict())
    t.decoder.norm.load_state_dict(m.decoder_norm.state_dict())
    return t.train()  # dropout is 0; train mode keeps torch off its nested-tensor fast path


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
@pytest.mark.parametrize("with_padding", [False, True])
def test_pre_norm_model_matches_torch_nn_transformer(with_padding):
    """Pre-norm: our stacks + final norms have exactly torch.nn.Transformer's structure."""
    m = _model(norm_first=True)
    t = _torch_transformer(m)
    src = _ids(3, 7, 1, [7, 4, 2] if with_padding else None)
    tgt = _ids(3, 5, 2, [5, 5, 3] if with_padding else None)
    x_src = m.pos(m.src_embed(src))  # (B, S, D): torch's Transformer starts after the embeddings
    x_tgt = m.pos(m.tgt_embed(tgt))  # (B, T, D)
    causal = tnn.causal_mask(5)
    want = t(x_src, x_tgt, tgt_mask=tnn.to_torch_blocked(causal),
             src_key_padding_mask=tnn.to_torch_blocked(src != 0),
             tgt_key_padding_mask=tnn.to_torch_blocked(tgt != 0) if with_padding else None,
             memory_key_padding_mask=tnn.to_torch_blocked(src != 0))
    memory = m.encode(src)
    got = m.decode(tgt, memory, src_mask=m.src_mask(src))
    torch.testing.assert_close(memory, t.encoder(x_src, src_key_padding_mask=tnn.to_torch_blocked(src != 0)),
                               rtol=1e-10, atol=1e-10)
    if with_padding:  # torch gives NaN/garbage rows where a padded query sees nothing; compare real tokens
        real = tgt != 0
        torch.testing.assert_close(got[real], want[real], rtol=1e-10, atol=1e-10)
    else:
        torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-10)


def test_post_norm_stacks_match_torch_encoder_and_decoder_stacks():
    """Post-norm (the paper) has no final norm; torch.nn.Transformer always adds one, so
    compare with nn.TransformerEncoder / nn.TransformerDecoder built without it."""
    m = _model(norm_first=False, seed=3)
    c = m.config
    enc = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(c.d_model, c.n_heads, c.d_ff, 0.0, batch_first=True),
                                      c.n_encoder_layers, enable_nested_tensor=False).double().train()
    dec = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(c.d_model, c.n_heads, c.d_ff, 0.0, batch_first=True),
                                      c.n_decoder_layers).double().train()
    for mine, theirs in zip(m.encoder_layers, enc.layers):
        theirs.load_state_dict(tnn.to_torch_state_dict(mine))
    for mine, theirs in zip(m.decoder_layers, dec.layers):
        theirs.load_state_dict(tnn.to_torch_state_dict(mine))
    src, tgt = _ids(2, 6, 4, [6, 3]), _ids(2, 4, 5)
    pad = tnn.to_torch_blocked(src != 0)
    mem_t = enc(m.pos(m.src_embed(src)), src_key_padding_mask=pad)
    out_t = dec(m.pos(m.tgt_embed(tgt)), mem_t, tgt_mask=tnn.to_torch_blocked(tnn.causal_mask(4)), memory_key_padding_mask=pad)
    mem = m.encode(src)
    torch.testing.assert_close(mem, mem_t, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(m.decode(tgt, mem, src_mask=m.src_mask(src)), out_t, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("norm_first", [False, True])
def test_model_logits_are_causal_in_the_target(norm_first):
    m = _model(norm_first)
    src, tgt = _ids(2, 6, 6), _ids(2, 5, 7)
    changed = tgt.clone()
    changed[:, 3:] = (changed[:, 3:] % 20) + 2  # other (non-pad) future tokens
    a, b = m(src, tgt), m(src, changed)
    torch.testing.assert_close(a[:, :3], b[:, :3], rtol=0, atol=1e-10)
    assert (a[:, 3:] - b[:, 3:]).abs().max() > 1e-4


@pytest.mark.parametrize("norm_first", [False, True])
def test_source_padding_never_changes_the_output(norm_first):
    m = _model(norm_first)
    src, tgt = _ids(1, 5, 8), _ids(1, 4, 9)
    padded = torch.cat([src, torch.zeros(1, 4, dtype=src.dtype)], dim=1)  # 4 <pad> tokens appended
    torch.testing.assert_close(m(src, tgt), m(padded, tgt), rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(m.encode(padded)[:, :5], m.encode(src), rtol=1e-10, atol=1e-10)
    # a sequence's output does not depend on the other (padded) sequences in its batch
    other = _ids(1, 9, 10, [2])
    batch = torch.cat([padded, other])
    torch.testing.assert_close(m(batch, tgt.repeat(2, 1))[:1], m(src, tgt), rtol=1e-10, atol=1e-10)


def test_forward_logits_shape_and_shared_weights():
    m = _model()
    logits = m(_ids(2, 6, 11), _ids(2, 4, 12))
    assert logits.shape == (2, 4, CFG["tgt_vocab_size"])
    assert m.generator.weight is m.src_embed.table.weight is m.tgt_embed.table.weight
    probs = logits.softmax(-1)
    torch.testing.assert_close(probs.sum(-1), torch.ones(2, 4, dtype=probs.dtype))
    unshared = _model(share_embeddings=False)
    assert unshared.generator.weight is not unshared.src_embed.table.weight
    n_shared = sum(p.numel() for p in m.parameters())
    n_unshared = sum(p.numel() for p in unshared.parameters())
    assert n_unshared - n_shared == 2 * CFG["src_vocab_size"] * CFG["d_model"]


def test_model_masks_are_causal_and_hide_padding():
    m = _model()
    src = torch.tensor([[3, 4, 0], [5, 0, 0]])
    assert m.src_mask(src).tolist() == [[[[True, True, False]]], [[[True, False, False]]]]  # (B, 1, 1, S)
    tgt = torch.tensor([[1, 6, 0]])
    mask = m.tgt_mask(tgt)  # (B, 1, T, T)
    expected = [[t >= s and tgt[0, s] != 0 for s in range(3)] for t in range(3)]
    assert mask.shape == (1, 1, 3, 3) and mask[0, 0].tolist() == expected


def test_attention_returns_every_layer():
    m = _model()
    src, tgt = _ids(2, 6, 13, [6, 4]), _ids(2, 5, 14)
    att = m.attention(src, tgt)
    assert [w.shape for w in att["encoder"]] == [(2, 4, 6, 6)] * 2
    assert [w.shape for w in att["decoder"]] == [(2, 4, 5, 5)] * 3
    assert [w.shape for w in att["cross"]] == [(2, 4, 5, 6)] * 3
    assert torch.all(att["cross"][0][1, :, :, 4:] == 0)  # padded source keys get no weight
    assert torch.all(att["decoder"][0][..., 0, 1:] == 0)  # causal


def test_shape_trace_records_every_call_in_order():
    m = _model()
    src, tgt = _ids(2, 6, 15), _ids(2, 4, 16)
    rows, out = tnn.shape_trace(m, src, tgt)
    torch.testing.assert_close(out, m(src, tgt))
    names = [r.name for r in rows]
    assert names[0] == "src_embed" and names[-1] == "generator"
    by = {r.name: r for r in rows}
    assert by["src_embed"].inputs == ((2, 6),) and by["src_embed"].output == ((2, 6, 16),)
    assert by["encoder_layers.1"].output == ((2, 6, 16),)
    ca = by["decoder_layers.0.cross_attn"]
    assert ca.inputs[:3] == ((2, 4, 16), (2, 6, 16), (2, 6, 16))  # queries from the decoder, K/V from memory
    assert ca.output == ((2, 4, 16),)
    assert by["generator"].output == ((2, 4, 23),)
    assert names.count("pos") == 2  # called once for the source, once for the target
    assert by["encoder_layers.0"].level == 0 and by["encoder_layers.0.self_attn"].level == 1
    assert by["encoder_layers.0.self_attn.W_Q"].level == 2 and by["pos.dropout"].level == 1
    assert by["tgt_embed"].params == 23 * 16  # a tied matrix shows under every module that uses it
    shallow = tnn.shape_trace(m, src, tgt, max_depth=0)[0]
    assert all(r.depth == 0 for r in shallow)
    text = tnn.format_trace(rows)
    assert "decoder_layers.0.cross_attn" in text and "(2, 4, 23)" in text
    # no hooks left behind
    assert all(not mod._forward_hooks and not mod._forward_pre_hooks for mod in m.modules())


def test_parameter_counts_add_up_and_count_shared_weights_once():
    m = _model()
    counts = tnn.parameter_counts(m)
    assert sum(counts.values()) == sum(p.numel() for p in m.parameters())
    assert counts["src_embed"] == 23 * 16 and counts["tgt_embed"] == 0 and counts["generator"] == 0
    layer = m.encoder_layers[0]
    assert counts["encoder_layers"] == 2 * sum(p.numel() for p in layer.parameters())
    per_layer = tnn.parameter_counts(m, depth=1)
    assert per_layer["encoder_layers.0"] == per_layer["encoder_layers.1"] == 4 * (16 * 16 + 16) + (16 * 32 + 32) + (32 * 16 + 16) + 2 * 32
    assert sum(per_layer.values()) == sum(counts.values())


def test_layers_of_a_stack_do_not_share_weights():
    m = _model()
    a, b = m.encoder_layers
    assert a.linear1.weight.data_ptr() != b.linear1.weight.data_ptr()
    assert not torch.equal(a.linear1.weight, b.linear1.weight)


def test_bad_input_messages():
    m = _model()
    src, tgt = _ids(2, 6, 17), _ids(2, 4, 18)
    with pytest.raises(ValueError, match="2-D tensor of integer token ids"):
        m(src.double(), tgt)
    with pytest.raises(ValueError, match="2-D tensor of integer token ids"):
        m(src[0], tgt)
    with pytest.raises(ValueError, match="src batch 2 != tgt batch 1"):
        m(src, tgt[:1])
    with pytest.raises(ValueError, match=r"token ids must lie in 0\.\.22"):
        m(src + 30, tgt)
    with pytest.raises(ValueError, match=r"memory must have shape \(B=2, S, d_model=16\)"):
        m.decode(tgt, torch.zeros(2, 6, 8, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"memory must have shape"):
        m.decode(tgt, torch.zeros(3, 6, 16, dtype=torch.float64))
    with pytest.raises(ValueError, match="longer than max_len=32"):
        m(_ids(1, 40, 19), tgt[:1])
    with pytest.raises(ValueError, match="d_model % n_heads"):
        TransformerConfig(d_model=30, n_heads=4)


@pytest.mark.parametrize("share", [True, False])
def test_initial_scales_put_tokens_and_positions_on_a_par(share):
    """Embedding entries start at std 1/sqrt(D): times sqrt(D) they have std 1 (the positional
    encoding's scale), and shared as the output layer they give logits of order 1."""
    torch.manual_seed(0)
    m = tnn.Transformer(TransformerConfig(src_vocab_size=500, tgt_vocab_size=500, d_model=64, n_heads=4,
                                          n_encoder_layers=1, n_decoder_layers=1, d_ff=128, dropout=0.0,
                                          share_embeddings=share)).eval()
    ids = torch.arange(1, 500)[None]
    assert 0.9 < m.src_embed(ids).std().item() < 1.1
    assert torch.all(m.src_embed.table.weight[0] == 0) and torch.all(m.tgt_embed.table.weight[0] == 0)  # <pad> row
    with torch.no_grad():
        logits = m(_ids(4, 10, 20) % 500, _ids(4, 10, 21) % 500)
    assert 0.3 < logits.std().item() < 3.0
