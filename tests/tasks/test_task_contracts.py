"""What every task model promises: ``.attention`` has one return type across the package (the
one of ``nn.Transformer.attention``), and no method changes the model's mode behind the
caller's back (untrained models: the contract does not depend on the weights)."""

from __future__ import annotations

import pytest
import torch

from transformer_lib.data import make_corpus
from transformer_lib.data import pronoun as C
from transformer_lib.nn import Transformer
from transformer_lib.tasks.lookup import LookupModel, LookupTask, lookup_scores
from transformer_lib.tasks.pronoun import ItConfig, ItModel
from transformer_lib.tasks.translator import Translator, translate_batch, translator_config

CLASSIC = C.sentence(*C.CLASSIC_PAIR, "tired")


@pytest.fixture(scope="module")
def it_model():
    torch.manual_seed(0)
    return ItModel(ItConfig())


@pytest.fixture(scope="module")
def lookup_model():
    torch.manual_seed(0)
    return LookupModel(LookupTask(), d_model=16, n_heads=2, n_layers=2, d_ff=32)


@pytest.fixture(scope="module")
def translator():
    corpus = make_corpus()
    torch.manual_seed(0)
    model = Transformer(translator_config(len(corpus.src_vocab), len(corpus.tgt_vocab), dropout=0.3))
    return Translator(model, corpus.src_vocab, corpus.tgt_vocab, {})


def _attention_calls(it_model, lookup_model, translator):
    src = translator.encode_source("je suis étudiant")  # (1, S)
    tgt = torch.tensor([[translator.tgt_vocab.bos_id, 5, 6]])  # (1, T)
    ids, _ = it_model.encode([CLASSIC])  # (1, T)
    S, T, Ti = src.shape[1], tgt.shape[1], ids.shape[1]
    return {  # name: (what .attention returned, the (T, S) of each part)
        "nn.Transformer": (translator.model.attention(src, tgt), {"encoder": (S, S), "decoder": (T, T), "cross": (T, S)}),
        "ItModel": (it_model.attention(ids), {"encoder": (Ti, Ti)}),
        "LookupModel": (lookup_model.attention(lookup_model.task.encode("A1 B2 a b")), {"encoder": (5, 5)}),
    }


def test_every_attention_is_a_dict_of_per_layer_B_H_T_S_lists(it_model, lookup_model, translator):
    for name, (att, lengths) in _attention_calls(it_model, lookup_model, translator).items():
        assert isinstance(att, dict) and set(att) == set(lengths), name
        for part, ws in att.items():
            assert isinstance(ws, list) and ws and all(isinstance(w, torch.Tensor) and w.ndim == 4 for w in ws), (name, part)
            for w in ws:
                assert w.shape[0] == 1 and w.shape[2:] == lengths[part], (name, part, tuple(w.shape))  # (B, H, T, S)
                torch.testing.assert_close(w.sum(-1), torch.ones(w.shape[:3]))


def _calls(it_model, lookup_model, translator):
    return [
        (it_model, lambda: it_model.predict(CLASSIC.text)),
        (it_model, lambda: it_model.probabilities(CLASSIC.text)),
        (it_model, lambda: it_model.predict_many([CLASSIC])),
        (it_model, lambda: it_model.sentence_attention(CLASSIC.text)),
        (it_model, lambda: it_model.analyse([CLASSIC])),
        (it_model, lambda: it_model.noun_attention([CLASSIC])),
        (it_model, lambda: it_model.attention(it_model.encode([CLASSIC])[0])),
        (lookup_model, lambda: lookup_model.attention(lookup_model.task.encode("A1 a"))),
        (lookup_model, lambda: lookup_scores(lookup_model, n=20)),
        (translator.model, lambda: translator.inspect("je suis étudiant", max_len=4)),
        (translator.model, lambda: translator.translate("je suis étudiant", max_len=4)),
        (translator.model, lambda: translate_batch(translator, ["merci"], max_len=4)),
    ]


@pytest.mark.parametrize("training", [True, False])
def test_no_method_changes_the_models_mode(it_model, lookup_model, translator, training):
    for i, (model, call) in enumerate(_calls(it_model, lookup_model, translator)):
        model.train(training)
        modes = []
        hooks = [m.register_forward_pre_hook(lambda m, args: modes.append(m.training)) for m in model.modules()]
        try:
            call()
        finally:
            for h in hooks:
                h.remove()
        assert model.training == training, f"call {i} changed the mode"
        assert modes and not any(modes), f"call {i} ran the model in training mode"


def test_inspect_runs_without_recording_gradients(translator):
    translator.model.train()
    seen = []
    hooks = [m.register_forward_pre_hook(lambda m, args: seen.append(not torch.is_grad_enabled()))
             for m in translator.model.modules()]
    try:
        translator.inspect("je suis étudiant", max_len=4)
    finally:
        for h in hooks:
            h.remove()
    assert seen and all(seen)
