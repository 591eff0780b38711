"""bertviz's head view and model view of the library's attention (chapter "Multi-head attention").

The library returns attention as a list with one (1, H, T, S) tensor per layer
(``EncoderLayer(..., need_weights=True)``, ``Transformer.attention``), which is exactly
what bertviz's ``head_view`` and ``model_view`` take. This adapter checks that input with
clear messages, calls bertviz, and returns a :class:`BertvizView` that displays itself as
HTML both in a kernel and on the built book page.

Two things are changed on the way:

* **Escaping.** bertviz writes its parameters into a ``<script>`` as plain JSON, so a token
  such as ``</script><img src=x onerror=alert(1)>`` would end the script early and run.
  The adapter re-serialises those parameters with ``<``, ``>`` and ``&`` escaped as
  ``\\u003c`` etc. (the same string to JavaScript); bertviz then draws the tokens with
  d3's ``.text``, so they are shown, never interpreted.
* **Size.** The weights are rounded to 4 decimals, which keeps a book page small.

bertviz loads require.js, d3 and jQuery from cdnjs, and in a kernel (Jupyter, Colab) it still
does. The built book carries its own copies (from the npm registry, with their licences, in
``_ext/static/vendor``): the book's Sphinx extension ``_ext/offline_assets.py`` rewrites those
cdnjs addresses in every page to the site's ``_static/vendor``, so a page asks no other host.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Sequence

import numpy as np

_MARKER = "PYTHON_PARAMS"


class BertvizView:
    """A rendered bertviz view: ``.html`` is the markup; displays itself in Jupyter and the book."""

    def __init__(self, html: str, kind: str, zoom: float = 1.0):
        # bertviz draws at a fixed width (970 px for the model view): shrink it to fit a book
        # column, and let a narrow page scroll it.
        inner = html if zoom == 1.0 else f'<div style="zoom:{zoom:g}">{html}</div>'
        self.html = f'<div class="aho-bertviz" style="overflow-x:auto;max-width:100%">{inner}</div>'
        self.kind = kind

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<bertviz {self.kind}: {len(self.html) / 1024:.0f} kB of HTML>"


def _as_layers(name: str, attention, n_tokens: int | None, n_keys: int | None):
    """Check a list of per-layer (1, H, T, S) weights and return float tensors."""
    import torch

    if attention is None:
        return None
    if isinstance(attention, (np.ndarray,)) or hasattr(attention, "dim"):
        raise ValueError(f"{name} must be a list with one (1, H, T, S) tensor per layer, got a single array; "
                         "wrap it in a list: [weights]")
    layers = list(attention)
    if not layers:
        raise ValueError(f"{name} is empty: pass one (1, H, T, S) tensor per layer")
    out = []
    for i, w in enumerate(layers):
        w = torch.as_tensor(w.detach().cpu() if hasattr(w, "detach") else np.asarray(w), dtype=torch.float32)
        if w.dim() == 3:
            raise ValueError(f"{name}[{i}] has shape {tuple(w.shape)}: bertviz needs (1, H, T, S), "
                             "one sequence with a batch axis of 1; use weights[None] or weights[b:b+1]")
        if w.dim() != 4 or w.shape[0] != 1:
            raise ValueError(f"{name}[{i}] must have shape (1, H, T, S) (a batch of one sequence), got {tuple(w.shape)}")
        if out and w.shape != out[0].shape:
            raise ValueError(f"every layer of {name} must have one shape: layer 0 is {tuple(out[0].shape)}, "
                             f"layer {i} is {tuple(w.shape)}")
        if not torch.isfinite(w).all():
            raise ValueError(f"{name}[{i}] contains NaN or infinite weights")
        out.append(w)
    T, S = out[0].shape[-2:]
    if n_tokens is not None and T != n_tokens:
        raise ValueError(f"{name} has {T} query positions but {n_tokens} tokens were given")
    if n_keys is not None and S != n_keys:
        raise ValueError(f"{name} has {S} key positions but {n_keys} tokens were given")
    return out


def _tokens(name: str, tokens) -> list[str] | None:
    if tokens is None:
        return None
    tokens = [str(t) for t in tokens]
    if not tokens:
        raise ValueError(f"{name} is empty")
    return tokens


def _round(x, decimals: int):
    if isinstance(x, float):
        return round(x, decimals)
    if isinstance(x, list):
        return [_round(v, decimals) for v in x]
    return x


def _safe(html: str, script_name: str) -> str:
    """Re-serialise bertviz's inline parameters with <, > and & escaped (and weights rounded).

    bertviz substitutes its JSON for every occurrence of the marker in its script, a code
    line and a comment; the rebuilt script has it once, in the code.
    """
    template = resources.files("bertviz").joinpath(script_name).read_text(encoding="utf-8")
    parts = template.split(_MARKER)
    start = html.find(parts[0])
    if start < 0 or len(parts) < 2:
        raise RuntimeError(f"this bertviz version's {script_name} does not match the adapter; please report it")
    decoder, pos, params = json.JSONDecoder(), start + len(parts[0]), None
    for part in parts[1:]:
        value, pos = decoder.raw_decode(html, pos)
        params = value if params is None else params
        if not html.startswith(part, pos):
            raise RuntimeError(f"this bertviz version's {script_name} does not match the adapter; please report it")
        pos += len(part)
    for d in params.get("attention", []):
        d["attn"] = _round(d["attn"], 4)
    data = json.dumps(params, separators=(",", ":"))
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return html[:start] + template.replace(_MARKER, data, 1) + html[pos:]


def head_view(attention=None, tokens: Sequence[str] | None = None, *, encoder_attention=None, decoder_attention=None,
              cross_attention=None, encoder_tokens=None, decoder_tokens=None, layer: int | None = None,
              heads: Sequence[int] | None = None) -> BertvizView:
    """bertviz's head view: one layer at a time, lines from each token to those it attends to.

    Args:
        attention: self-attention, a list of (1, H, T, T) weights, one per layer.
        tokens: the T tokens.
        encoder_attention, decoder_attention, cross_attention: instead, an encoder-decoder
            model's lists ((1, H, S, S), (1, H, T, T), (1, H, T, S)), as returned by
            ``Transformer.attention``, with ``encoder_tokens`` (S) and ``decoder_tokens`` (T).
        layer, heads: the initially selected layer and heads.

    Returns:
        a :class:`BertvizView`.
    """
    from bertviz import head_view as _hv

    kw = _check(attention, tokens, encoder_attention, decoder_attention, cross_attention, encoder_tokens, decoder_tokens)
    html = _hv(**kw, layer=layer, heads=list(heads) if heads is not None else None, prettify_tokens=False,
               html_action="return").data
    return BertvizView(_safe(html, "head_view.js"), "head_view")


def model_view(attention=None, tokens: Sequence[str] | None = None, *, encoder_attention=None, decoder_attention=None,
               cross_attention=None, encoder_tokens=None, decoder_tokens=None, zoom: float = 0.7) -> BertvizView:
    """bertviz's model view: a thumbnail of every head of every layer; click one to enlarge it.

    Arguments as in :func:`head_view`; ``zoom`` scales bertviz's fixed 970-pixel width
    (0.7 fits the book's text column). Returns a :class:`BertvizView` (light theme).
    """
    if not 0.2 <= zoom <= 2:
        raise ValueError(f"zoom must lie in 0.2..2, got {zoom}")
    from bertviz import model_view as _mv

    kw = _check(attention, tokens, encoder_attention, decoder_attention, cross_attention, encoder_tokens, decoder_tokens)
    html = _mv(**kw, display_mode="light", prettify_tokens=False, html_action="return").data
    return BertvizView(_safe(html, "model_view.js"), "model_view", zoom=zoom)


def _check(attention, tokens, encoder_attention, decoder_attention, cross_attention, encoder_tokens, decoder_tokens):
    if attention is not None:
        if any(a is not None for a in (encoder_attention, decoder_attention, cross_attention, encoder_tokens, decoder_tokens)):
            raise ValueError("pass either attention + tokens (self-attention) or the encoder/decoder/cross lists, not both")
        tokens = _tokens("tokens", tokens)
        if tokens is None:
            raise ValueError("tokens are required: one label per position")
        return {"attention": _as_layers("attention", attention, len(tokens), len(tokens)), "tokens": tokens}
    if encoder_attention is None and decoder_attention is None and cross_attention is None:
        raise ValueError("no attention given: pass attention=[(1, H, T, T) per layer] and tokens")
    enc, dec = _tokens("encoder_tokens", encoder_tokens), _tokens("decoder_tokens", decoder_tokens)
    for name, a, need in (("encoder_attention", encoder_attention, ("encoder_tokens", enc)),
                          ("decoder_attention", decoder_attention, ("decoder_tokens", dec)),
                          ("cross_attention", cross_attention, ("decoder_tokens", dec))):
        if a is not None and need[1] is None:
            raise ValueError(f"{name} needs {need[0]}")
    if cross_attention is not None and enc is None:
        raise ValueError("cross_attention needs encoder_tokens")
    n_enc, n_dec = (len(enc) if enc else None), (len(dec) if dec else None)
    return {
        "encoder_attention": _as_layers("encoder_attention", encoder_attention, n_enc, n_enc),
        "decoder_attention": _as_layers("decoder_attention", decoder_attention, n_dec, n_dec),
        "cross_attention": _as_layers("cross_attention", cross_attention, n_dec, n_enc),
        "encoder_tokens": enc, "decoder_tokens": dec,
    }


def find_token_text(html: str) -> list[str]:
    """The token lists embedded in a view's parameters, decoded (for tests and debugging)."""
    m = re.search(r"const params = (\{.*?\}); //", html, flags=re.S)
    if not m:
        return []
    params = json.loads(m.group(1))
    return [t for d in params["attention"] for t in d["left_text"] + d["right_text"]]
