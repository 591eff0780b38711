"""Encoder and decoder layers in NumPy (chapters "The feed-forward block" and
"Encoder, decoder and cross-attention").

The reference reads like the paper: every sublayer is ``LayerNorm(x + Sublayer(x))``
(post-norm, section 5.4 of Vaswani et al. 2017) or, with ``norm_first``,
``x + Sublayer(LayerNorm(x))``. Weights are passed as a dict of NumPy arrays stored as
(D_in, D_out), so a projection is ``x @ W``; :func:`layer_params` reads them out of a
:class:`transformer_lib.nn.EncoderLayer` or ``DecoderLayer``.
"""

from __future__ import annotations

import numpy as np

from transformer_lib.ref.attention import multi_head_attention
from transformer_lib.ref.norms import layer_norm


def feed_forward(x, W_1, b_1, W_2, b_2):
    """FFN(x) = max(0, x W_1 + b_1) W_2 + b_2, applied to every position alike (equation 2).

    Args:
        x: (..., T, D).
        W_1: (D, d_ff); b_1: (d_ff,); W_2: (d_ff, D); b_2: (D,).

    Returns:
        (..., T, D).
    """
    x = np.asarray(x)
    if np.shape(W_1)[0] != x.shape[-1] or np.shape(W_2)[1] != x.shape[-1]:
        raise ValueError(
            f"x has d_model={x.shape[-1]} but W_1 has shape {np.shape(W_1)} and W_2 {np.shape(W_2)}; "
            "expected W_1 (d_model, d_ff) and W_2 (d_ff, d_model)"
        )
    return np.maximum(0.0, x @ W_1 + b_1) @ W_2 + b_2  # (..., T, d_ff) -> (..., T, D)


def _mha(p: dict, prefix: str, x_q, x_kv, n_heads: int, mask):
    W = [p[f"{prefix}.{n}"] for n in ("W_Q", "W_K", "W_V", "W_O")]
    b = [p.get(f"{prefix}.{n}_bias", 0.0) for n in ("W_Q", "W_K", "W_V", "W_O")]
    return multi_head_attention(x_q, x_kv, *W, n_heads=n_heads, mask=mask, biases=b)


def _ln(p: dict, name: str, x):
    return layer_norm(x, p[f"{name}.weight"], p[f"{name}.bias"])


def _ffn(p: dict, x):
    return feed_forward(x, p["linear1.weight"], p["linear1.bias"], p["linear2.weight"], p["linear2.bias"])


def encoder_layer(x, params: dict, n_heads: int, mask=None, norm_first: bool = False):
    """One encoder layer: self-attention, then feed-forward, each with residual + LayerNorm.

    Args:
        x: (B, S, D).
        params: from :func:`layer_params` (names as in :class:`transformer_lib.nn.EncoderLayer`).
        n_heads: H.
        mask: boolean, True = may attend, broadcastable to (B, H, S, S).
        norm_first: False for the paper's post-norm, True for pre-norm.

    Returns:
        (output (B, S, D), self-attention weights (B, H, S, S)).
    """
    x = np.asarray(x)
    if norm_first:
        h = _ln(params, "norm1", x)
        a, w = _mha(params, "self_attn", h, h, n_heads, mask)
        x = x + a
        x = x + _ffn(params, _ln(params, "norm2", x))
    else:
        a, w = _mha(params, "self_attn", x, x, n_heads, mask)
        x = _ln(params, "norm1", x + a)
        x = _ln(params, "norm2", x + _ffn(params, x))
    return x, w


def decoder_layer(x, memory, params: dict, n_heads: int, self_mask=None, memory_mask=None, norm_first: bool = False):
    """One decoder layer: masked self-attention, cross-attention, feed-forward.

    In cross-attention the queries are the decoder's own stream ``x``; the keys and
    values are the encoder's output ``memory``.

    Args:
        x: (B, T, D); memory: (B, S, D).
        params: from :func:`layer_params` (names as in :class:`transformer_lib.nn.DecoderLayer`).
        self_mask: broadcastable to (B, H, T, T), usually causal.
        memory_mask: broadcastable to (B, H, T, S), usually the source padding mask.

    Returns:
        (output (B, T, D), self weights (B, H, T, T), cross weights (B, H, T, S)).
    """
    x, memory = np.asarray(x), np.asarray(memory)
    if norm_first:
        h = _ln(params, "norm1", x)
        a, ws = _mha(params, "self_attn", h, h, n_heads, self_mask)
        x = x + a
        c, wc = _mha(params, "cross_attn", _ln(params, "norm2", x), memory, n_heads, memory_mask)
        x = x + c
        x = x + _ffn(params, _ln(params, "norm3", x))
    else:
        a, ws = _mha(params, "self_attn", x, x, n_heads, self_mask)
        x = _ln(params, "norm1", x + a)
        c, wc = _mha(params, "cross_attn", x, memory, n_heads, memory_mask)
        x = _ln(params, "norm2", x + c)
        x = _ln(params, "norm3", x + _ffn(params, x))
    return x, ws, wc


