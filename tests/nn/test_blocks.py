"""Encoder and decoder layers: parity with torch's layers and with the NumPy reference,
invariances, and clear messages for bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from transformer_lib import nn as tnn
from transformer_lib import ref

D, H, FF = 16, 4, 32


def _randomise(module, seed=0):
    """Random weights everywhere, LayerNorms included (ones/zeros would hide mistakes)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype) * 0.3)
    return module


def _enc_pair(norm_first, seed=0):
    mine = _randomise(tnn.EncoderLayer(D, H, FF, dropout=0.0, norm_first=norm_first).double(), seed)
    theirs = torch.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, batch_first=True, norm_first=norm_first).double()
    theirs.load_state_dict(tnn.to_torch_state_dict(mine))
    theirs.train()  # train mode with dropout 0: the plain (not fast-path) code, same maths
    return mine, theirs


def _dec_pair(norm_first, seed=0):
    mine = _randomise(tnn.DecoderLayer(D, H, FF, dropout=0.0, norm_first=norm_first).double(), seed)
    theirs = torch.nn.TransformerDecoderLayer(D, H, FF, dropout=0.0, batch_first=True, norm_first=norm_first).double()
    theirs.load_state_dict(tnn.to_torch_state_dict(mine))
    theirs.train()
    return mine, theirs


