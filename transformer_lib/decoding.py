"""Turning a trained encoder-decoder into output sentences (chapter "Decoding: greedy and beam search").

The encoder runs once; the decoder runs once per output token, each time on the whole
prefix so far, and its last position's distribution picks the next token:

* :func:`greedy_decode` takes the most probable token at every step;
* :func:`beam_search` keeps the ``k`` most probable prefixes (summed log-probabilities),
  and ranks the finished ones with a length normalisation;
* :func:`sample` draws the next token at random, sharpened or flattened by a temperature
  and optionally restricted to the top-k tokens.

For decoder-only models (chapter "Decoder-only models (GPT)"), :func:`generate` continues a
prompt, with or without the KV cache, greedily or by sampling; the sampling transforms
(:func:`apply_temperature`, :func:`top_k_filter`, :func:`top_p_filter`, :func:`sampling_probs`)
are pure functions of the logits.

Every function runs the model in eval mode under ``torch.inference_mode()``
(:func:`transformer_lib.nn.evaluating`) and leaves every module's mode as it found it; the
tensors they return are inference tensors (``clone()`` one before editing it in place). Token conventions: the decoder starts from ``bos_id``; a hypothesis ends
with ``eos_id``; after it, rows are filled with the model's ``pad_id``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from transformer_lib.nn.modes import evaluating


def _check(src: torch.Tensor, max_len: int) -> None:
    if not isinstance(src, torch.Tensor) or src.ndim != 2 or src.dtype not in (torch.long, torch.int):
        raise ValueError(f"src must be a (B, S) tensor of token ids, got {getattr(src, 'shape', type(src))}")
    if max_len < 1:
        raise ValueError(f"max_len must be at least 1, got {max_len}")


def _next_log_probs(model, seqs, memory, src_mask, active=None) -> torch.Tensor:
    """log p(next token | prefix, source): seqs (N, t) -> (N, V).

    Only the ``active`` rows (N,) bool are computed (finished rows need no decoder pass);
    the others are -inf.
    """
    if active is not None and not active.all():
        out = torch.full((seqs.shape[0], model.config.tgt_vocab_size), float("-inf"))
        rows = active.nonzero()[:, 0]
        out[rows] = _next_log_probs(model, seqs[rows], memory[rows], src_mask[rows])
        return out
    h = model.decode(seqs, memory, src_mask)  # (N, t, D)
    return F.log_softmax(model.generator(h[:, -1]), dim=-1)  # (N, V)


def greedy_decode(model, src: torch.Tensor, max_len: int = 20, bos_id: int = 1, eos_id: int = 2,
                  return_log_probs: bool = False):
    """At each step append the most probable next token, until ``<eos>`` or ``max_len`` tokens.

    Args:
        model: a :class:`transformer_lib.nn.Transformer`.
        src: (B, S) source ids (padding allowed).
        max_len: the most output tokens per sentence (``<eos>`` included).

    Returns:
        tokens (B, L): the output ids without ``<bos>``, each row ending in ``<eos>`` (unless
        cut at ``max_len``) then padding; scores (B,): the summed log-probability of each row's
        tokens up to and including ``<eos>``; with ``return_log_probs`` also the per-step
        log-distributions (B, L, V) (-inf after a row's ``<eos>``).
    """
    _check(src, max_len)
    pad_id = model.config.pad_id
    with evaluating(model):
        src_mask = model.src_mask(src)  # (B, 1, 1, S)
        memory = model.encode(src, src_mask)  # (B, S, D)
        seqs = torch.full((src.shape[0], 1), bos_id, dtype=torch.long)  # (B, 1)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        scores = torch.zeros(src.shape[0])
        steps = []
        for _ in range(max_len):
            log_p = _next_log_probs(model, seqs, memory, src_mask, ~done)  # (B, V)
            steps.append(log_p)
            best = log_p.argmax(-1)  # (B,)
            scores = scores + torch.where(done, 0.0, log_p.gather(-1, best[:, None])[:, 0])
            best = best.masked_fill(done, pad_id)
            seqs = torch.cat([seqs, best[:, None]], dim=1)  # (B, t + 1)
            done = done | (best == eos_id)
            if done.all():
                break
    tokens = seqs[:, 1:]  # (B, L)
    if return_log_probs:
        return tokens, scores, torch.stack(steps, dim=1)  # (B, L, V)
    return tokens, scores


def length_penalty(length: torch.Tensor, alpha: float) -> torch.Tensor:
    """GNMT's length penalty lp(Y) = (5 + |Y|)^alpha / (5 + 1)^alpha (Wu et al. 2016, section 7, in
    their eq. 14); alpha = 0 turns it off. The Transformer paper decodes with alpha = 0.6."""
    return ((5.0 + length) / 6.0) ** alpha


def length_power(length: torch.Tensor, alpha: float) -> torch.Tensor:
    """The simpler normaliser GNMT started from: |Y|^alpha (alpha = 1: the mean log-probability per token).

    Pass it as ``beam_search(..., penalty=length_power)`` to rank hypotheses by log p(Y) / |Y|^alpha.
    """
    return length ** alpha


@dataclass
class BeamResult:
    """What :func:`beam_search` returns.

    tokens: (B, L) the best hypothesis per sentence (by normalised score), padded.
    scores: (B,) its summed log-probability (``<eos>`` included).
    beams: (B, k, L) all k final hypotheses, best first; beam_scores (B, k) their summed
        log-probabilities and beam_norm_scores (B, k) the length-normalised ones.
    trace: per step, a dict of (B, k) tensors ``parent`` (which beam each new beam extends),
        ``token`` and ``score`` -- enough to draw the search tree.
    """

    tokens: torch.Tensor
    scores: torch.Tensor
    beams: torch.Tensor
    beam_scores: torch.Tensor
    beam_norm_scores: torch.Tensor
    trace: list


def beam_search(model, src: torch.Tensor, k: int = 4, max_len: int = 20, alpha: float = 0.6,
                bos_id: int = 1, eos_id: int = 2, penalty=length_penalty) -> BeamResult:
    """Beam search: keep the k prefixes with the highest summed log-probability.

    At every step each of the k beams proposes every next token; the k best of the k x V
    candidates (by score(prefix) + log p(token | prefix)) become the new beams. A beam that
    emits ``<eos>`` is finished: its score is frozen and it competes with the live ones
    for a place in the beam as a single candidate, extended by padding at log-probability 0.
    A sentence's search stops when all k beams are finished, or when no live prefix can beat
    its best finished hypothesis any more (then the remaining live beams are returned
    unfinished, ranked below it), or after ``max_len`` tokens. The final
    choice divides each score by ``penalty(|Y|, alpha)`` (GNMT's :func:`length_penalty` by
    default, or :func:`length_power`), so that short hypotheses are not favoured merely for
    having fewer negative terms.

    With k = 1 this is exactly :func:`greedy_decode`.

    Args:
        model: a :class:`transformer_lib.nn.Transformer`.
        src: (B, S) source ids; the B sentences are searched independently, in one batch.
        k: the beam size.
        max_len: the most output tokens (``<eos>`` included).
        alpha: length-normalisation strength (0: rank by raw summed log-probability).
        penalty: ``penalty(lengths, alpha)`` -> the divisor of each summed log-probability;
            it must be positive and non-decreasing in the length (the early stop relies on it).

    Returns:
        a :class:`BeamResult`.
    """
    _check(src, max_len)
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"beam size k must be a positive integer, got {k!r}")
    V = model.config.tgt_vocab_size
    if k > V:
        raise ValueError(f"beam size k={k} exceeds the vocabulary size V={V}")
    pad_id = model.config.pad_id
    B = src.shape[0]
    with evaluating(model):
        src_mask = model.src_mask(src)  # (B, 1, 1, S)
        memory = model.encode(src, src_mask)  # (B, S, D)
        memory = memory.repeat_interleave(k, dim=0)  # (B*k, S, D): beam j of sentence b is row b*k + j
        src_mask = src_mask.repeat_interleave(k, dim=0)  # (B*k, 1, 1, S)
        seqs = torch.full((B * k, 1), bos_id, dtype=torch.long)  # (B*k, 1)
        scores = torch.full((B, k), float("-inf"))
        scores[:, 0] = 0.0  # all beams start equal: keep one, or the first step would pick k copies
        done = torch.zeros(B * k, dtype=torch.bool)
        lengths = torch.zeros(B * k)
        trace = []
        frozen = torch.full((V,), float("-inf"))
        frozen[pad_id] = 0.0  # a finished beam's only continuation: padding, costing nothing
        for _ in range(max_len):
            log_p = _next_log_probs(model, seqs, memory, src_mask, ~done)  # (B*k, V)
            log_p = torch.where(done[:, None], frozen, log_p)
            cand = (scores.reshape(B * k, 1) + log_p).reshape(B, k * V)  # (B, k*V)
            top, idx = cand.topk(k, dim=-1)  # (B, k), best first
            parent, token = idx // V, idx % V  # (B, k) each
            rows = (torch.arange(B)[:, None] * k + parent).reshape(-1)  # (B*k,) rows of the extended beams
            token = token.reshape(-1)  # (B*k,)
            was_done = done[rows]
            lengths = lengths[rows] + (~was_done).float()
            seqs = torch.cat([seqs[rows], token[:, None]], dim=1)  # (B*k, t + 1)
            done = was_done | (token == eos_id)
            scores = top
            trace.append({"parent": parent, "token": token.reshape(B, k), "score": top.clone()})
            # A sentence is settled when its best finished hypothesis beats every live prefix's
            # best possible final score (log-probabilities only fall; the penalty is largest at max_len).
            fin = done.reshape(B, k)
            norm_now = scores / penalty(lengths.reshape(B, k), alpha)  # (B, k)
            best_done = norm_now.masked_fill(~fin, float("-inf")).max(-1).values  # (B,)
            best_live = (scores / penalty(torch.tensor(float(max_len)), alpha)).masked_fill(fin, float("-inf")).max(-1).values
            settled = best_done >= best_live  # (B,)
            done = done | settled.repeat_interleave(k)
            if done.all():
                break
        norm = scores / penalty(lengths.reshape(B, k), alpha)  # (B, k)
        order = norm.argsort(dim=-1, descending=True, stable=True)  # (B, k)
        beams = seqs[:, 1:].reshape(B, k, -1)  # (B, k, L)
        beams = beams.gather(1, order[:, :, None].expand_as(beams))
        beam_scores, norm = scores.gather(1, order), norm.gather(1, order)
    return BeamResult(beams[:, 0], beam_scores[:, 0], beams, beam_scores, norm, trace)


# --------------------------------------------------------------- sampling transforms
# Pure functions of the logits (..., V), shared by :func:`sample` and :func:`generate`, and
# mirrored in the page's JavaScript by the sampling explorer (views/gpt.py).

def _check_sampling(temperature: float, top_k: int | None, top_p: float | None, V: int) -> None:
    if not isinstance(temperature, (int, float)) or not temperature > 0:
        raise ValueError(f"temperature must be positive (1 = the model's own distribution; for greedy "
                         f"decoding use greedy=True or top_k=1), got {temperature!r}")
    if top_k is not None and (int(top_k) != top_k or not 1 <= top_k <= V):
        raise ValueError(f"top_k must be an integer in 1..V={V} (or None: no cut), got {top_k!r}")
    if top_p is not None and not 0.0 < top_p <= 1.0:
        raise ValueError(f"top_p must lie in (0, 1] (1 = no cut; 0.9 keeps the most probable tokens "
                         f"up to 90 % of the mass), got {top_p!r}")


def apply_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """logits / temperature (..., V): below 1 sharpens the distribution, above 1 flattens it."""
    _check_sampling(temperature, None, None, logits.shape[-1])
    return logits / temperature


def top_k_filter(logits: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the k largest logits of each row (..., V), set the others to -inf (ties with the k-th are kept)."""
    _check_sampling(1.0, k, None, logits.shape[-1])
    kth = logits.topk(int(k), dim=-1).values[..., -1:]  # (..., 1)
    return logits.masked_fill(logits < kth, float("-inf"))


