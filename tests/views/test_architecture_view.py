"""Figure 1 drawn from the module tree (views/architecture): each box names a module that exists
and links to a chapter of the book; N is the stacks' layer count; the boxes follow the tree
(pre-norm adds final norms, no cross-attention draws none); a missing part is a clear error."""

from __future__ import annotations

import re

import pytest
import torch

from transformer_lib import book_map
from transformer_lib.nn import GPT, GPTConfig, Transformer, TransformerConfig
from transformer_lib.views import architecture as A


def small(**kw):
    cfg = dict(src_vocab_size=20, tgt_vocab_size=20, d_model=16, n_heads=2, d_ff=32, n_encoder_layers=2,
               n_decoder_layers=3, max_len=16)
    with torch.device("meta"):
        return Transformer(TransformerConfig(**(cfg | kw)))


def _modules(model, box):
    """The concrete module names a box stands for (its [i] expanded over the stack, linear1/2 split)."""
    path = box["module"]
    if path is None:
        return []
    paths = [path[:-2], path[:-9] + "linear2"] if path.endswith("linear1/2") else [path]
    n = {"encoder": model.config.n_encoder_layers, "decoder": model.config.n_decoder_layers}
    out = []
    for p in paths:
        m = re.match(r"(encoder|decoder)_layers\[i\]\.(.+)", p)
        out += [f"{m.group(1)}_layers.{i}.{m.group(2)}" for i in range(n[m.group(1)])] if m else [p]
    return out


@pytest.mark.parametrize("norm_first", [False, True])
def test_every_box_names_an_existing_module_and_links_to_a_chapter(norm_first):
    model = small(norm_first=norm_first)
    names = dict(model.named_modules())
    boxes = A.diagram_boxes(model)
    for box in boxes:
        assert box["chapter"] in book_map.order()
        for name in _modules(model, box):
            assert name in names, f"{box} names {name}, which is not in the module tree"
    markup = str(A.architecture_diagram(model))
    drawn = re.findall(r'<a href="([^"]+)" class="aho-link" style="text-decoration:none"><g class="aho-arch-box" data-component="([^"]+)" '
                       r'data-module="([^"]*)" data-chapter="([^"]+)"', markup)
    assert sorted((k, m, c) for _, k, m, c in drawn) == sorted((b["kind"], b["module"] or "", b["chapter"]) for b in boxes)
    assert all(href == f"{c}.html" for href, _, _, c in drawn)


def test_the_paper_parts_are_all_there_and_N_is_counted():
    model = small()
    kinds = [b["kind"] for b in A.diagram_boxes(model)]
    for k in ("embedding", "positional", "self_attention", "masked_self_attention", "cross_attention",
              "feed_forward", "add_norm", "linear", "softmax"):
        assert k in kinds
    assert kinds.count("add_norm") == 2 + 3  # encoder: 2 sublayers; decoder: 3
    markup = str(A.architecture_diagram(model))
    assert ">2×<" in markup and ">3×<" in markup
    assert "K, V" in markup


def test_pre_norm_draws_the_final_norms_that_post_norm_does_not_have():
    post = {b["module"] for b in A.diagram_boxes(small())}
    pre = {b["module"] for b in A.diagram_boxes(small(norm_first=True))}
    assert pre - post == {"encoder_norm", "decoder_norm"}


def test_without_cross_attention_no_cross_attention_box_is_drawn():
    model = small()
    for layer in model.decoder_layers:
        del layer.cross_attn
        del layer.norm3  # one sublayer fewer, one norm fewer
    kinds = [b["kind"] for b in A.diagram_boxes(model)]
    assert "cross_attention" not in kinds and kinds.count("add_norm") == 2 + 2
    assert "K, V" not in str(A.architecture_diagram(model))


@pytest.mark.parametrize("breaking, message", [
    (lambda m: delattr(m.decoder_layers[1], "cross_attn"), "decoder layers differ"),
    (lambda m: delattr(m, "generator"), "output projection"),
    (lambda m: delattr(m, "pos"), "positional encoding"),
    (lambda m: delattr(m.encoder_layers[0], "linear2") or delattr(m.encoder_layers[1], "linear2"), "linear2"),
    (lambda m: [delattr(l, "self_attn") for l in m.encoder_layers], "multi-head attention in every encoder layer"),
    (lambda m: [delattr(l, "norm2") for l in m.encoder_layers], "2 sublayers and 1 norms"),
])
def test_a_missing_part_is_a_clear_error(breaking, message):
    model = small()
    breaking(model)
    with pytest.raises(ValueError, match=message):
        A.architecture(model)


def test_a_decoder_that_cross_attends_without_an_encoder_is_refused():
    with pytest.raises(ValueError, match="encoder stack"):
        A.architecture(small(n_encoder_layers=0, share_embeddings=False))


def test_a_decoder_only_model_is_refused_with_a_message():
    with torch.device("meta"):
        gpt = GPT(GPTConfig())
    with pytest.raises(ValueError, match="figure 1 needs"):
        A.architecture(gpt)
    with pytest.raises(ValueError, match="torch module"):
        A.architecture("not a model")


def test_the_base_model_is_built_without_weights_and_has_six_layers_a_side():
    from transformer_lib.exercises.learning_path import base_model

    model = base_model()
    assert next(model.parameters()).is_meta
    arch = A.architecture(model)
    assert arch.stacks["encoder"].n_layers == arch.stacks["decoder"].n_layers == 6
