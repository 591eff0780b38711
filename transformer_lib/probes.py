"""Probes: small measurements that let the code find a picture instead of drawing it by hand
(chapter "Residuals, LayerNorm and BatchNorm").

* :func:`shares_statistics` -- nudge one input number of a normalisation and see which
  outputs move: those share its mean and variance (its normalisation group).
* :func:`layer_gradient_norms` -- the gradient that reaches each layer of a deep stack of
  ``tanh(Linear(x))``, with and without residual connections.
* :func:`generation_step_seconds` -- the wall-clock cost of each generated token, with and
  without the KV cache (chapter "Decoder-only models (GPT)", ``benchmarks/bench_kv_cache.py``).
* :func:`attention_scores` and :func:`score_asymmetry` -- the raw scores Q K^T / sqrt(Dh) that one
  attention module of a trained model computes, and how far they are from symmetric (chapter
  "Self-attention": W_Q != W_K, so "a attends to b" is not "b attends to a").
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch


def shares_statistics(norm: Callable[[np.ndarray], np.ndarray], shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Which outputs of ``norm`` move when input element 0 is nudged by 1.

    Args:
        norm: an array function ``norm(x) -> y`` of one shape in and out (e.g.
            ``lambda a: ref.layer_norm(a, gamma, beta)``).
        shape: the input's shape; the input is standard normal, drawn with ``seed``.

    Returns:
        a bool array of ``shape``: True where the output moved (element 0 included).
    """
    x = np.random.default_rng(seed).standard_normal(shape)
    nudged = x.copy()
    nudged.flat[0] += 1.0
    y, y_nudged = np.asarray(norm(x)), np.asarray(norm(nudged))
    if y.shape != x.shape or y_nudged.shape != x.shape:
        raise ValueError(f"norm must return an array of the input's shape {x.shape}, got {y.shape}")
    return np.abs(y_nudged - y) > 1e-9


def layer_gradient_norms(residual: bool, depth: int = 32, width: int = 64, batch: int = 128, seed: int = 0) -> np.ndarray:
    """The norm of d(loss)/dW for each layer of a stack of ``depth`` layers
    f(x) = tanh(Linear(x)) at PyTorch's default initialisation, computing x + f(x) per layer
    when ``residual`` and f(x) otherwise; the loss is mean(h^2) at the top.

    Returns:
        (depth,) gradient norms, layer 1 (nearest the input) first.
    """
    if depth < 1 or width < 1 or batch < 1:
        raise ValueError(f"depth, width and batch must be positive, got {depth}, {width}, {batch}")
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(width, width) for _ in range(depth)]
    h = torch.randn(batch, width)  # (batch, width)
    for lin in layers:
        h = h + torch.tanh(lin(h)) if residual else torch.tanh(lin(h))
    h.pow(2).mean().backward()
    return np.array([lin.weight.grad.norm().item() for lin in layers])


def generation_step_seconds(model, n_tokens: int, use_cache: bool, repeat: int = 3) -> np.ndarray:
    """Seconds spent on each generation step of a decoder-only model, greedy, batch 1.

    Step t (0-based) produces token t + 1 from a one-token prompt: without the cache it runs
    the model on all t + 1 tokens so far; with it, on the newest token only, reading the rest
    from the cache. Each step's time is the minimum over ``repeat`` runs (the least disturbed
    by other work on the machine).

    Args:
        model: a :class:`transformer_lib.nn.GPT` (its weights do not change the cost).
        n_tokens: steps to time, at most ``model.config.block_size - 1``.

    Returns:
        (n_tokens,) seconds per step.
    """
    import time

    from transformer_lib.nn.modes import evaluating

    if int(n_tokens) != n_tokens or not 1 <= n_tokens < model.config.block_size:
        raise ValueError(f"n_tokens must lie in 1..{model.config.block_size - 1} (the context), got {n_tokens!r}")
    best = np.full(int(n_tokens), np.inf)
    with evaluating(model):
        for _ in range(repeat):
            seqs, cache = torch.zeros(1, 1, dtype=torch.long), None
            for t in range(int(n_tokens)):
                start = time.perf_counter()
                if use_cache:
                    logits, cache = model(seqs[:, -1:], past_kv=cache, use_cache=True)
                else:
                    logits = model(seqs)  # (1, t + 1, V)
                nxt = logits[:, -1].argmax(-1, keepdim=True)  # (1, 1)
                best[t] = min(best[t], time.perf_counter() - start)
                seqs = torch.cat([seqs, nxt], dim=1)  # (1, t + 2)
    return best