def top_p_filter(logits: torch.Tensor, p: float) -> torch.Tensor:
    """Nucleus filtering (Holtzman et al., ICLR 2020): keep the most probable tokens whose cumulative
    probability first reaches ``p``, set the others to -inf. (..., V) -> (..., V).

    A token is kept when the probability of the tokens ranked above it is still below p, so
    the most probable token is always kept and p = 1 keeps every token.
    """
    _check_sampling(1.0, None, p, logits.shape[-1])
    probs, order = logits.softmax(-1).sort(dim=-1, descending=True, stable=True)  # (..., V) each
    before = probs.cumsum(-1) - probs  # (..., V): the mass ranked above each token
    keep_sorted = before < p
    keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)  # back to vocabulary order
    return logits.masked_fill(~keep, float("-inf"))


def sampling_probs(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                   top_p: float | None = None) -> torch.Tensor:
    """The distribution a sampler draws from: softmax(filter(logits / temperature)), (..., V).

    Temperature first, then top-k, then top-p (on the tempered distribution), as in Hugging
    Face's ``generate``.
    """
    _check_sampling(temperature, top_k, top_p, logits.shape[-1])
    logits = apply_temperature(logits, temperature)
    if top_k is not None:
        logits = top_k_filter(logits, top_k)
    if top_p is not None:
        logits = top_p_filter(logits, top_p)
    return logits.softmax(-1)