def _lengths_mask(lengths, S):
    return tnn.padding_mask(torch.tensor(lengths), S)  # (B, 1, 1, S), True = may attend


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("masking", ["none", "padding", "causal"])
def test_encoder_layer_matches_torch(norm_first, masking):
    mine, theirs = _enc_pair(norm_first)
    B, S = 3, 6
    x = torch.randn(B, S, D, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    if masking == "none":
        got, want = mine(x), theirs(x)
    elif masking == "padding":
        m = _lengths_mask([6, 4, 1], S)
        got = mine(x, m)
        want = theirs(x, src_key_padding_mask=tnn.to_torch_blocked(m[:, 0, 0, :]))  # (B, S)
    else:
        m = tnn.causal_mask(S)
        got = mine(x, m)
        want = theirs(x, src_mask=tnn.to_torch_blocked(m))  # (S, S)
    torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("with_padding", [False, True])
def test_decoder_layer_matches_torch(norm_first, with_padding):
    mine, theirs = _dec_pair(norm_first)
    B, T, S = 3, 5, 7
    g = torch.Generator().manual_seed(2)
    x = torch.randn(B, T, D, dtype=torch.float64, generator=g)
    mem = torch.randn(B, S, D, dtype=torch.float64, generator=g)
    causal = tnn.causal_mask(T)
    kw, mem_mask = {}, None
    if with_padding:
        mem_mask = _lengths_mask([7, 3, 5], S)
        kw["memory_key_padding_mask"] = tnn.to_torch_blocked(mem_mask[:, 0, 0, :])
    got = mine(x, mem, self_mask=causal, memory_mask=mem_mask)
    want = theirs(x, mem, tgt_mask=tnn.to_torch_blocked(causal), **kw)
    torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_and_decoder_layers_match_numpy_reference(norm_first):
    enc, _ = _enc_pair(norm_first, seed=3)
    dec, _ = _dec_pair(norm_first, seed=4)
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((2, 6, D)), rng.standard_normal((2, 4, D))
    src_mask = ref.padding_mask(np.array([6, 3]), 6)  # (B, 1, 1, S)
    mem, w_enc = ref.encoder_layer(x, ref.layer_params(enc), H, mask=src_mask, norm_first=norm_first)
    out, w_s, w_c = ref.decoder_layer(y, mem, ref.layer_params(dec), H, self_mask=ref.causal_mask(4),
                                      memory_mask=src_mask, norm_first=norm_first)
    t_mem, t_w = enc(torch.tensor(x), torch.tensor(src_mask), need_weights=True)
    t_out, t_ws, t_wc = dec(torch.tensor(y), t_mem, torch.tensor(ref.causal_mask(4)), torch.tensor(src_mask), need_weights=True)
    np.testing.assert_allclose(mem, t_mem.detach().numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(w_enc, t_w.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(w_s, t_ws.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w_c, t_wc.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_ref_feed_forward_matches_module_path():
    enc, _ = _enc_pair(False, seed=6)
    p = ref.layer_params(enc)
    x = np.random.default_rng(7).standard_normal((2, 3, D))
    want = tnn.feed_forward(torch.tensor(x), enc.linear1, enc.linear2, torch.nn.Identity()).detach().numpy()
    got = ref.feed_forward(x, p["linear1.weight"], p["linear1.bias"], p["linear2.weight"], p["linear2.bias"])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    # position-wise: each token alone gives the same answer as the whole sequence
    alone = np.stack([ref.feed_forward(x[:, t:t + 1], p["linear1.weight"], p["linear1.bias"], p["linear2.weight"],
                                       p["linear2.bias"])[:, 0] for t in range(3)], axis=1)
    np.testing.assert_allclose(alone, got, rtol=1e-12)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_is_causal(norm_first):
    dec, _ = _dec_pair(norm_first, seed=8)
    g = torch.Generator().manual_seed(9)
    x = torch.randn(2, 6, D, dtype=torch.float64, generator=g)
    mem = torch.randn(2, 4, D, dtype=torch.float64, generator=g)
    changed = x.clone()
    changed[:, 4:] = torch.randn(2, 2, D, dtype=torch.float64, generator=g)  # change the future (t >= 4)
    a = dec(x, mem, self_mask=tnn.causal_mask(6))
    b = dec(changed, mem, self_mask=tnn.causal_mask(6))
    torch.testing.assert_close(a[:, :4], b[:, :4], rtol=0, atol=1e-12)
    assert (a[:, 4:] - b[:, 4:]).abs().max() > 1e-3  # ... and the future itself did change


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_ignores_padding(norm_first):
    enc, _ = _enc_pair(norm_first, seed=10)
    g = torch.Generator().manual_seed(11)
    x = torch.randn(1, 7, D, dtype=torch.float64, generator=g)
    other = x.clone()
    other[:, 4:] = 100 * torch.randn(1, 3, D, dtype=torch.float64, generator=g)  # garbage in the padding
    m = _lengths_mask([4], 7)
    torch.testing.assert_close(enc(x, m)[:, :4], enc(other, m)[:, :4], rtol=0, atol=1e-12)
    # and the padded batch gives the real tokens the same output as the unpadded sequence
    torch.testing.assert_close(enc(x, m)[:, :4], enc(x[:, :4]), rtol=1e-12, atol=1e-12)


def test_decoder_ignores_padded_memory():
    dec, _ = _dec_pair(False, seed=12)
    g = torch.Generator().manual_seed(13)
    x = torch.randn(1, 3, D, dtype=torch.float64, generator=g)
    mem = torch.randn(1, 5, D, dtype=torch.float64, generator=g)
    mem2 = mem.clone()
    mem2[:, 3:] = 50.0
    m = _lengths_mask([3], 5)
    torch.testing.assert_close(dec(x, mem, memory_mask=m), dec(x, mem2, memory_mask=m), rtol=0, atol=1e-12)


def test_layers_have_torch_compatible_submodules():
    enc = tnn.EncoderLayer(D, H, FF)
    dec = tnn.DecoderLayer(D, H, FF)
    for name in ("self_attn", "linear1", "linear2", "norm1", "norm2"):
        assert hasattr(enc, name)
    for name in ("self_attn", "cross_attn", "linear1", "linear2", "norm1", "norm2", "norm3"):
        assert hasattr(dec, name)
    assert isinstance(enc.self_attn, tnn.MultiHeadAttention) and isinstance(dec.cross_attn, tnn.MultiHeadAttention)
    assert isinstance(enc.norm1, tnn.LayerNorm)
    x = torch.randn(2, 3, D)
    assert enc(x).shape == (2, 3, D) and dec(x, torch.randn(2, 5, D)).shape == (2, 3, D)


def test_bad_input_messages():
    enc, dec = tnn.EncoderLayer(D, H, FF), tnn.DecoderLayer(D, H, FF)
    with pytest.raises(ValueError, match=r"d_model=16"):
        enc(torch.randn(2, 3, 15))
    with pytest.raises(ValueError, match=r"x must have shape \(B, length, d_model=16\)"):
        enc(torch.randn(3, D))
    with pytest.raises(ValueError, match=r"memory must have shape \(B, length, d_model=16\)"):
        dec(torch.randn(2, 3, D), torch.randn(2, 5, 8))
    with pytest.raises(ValueError, match="memory batch 3 != decoder batch 2"):
        dec(torch.randn(2, 3, D), torch.randn(3, 5, D))
    with pytest.raises(ValueError, match="does not broadcast"):
        enc(torch.randn(2, 3, D), mask=torch.ones(4, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="boolean"):
        enc(torch.randn(2, 3, D), mask=torch.ones(3, 3))
    with pytest.raises(ValueError, match="does not broadcast"):  # a (T, T) mask given as memory mask
        dec(torch.randn(2, 3, D), torch.randn(2, 5, D), memory_mask=tnn.causal_mask(3))
    with pytest.raises(ValueError, match="d_model % n_heads"):
        tnn.EncoderLayer(10, 3, 20)
    with pytest.raises(ValueError, match="d_ff must be a positive integer"):
        tnn.DecoderLayer(D, H, 0)
