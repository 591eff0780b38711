"""Mutation testing of the library's core: do the fast tests catch real bugs?

Usage: .venv/bin/python scripts/mutants.py [--only SUBSTRING] [--list] [--timeout SECONDS]

A *mutant* is one small, plausible bug written into a copy of the library: a flipped
comparison, a dropped sqrt(d_k), a swapped mask polarity, an off-by-one slice... The
catalogue below holds them as exact text replacements (``old`` must occur exactly once in
its file, so a catalogue that drifts from the code fails loudly instead of testing nothing).
For each mutant the runner writes the mutated file into a temporary copy of
``transformer_lib``, puts that copy first on ``PYTHONPATH`` and runs the fast tests against
it (one process, stopping at the first failure, with a timeout). A mutant is *killed* if a
test fails (or the run times out), and *survives* if every test passes.

The runner prints killed/total per file, the score and the survivors, and exits non-zero
when the score is below 95 %. Scope: ``ref/``, ``nn/``,
``decoding.py`` and the loss, schedule and fit code of ``train.py``.

It is slow (each mutant starts pytest and imports torch): 195 mutants took 14.5 min under
``nice -n 19`` on two shared cores (35 min when the machine was heavily loaded), so it is not
part of ``scripts/test.sh``. One process, no parallelism. Result on 2026-11-30: 195/195 killed;
146/195 (74.9 %) with the tests that existed before tests/ref, tests/nn, tests/decoding and
tests/training were added. After issue 12's rules (train.fit the one loop; the attention pair, one
padding-mask shape and helper, ``nn.evaluating``), 2026-11-30, by ``--only``: train.py 38/38
(3.7 min), nn/ 101/101 (25.1 min, machine shared), ref/ 58/58 (4.7 min), decoding.py 34/34
(4.2 min); no kill by timeout. With the families' masks (full_mask, prefix_lm_mask; issue 13), 2026-11-30:
ref/masks.py 21/21, nn/masks.py 21/21 (4.0 min).
Issue 13 also added 22 mutants for the decoder-only model, the KV cache and the sampling transforms
(nn/gpt.py, the cache in nn/attention.py and nn/blocks.py, generate and the filters in
decoding.py); each was killed by tests/nn/test_gpt.py and tests/decoding/test_generate.py
alone (2026-11-30).
Issue 14 added two blocks at the end of the catalogue, each selectable by ``--only``: "modern block"
(RoPE, RMSNorm, grouped-query attention, SwiGLU, the KV cache with fewer KV heads) 35/35 killed
(10.4 min), and "cost of attention" (sparse masks, block-sparse attention, flash attention, cost.py)
45/45 killed (5.6 min), 2026-12-01 (the shared length check now lives once, in _checks.py). A third block,
"positions option" (GPTConfig(positions=...): the sinusoidal table, RoPE in MultiHeadAttention under
the KV cache), 7/7 killed (1.4 min), 2026-12-01. The catalogue holds 360 mutants (after GQA and multi-head attention came to share one core, nn.attention.attend).
Issue 15 added a block "self-checks" (the quiz builders, the exercise checks' core, glue): 11/11 killed
(0.7 min), 2026-12-01, after a test comparing entry by entry was added for the one survivor; three
mutants of the self-checks' computed answers ("self-check)": 3/3, 0.3 min) and two of the length
normalisers in decoding.py ("length_power exponent sign", "default normaliser": 2/2). The catalogue
holds 376 mutants.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parents[1]
PKG = "transformer_lib"
THRESHOLD = 0.95

# The fast tests (no book build, no browser, no training run) each file's mutants run against:
# the tests of that concept, new and old. pytest stops at the first failure, so a killed
# mutant costs a few seconds and a survivor the whole set.
_CORE = ["tests/ref", "tests/nn"]
TESTS = {
    "ref/": _CORE,
    "nn/": _CORE,
    "decoding.py": ["tests/decoding"],
    "train.py": ["tests/train"],
    "cost.py": ["tests/cost", "tests/ref/test_flash.py"],
    "_checks.py": _CORE,
    "quiz.py": ["tests/quiz"],
    "exercises/": ["tests/exercises"],
    "glue.py": ["tests/glue"],
}
MARKERS = "not slow and not book and not browser and not colab"


@dataclass(frozen=True)
class Mutant:
    file: str  # relative to transformer_lib/
    old: str  # exact text, found exactly once in the file
    new: str
    what: str  # the bug, in words


M = Mutant
CATALOGUE: list[Mutant] = [
    # ---------------------------------------------------------------- ref/attention.py
    M("ref/attention.py", "e = np.exp(x - m)", "e = np.exp(x)", "softmax without max-subtraction"),
    M("ref/attention.py", "m = np.where(np.isfinite(m), m, 0.0)", "m = m", "softmax: all -inf row not guarded"),
    M("ref/attention.py", "total = np.sum(e, axis=axis, keepdims=True)", "total = np.sum(e, axis=0, keepdims=True)",
      "softmax normalised over the wrong axis"),
    M("ref/attention.py", "m = np.max(x, axis=axis, keepdims=True)", "m = np.max(x, axis=0, keepdims=True)",
      "softmax subtracts the maximum of the wrong axis"),
    M("ref/attention.py", "return e / np.where(total == 0, 1.0, total)", "return e / total", "softmax 0/0 on empty rows"),
    M("ref/attention.py", "scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(d_k)", "scores = Q @ np.swapaxes(K, -1, -2)",
      "sdpa drops the 1/sqrt(d_k) scale"),
    M("ref/attention.py", "scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(d_k)",
      "scores = Q @ np.swapaxes(K, -1, -2) / d_k", "sdpa scales by 1/d_k"),
    M("ref/attention.py", "        scores = np.where(mask, scores, -np.inf)\n    weights = softmax(scores, axis=-1)  # (..., T, S)",
      "        scores = np.where(mask, -np.inf, scores)\n    weights = softmax(scores, axis=-1)  # (..., T, S)",
      "sdpa mask polarity swapped"),
    M("ref/attention.py", "        scores = np.where(mask, scores, -np.inf)\n    weights = softmax(scores, axis=-1)  # (..., T, S)",
      "        scores = np.where(mask, scores, 0.0)\n    weights = softmax(scores, axis=-1)  # (..., T, S)",
      "sdpa fills masked scores with 0 instead of -inf"),
    M("ref/attention.py", "    return weights @ V, weights  # (..., T, Dv), (..., T, S)",
      "    return np.swapaxes(weights, -1, -2) @ V, weights  # (..., T, Dv), (..., T, S)", "sdpa uses transposed weights"),
    M("ref/attention.py", "hidden = np.tanh((Q @ W_q)", "hidden = ((Q @ W_q)", "additive attention without tanh"),
    M("ref/attention.py", "(Q @ W_q)[..., :, None, :] + (K @ W_k)[..., None, :, :]",
      "(Q @ W_q)[..., None, :, :] + (K @ W_k)[..., :, None, :]", "additive attention: queries and keys on swapped axes"),
    M("ref/attention.py", "(K @ W_k)[..., None, :, :]", "(K @ W_q)[..., None, :, :]", "additive attention: keys use W_q"),
    M("ref/attention.py", "    scores = hidden @ v  # (..., T, S)", "    scores = hidden.sum(-1)  # (..., T, S)",
      "additive attention ignores v"),
    M("ref/attention.py", "        scores = np.where(mask, scores, -np.inf)\n    weights = softmax(scores, axis=-1)\n",
      "        scores = np.where(mask, scores, 0.0)\n    weights = softmax(scores, axis=-1)\n",
      "additive attention fills masked scores with 0"),
    M("ref/attention.py", "    weights = softmax(scores, axis=-1)\n    return weights @ V, weights\n",
      "    weights = softmax(scores, axis=-2)\n    return weights @ V, weights\n", "additive attention: softmax over queries"),
    M("ref/attention.py", "    x = x.reshape(*lead, T, n_heads, D // n_heads)  # (..., T, H, Dh)\n    return np.swapaxes(x, -3, -2)",
      "    x = x.reshape(*lead, n_heads, T, D // n_heads)  # (..., T, H, Dh)\n    return x",
      "split_heads reshapes without the transpose"),
    M("ref/attention.py", "    x = np.swapaxes(x, -3, -2)  # (..., T, H, Dh)\n    return x.reshape(*lead, T, H * Dh)",
      "    return x.reshape(*lead, T, H * Dh)", "merge_heads reshapes without the transpose"),
    M("ref/attention.py", "return merge_heads(heads) @ W_O + b_O", "return merge_heads(heads) + b_O", "multi-head drops W_O"),
    M("ref/attention.py", "k = split_heads(x_kv @ W_K + b_K, n_heads)", "k = split_heads(x_q @ W_K + b_K, n_heads)",
      "cross-attention keys come from the queries' side"),
    M("ref/attention.py", "b_Q, b_K, b_V, b_O = biases if", "b_K, b_Q, b_V, b_O = biases if", "multi-head biases swapped"),
    # ------------------------------------------------------------------- ref/blocks.py
    M("ref/blocks.py", "return np.maximum(0.0, x @ W_1 + b_1) @ W_2 + b_2", "return (x @ W_1 + b_1) @ W_2 + b_2",
      "feed-forward without ReLU"),
    M("ref/blocks.py", "        x = _ln(params, \"norm1\", x + a)\n        x = _ln(params, \"norm2\", x + _ffn(params, x))\n    return x, w",
      "        x = _ln(params, \"norm1\", a)\n        x = _ln(params, \"norm2\", x + _ffn(params, x))\n    return x, w",
      "encoder post-norm drops the attention residual"),
    M("ref/blocks.py", "        x = x + a\n        x = x + _ffn(params, _ln(params, \"norm2\", x))",
      "        x = a\n        x = x + _ffn(params, _ln(params, \"norm2\", x))", "encoder pre-norm drops the attention residual"),
    M("ref/blocks.py", "        x = x + _ffn(params, _ln(params, \"norm2\", x))",
      "        x = x + _ffn(params, x)", "encoder pre-norm skips norm2"),
    M("ref/blocks.py", "    x = np.asarray(x)\n    if norm_first:", "    x = np.asarray(x)\n    if not norm_first:",
      "encoder norm_first inverted"),
    M("ref/blocks.py", "c, wc = _mha(params, \"cross_attn\", x, memory, n_heads, memory_mask)",
      "c, wc = _mha(params, \"cross_attn\", x, memory, n_heads, self_mask)", "decoder cross-attention uses the self mask"),
    M("ref/blocks.py", "        x = _ln(params, \"norm2\", x + c)", "        x = _ln(params, \"norm2\", c)",
      "decoder post-norm drops the cross-attention residual"),
    M("ref/blocks.py", "        x = _ln(params, \"norm3\", x + _ffn(params, x))", "        x = _ln(params, \"norm2\", x + _ffn(params, x))",
      "decoder uses norm2 where norm3 belongs"),
    M("ref/blocks.py", "        c, wc = _mha(params, \"cross_attn\", _ln(params, \"norm2\", x), memory, n_heads, memory_mask)",
      "        c, wc = _mha(params, \"cross_attn\", _ln(params, \"norm2\", x), _ln(params, \"norm2\", memory), n_heads, memory_mask)",
      "pre-norm decoder normalises the memory too"),
    M("ref/blocks.py", "            out[name] = a.T  # (D_out, D_in) -> (D_in, D_out)", "            out[name] = a  # (D_out, D_in) -> (D_in, D_out)",
      "layer_params forgets to transpose"),
    # -------------------------------------------------------------------- ref/masks.py
    M("ref/masks.py", "return np.tril(np.ones((int(T), int(T)), dtype=bool))", "return np.triu(np.ones((int(T), int(T)), dtype=bool))",
      "causal mask looks ahead"),
    M("ref/masks.py", "return np.tril(np.ones((int(T), int(T)), dtype=bool))",
      "return np.tril(np.ones((int(T), int(T)), dtype=bool), -1)", "causal mask hides the diagonal"),
    M("ref/masks.py", "(np.arange(S)[None, :] < lengths[:, None])", "(np.arange(S)[None, :] <= lengths[:, None])",
      "padding mask off by one"),
    M("ref/masks.py", "np.any(lengths > S)", "np.any(lengths >= S)", "padding mask rejects a full-length sequence"),
    M("ref/masks.py", "if int(T) != T or T < 1:", "if int(T) != T or T < 0:", "causal mask accepts T = 0"),
    M("ref/masks.py", "lengths[:, None])[:, None, None, :]", "lengths[:, None])[:, None, :]", "padding mask in the old (B, 1, S) shape"),
    M("ref/masks.py", "    return (ids != pad_id)[:, None, None, :]", "    return (ids == pad_id)[:, None, None, :]",
      "padding mask from ids inverted"),
    M("ref/masks.py", "    return (ids != pad_id)[:, None, None, :]", "    return (ids != 0)[:, None, None, :]",
      "padding mask from ids ignores pad_id (assumes 0)"),
    M("ref/masks.py", "    return (ids != pad_id)[:, None, None, :]", "    return (ids != pad_id)[:, None, :]",
      "padding mask from ids in the old (B, 1, S) shape"),
    M("ref/masks.py", "if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):", "if ids.ndim != 2:",
      "padding mask from float ids accepted"),
    M("ref/masks.py", "(keys[None, :] <= keys[:, None]) | (keys", "(keys[None, :] < keys[:, None]) | (keys",
      "prefix-LM mask hides the diagonal"),
    M("ref/masks.py", "(keys[None, :] <= keys[:, None]) | (keys", "(keys[None, :] >= keys[:, None]) | (keys",
      "prefix-LM mask looks ahead after the prefix"),
    M("ref/masks.py", "keys[:, None]) | (keys[None, :] < int(prefix_len))", "keys[:, None]) & (keys[None, :] < int(prefix_len))",
      "prefix-LM mask: causal AND prefix instead of OR"),
    M("ref/masks.py", "(keys[None, :] < int(prefix_len))", "(keys[None, :] <= int(prefix_len))", "prefix one token too long"),
    M("ref/masks.py", "(keys[None, :] < int(prefix_len))", "(keys[:, None] < int(prefix_len))",
      "prefix queries see everything instead of every query seeing the prefix"),
    M("ref/masks.py", "not 0 <= prefix_len <= T:", "not 0 <= prefix_len < T:", "prefix-LM mask rejects a prefix of the whole sentence"),
    M("ref/masks.py", "not 0 <= prefix_len <= T:", "not 0 <= prefix_len:", "prefix-LM mask accepts a prefix longer than T"),
    M("ref/masks.py", "if isinstance(prefix_len, bool) or ", "if ", "prefix-LM mask accepts a bool prefix"),
    M("_checks.py", "if isinstance(T, bool) or int(T) != T or T < 1:", "if isinstance(T, bool) or int(T) != T or T < 0:",
      "full/prefix-LM/sparse masks accept a length of 0 (ref and nn share the check)"),
    M("ref/masks.py", "S = T if S is None else check_length", "S = T if True else check_length", "full mask ignores S"),
    M("ref/masks.py", "np.ones((T, S), dtype=bool)", "np.ones((S, T), dtype=bool)", "full mask (S, T) instead of (T, S)"),
    # -------------------------------------------------------------------- ref/norms.py
    M("ref/norms.py", "mu = x.mean(axis=-1, keepdims=True)", "mu = x.mean(axis=1, keepdims=True)", "layer norm mean over T"),
    M("ref/norms.py", "var = x.var(axis=-1, keepdims=True)", "var = x.var(axis=-1, ddof=1, keepdims=True)",
      "layer norm unbiased variance"),
    M("ref/norms.py", "var = x.var(axis=-1, keepdims=True)", "var = x.var(axis=1, keepdims=True)", "layer norm variance over T"),
    M("ref/norms.py", "    var = x.var(axis=-1, keepdims=True)  # (B, T, 1), biased (divide by D)\n    return (x - mu) / np.sqrt(var + eps) * gamma + beta",
      "    var = x.var(axis=-1, keepdims=True)  # (B, T, 1), biased (divide by D)\n    return (x - mu) / np.sqrt(var) * gamma + beta",
      "layer norm without eps"),
    M("ref/norms.py", "    var = x.var(axis=-1, keepdims=True)  # (B, T, 1), biased (divide by D)\n    return (x - mu) / np.sqrt(var + eps) * gamma + beta",
      "    var = x.var(axis=-1, keepdims=True)  # (B, T, 1), biased (divide by D)\n    return (x - mu) / np.sqrt(var + eps) * gamma",
      "layer norm drops beta"),
    M("ref/norms.py", "mu = x.mean(axis=(0, 1), keepdims=True)", "mu = x.mean(axis=(0,), keepdims=True)",
      "batch norm mean over B only"),
    M("ref/norms.py", "var = x.var(axis=(0, 1), keepdims=True)", "var = x.var(axis=(0, 1), ddof=1, keepdims=True)",
      "batch norm unbiased variance"),
    M("ref/norms.py", "var = x.var(axis=(0, 1), keepdims=True)", "var = x.var(axis=-1, keepdims=True)",
      "batch norm variance over D"),
    M("ref/norms.py", "    var = x.var(axis=(0, 1), keepdims=True)  # (1, 1, D), biased (divide by B*T)\n    return (x - mu) / np.sqrt(var + eps) * gamma + beta",
      "    var = x.var(axis=(0, 1), keepdims=True)  # (1, 1, D), biased (divide by B*T)\n    return (x - mu) / (np.sqrt(var) + eps) * gamma + beta",
      "batch norm eps outside the sqrt"),
    # --------------------------------------------------------------- ref/positional.py
    M("ref/positional.py", "return 1.0 / 10000 ** (2 * i / d_model)", "return 1.0 / 10000 ** (i / d_model)",
      "frequencies without the 2 in 2i/d_model"),
    M("ref/positional.py", "return 1.0 / 10000 ** (2 * i / d_model)", "return 1.0 / 1000 ** (2 * i / d_model)",
      "frequencies base 1000"),
    M("ref/positional.py", "pe[:, 0::2], pe[:, 1::2] = np.sin(angle), np.cos(angle)",
      "pe[:, 0::2], pe[:, 1::2] = np.cos(angle), np.sin(angle)", "interleaved layout starts with cos"),
    M("ref/positional.py", "pe[:, : d_model // 2], pe[:, d_model // 2 :] = np.sin(angle), np.cos(angle)",
      "pe[:, : d_model // 2], pe[:, d_model // 2 :] = np.cos(angle), np.sin(angle)", "concatenated layout starts with cos"),
    M("ref/positional.py", "pos = np.arange(max_len)[:, None]", "pos = np.arange(1, max_len + 1)[:, None]",
      "positions counted from 1"),
    M("ref/positional.py", "M[cos_idx, sin_idx], M[cos_idx, cos_idx] = -s, c", "M[cos_idx, sin_idx], M[cos_idx, cos_idx] = s, c",
      "rotation with the wrong sign"),
    M("ref/positional.py", "cos_idx = sin_idx + 1 if layout", "cos_idx = sin_idx if layout", "rotation pairs a row with itself"),
    M("ref/positional.py", "if int(d_model) != d_model or d_model <= 0 or d_model % 2:",
      "if int(d_model) != d_model or d_model <= 0:", "odd d_model accepted"),
    # ------------------------------------------------------------------ nn/attention.py
    M("nn/attention.py", "scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])", "scores = q @ k.transpose(-2, -1)",
      "explicit path drops 1/sqrt(Dh)"),
    M("nn/attention.py", "scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])",
      "scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_model)", "explicit path scales by 1/sqrt(D)"),
    M("nn/attention.py", "scores = scores.masked_fill(~mask, float(\"-inf\"))", "scores = scores.masked_fill(mask, float(\"-inf\"))",
      "explicit path mask polarity swapped"),
    M("nn/attention.py", "scores = scores.masked_fill(~mask, float(\"-inf\"))", "scores = scores.masked_fill(~mask, 0.0)",
      "explicit path fills masked scores with 0"),
    M("nn/attention.py", "attn_mask=mask, dropout_p=dropout_p,", "attn_mask=~mask if mask is not None else None, dropout_p=dropout_p,",
      "fused path mask polarity swapped"),
    M("nn/attention.py", "p = self.dropout if self.training else 0.0", "p = self.dropout", "attention dropout also in eval mode"),
    M("nn/attention.py", "p = self.dropout if self.training else 0.0", "p = 0.0", "attention dropout never applied"),
    M("nn/attention.py", "heads = F.dropout(weights, dropout_p) @ v", "heads = weights @ v", "explicit path drops dropout"),
    M("nn/attention.py", "attn_mask=mask, dropout_p=dropout_p,", "attn_mask=mask, dropout_p=0.0,", "fused path drops dropout"),
    M("nn/attention.py", "weights = torch.softmax(scores, dim=-1)", "weights = torch.softmax(scores, dim=-2)",
      "explicit path softmax over queries"),
    M("nn/attention.py", "        mask = mask | empty\n", "", "fully masked rows not opened (NaN)"),
    M("nn/attention.py", "        heads = heads.masked_fill(empty, 0.0)\n", "", "fully masked rows not zeroed"),
    M("nn/attention.py", "            weights = weights.masked_fill(empty, 0.0)\n", "            pass\n",
      "fully masked rows' weights not zeroed"),
    M("nn/attention.py", "return x.view(B, L, self.n_heads, self.d_head).transpose(1, 2)",
      "return x.view(B, self.n_heads, L, self.d_head)", "heads split without the transpose"),
    M("nn/attention.py", "out = self.W_O(heads.transpose(1, 2).reshape(B, T, D))", "out = self.W_O(heads.reshape(B, T, D))",
      "heads merged without the transpose"),
    M("nn/attention.py", "k = self._split(self.W_K(key))", "k = self._split(self.W_K(query))", "keys from the query"),
    M("nn/attention.py", "v = self._split(self.W_V(value))", "v = self._split(self.W_V(key))", "values from the key"),
    M("nn/attention.py", "if fused and not need_weights:", "if not fused and not need_weights:",
      "fused flag inverted"),
    M("nn/attention.py", "return out, (weights if need_weights else None)", "return out, weights",
      "explicit path returns weights nobody asked for"),
    M("nn/attention.py", "return out, (weights if need_weights else None)", "return (out, weights) if need_weights else out",
      "forward returns a bare tensor without need_weights (the old API)"),
    M("nn/attention.py", "if key.shape[:2] != value.shape[:2]:", "if key.shape[:1] != value.shape[:1]:",
      "K/V length mismatch not caught"),
    M("nn/attention.py", "            k = torch.cat([past_kv[0], k], dim=2)", "            k = torch.cat([k, past_kv[0]], dim=2)",
      "KV cache: cached keys appended after the new ones"),
    M("nn/attention.py", "            v = torch.cat([past_kv[1], v], dim=2)", "            v = torch.cat([past_kv[0], v], dim=2)",
      "KV cache: values read from the cached keys"),
    M("nn/attention.py", "            return out, weights if need_weights else None, (k, v)",
      "            return out, weights if need_weights else None, (k[:, :, -1:], v[:, :, -1:])",
      "KV cache: only the newest position returned"),
    M("nn/attention.py", "        check_mask(mask, query.shape[1], S_past + key.shape[1],", "        check_mask(mask, query.shape[1], key.shape[1],",
      "mask checked against the new keys only"),
    # --------------------------------------------------------------------- nn/blocks.py
    M("nn/blocks.py", "return linear2(dropout(F.relu(linear1(x))))", "return linear2(dropout(linear1(x)))",
      "feed-forward without ReLU"),
    M("nn/blocks.py", "return linear2(dropout(F.relu(linear1(x))))", "return linear2(F.relu(linear1(x)))",
      "feed-forward without its inner dropout"),
    M("nn/blocks.py", "self.self_attn = MultiHeadAttention(d_model, n_heads, dropout, rotary=rotary)",
      "self.self_attn = MultiHeadAttention(d_model, n_heads, rotary=rotary)", "encoder self-attention without dropout"),
    M("nn/blocks.py", "        return self.dropout1(out), w", "        return out, w", "encoder drops dropout1"),
    M("nn/blocks.py", "        return self.dropout2(feed_forward(x, self.linear1, self.linear2, self.dropout))",
      "        return feed_forward(x, self.linear1, self.linear2, self.dropout)", "encoder drops dropout2"),
    M("nn/blocks.py", "            x = self.norm1(x + a)\n            x = self.norm2(x + self._ff(x))",
      "            x = self.norm1(a)\n            x = self.norm2(x + self._ff(x))", "encoder post-norm drops a residual"),
    M("nn/blocks.py", "            x = self.norm1(x + a)\n            x = self.norm2(x + self._ff(x))",
      "            x = self.norm1(x + a)\n            x = self.norm2(self._ff(x))", "encoder post-norm drops the FFN residual"),
    M("nn/blocks.py", "            a, w, present = self._sa(self.norm1(x), mask, need_weights, past_kv, use_cache)\n            x = x + a",
      "            a, w, present = self._sa(self.norm1(x), mask, need_weights, past_kv, use_cache)\n            x = a", "encoder pre-norm drops a residual"),
    M("nn/blocks.py", "            x = x + self._ff(self.norm2(x))\n        else:\n            a, w",
      "            x = x + self._ff(x)\n        else:\n            a, w", "encoder pre-norm skips norm2"),
    M("nn/blocks.py", "        _check_width(\"x\", x, self.d_model)\n        if self.norm_first:\n            a, w",
      "        _check_width(\"x\", x, self.d_model)\n        if not self.norm_first:\n            a, w", "encoder norm_first inverted"),
    M("nn/blocks.py", "            x = layer(x, mask)\n", "            x = layer(x, None)\n", "encoder stack forgets the mask"),
    M("nn/blocks.py", "        self.cross_attn = MultiHeadAttention(d_model, n_heads, dropout)",
      "        self.cross_attn = MultiHeadAttention(d_model, n_heads)", "decoder cross-attention without dropout"),
    M("nn/blocks.py", "            x = self.norm1(x + self.dropout1(a))", "            x = self.norm1(x + a)",
      "decoder post-norm drops dropout1"),
    M("nn/blocks.py", "            x = x + self.dropout2(c)\n", "            x = x + c\n", "decoder pre-norm drops dropout2"),
    M("nn/blocks.py", "        return self.dropout3(feed_forward(x, self.linear1, self.linear2, self.dropout))",
      "        return feed_forward(x, self.linear1, self.linear2, self.dropout)", "decoder drops dropout3"),
    M("nn/blocks.py", "c, wc = self.cross_attn(x, memory, memory, mask=memory_mask, need_weights=need_weights)",
      "c, wc = self.cross_attn(x, memory, memory, mask=None, need_weights=need_weights)", "post-norm decoder ignores the memory mask"),
    M("nn/blocks.py", "c, wc = self.cross_attn(self.norm2(x), memory, memory, mask=memory_mask, need_weights=need_weights)",
      "c, wc = self.cross_attn(x, memory, memory, mask=memory_mask, need_weights=need_weights)", "pre-norm decoder skips norm2"),
    M("nn/blocks.py", "            x = self.norm2(x + self.dropout2(c))", "            x = self.norm2(self.dropout2(c))",
      "decoder post-norm drops the cross residual"),
    M("nn/blocks.py", "            x = self.norm3(x + self._ff(x))", "            x = self.norm2(x + self._ff(x))",
      "decoder uses norm2 where norm3 belongs"),
    M("nn/blocks.py", "torch.cat([mha.W_Q.weight, mha.W_K.weight, mha.W_V.weight])",
      "torch.cat([mha.W_K.weight, mha.W_Q.weight, mha.W_V.weight])", "to_torch_state_dict swaps W_Q and W_K"),
    M("nn/blocks.py", "if int(d_ff) != d_ff or d_ff <= 0:", "if int(d_ff) != d_ff or d_ff < 0:", "d_ff = 0 accepted"),
    # --------------------------------------------------------------------- nn/config.py
    M("nn/blocks.py", "            return (x, w, present[0]) if need_weights else (x, present[0])",
      "            return (x, w, present[0]) if need_weights else (x, None)", "encoder layer drops the cache"),
    # ------------------------------------------------------------------------ nn/gpt.py
    M("nn/gpt.py", "mask = causal_mask(S_past + T, ids.device)[S_past:]", "mask = None", "GPT without the causal mask"),
    M("nn/gpt.py", "mask = causal_mask(S_past + T, ids.device)[S_past:]", "mask = causal_mask(S_past + T, ids.device)[:T]",
      "cached queries get the first rows of the causal mask"),
    M("nn/gpt.py", "x = self.pos(self.embed(ids), offset=S_past)", "x = self.pos(self.embed(ids))",
      "cached tokens get positions from 0 again"),
    M("nn/gpt.py", "            self.lm_head.weight = self.embed.table.weight", "            pass", "weights not tied"),
    M("nn/gpt.py", "        return self.final_norm(x), cache, weights", "        return x, cache, weights", "no final LayerNorm"),
    M("nn/gpt.py", "    return ids[:, :-1], ids[:, 1:]", "    return ids[:, :-1], ids[:, :-1]", "targets not shifted"),
    M("nn/gpt.py", "    return 2 * n_layers * batch * context * d_model * bytes_per_number",
      "    return n_layers * batch * context * d_model * bytes_per_number", "cache size counts K only"),
    M("nn/gpt.py", "        if S_past + T > self.config.block_size:", "        if T > self.config.block_size:",
      "context overflow after a cache not caught"),
    M("nn/config.py", "if not 0.0 <= self.dropout < 1.0:", "if not 0.0 <= self.dropout <= 1.0:", "dropout = 1 accepted"),
    M("nn/config.py", "    torch.manual_seed(seed)\n", "", "seed_everything forgets torch"),
    M("nn/config.py", "    np.random.seed(seed)\n", "", "seed_everything forgets NumPy"),
    M("nn/config.py", "if self.n_encoder_layers < 0 or self.n_decoder_layers < 0:", "if self.n_encoder_layers < 0:",
      "negative decoder depth accepted"),
    M("nn/config.py", "if self.share_embeddings and self.src_vocab_size != self.tgt_vocab_size",
      "if self.share_embeddings and self.src_vocab_size == self.tgt_vocab_size", "shared-vocabulary check inverted"),
    # ---------------------------------------------------------------------- nn/masks.py
    M("nn/masks.py", "return torch.ones(int(T), int(T), dtype=torch.bool, device=device).tril()",
      "return torch.ones(int(T), int(T), dtype=torch.bool, device=device).triu()", "causal mask looks ahead"),
    M("nn/masks.py", "(torch.arange(S, device=lengths.device)[None, :] < lengths[:, None])",
      "(torch.arange(S, device=lengths.device)[None, :] <= lengths[:, None])", "padding mask off by one"),
    M("nn/masks.py", "    return ~mask\n", "    return mask\n", "to_torch_blocked does not invert"),
    M("nn/masks.py", "    if mask.dtype != torch.bool:\n", "    if False:\n", "to_torch_blocked accepts float masks"),
    M("nn/masks.py", "if int(T) != T or T < 1:", "if int(T) != T or T < 0:", "torch causal mask accepts T = 0"),
    M("nn/masks.py", "    return (ids != pad_id)[:, None, None, :]", "    return (ids == pad_id)[:, None, None, :]",
      "padding mask from ids inverted"),
    M("nn/masks.py", "    return (ids != pad_id)[:, None, None, :]", "    return (ids != 0)[:, None, None, :]",
      "padding mask from ids ignores pad_id (assumes 0)"),
    M("nn/masks.py", "    return (ids != pad_id)[:, None, None, :]", "    return (ids != pad_id)[:, None, :, None]",
      "padding mask from ids hides queries instead of keys"),
    M("nn/masks.py", "ids.dtype.is_floating_point or ids.dtype == torch.bool:", "ids.dtype == torch.bool:",
      "padding mask from float ids accepted"),
    M("nn/masks.py", "[:, None, None, :]  # (B, S) -> (B, 1, 1, S)\n\n\ndef padding_mask_from_ids",
      "[:, None, :]  # (B, S) -> (B, 1, 1, S)\n\n\ndef padding_mask_from_ids", "padding mask in the old (B, 1, S) shape"),
    M("nn/masks.py", "(keys[None, :] <= keys[:, None]) | (keys", "(keys[None, :] < keys[:, None]) | (keys",
      "prefix-LM mask hides the diagonal"),
    M("nn/masks.py", "(keys[None, :] <= keys[:, None]) | (keys", "(keys[None, :] >= keys[:, None]) | (keys",
      "prefix-LM mask looks ahead after the prefix"),
    M("nn/masks.py", "keys[:, None]) | (keys[None, :] < int(prefix_len))", "keys[:, None]) & (keys[None, :] < int(prefix_len))",
      "prefix-LM mask: causal AND prefix instead of OR"),
    M("nn/masks.py", "(keys[None, :] < int(prefix_len))", "(keys[None, :] <= int(prefix_len))", "prefix one token too long"),
    M("nn/masks.py", "(keys[None, :] < int(prefix_len))", "(keys[:, None] < int(prefix_len))",
      "prefix queries see everything instead of every query seeing the prefix"),
    M("nn/masks.py", "not 0 <= prefix_len <= T:", "not 0 <= prefix_len < T:", "prefix-LM mask rejects a prefix of the whole sentence"),
    M("nn/masks.py", "not 0 <= prefix_len <= T:", "not 0 <= prefix_len:", "prefix-LM mask accepts a prefix longer than T"),
    M("nn/masks.py", "if isinstance(prefix_len, bool) or ", "if ", "prefix-LM mask accepts a bool prefix"),
    M("nn/masks.py", "S = T if S is None else check_length", "S = T if True else check_length", "full mask ignores S"),
    M("nn/masks.py", "torch.ones(T, S, dtype=torch.bool, device=device)", "torch.ones(S, T, dtype=torch.bool, device=device)", "full mask (S, T) instead of (T, S)"),
    # ---------------------------------------------------------------------- nn/modes.py
    M("nn/modes.py", "            m.training = was_training\n", "            pass\n", "evaluating leaves the model in eval mode"),
    M("nn/modes.py", "    model.eval()\n", "", "evaluating keeps dropout on"),
    M("nn/modes.py", "    flags = [(m, m.training) for m in model.modules()]", "    flags = [(model, model.training)]",
      "evaluating restores only the top module's flag"),
    M("nn/modes.py", "        for m, was_training in flags:\n            m.training = was_training\n",
      "        model.train(flags[0][1])\n", "evaluating sets every module to the top module's old flag"),
    M("nn/modes.py", "    finally:\n        for m, was_training in flags:\n            m.training = was_training\n",
      "    except BaseException:\n        raise\n    for m, was_training in flags:\n        m.training = was_training\n",
      "evaluating leaves eval mode on when the block raises"),
    M("nn/modes.py", "with torch.inference_mode() if inference else torch.no_grad():", "with contextlib.nullcontext():",
      "evaluating keeps autograd on"),
    M("nn/modes.py", "with torch.inference_mode() if inference else torch.no_grad():", "with torch.no_grad():",
      "evaluating ignores inference=True (no inference mode)"),
    # ---------------------------------------------------------------------- nn/model.py
    M("nn/model.py", "return padding_mask_from_ids(src, self.config.pad_id)", "return ~padding_mask_from_ids(src, self.config.pad_id)",
      "source mask inverted"),
    M("nn/model.py", "return padding_mask_from_ids(src, self.config.pad_id)", "return padding_mask_from_ids(src, -1)",
      "source mask forgets padding"),
    M("nn/model.py", "return causal_mask(T, tgt.device) & padding_mask_from_ids(tgt, self.config.pad_id)",
      "return causal_mask(T, tgt.device) & padding_mask_from_ids(tgt, -1)", "target mask forgets padding"),
    M("nn/model.py", "return causal_mask(T, tgt.device) & padding_mask_from_ids(tgt, self.config.pad_id)",
      "return padding_mask_from_ids(tgt, self.config.pad_id)", "target mask not causal"),
    M("nn/model.py", "        with evaluating(self):\n            src_mask = self.src_mask(src)\n",
      "        with torch.no_grad():\n            src_mask = self.src_mask(src)\n", "attention() runs in the caller's mode (dropout on)"),
    M("nn/model.py", "x = self.pos(self.src_embed(src))", "x = self.src_embed(src)", "encoder without positions"),
    M("nn/model.py", "x = self.pos(self.tgt_embed(tgt))", "x = self.tgt_embed(tgt)", "decoder without positions"),
    M("nn/model.py", "                x = layer(x, memory, tgt_mask, src_mask)", "                x = layer(x, memory, tgt_mask, None)",
      "decoder ignores source padding"),
    M("nn/model.py", "return self.generator(self.decode(tgt, memory, src_mask))", "return self.generator(self.decode(tgt, memory))",
      "forward does not pass the source mask to the decoder"),
    M("nn/model.py", "            self.generator.weight = self.tgt_embed.table.weight\n", "",
      "output projection not tied"),
    M("nn/model.py", "                table.weight[c.pad_id].zero_()", "                pass", "<pad> embedding not zero"),
    M("nn/model.py", "nn.init.normal_(table.weight, std=c.d_model ** -0.5)", "nn.init.normal_(table.weight, std=1.0)",
      "embeddings initialised N(0, 1)"),
    M("nn/model.py", "self.encoder_norm = LayerNorm(c.d_model) if c.norm_first else nn.Identity()",
      "self.encoder_norm = nn.Identity()", "pre-norm encoder without final LayerNorm"),
    M("nn/model.py", "        x = self.decoder_norm(x)\n", "", "decoder final norm not applied"),
    M("nn/model.py", "return {\"encoder\": enc_w, \"decoder\": dec_w, \"cross\": cross_w}",
      "return {\"encoder\": enc_w, \"decoder\": cross_w, \"cross\": dec_w}", "attention() swaps decoder and cross"),
    # ---------------------------------------------------------------------- nn/norms.py
    M("nn/norms.py", "mean = x.mean(dim=-1, keepdim=True)", "mean = x.mean(dim=0, keepdim=True)", "mean over the wrong axis"),
    M("nn/norms.py", "var = x.var(dim=-1, keepdim=True, unbiased=False)", "var = x.var(dim=-1, keepdim=True, unbiased=True)",
      "unbiased variance"),
    M("nn/norms.py", "return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias",
      "return (x - mean) / torch.sqrt(var) * self.weight + self.bias", "eps dropped"),
    M("nn/norms.py", "return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias",
      "return (x - mean) / torch.sqrt(var + self.eps) * self.weight", "bias dropped"),
    M("nn/norms.py", "return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias",
      "return (x - mean) / torch.sqrt(var + self.eps) + self.bias", "weight dropped"),
    # ----------------------------------------------------------------- nn/positional.py
    M("nn/positional.py", "    angle = pos / 10000 ** (2 * i / d_model)  # (max_len, D/2)",
      "    angle = pos / 10000 ** (i / d_model)  # (max_len, D/2)", "table without the 2 in 2i/d_model"),
    M("nn/positional.py", "pe = torch.stack([angle.sin(), angle.cos()], dim=-1)", "pe = torch.stack([angle.cos(), angle.sin()], dim=-1)",
      "interleaved table starts with cos"),
    M("nn/positional.py", "return torch.cat([angle.sin(), angle.cos()], dim=-1)", "return torch.cat([angle.cos(), angle.sin()], dim=-1)",
      "concatenated table starts with cos"),
    M("nn/positional.py", "rot = torch.stack([torch.stack([c, s], -1), torch.stack([-s, c], -1)], -2)",
      "rot = torch.stack([torch.stack([c, -s], -1), torch.stack([s, c], -1)], -2)", "rotation transposed"),
    M("nn/positional.py", "return self.table(ids) * math.sqrt(self.d_model)", "return self.table(ids)",
      "token embedding without sqrt(D)"),
    M("nn/positional.py", "return self.dropout(x + self.pe[:T].to(x.dtype))", "return x + self.pe[:T].to(x.dtype)",
      "sinusoidal encoding without dropout"),
    M("nn/positional.py", "return self.dropout(x + self.pe[:T].to(x.dtype))", "return self.dropout(x + self.pe[1 : T + 1].to(x.dtype))",
      "positions off by one"),
    M("nn/positional.py", "return self.dropout(x + self.table.weight[offset : offset + T].to(x.dtype))",
      "return x + self.table.weight[offset : offset + T].to(x.dtype)",
      "learned positions without dropout"),
    M("nn/positional.py", "if T > self.pe.shape[0]:", "if T > self.pe.shape[0] + 1:", "too-long sequence not caught"),
    M("nn/positional.py", "    if int(k) != k:\n", "    if False:\n", "torch rotation accepts a fractional offset"),
    M("nn/positional.py", "if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= self.table.num_embeddings):",
      "if ids.numel() and int(ids.min()) < 0:", "token id beyond the vocabulary not caught"),
    # ---------------------------------------------------------------------- nn/trace.py
    M("nn/trace.py", "        with evaluating(model):\n", "        with torch.no_grad():\n", "shape_trace runs in the caller's mode (dropout on)"),
    M("nn/trace.py", "\"level\": len(open_calls)}", "\"level\": 0}", "trace loses the nesting level"),
    M("nn/trace.py", "            if not name or (max_depth is not None and name.count(\".\") > max_depth):",
      "            if not name or (max_depth is not None and name.count(\".\") >= max_depth):", "max_depth off by one"),
    M("nn/trace.py", "        if id(p) in seen:\n            continue\n", "", "tied weights counted twice"),
    M("nn/trace.py", "shapes = _shapes(inputs) + (_shapes(tuple(kw.values())) if kw else ())", "shapes = _shapes(inputs)",
      "keyword tensors left out of the trace"),
    M("nn/trace.py", "                    open_calls.pop(i)[\"output\"] = _shapes(output)\n                    break",
      "                    open_calls.pop(i)[\"output\"] = _shapes(output)", "post hook closes every open call of a module"),
    # --------------------------------------------------------------------- decoding.py
    M("decoding.py", "return F.log_softmax(model.generator(h[:, -1]), dim=-1)", "return F.log_softmax(model.generator(h[:, 0]), dim=-1)",
      "next token read from the first position"),
    M("decoding.py", "return F.log_softmax(model.generator(h[:, -1]), dim=-1)", "return model.generator(h[:, -1])",
      "raw logits used as log-probabilities"),
    M("decoding.py", "        out[rows] = _next_log_probs(model, seqs[rows], memory[rows], src_mask[rows])",
      "        out[rows] = _next_log_probs(model, seqs[rows], memory, src_mask)", "active rows read the wrong memory"),
    M("decoding.py", "            best = log_p.argmax(-1)  # (B,)", "            best = log_p.argmin(-1)  # (B,)", "greedy takes argmin"),
    M("decoding.py", "            best = best.masked_fill(done, pad_id)\n", "", "greedy keeps writing after <eos>"),
    M("decoding.py", "            done = done | (best == eos_id)\n            if done.all():\n                break\n    tokens",
      "            done = best == eos_id\n            if done.all():\n                break\n    tokens", "greedy forgets finished rows"),
    M("decoding.py", "scores = scores + torch.where(done, 0.0, log_p.gather(-1, best[:, None])[:, 0])\n            best = best",
      "scores = scores + log_p.gather(-1, best[:, None])[:, 0]\n            best = best", "greedy scores padding steps"),
    M("decoding.py", "return ((5.0 + length) / 6.0) ** alpha", "return ((5.0 + length) / 6.0) ** -alpha",
      "length penalty exponent sign"),
    M("decoding.py", "return ((5.0 + length) / 6.0) ** alpha", "return ((1.0 + length) / 6.0) ** alpha",
      "length penalty constant 1 instead of 5"),
    M("decoding.py", "return ((5.0 + length) / 6.0) ** alpha", "return (5.0 + length) ** alpha", "length penalty not divided by 6"),
    M("decoding.py", "    return length ** alpha\n", "    return length ** -alpha\n", "length_power exponent sign"),
    M("decoding.py", "penalty=length_penalty) -> BeamResult:", "penalty=length_power) -> BeamResult:",
      "beam search's default normaliser is not GNMT's"),
    M("decoding.py", "        scores[:, 0] = 0.0  # all beams start equal", "        scores[:, :] = 0.0  # all beams start equal",
      "beam starts from k copies of <bos> (degenerates to greedy)"),
    M("decoding.py", "            top, idx = cand.topk(k, dim=-1)  # (B, k), best first",
      "            top, idx = cand.topk(k, dim=-1)  # (B, k), best first\n"
      "            top, idx = top[:, :1].expand(-1, k).clone(), idx[:, :1].expand(-1, k).clone()",
      "beam keeps only the best candidate, k times (k = 1)"),
    M("decoding.py", "            top, idx = cand.topk(k, dim=-1)  # (B, k), best first",
      "            top, idx = cand.reshape(B, k, V)[:, 0].topk(k, dim=-1)  # (B, k), best first",
      "beam extends only its first hypothesis"),
    M("decoding.py", "            lengths = lengths[rows] + (~was_done).float()", "            lengths = lengths[rows] + 1.0",
      "hypothesis length counts padding"),
    M("decoding.py", "            lengths = lengths[rows] + (~was_done).float()", "            lengths = lengths + (~was_done).float()",
      "lengths not reordered with their beams"),
    M("decoding.py", "            done = was_done | (token == eos_id)", "            done = token == eos_id", "beam forgets finished beams"),
    M("decoding.py", "        frozen[pad_id] = 0.0  # a finished beam", "        frozen[eos_id] = 0.0  # a finished beam",
      "finished beams extended by <eos> instead of padding"),
    M("decoding.py", "        frozen[pad_id] = 0.0  # a finished beam", "        frozen[pad_id] = -1.0  # a finished beam",
      "finished beams keep paying after <eos>"),
    M("decoding.py", "            seqs = torch.cat([seqs[rows], token[:, None]], dim=1)  # (B*k, t + 1)",
      "            seqs = torch.cat([seqs, token[:, None]], dim=1)  # (B*k, t + 1)", "beam prefixes not reordered"),
    M("decoding.py", "            settled = best_done >= best_live  # (B,)", "            settled = best_done <= best_live  # (B,)",
      "early stop comparison flipped"),
    M("decoding.py", "            done = done | settled.repeat_interleave(k)\n", "", "no early stop"),
    M("decoding.py", "        norm = scores / penalty(lengths.reshape(B, k), alpha)  # (B, k)\n        order",
      "        norm = scores  # (B, k)\n        order", "final ranking ignores the length penalty"),
    M("decoding.py", "order = norm.argsort(dim=-1, descending=True, stable=True)", "order = norm.argsort(dim=-1, descending=False, stable=True)",
      "final ranking worst first"),
    M("decoding.py", "    return logits / temperature\n", "    return logits * temperature\n", "temperature multiplies"),
    M("decoding.py", "return logits.masked_fill(logits < kth, float(\"-inf\"))", "return logits.masked_fill(logits > kth, float(\"-inf\"))",
      "top-k keeps the bottom tokens"),
    M("decoding.py", "    kth = logits.topk(int(k), dim=-1).values[..., -1:]  # (..., 1)",
      "    kth = logits.topk(int(k), dim=-1).values[..., :1]  # (..., 1)", "top-k keeps only the top token"),
    M("decoding.py", "    keep_sorted = before < p\n", "    keep_sorted = probs.cumsum(-1) < p\n",
      "top-p drops the token that crosses p (p below the top probability keeps nothing)"),
    M("decoding.py", "    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)",
      "    keep = keep_sorted", "top-p mask left in sorted order"),
    M("decoding.py", "    logits = apply_temperature(logits, temperature)\n    if top_k",
      "    if top_k", "sampling_probs ignores the temperature"),
    M("decoding.py", "    if top_p is not None:\n        logits = top_p_filter(logits, top_p)\n", "",
      "sampling_probs ignores top-p"),
    M("decoding.py", "    if top_p is not None and not 0.0 < top_p <= 1.0:", "    if top_p is not None and not 0.0 <= top_p <= 1.0:",
      "top_p = 0 accepted"),
    M("decoding.py", "                new = seqs if cache is None else seqs[:, -1:]", "                new = seqs",
      "cached generation feeds the whole prefix again (positions run past the cache)"),
    M("decoding.py", "                new = seqs if cache is None else seqs[:, -1:]", "                new = seqs[:, -1:]",
      "cached generation skips the prompt but the last token"),
    M("decoding.py", "                nxt = last.argmax(-1)  # (B,)", "                nxt = last.argmin(-1)  # (B,)",
      "generate: greedy takes argmin"),
    M("decoding.py", "    if total > block:\n", "    if total > block + 1:\n", "generate: over-long prompt not caught"),
    M("decoding.py", "            nxt = nxt.masked_fill(done, pad_id)\n", "", "sampling keeps writing after <eos>"),
    M("decoding.py", "tokens[:, :-1]], dim=1)  # (B, L)", "tokens[:, 1:]], dim=1)  # (B, L)", "teacher forcing shifted the wrong way"),
    M("decoding.py", "        return picked.masked_fill(tokens == pad_id, 0.0).sum(-1)", "        return picked.sum(-1)",
      "sequence_log_prob scores padding"),
    M("decoding.py", "    with evaluating(model):\n        src_mask = model.src_mask(src)  # (B, 1, 1, S)\n        memory = model.encode(src, src_mask)  # (B, S, D)\n        seqs",
      "    with torch.no_grad():\n        src_mask = model.src_mask(src)  # (B, 1, 1, S)\n        memory = model.encode(src, src_mask)  # (B, S, D)\n        seqs",
      "greedy decoding runs in the caller's mode (dropout on)"),
    M("decoding.py", "    with evaluating(model):\n        src_mask = model.src_mask(src)  # (B, 1, 1, S)\n        memory = model.encode(src, src_mask)  # (B, S, D)\n        memory",
      "    with torch.no_grad():\n        src_mask = model.src_mask(src)  # (B, 1, 1, S)\n        memory = model.encode(src, src_mask)  # (B, S, D)\n        memory",
      "beam search runs in the caller's mode (dropout on)"),
    M("decoding.py", "    with evaluating(model):\n        src_mask = model.src_mask(src)\n",
      "    with torch.no_grad():\n        src_mask = model.src_mask(src)\n", "sampling runs in the caller's mode (dropout on)"),
    M("decoding.py", "    with evaluating(model):\n        tgt_in", "    with torch.no_grad():\n        tgt_in",
      "sequence_log_prob runs in the caller's mode (dropout on)"),
    M("decoding.py", "    if max_len < 1:\n", "    if max_len < 0:\n", "max_len = 0 accepted"),
    # ------------------------------------------------------------------------ train.py
    M("train.py", "return -torch.xlogy(q, q).sum(-1)", "return torch.xlogy(q, q).sum(-1)", "entropy sign"),
    M("train.py", "return -(q * log_p).sum(-1)", "return -(q * log_p.exp()).sum(-1)", "cross-entropy on probabilities"),
    M("train.py", "return torch.xlogy(q, q).sum(-1) - (q * log_p).sum(-1)", "return (q * log_p).sum(-1) - torch.xlogy(q, q).sum(-1)",
      "KL sign"),
    M("train.py", "smoothing / (vocab_size - 2))", "smoothing / (vocab_size - 1))", "smoothing spread over V - 1 tokens"),
    M("train.py", "    q[..., pad_id] = 0.0\n", "", "smoothing gives mass to <pad>"),
    M("train.py", "q.scatter_(-1, targets.unsqueeze(-1), 1.0 - smoothing)", "q.scatter_(-1, targets.unsqueeze(-1), 1.0)",
      "true token keeps probability 1"),
    M("train.py", "return q.masked_fill((targets == pad_id).unsqueeze(-1), 0.0)", "return q",
      "padding targets get a distribution"),
    M("train.py", "q = smoothed_targets(targets, logits.shape[-1], smoothing, pad_id)", "q = smoothed_targets(targets, logits.shape[-1], 0.0, pad_id)",
      "label smoothing off"),
    M("train.py", "    return per_token.masked_fill(~real, 0.0).sum() / n", "    return per_token.sum() / n",
      "loss sums padding positions (q is zero there)"),
    M("train.py", "    return per_token.masked_fill(~real, 0.0).sum() / n", "    return per_token.masked_fill(~real, 0.0).mean()",
      "loss divides by every position, padding included"),
    M("train.py", "log_p = F.log_softmax(logits, dim=-1)  # (B, T, V)", "log_p = F.log_softmax(logits, dim=1)  # (B, T, V)",
      "log-softmax over time"),
    M("train.py", "return float(((logits.argmax(-1) == targets) & real).sum() / real.sum())",
      "return float((logits.argmax(-1) == targets).sum() / real.sum())", "accuracy counts padding hits"),
    M("train.py", "min(step ** -0.5, step * warmup ** -1.5)", "max(step ** -0.5, step * warmup ** -1.5)", "schedule min -> max"),
    M("train.py", "min(step ** -0.5, step * warmup ** -1.5)", "min(step ** -0.5, step * warmup ** -0.5)",
      "warmup exponent -0.5"),
    M("train.py", "return factor * d_model ** -0.5 * min(", "return factor * d_model ** 0.5 * min(", "d_model exponent sign"),
    M("train.py", "lambda i: noam_rate(i + 1, d_model, warmup, factor)", "lambda i: noam_rate(i + 2, d_model, warmup, factor)",
      "scheduler one step ahead"),
    M("train.py", "if g[\"lr\"] != 1.0:", "if g[\"lr\"] < 0.0:", "optimizer lr != 1 accepted"),
    M("train.py", "betas=(0.9, 0.98), eps=1e-9)", "betas=(0.9, 0.999), eps=1e-9)", "Adam beta2 0.999 instead of the paper's 0.98"),
    M("train.py", "            optimizer.zero_grad(set_to_none=True)\n", "", "gradients accumulate across steps"),
    M("train.py", "                schedule.step()\n", "                pass\n", "schedule never advances"),
    M("train.py", "loss = label_smoothed_loss(logits, b[2], smoothing, pad_id)",
      "loss = label_smoothed_loss(logits, b[2], 0.0, pad_id)", "training ignores smoothing"),
    M("train.py", "            model.train()\n            out = loss_fn", "            model.eval()\n            out = loss_fn",
      "training runs in eval mode (no dropout)"),
    M("train.py", "            model.train()\n            out = loss_fn", "            out = loss_fn",
      "after the first evaluation, training goes on in eval mode"),
    M("train.py", "        model.train(was_training)\n        bar.close()", "        bar.close()", "fit does not put the model's mode back"),
    M("train.py", "        model.train(was_training)\n        bar.close()", "        model.train()\n        bar.close()",
      "fit leaves every model in training mode"),
    M("train.py", "loss = float(label_smoothed_loss(logits, tgt_out, 0.0, pad_id))",
      "loss = float(label_smoothed_loss(logits, tgt_out, 0.1, pad_id))", "held-out loss smoothed"),
    M("train.py", "    with evaluating(model):\n        src, tgt_in, tgt_out = data", "    if True:\n        src, tgt_in, tgt_out = data",
      "teacher_forced_scores scores in training mode (dropout on), outside nn.evaluating"),
    M("train.py", "if step % record_every == 0 or step == steps:", "if step % record_every == 0:", "last step not recorded"),
    M("train.py", "                sums, n = {}, 0\n", "", "running means never reset"),
    M("train.py", "values = {f\"train_{k}\": v / n for k, v in sums.items()}",
      "values = {f\"train_{k}\": v / record_every for k, v in sums.items()}", "a short last record divided by record_every"),
    M("train.py", "{\"loss\": loss.item(), **extra}", "{\"loss\": loss.item()}", "the loss's extra numbers are dropped"),
    M("train.py", "                    model.eval()\n                    with torch.inference_mode():",
      "                    with torch.inference_mode():", "evaluation runs in training mode"),
    M("train.py", "            lr = optimizer.param_groups[0][\"lr\"]  # the rate this step uses\n            optimizer.step()\n"
      "            if schedule is not None:\n                schedule.step()\n",
      "            optimizer.step()\n            if schedule is not None:\n                schedule.step()\n"
      "            lr = optimizer.param_groups[0][\"lr\"]  # the rate this step uses\n", "records the next step's rate"),
    M("train.py", "hist.record(step, lr, values)", "hist.record(step - 1, lr, values)", "records the step before"),
    M("train.py", "values.update(evaluate(model))", "values = evaluate(model)", "evaluation replaces the training means"),
    M("train.py", "                    callback(hist)\n", "                    pass\n", "callback never called"),
    M("train.py", "if self.step and set(values) != set(self.values):", "if False:", "records of different values accepted"),
    M("train.py", "idx = torch.randint(0, src.shape[0], (batch_size,), generator=gen)",
      "idx = torch.randint(0, src.shape[0] - 1, (batch_size,), generator=gen)", "last training pair never drawn"),
    # issue 14: the modern block (RoPE, RMSNorm, grouped-query attention, SwiGLU, the KV cache with H_kv heads);
    # every description starts with "modern block:" so that `--only "modern block"` runs exactly these.
    # 2026-11-30: 34/35 killed (10.4 min); the survivor (GQA empty rows give NaN) is killed since
    # tests/nn/test_nn_gqa.py checks the gradients of a fully masked query (rerun: 1/1).
    M("ref/rotary.py", "return base ** (-2.0 * i / d_head)", "return base ** (-1.0 * i / d_head)",
      "modern block: RoPE frequencies with the wrong exponent"),
    M("ref/rotary.py", "x1 * cos - x2 * sin, x1 * sin + x2 * cos", "x1 * cos + x2 * sin, x1 * sin + x2 * cos",
      "modern block: RoPE is no rotation (sign of sin)"),
    M("ref/rotary.py", "x1, x2 = x[..., : Dh // 2], x[..., Dh // 2 :]", "x1, x2 = x[..., 0::2], x[..., 1::2]",
      "modern block: RoPE pairs neighbours (interleaved) instead of rotate-half"),
    M("ref/rotary.py", "positions = np.arange(T) if positions is None", "positions = np.arange(1, T + 1) if positions is None",
      "modern block: RoPE positions start at 1"),
    M("ref/rotary.py", "angles = positions[:, None] * theta[None, :]", "angles = positions[:, None] * theta[None, ::-1]",
      "modern block: RoPE frequencies reversed across the planes"),
    M("ref/rotary.py", "if not base > 1:", "if not base > 0:", "modern block: RoPE base 1 accepted"),
    M("nn/rotary.py", "return base ** (-2.0 * i / d_head)", "return base ** (-2.0 * (i + 1) / d_head)",
      "modern block: RoPE frequencies shifted by one plane (torch)"),
    M("nn/rotary.py", "cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)",
      "cos, sin = angles.sin().to(x.dtype), angles.cos().to(x.dtype)", "modern block: RoPE cos and sin swapped (torch)"),
    M("nn/rotary.py", "positions = torch.arange(int(offset), int(offset) + x.shape[-2], device=x.device)",
      "positions = torch.arange(x.shape[-2], device=x.device)", "modern block: RotaryEmbedding ignores the cache offset"),
    M("nn/rotary.py", "angles = positions.to(torch.float64)[:, None] * theta[None, :]",
      "angles = positions.to(x.dtype)[:, None] * theta[None, :].to(x.dtype)",
      "modern block: RoPE angles in float32 lose precision at large positions"),
    M("nn/rotary.py", "x1 * cos - x2 * sin, x1 * sin + x2 * cos", "x1 * cos - x2 * sin, x2 * sin + x1 * cos",
      "modern block: RoPE second coordinate wrong (torch)"),
    M("ref/norms.py", "ms = np.mean(x * x, axis=-1, keepdims=True)", "ms = np.var(x, axis=-1, keepdims=True)",
      "modern block: RMSNorm centres like LayerNorm"),
    M("ref/norms.py", "return x / np.sqrt(ms + eps) * gamma", "return x / (np.sqrt(ms) + eps) * gamma",
      "modern block: RMSNorm adds eps outside the square root"),
    M("ref/norms.py", "        eps = np.finfo(x.dtype).eps", "        eps = 1e-5", "modern block: RMSNorm eps=None is not the dtype's eps"),
    M("ref/norms.py", "        eps = np.finfo(x.dtype).eps", "        eps = np.finfo(np.float64).eps",
      "modern block: RMSNorm eps=None is float64's eps for float32 too"),
    M("nn/norms.py", "eps = torch.finfo(x.dtype).eps if self.eps is None else self.eps",
      "eps = 1e-6 if self.eps is None else self.eps", "modern block: RMSNorm module eps=None is not the dtype's eps"),
    M("nn/norms.py", "ms = x.pow(2).mean(dim=-1, keepdim=True)", "ms = x.var(dim=-1, keepdim=True, unbiased=False)",
      "modern block: RMSNorm module centres like LayerNorm"),
    M("nn/norms.py", "return x * torch.rsqrt(ms + eps) * self.weight", "return x * torch.rsqrt(ms + eps)",
      "modern block: RMSNorm module drops its scale"),
    M("ref/gqa.py", "return np.repeat(x, n_rep, axis=-3)", "return np.tile(x, (n_rep, 1, 1))",
      "modern block: GQA groups strided heads (h % H_kv) instead of consecutive ones"),
    M("_checks.py", "if n_heads % n_kv_heads != 0:", "if False:", "modern block: GQA accepts heads not divisible by groups"),
    M("ref/gqa.py", "k = split_heads(x_kv @ W_K, n_kv_heads)", "k = split_heads(x_kv @ W_K, n_heads)",
      "modern block: GQA splits the keys into H heads"),
    M("ref/gqa.py", "q, k = apply_rotary(q), apply_rotary(k)", "q = apply_rotary(q)", "modern block: GQA rotates the queries only"),
    M("nn/attention.py", "return x.repeat_interleave(n_rep, dim=-3)", "return x.repeat(1, n_rep, 1, 1)",
      "modern block: GQA module groups strided heads"),
    # (GQA's empty rows and scaling are nn.attention.attend's, shared with MultiHeadAttention: mutated above)
    M("nn/attention.py", "enable_gqa=H_kv != H)", "enable_gqa=False)", "modern block: fused path without grouped heads"),
    M("nn/attention.py", "            k, v = repeat_kv(k, H // H_kv), repeat_kv(v, H // H_kv)",
      "            k, v = repeat_kv(k, H // H_kv), repeat_kv(v, 1)", "modern block: explicit GQA path repeats the keys only"),
    M("nn/gqa.py", "q, k = apply_rotary(q), apply_rotary(k)", "q, k = apply_rotary(q), k",
      "modern block: GQA module rotates the queries only"),
    M("ref/blocks.py", "return m * max(1, (2 * 8 * d_model + 3 * m) // (2 * 3 * m))",
      "return m * max(1, (8 * d_model) // (3 * m))", "modern block: SwiGLU width rounded down, not to the nearest"),
    M("ref/blocks.py", "return (gate / (1.0 + np.exp(-gate)) * (x @ V)) @ W_2", "return (np.maximum(gate, 0.0) * (x @ V)) @ W_2",
      "modern block: ReGLU instead of SwiGLU"),
    M("ref/blocks.py", "return (gate / (1.0 + np.exp(-gate)) * (x @ V)) @ W_2", "return (gate / (1.0 + np.exp(gate)) * (x @ V)) @ W_2",
      "modern block: Swish with the sign of the sigmoid flipped"),
    M("nn/blocks.py", "return self.W_2(F.silu(self.W(x)) * self.V(x))", "return self.W_2(F.silu(self.V(x)) * self.W(x))",
      "modern block: SwiGLU module gates with V instead of W"),
    M("nn/blocks.py", "d_ff = swiglu_hidden_width(d_model) if d_ff is None else d_ff", "d_ff = 4 * d_model if d_ff is None else d_ff",
      "modern block: SwiGLU module's default width is the ReLU FFN's"),
    M("nn/gpt.py", "context * n_kv_heads * (d_model // n_heads) * bytes_per_number", "context * (d_model // n_heads) * bytes_per_number",
      "modern block: KV cache with one key/value head whatever n_kv_heads"),
    M("nn/gpt.py", "if (n_kv_heads is None) != (n_heads is None):", "if False:",
      "modern block: kv_cache_bytes accepts n_kv_heads without n_heads"),
    M("nn/gpt.py", "if n_heads % n_kv_heads != 0:", "if False:", "modern block: kv_cache_bytes accepts uneven groups"),
    # issue 14: the cost of attention
    # (every description ends in "(cost of attention)", so that --only "cost of attention" runs this block alone)
    M("ref/masks.py", "keep = (np.abs(gap) < window * dilation) & (gap % dilation == 0)",
      "keep = (np.abs(gap) <= window * dilation) & (gap % dilation == 0)", "the local window one key too wide (cost of attention)"),
    M("ref/masks.py", "keep = (np.abs(gap) < window * dilation) & (gap % dilation == 0)",
      "keep = np.abs(gap) < window * dilation", "dilation ignored (cost of attention)"),
    M("ref/masks.py", "return keep & (gap >= 0) if causal else keep", "return keep & (gap > 0) if causal else keep",
      "causal local mask hides the token itself (cost of attention)"),
    M("ref/masks.py", "return keep & (gap >= 0) if causal else keep", "return keep & (gap <= 0) if causal else keep",
      "causal local mask looks ahead instead of back (cost of attention)"),
    M("ref/masks.py", "return dilated_mask(T, window, 1, causal)", "return dilated_mask(T, window, 1, False)",
      "sliding window ignores causal (cost of attention)"),
    M("ref/masks.py", "| (i[:, None] < n_global) | (i[None, :] < n_global)", "| (i[None, :] < n_global)",
      "global blocks do not see every block (cost of attention)"),
    M("ref/masks.py", "free = np.flatnonzero(~layout[row] & ((i <= row) if causal else True))",
      "free = np.flatnonzero((i <= row) if causal else np.ones(n, bool))", "random blocks drawn among the kept ones too (cost of attention)"),
    M("ref/masks.py", "free = np.flatnonzero(~layout[row] & ((i <= row) if causal else True))",
      "free = np.flatnonzero(~layout[row])", "causal layout draws random blocks from the future (cost of attention)"),
    M("ref/masks.py", "    rng = np.random.default_rng(seed)\n", "    rng = np.random.default_rng(0)\n",
      "block layout ignores the seed (cost of attention)"),
    M("ref/masks.py", "return np.repeat(np.repeat(layout, block_size, axis=0), block_size, axis=1)",
      "return np.tile(layout, (block_size, block_size))", "layout tiled instead of expanded (cost of attention)"),
    M("_checks.py", "    if T % block_size:\n", "    if block_size > T:\n", "block size that does not divide T accepted (cost of attention)"),
    M("ref/masks.py", "    return mask & causal_mask(T) if causal else mask\n", "    return mask\n",
      "causal block-sparse mask causal only between blocks (cost of attention)"),
    M("_checks.py", "    if isinstance(value, bool) or int(value) != value or value < 1:",
      "    if isinstance(value, bool) or int(value) != value or value < 0:", "window or block size 0 accepted, ref and nn (cost of attention)"),
    M("nn/masks.py", "keep = (gap.abs() < window * dilation) & (gap % dilation == 0)",
      "keep = (gap.abs() <= window * dilation) & (gap % dilation == 0)", "torch local window one key too wide (cost of attention)"),
    M("nn/masks.py", "return keep & (gap >= 0) if causal else keep", "return keep & (gap > 0) if causal else keep",
      "torch causal local mask hides the token itself (cost of attention)"),
    M("nn/masks.py", "| (i[:, None] < n_global) | (i[None, :] < n_global)", "| (i[None, :] < n_global)",
      "torch global blocks do not see every block (cost of attention)"),
    M("nn/masks.py", "    rng = np.random.default_rng(seed)\n", "    rng = np.random.default_rng(seed + 1)\n",
      "torch layout draws other random blocks than the reference (cost of attention)"),
    M("nn/masks.py", "return layout.repeat_interleave(block_size, 0).repeat_interleave(block_size, 1)",
      "return layout.repeat(block_size, block_size)", "torch layout tiled instead of expanded (cost of attention)"),
    M("nn/masks.py", "    return mask & causal_mask(T, device) if causal else mask\n", "    return mask\n",
      "torch causal block-sparse mask causal only between blocks (cost of attention)"),
    M("nn/sparse.py", "@ kb[..., cols, :, :].transpose(-2, -1) / math.sqrt(Dh)", "@ kb[..., cols, :, :].transpose(-2, -1)",
      "block-sparse scores not scaled by sqrt(Dh) (cost of attention)"),
    M("nn/sparse.py", "rows, cols = layout.to(q.device).nonzero(as_tuple=True)", "cols, rows = layout.to(q.device).nonzero(as_tuple=True)",
      "block-sparse attention reads the layout transposed (cost of attention)"),
    M("nn/sparse.py", "scores = scores.masked_fill(k_pos > q_pos, float(\"-inf\"))",
      "scores = scores.masked_fill(k_pos >= q_pos, float(\"-inf\"))", "block-sparse causal hides the token itself (cost of attention)"),
    M("nn/sparse.py", "p = torch.exp(scores - row_max[..., rows, :, None])", "p = torch.exp(scores - tile_max[..., None])",
      "each tile shifted by its own maximum, not its row's (cost of attention)"),
    M("nn/sparse.py", "row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))", "row_max = row_max",
      "block-sparse empty row shifted by -inf (NaN) (cost of attention)"),
    M("nn/sparse.py", "index_add(-2, rows, p.sum(dim=-1))", "index_add(-2, rows, p.sum(dim=-2))",
      "block-sparse normaliser summed over queries (cost of attention)"),
    M("nn/sparse.py", "out = acc / torch.where(total == 0, torch.ones_like(total), total)[..., None]", "out = acc / total[..., None]",
      "block-sparse empty row divides 0 by 0 (cost of attention)"),
    M("nn/sparse.py", "    if T % nT or S % nS or T // nT != S // nS:\n", "    if T % nT or S % nS:\n",
      "unequal query and key block sizes accepted (cost of attention)"),
    M("nn/sparse.py", "return mask & torch.ones_like(mask).tril() if causal else mask", "return mask & torch.ones_like(mask).triu() if causal else mask",
      "dense equivalent of a causal layout looks ahead (cost of attention)"),
    M("ref/flash.py", "m_new = np.maximum(m, scores.max(axis=-1, keepdims=True))", "m_new = scores.max(axis=-1, keepdims=True)",
      "online softmax forgets the running maximum (cost of attention)"),
    M("ref/flash.py", "rescale = np.exp(m - shift)", "rescale = 1.0", "online softmax never rescales the old sums (cost of attention)"),
    M("ref/flash.py", "shift = np.where(np.isfinite(m_new), m_new, 0.0)", "shift = m_new",
      "online softmax shifts a fully masked block by -inf (cost of attention)"),
    M("ref/flash.py", "return acc / np.where(l == 0, 1.0, l)", "return acc / l", "flash: a fully masked row divides 0 by 0 (cost of attention)"),
    M("ref/flash.py", "stop = min(start + block_size, S)", "stop = min(start + block_size - 1, S)",
      "flash skips the last key of every block (cost of attention)"),
    M("ref/flash.py", "np.arange(start, stop)[None, :] <= rows", "np.arange(start, stop)[None, :] < rows",
      "flash causal hides the token itself (cost of attention)"),
    M("ref/flash.py", "/ float(np.sqrt(Q.shape[-1]))", "", "flash scores not scaled by sqrt(d_k) (cost of attention)"),
    M("ref/flash.py", "        mask = np.broadcast_to(mask, np.broadcast_shapes(np.shape(mask), (T, S)))  # (..., T, S)\n",
      "        mask = np.asarray(mask)\n", "flash slices a broadcastable mask without broadcasting it (cost of attention)"),
    M("ref/flash.py", "acc = acc * rescale + p @ V[..., start:stop, :]", "acc = acc + p @ V[..., start:stop, :]",
      "online softmax rescales the sum but not the accumulator (cost of attention)"),
    M("cost.py", "        peak = max(peak, held)\n", "        peak = held\n", "torch peak is the memory held at the end (cost of attention)"),
    M("cost.py", "return result, max(peak - before, 0)", "return result, peak", "numpy peak counts what was held before the call (cost of attention)"),
    M("cost.py", "np.polyfit(np.log(ns), np.log(ys), 1)[0]", "np.polyfit(np.log(ns), np.log(ys), 1)[1]",
      "log-log fit returns the intercept (cost of attention)"),
    M("cost.py", "    return hops + 1\n", "    return hops\n", "path length one hop short (cost of attention)"),
    M("cost.py", "reads = (pos[None, :] == pos[:, None]) | (pos[None, :] == pos[:, None] - 1)",
      "reads = np.tril(np.ones((n, n), dtype=bool))", "recurrent layer reads the whole past in one hop (cost of attention)"),
    M("cost.py", "reads = sliding_window_mask(n, k // 2 + 1)", "reads = sliding_window_mask(n, k)",
      "convolution reaches k on each side (cost of attention)"),
    M("cost.py", "depth[i] = 1 + depth[earlier].max()", "depth[i] = 2", "sequential operations count one wait only (cost of attention)"),
    M("cost.py", "for round_ in range(int(rounds) + 1):", "for round_ in range(int(rounds)):",
      "timing rounds without the warm-up (cost of attention)"),
    # issue 14: the positions option of the GPT (chapter "The modern block")
    # (every description ends in "(positions option)", so that --only "positions option" runs this block alone)
    M("nn/attention.py", "            q = apply_rotary(q, torch.arange(S_past, S_past + T, device=q.device))",
      "            q = apply_rotary(q, torch.arange(T, device=q.device))", "RoPE queries restart at 0 under the KV cache (positions option)"),
    M("nn/attention.py", "            k = apply_rotary(k, torch.arange(S_past, S_past + k.shape[2], device=k.device))",
      "            k = k", "RoPE rotates the queries only (positions option)"),
    M("nn/attention.py", "        if rotary and self.d_head % 2:", "        if False:", "rotary accepts an odd d_head (positions option)"),
    M("nn/gpt.py", "rotary=c.positions == \"rope\")", "rotary=False)", "rope model never rotates (positions option)"),
    M("nn/gpt.py", "            pe = sinusoidal_positional_encoding(S_past + T, self.config.d_model)[S_past:]",
      "            pe = sinusoidal_positional_encoding(T, self.config.d_model)", "sinusoidal table restarts at 0 under the KV cache (positions option)"),
    M("nn/gpt.py", "            x = self.pos_dropout(x + pe.to(x.device, x.dtype))  # (B, T, D)",
      "            x = self.pos_dropout(x)  # (B, T, D)", "sinusoidal model adds no positions (positions option)"),
    M("nn/gpt.py", "        if self.positions not in POSITIONS:", "        if False:", "any positions string accepted (positions option)"),
    # issue 15: the self-checks' machinery (every description ends in "(self-checks)", so that
    # --only "self-checks" runs this block alone)
    M("quiz.py", "_CODE.sub(r\"<code>\\1</code>\", html.escape(s, quote=False))", "_CODE.sub(r\"<code>\\1</code>\", s)",
      "quiz text reaches the page unescaped (self-checks)"),
    M("quiz.py", "    lo, hi = answer - tol, answer + tol\n", "    lo, hi = answer - tol, answer + 10 * tol\n",
      "numeric answers accepted far above the tolerance (self-checks)"),
    M("quiz.py", "    tol = max(abs(answer) * 5e-3, 1e-3) if tol is None else float(tol)", "    tol = 1.0 if tol is None else float(tol)",
      "default tolerance not relative to the answer (self-checks)"),
    M("quiz.py", '"type": "multiple_choice" if n_right == 1 else "many_choice",', '"type": "multiple_choice",',
      "two right options shown as a one-answer question (self-checks)"),
    M("quiz.py", "    if n_right == 0:", "    if False:", "a question with no right option accepted (self-checks)"),
    M("exercises/__init__.py", "        if got.shape != want.shape:", "        if False:", "a wrong shape is not reported (self-checks)"),
    M("exercises/__init__.py", "            bad = ~np.isclose(g, w, atol=atol, rtol=rtol, equal_nan=True)",
      "            bad = ~np.isclose(g.sum(), w.sum(), atol=atol, rtol=rtol, equal_nan=True) & np.ones(g.shape, bool)",
      "values compared by their sum only (self-checks)"),
    M("exercises/__init__.py", "            bad = got.astype(bool) != want", "            bad = np.zeros(want.shape, bool)",
      "boolean answers never compared (self-checks)"),
    M("exercises/__init__.py", "    if got is None:", "    if False:", "a stub returning None is not named (self-checks)"),
    M("glue.py", "    if hasattr(value, \"item\") and getattr(value, \"ndim\", 1) == 0:  # numpy/torch scalars",
      "    if False:", "numpy scalars glued as np.float64(...) text (self-checks)"),
    M("glue.py", '    metadata["scrapbook"] = {"name": name, "mime_prefix": PREFIX}', '    metadata["scrapbook"] = {"name": name}',
      "glue output without myst-nb's prefix record (self-checks)"),
    M("exercises/gpt.py", "    return kv_cache_bytes(**GPT2_SMALL, batch=1, bytes_per_number=2) / 1e6",
      "    return kv_cache_bytes(**GPT2_SMALL, batch=1, bytes_per_number=4) / 1e6",
      "the GPT-2 cache question counts 4 bytes per number (gpt self-check)"),
    M("exercises/gpt.py", "    return int((sampling_probs(logits, top_p=p) > 0).sum())",
      "    return int((sampling_probs(logits, top_p=p) > 0).sum()) + 1", "top-p question off by one (gpt self-check)"),
    M("exercises/it_animal.py", '    return C.sentence(*C.CLASSIC_PAIR, "tired").it_index + 1',
      '    return C.sentence(*C.CLASSIC_PAIR, "tired").it_index', "causal view of 'it' leaves 'it' out (it_animal self-check)"),
]


def apply(text: str, m: Mutant) -> str:
    """The mutated source; the catalogue is wrong (not the tests) if the anchor is not unique or the result does not compile."""
    n = text.count(m.old)
    if n != 1:
        raise SystemExit(f"catalogue drifted: {m.file}: {m.what!r}: the text to mutate occurs {n} times (need exactly 1):\n{m.old}")
    new = text.replace(m.old, m.new)
    try:
        compile(new, m.file, "exec")
    except SyntaxError as e:
        raise SystemExit(f"catalogue error: {m.file}: {m.what!r} does not compile: {e}") from None
    return new


def tests_for(file: str) -> list[str]:
    return next(v for k, v in TESTS.items() if file.startswith(k))


def run_tests(copy_root: pathlib.Path, tests: list[str], timeout: float) -> tuple[str, float, str]:
    """Run pytest on ``tests`` with ``copy_root`` first on the path. Returns (outcome, seconds, tail)."""
    env = dict(os.environ, PYTHONPATH=str(copy_root), PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-m", MARKERS,
           f"--rootdir={ROOT}", "-c", str(ROOT / "pyproject.toml"), *[str(ROOT / t) for t in tests if (ROOT / t).exists()]]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=copy_root, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.perf_counter() - start, ""
    tail = "\n".join(proc.stdout.strip().splitlines()[-3:])
    outcome = {0: "survived", 1: "killed"}.get(proc.returncode, f"error (pytest exit {proc.returncode})")
    return outcome, time.perf_counter() - start, tail


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="", help="run only mutants whose file or description contains this text")
    ap.add_argument("--list", action="store_true", help="list the catalogue and exit")
    ap.add_argument("--timeout", type=float, default=0, help="seconds per mutant (default: 5 x the clean run, at least 120)")
    args = ap.parse_args()
    chosen = [m for m in CATALOGUE if args.only in m.file or args.only in m.what]
    src_pkg = ROOT / PKG
    for m in CATALOGUE:  # check every anchor before spending time
        apply((src_pkg / m.file).read_text(encoding="utf-8"), m)
    if args.list:
        for i, m in enumerate(chosen):
            print(f"{i:3d}  {m.file:20s}  {m.what}")
        return 0

    with tempfile.TemporaryDirectory(prefix="mutants-") as tmp:
        copy_root = pathlib.Path(tmp)
        shutil.copytree(src_pkg, copy_root / PKG, ignore=shutil.ignore_patterns("__pycache__"))
        probe = subprocess.run([sys.executable, "-c", f"import {PKG}; print({PKG}.__file__)"], cwd=copy_root,
                               env=dict(os.environ, PYTHONPATH=str(copy_root)), capture_output=True, text=True)
        if not probe.stdout.strip().startswith(str(copy_root)):
            print(f"the copy is not the package the tests import ({probe.stdout.strip() or probe.stderr}); giving up")
            return 2
        print(f"clean run of the fast tests against the copy in {copy_root} ...", flush=True)
        all_tests = list(dict.fromkeys(t for ts in TESTS.values() for t in ts))
        outcome, clean_s, tail = run_tests(copy_root, all_tests, timeout=3600)
        if outcome != "survived":
            print(f"the unmutated library fails its fast tests ({outcome}):\n{tail}")
            return 2
        timeout = args.timeout or max(120.0, 5 * clean_s)
        print(f"clean run passes in {clean_s:.0f} s; {len(chosen)} mutants, timeout {timeout:.0f} s each\n", flush=True)

        results = []
        start = time.perf_counter()
        for i, m in enumerate(chosen, 1):
            target = copy_root / PKG / m.file
            original = target.read_text(encoding="utf-8")
            target.write_text(apply(original, m), encoding="utf-8")
            try:
                outcome, secs, _ = run_tests(copy_root, tests_for(m.file), timeout)
            finally:
                target.write_text(original, encoding="utf-8")
            results.append((m, outcome))
            print(f"[{i:3d}/{len(chosen)}] {outcome:9s} {secs:5.1f} s  {m.file}: {m.what}", flush=True)
        total_s = time.perf_counter() - start

    killed = Counter(m.file for m, o in results if o != "survived")
    total = Counter(m.file for m, _ in results)
    print(f"\n{'file':22s} killed/total")
    for f in sorted(total):
        print(f"{f:22s} {killed[f]:3d}/{total[f]:<3d}")
    n_killed, n = sum(killed.values()), len(results)
    score = n_killed / n if n else 1.0
    survivors = [m for m, o in results if o == "survived"]
    oddities = [(m, o) for m, o in results if o not in ("survived", "killed")]
    print(f"\nscore: {n_killed}/{n} = {100 * score:.1f} % killed (bar {100 * THRESHOLD:.0f} %), {total_s / 60:.1f} min")
    if oddities:
        print("killed by a timeout or a pytest error (not a clean failure):")
        for m, o in oddities:
            print(f"  {m.file}: {m.what}  [{o}]")
    if survivors:
        print("survivors:")
        for m in survivors:
            print(f"  {m.file}: {m.what}")
    return 0 if score >= THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