def generate(model, prompt_ids: torch.Tensor, max_new_tokens: int, use_cache: bool = True, temperature: float = 1.0,
             top_k: int | None = None, top_p: float | None = None, greedy: bool = False,
             generator: torch.Generator | None = None, return_logits: bool = False):
    """Continue a prompt with a decoder-only model (:class:`transformer_lib.nn.GPT`), one token at a time.

    Without the cache every step runs the model on the whole sequence so far and keeps the
    last position's logits. With it (``use_cache=True``) the prompt runs once, and each later
    step runs only the newest token, reading the earlier keys and values from the cache: the
    same numbers, computed once each. Both ways give the same tokens (tested, greedy and sampled).

    Args:
        model: a GPT: ``model(ids)`` -> logits (B, T, V), ``model(ids, past_kv, use_cache=True)``
            -> (logits, cache), and ``model.config.block_size``.
        prompt_ids: (B, T0) token ids, T0 >= 1.
        max_new_tokens: how many tokens to add.
        temperature, top_k, top_p: as in :func:`sampling_probs` (ignored when ``greedy``).
        greedy: take the most probable token instead of sampling.
        generator: a seeded ``torch.Generator`` makes the sampling reproducible.
        return_logits: also return each step's logits (B, max_new_tokens, V).

    Returns:
        ids (B, T0 + max_new_tokens): the prompt, then the new tokens (and the logits).
    """
    if not isinstance(prompt_ids, torch.Tensor) or prompt_ids.ndim != 2 or prompt_ids.shape[1] < 1 \
            or prompt_ids.dtype.is_floating_point or prompt_ids.dtype == torch.bool:
        raise ValueError(f"prompt_ids must be a (B, T) tensor of integer token ids with T >= 1, "
                         f"got {getattr(prompt_ids, 'shape', type(prompt_ids))}")
    if int(max_new_tokens) != max_new_tokens or max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be a positive integer, got {max_new_tokens!r}")
    V = model.config.vocab_size
    if not greedy:
        _check_sampling(temperature, top_k, top_p, V)
    total, block = prompt_ids.shape[1] + max_new_tokens, model.config.block_size
    if total > block:
        raise ValueError(f"the prompt ({prompt_ids.shape[1]} tokens) + max_new_tokens ({max_new_tokens}) = {total} "
                         f"exceeds the model's context of {block} tokens; shorten the prompt or generate fewer")
    seqs, steps, cache = prompt_ids, [], None
    with evaluating(model):
        for _ in range(max_new_tokens):
            if use_cache:
                new = seqs if cache is None else seqs[:, -1:]  # the prompt once, then only the newest token
                logits, cache = model(new, past_kv=cache, use_cache=True)
            else:
                logits = model(seqs)  # (B, t, V): the whole prefix, every step
            last = logits[:, -1]  # (B, V)
            steps.append(last)
            if greedy:
                nxt = last.argmax(-1)  # (B,)
            else:
                nxt = torch.multinomial(sampling_probs(last, temperature, top_k, top_p), 1, generator=generator)[:, 0]
            seqs = torch.cat([seqs, nxt[:, None]], dim=1)  # (B, t + 1)
    if return_logits:
        return seqs, torch.stack(steps, dim=1)  # (B, max_new_tokens, V)
    return seqs