def layer_params(layer) -> dict:
    """A torch EncoderLayer/DecoderLayer's weights as NumPy arrays in the reference's layout.

    ``nn.Linear`` stores (D_out, D_in); the reference multiplies ``x @ W`` with (D_in, D_out),
    so every weight matrix is transposed here.
    """
    out = {}
    for name, t in layer.state_dict().items():
        a = t.detach().cpu().numpy()
        if name.endswith(".weight") and a.ndim == 2:
            out[name] = a.T  # (D_out, D_in) -> (D_in, D_out)
        elif name.endswith(".bias") and any(name.startswith(f"{m}.W_") for m in ("self_attn", "cross_attn")):
            out[name.replace(".bias", "_bias")] = a
        else:
            out[name] = a
    # attention projections: "self_attn.W_Q.weight" -> "self_attn.W_Q"
    for key in [k for k in out if k.endswith(".weight") and "_attn.W_" in k]:
        out[key[: -len(".weight")]] = out.pop(key)
    return out


def swiglu_hidden_width(d_model: int, multiple_of: int = 1) -> int:
    """The SwiGLU hidden width whose parameter count matches a ReLU FFN with d_ff = 4 x d_model.

    Chapter "The modern block"; Shazeer 2020 ("GLU Variants Improve Transformer") shrinks the
    hidden width to 2/3 of the ReLU FFN's so that its three matrices (D x h each) hold as many
    numbers as the ReLU FFN's two (D x 4D each): 3 D h = 8 D^2, h = 2/3 x 4D = 8D/3.
    Rounding: to the *nearest* multiple of ``multiple_of`` (default 1: the nearest integer,
    ties up), and never below ``multiple_of``. The weight counts then differ by at most
    3 x D x multiple_of / 2 (biases aside). LLaMA instead rounds *up* to a multiple of 256.
    """
    for name, v in (("d_model", d_model), ("multiple_of", multiple_of)):
        if isinstance(v, bool) or int(v) != v or v <= 0:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    d_model, m = int(d_model), int(multiple_of)
    # nearest integer to 8D / (3m), in integer arithmetic: floor((8D + 3m/2) / (3m))
    return m * max(1, (2 * 8 * d_model + 3 * m) // (2 * 3 * m))


def swiglu_feed_forward(x, W, V, W_2):
    """FFN_SwiGLU(x) = (Swish(x W) * x V) W_2, Swish(z) = z sigmoid(z) (= SiLU), no biases.

    Chapter "The modern block"; Shazeer 2020, "GLU Variants Improve Transformer" (Swish with
    beta = 1). The gate Swish(x W) multiplies, feature by feature, the linear unit x V.

    Args:
        x: (..., T, D).
        W, V: (D, d_ff), the gate and the linear unit; W_2: (d_ff, D).

    Returns:
        (..., T, D).
    """
    x = np.asarray(x)
    D = x.shape[-1]
    d_ff = np.shape(W)[-1] if np.ndim(W) == 2 else None
    if d_ff is None or np.shape(W) != (D, d_ff) or np.shape(V) != (D, d_ff) or np.shape(W_2) != (d_ff, D):
        raise ValueError(
            f"x has d_model={D} but W has shape {np.shape(W)}, V {np.shape(V)} "
            f"and W_2 {np.shape(W_2)}; "
            "expected W and V (d_model, d_ff) and W_2 (d_ff, d_model)"
        )
    gate = x @ W  # (..., T, d_ff)
    return (gate / (1.0 + np.exp(-gate)) * (x @ V)) @ W_2  # (..., T, d_ff) -> (..., T, D)