def attention_scores(attn, run: Callable[[], object]) -> torch.Tensor:
    """The raw scores S = Q K^T / sqrt(Dh) that the :class:`transformer_lib.nn.MultiHeadAttention`
    ``attn`` computes while ``run()`` runs a model that contains it (before any mask and softmax).

    A forward pre-hook records the query and key inputs of ``attn``'s (last) call; the scores are
    then recomputed from its own ``W_Q`` and ``W_K``. The model itself is not changed.

    Args:
        attn: the attention module, e.g. ``model.layers[0].self_attn``.
        run: a function that runs the model once, e.g. ``lambda: model.run(ids)``.

    Returns:
        (B, H, T, S) scores; row t of head h is query t's score for every key.
    """
    from transformer_lib.nn.attention import MultiHeadAttention

    if not isinstance(attn, MultiHeadAttention):
        raise TypeError(f"attn must be a transformer_lib.nn.MultiHeadAttention, got {type(attn).__name__}")
    if attn.rotary:
        raise ValueError("attention_scores reads plain Q K^T; this module rotates queries and keys (RoPE)")
    seen = {}

    def record(module, args, kwargs):
        seen["query"] = args[0] if args else kwargs["query"]
        seen["key"] = args[1] if len(args) > 1 else kwargs["key"]

    handle = attn.register_forward_pre_hook(record, with_kwargs=True)
    try:
        with torch.inference_mode():
            run()
            if not seen:
                raise ValueError("run() never called this attention module")
            q = attn._split(attn.W_Q(seen["query"]))  # (B, H, T, Dh)
            k = attn._split(attn.W_K(seen["key"]))  # (B, H, S, Dh)
            return q @ k.transpose(-2, -1) / attn.d_head ** 0.5  # (B, H, T, S)
    finally:
        handle.remove()


def score_asymmetry(scores) -> dict[str, float]:
    """How far square score matrices are from symmetric.

    Args:
        scores: an iterable of (T, T) arrays (T may differ), e.g. one head's scores on each
            sentence, real tokens only.

    Returns:
        ``relative``: mean |S - S^T| / mean |S| over every entry of every matrix (0 for symmetric
        matrices); ``top_differs``: the share of tokens a whose highest-scoring other token as a
        query (argmax of row a, a itself left out) is not the other token that gives a the
        highest score as a key (argmax of column a): for a symmetric S the two always agree;
        ``n_tokens`` and ``n_matrices``: how much was measured.
    """
    diff = size = 0.0
    differs = n_tokens = n_matrices = 0
    for s in scores:
        s = np.asarray(s, dtype=np.float64)
        if s.ndim != 2 or s.shape[0] != s.shape[1] or s.shape[0] < 3:
            raise ValueError(f"each score matrix must be square (T, T) with T >= 3, got shape {s.shape}")
        diff += np.abs(s - s.T).sum()
        size += np.abs(s).sum()
        off = s + np.diag(np.full(len(s), -np.inf))  # leave each token itself out
        differs += int((off.argmax(1) != off.argmax(0)).sum())  # top key of row a vs top query of column a
        n_tokens += len(s)
        n_matrices += 1
    if not n_matrices or size == 0:
        raise ValueError("no (non-zero) score matrices given")
    return {"relative": float(diff / size), "top_differs": differs / n_tokens, "n_tokens": n_tokens,
            "n_matrices": n_matrices}
