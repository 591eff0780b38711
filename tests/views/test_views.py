"""Views used by the chapters "Masking", "Multi-head attention" and "Positional encoding":
the bertviz adapter checks and escapes, the live widgets' callbacks work headless, and the
data precomputed on the built pages equals what the library computes now. (The plot helpers'
tests are in tests/plots/.)"""

from __future__ import annotations

import html as html_lib
import json
import re

import numpy as np
import pytest
import torch

from transformer_lib import ref, views
from transformer_lib.tasks.lookup import LookupModel, LookupTask
from transformer_lib.views import bertviz

HOSTILE = "<img src=x onerror=alert(1)>"
SCRIPT_END = "</script><script>alert(1)</script>"


# ---------------------------------------------------------------------------- bertviz
def _attention(L=2, H=3, T=4, S=None, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.softmax(torch.randn(1, H, T, S or T, generator=g), -1) for _ in range(L)]


def _params(view_html: str) -> dict:
    m = re.search(r"const params = (\{.*?\}); //", view_html, flags=re.S)
    assert m, "no parameters found in the bertviz HTML"
    return json.loads(m.group(1))


@pytest.mark.parametrize("make", [bertviz.head_view, bertviz.model_view])
def test_bertviz_escapes_hostile_tokens(make):
    toks = ["ok", HOSTILE, SCRIPT_END, "a&b"]
    view = make(_attention(), toks)
    body = view._repr_html_()
    assert HOSTILE not in body and "</script><script>alert" not in body and "a&b" not in body
    # exactly one script element is closed per script opened: the tokens cannot end one early
    assert body.count("<script") == body.count("</script>")
    assert bertviz.find_token_text(body)[:4] == toks  # the reader still sees the real text


def test_bertviz_params_equal_the_library_attention_rounded():
    att = _attention(L=2, H=2, T=3)
    p = _params(bertviz.head_view(att, ["a", "b", "c"]).html)
    np.testing.assert_allclose(np.array(p["attention"][0]["attn"]), torch.cat(att).numpy(), atol=5e-5)


def test_bertviz_encoder_decoder_lists():
    enc, dec, cross = _attention(T=5), _attention(T=3), _attention(T=3, S=5)
    view = bertviz.head_view(encoder_attention=enc, decoder_attention=dec, cross_attention=cross,
                             encoder_tokens=list("abcde"), decoder_tokens=list("xyz"))
    names = [d["name"] for d in _params(view.html)["attention"]]
    assert names == ["Encoder", "Decoder", "Cross"]