def sample(model, src: torch.Tensor, temperature: float = 1.0, top_k: int | None = None, max_len: int = 20,
           bos_id: int = 1, eos_id: int = 2, generator: torch.Generator | None = None):
    """Draw each next token from softmax(logits / temperature), optionally among the top-k only.

    Temperature < 1 sharpens the distribution (towards greedy), > 1 flattens it.

    Returns:
        tokens (B, L) and scores (B,) as in :func:`greedy_decode` (log-probabilities under the
        model at temperature 1).
    """
    _check(src, max_len)
    V = model.config.tgt_vocab_size
    _check_sampling(temperature, top_k, None, V)
    pad_id = model.config.pad_id
    with evaluating(model):
        src_mask = model.src_mask(src)
        memory = model.encode(src, src_mask)  # (B, S, D)
        seqs = torch.full((src.shape[0], 1), bos_id, dtype=torch.long)  # (B, 1)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        scores = torch.zeros(src.shape[0])
        for _ in range(max_len):
            log_p = _next_log_probs(model, seqs, memory, src_mask, ~done)  # (B, V)
            logits = log_p.masked_fill(done[:, None], 0.0)  # finished rows: anything finite
            probs = sampling_probs(logits, temperature, top_k)  # (B, V)
            nxt = torch.multinomial(probs, 1, generator=generator)[:, 0]  # (B,)
            scores = scores + torch.where(done, 0.0, log_p.gather(-1, nxt[:, None])[:, 0])
            nxt = nxt.masked_fill(done, pad_id)
            seqs = torch.cat([seqs, nxt[:, None]], dim=1)
            done = done | (nxt == eos_id)
            if done.all():
                break
    return seqs[:, 1:], scores


def sequence_log_prob(model, src: torch.Tensor, tokens: torch.Tensor, bos_id: int = 1) -> torch.Tensor:
    """The model's summed log-probability of given outputs, by teacher forcing (one forward pass).

    Args:
        src: (B, S) source ids.
        tokens: (B, L) output ids without ``<bos>``, padded with ``pad_id`` after ``<eos>``.

    Returns:
        (B,) sum over the non-padding positions t of log p(tokens_t | tokens_<t, src).
    """
    pad_id = model.config.pad_id
    with evaluating(model):
        tgt_in = torch.cat([torch.full((tokens.shape[0], 1), bos_id, dtype=torch.long), tokens[:, :-1]], dim=1)  # (B, L)
        log_p = F.log_softmax(model(src, tgt_in), dim=-1)  # (B, L, V)
        picked = log_p.gather(-1, tokens[:, :, None])[:, :, 0]  # (B, L)
        return picked.masked_fill(tokens == pad_id, 0.0).sum(-1)
