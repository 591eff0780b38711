"""No inference helper changes a model's mode behind the caller's back: ``nn.evaluating``
runs a block in eval mode without autograd and puts every module's training flag back;
``Transformer.attention`` and ``shape_trace`` run inside it. (The decoders are checked in
tests/decoding.)"""

from __future__ import annotations

import pytest
import torch

from transformer_lib import nn as tnn


def tiny(dropout=0.3):
    torch.manual_seed(0)
    return tnn.Transformer(tnn.TransformerConfig(src_vocab_size=9, tgt_vocab_size=9, d_model=8, n_heads=2,
                                                 n_encoder_layers=1, n_decoder_layers=1, d_ff=16, max_len=8,
                                                 dropout=dropout))


def flags(model):
    return [m.training for m in model.modules()]


@pytest.mark.parametrize("training", [True, False])
def test_evaluating_switches_to_eval_inside_and_restores_the_mode(training):
    model = tiny().train(training)
    with tnn.evaluating(model) as m:
        assert m is model
        assert not any(flags(model))
        assert torch.is_inference_mode_enabled() and not torch.is_grad_enabled()
    assert flags(model) == [training] * len(flags(model))
    assert not torch.is_inference_mode_enabled()


def test_evaluating_restores_every_module_exactly_even_after_an_error():
    model = tiny().train()
    model.encoder_layers.eval()  # a frozen part inside a training model
    before = flags(model)
    assert any(before) and not all(before)
    with pytest.raises(RuntimeError, match="inside"):
        with tnn.evaluating(model):
            raise RuntimeError("inside")
    assert flags(model) == before


def test_evaluating_without_inference_mode_gives_ordinary_tensors():
    model = tiny()
    src, tgt = torch.tensor([[3, 4, 5]]), torch.tensor([[1, 6]])
    with tnn.evaluating(model, inference=False):
        assert not torch.is_inference_mode_enabled() and not torch.is_grad_enabled()
        plain = model(src, tgt)
    with tnn.evaluating(model):
        frozen = model(src, tgt)
    assert not plain.is_inference() and frozen.is_inference()
    torch.testing.assert_close(plain, frozen)


@pytest.mark.parametrize("training", [True, False])
def test_attention_and_shape_trace_run_in_eval_and_leave_the_mode(training):
    model = tiny().train(training)
    src, tgt = torch.tensor([[3, 4, 5, 0]]), torch.tensor([[1, 6, 7]])
    with torch.no_grad():
        model.eval()
        want = model(src, tgt)
        model.train(training)
    torch.manual_seed(1)
    a = model.attention(src, tgt)
    torch.manual_seed(2)
    b = model.attention(src, tgt)
    assert flags(model) == [training] * len(flags(model))
    for key in ("encoder", "decoder", "cross"):  # dropout off: the same weights whatever the seed
        for wa, wb in zip(a[key], b[key]):
            assert torch.equal(wa, wb)
    torch.manual_seed(3)
    _, out = tnn.shape_trace(model, src, tgt)
    assert flags(model) == [training] * len(flags(model))
    torch.testing.assert_close(out, want)  # the eval-mode output, not a dropped-out one
    assert out.is_inference()