@pytest.mark.parametrize("call,match", [
    (lambda: bertviz.head_view(_attention()[0], list("abcd")), "wrap it in a list"),
    (lambda: bertviz.head_view([_attention()[0][0]], list("abcd")), r"\(1, H, T, S\)"),
    (lambda: bertviz.head_view([torch.ones(2, 3, 4, 4)], list("abcd")), "batch of one"),
    (lambda: bertviz.head_view(_attention(), list("abc")), "4 query positions but 3 tokens"),
    (lambda: bertviz.head_view(_attention(), None), "tokens are required"),
    (lambda: bertviz.head_view([], list("abcd")), "empty"),
    (lambda: bertviz.head_view(_attention() + _attention(H=2), list("abcd")), "one shape"),
    (lambda: bertviz.head_view([torch.full((1, 1, 4, 4), float("nan"))], list("abcd")), "NaN"),
    (lambda: bertviz.head_view(), "no attention given"),
    (lambda: bertviz.model_view(cross_attention=_attention(T=3, S=5), decoder_tokens=list("xyz")), "encoder_tokens"),
    (lambda: bertviz.head_view(_attention(), list("abcd"), encoder_tokens=list("ab")), "not both"),
    (lambda: bertviz.model_view(_attention(), list("abcd"), zoom=5), "zoom must lie"),
])
def test_bertviz_bad_input_gets_a_message(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------ explorers, headless
@pytest.fixture(scope="module")
def lookup_explorer():
    """An explorer shaped like the multi-head chapter's, over an untrained lookup model."""
    torch.manual_seed(0)
    task = LookupTask()
    model = LookupModel(task).eval()

    def frame_fn(sequence, layer, head):
        ids = task.encode(sequence)
        toks = task.tokens(ids[0])
        w = model.attention(ids)["encoder"][layer][0, head].numpy()
        return views.frame(views.heatmap_panel(w, x=toks, y=toks, vmin=0, vmax=1), caption=f"layer {layer}, head {head}")

    return views.Explorer(frame_fn, controls={"sequence": ["A1 B2 a", "C3 D4 d c"], "layer": [0, 1], "head": [0, 1]},
                          editable=["sequence"], title=f"lookup {HOSTILE}"), model, task


def test_widget_callbacks_redraw_and_show_errors_escaped(lookup_explorer, monkeypatch):
    from transformer_lib.views import live

    explorer, model, task = lookup_explorer
    drawn = []  # every frame the live widget draws
    real = live.draw_png
    monkeypatch.setattr(live, "draw_png", lambda fr, dpi: drawn.append(fr) or real(fr, dpi))

    def last_z():
        return np.array(drawn[-1]["panels"][0]["z"])

    def set_value(name, value):
        w.controls[name].value = value

    w = explorer.widget()
    assert w.message.value == "" and len(drawn) == 1
    first = last_z()
    set_value("head", 1)
    set_value("layer", 1)
    assert len(drawn) == 3 and drawn[-1]["caption"] == "layer 1, head 1"
    np.testing.assert_allclose(last_z(), model.attention(task.encode("A1 B2 a"))["encoder"][1][0, 1].numpy(), atol=1e-5)
    assert not np.allclose(last_z(), first)
    shown = bytes(w.image.value)
    set_value("sequence", "E1 e")  # typed text: a new sentence, recomputed live
    assert w.message.value == "" and last_z().shape == (3, 3)
    assert drawn[-1]["panels"][0]["x"] == ["<s>", "E1", "e"]
    n = len(drawn)
    set_value("sequence", HOSTILE)  # unknown tokens: a message, escaped, no traceback
    assert "unknown token" in w.message.value and len(drawn) == n  # nothing drawn from bad input
    assert "<img" not in w.message.value and "&lt;img" in w.message.value
    set_value("sequence", "<s> " + HOSTILE.replace(" ", ""))  # one hostile word
    assert html_lib.escape(HOSTILE.replace(" ", "")) in w.message.value
    set_value("sequence", "")
    assert "empty" in w.message.value
    set_value("sequence", "A1 " * 12)
    assert "longer than" in w.message.value
    set_value("sequence", "A1 B2 a")  # a setting shown before: its picture again, not drawn again
    assert w.message.value == "" and len(drawn) == n and bytes(w.image.value) == shown


def test_explorer_html_escapes_hostile_title_and_labels(lookup_explorer):
    explorer, _, _ = lookup_explorer
    body = explorer.html()
    assert HOSTILE not in body
    data = re.search(r'<script type="application/json" class="aho-data">(.*?)</script>', body, re.S).group(1)
    assert "<" not in data and ">" not in data


def test_precomputed_frames_equal_live_frames(lookup_explorer):
    explorer, model, task = lookup_explorer
    spec = json.loads(re.search(r'class="aho-data">(.*?)</script>', explorer.html(), re.S).group(1))
    for key, fr in spec["frames"].items():
        i, l, h = map(int, key.split(","))
        ids = task.encode(explorer.controls["sequence"][i])
        live = model.attention(ids)["encoder"][l][0, h].numpy()
        np.testing.assert_allclose(np.array(fr["panels"][0]["z"]), live, atol=1e-5)


# ------------------------------------------------------------- the built pages' data
def _page_specs(built_book, chapter):
    page = (built_book / "chapters" / f"{chapter}.html").read_text(encoding="utf-8")
    blobs = re.findall(r'<script type="application/json" class="aho-data">(.*?)</script>', page, re.S)
    assert blobs, f"no explorer on {chapter}"
    return [json.loads(b) for b in blobs]


def _grid(spec):
    for key, fr in spec["frames"].items():
        idx = list(map(int, key.split(",")))
        yield {c["name"]: c["options"][i] for c, i in zip(spec["controls"], idx)}, fr


@pytest.mark.book
def test_positional_page_data_equals_the_library(built_book):
    (spec,) = _page_specs(built_book, "positional_encoding")
    n = 0
    for values, fr in _grid(spec):
        d, L, layout, pos = int(values["d_model"]), int(values["max_len"]), values["layout"], int(values["position"])
        table = ref.sinusoidal_positional_encoding(L, d, layout)
        np.testing.assert_allclose(fr["panels"][0]["z"], np.round(table, 2), atol=1e-9)
        np.testing.assert_allclose(fr["panels"][1]["series"][0]["y"], table @ table[pos] / (d / 2), atol=1e-5)
        n += 1
    assert n == 3 * 2 * 2 * 3


@pytest.mark.book
def test_masking_page_data_equals_the_library(built_book):
    (spec,) = _page_specs(built_book, "masking")
    for values, fr in _grid(spec):
        kind, n, S = values["mask_kind"], int(values["length"]), int(values["padded_length"])
        pad = ref.padding_mask([n], S)[0, 0]
        expected = {"causal": ref.causal_mask(S), "padding": np.broadcast_to(pad, (S, S)),
                    "causal + padding": ref.causal_mask(S) & pad}[kind]
        np.testing.assert_array_equal(np.array(fr["panels"][0]["z"]) == 1, expected)
        w = np.array(fr["panels"][1]["z"])
        assert np.all(w[~expected] == 0)
        np.testing.assert_allclose(w.sum(-1), 1.0, atol=1e-4)
        assert fr["panels"][0]["y"][n:] == ["<pad>"] * (S - n)


@pytest.mark.book
def test_multi_head_page_data_is_attention(built_book):
    (spec,) = _page_specs(built_book, "multi_head_attention")
    task = LookupTask()
    for values, fr in _grid(spec):
        w = np.array(fr["panels"][0]["z"])
        toks = task.tokens(task.encode(values["sequence"])[0])
        assert fr["panels"][0]["x"] == toks
        np.testing.assert_allclose(w.sum(-1), 1.0, atol=1e-4)
        np.testing.assert_allclose(fr["panels"][1]["values"], w[-1], atol=1e-9)
