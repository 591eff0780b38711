"""Turning a trained encoder-decoder into output sentences (chapter "Decoding: greedy and beam search").

The encoder runs once; the decoder runs once per output token, each time on the whole
prefix so far, and its last position's distribution picks the next token:

* :func:`greedy_decode` takes the most probable token at every step;
* :func:`beam_search` keeps the ``k`` most probable prefixes (summed log-probabilities),
  and ranks the finished ones with a length normalisation;
* :func:`sample` draws the next token at random, sharpened or flattened by a temperature
  and optionally restricted to the top-k tokens.

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
    """GNMT's length penalty lp(Y) = ((5 + |Y|) / 6)^alpha (Wu et al. 2016, eq. 14); alpha = 0 turns it off."""
    return ((5.0 + length) / 6.0) ** alpha


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
                bos_id: int = 1, eos_id: int = 2) -> BeamResult:
    """Beam search: keep the k prefixes with the highest summed log-probability.

    At every step each of the k beams proposes every next token; the k best of the k x V
    candidates (by score(prefix) + log p(token | prefix)) become the new beams. A beam that
    emits ``<eos>`` is finished: its score is frozen and it competes with the live ones
    for a place in the beam as a single candidate, extended by padding at log-probability 0.
    A sentence's search stops when all k beams are finished, or when no live prefix can beat
    its best finished hypothesis any more (then the remaining live beams are returned
    unfinished, ranked below it), or after ``max_len`` tokens. The final
    choice divides each score by :func:`length_penalty` (``alpha``), so that short
    hypotheses are not favoured merely for having fewer negative terms.

    With k = 1 this is exactly :func:`greedy_decode`.

    Args:
        model: a :class:`transformer_lib.nn.Transformer`.
        src: (B, S) source ids; the B sentences are searched independently, in one batch.
        k: the beam size.
        max_len: the most output tokens (``<eos>`` included).
        alpha: length-normalisation strength (0: rank by raw summed log-probability).

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
            norm_now = scores / length_penalty(lengths.reshape(B, k), alpha)  # (B, k)
            best_done = norm_now.masked_fill(~fin, float("-inf")).max(-1).values  # (B,)
            best_live = (scores / length_penalty(torch.tensor(float(max_len)), alpha)).masked_fill(fin, float("-inf")).max(-1).values
            settled = best_done >= best_live  # (B,)
            done = done | settled.repeat_interleave(k)
            if done.all():
                break
        norm = scores / length_penalty(lengths.reshape(B, k), alpha)  # (B, k)
        order = norm.argsort(dim=-1, descending=True, stable=True)  # (B, k)
        beams = seqs[:, 1:].reshape(B, k, -1)  # (B, k, L)
        beams = beams.gather(1, order[:, :, None].expand_as(beams))
        beam_scores, norm = scores.gather(1, order), norm.gather(1, order)
    return BeamResult(beams[:, 0], beam_scores[:, 0], beams, beam_scores, norm, trace)


def sample(model, src: torch.Tensor, temperature: float = 1.0, top_k: int | None = None, max_len: int = 20,
           bos_id: int = 1, eos_id: int = 2, generator: torch.Generator | None = None):
    """Draw each next token from softmax(logits / temperature), optionally among the top-k only.

    Temperature < 1 sharpens the distribution (towards greedy), > 1 flattens it.

    Returns:
        tokens (B, L) and scores (B,) as in :func:`greedy_decode` (log-probabilities under the
        model at temperature 1).
    """
    _check(src, max_len)
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    V = model.config.tgt_vocab_size
    if top_k is not None and not 1 <= top_k <= V:
        raise ValueError(f"top_k must lie in 1..V={V}, got {top_k}")
    pad_id = model.config.pad_id
    with evaluating(model):
        src_mask = model.src_mask(src)
        memory = model.encode(src, src_mask)  # (B, S, D)
        seqs = torch.full((src.shape[0], 1), bos_id, dtype=torch.long)  # (B, 1)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        scores = torch.zeros(src.shape[0])
        for _ in range(max_len):
            log_p = _next_log_probs(model, seqs, memory, src_mask, ~done)  # (B, V)
            logits = log_p.masked_fill(done[:, None], 0.0) / temperature  # finished rows: anything finite
            if top_k is not None:
                kth = logits.topk(top_k, dim=-1).values[:, -1:]  # (B, 1)
                logits = logits.masked_fill(logits < kth, float("-inf"))
            nxt = torch.multinomial(logits.softmax(-1), 1, generator=generator)[:, 0]  # (B,)
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
