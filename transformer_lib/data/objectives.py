"""The three pretraining objectives, made from one sentence (chapter "One block, three families").

* :func:`masked_lm` -- BERT (Devlin et al. 2019, section 3.1, "Task #1: Masked LM", and
  appendix A.1): 15 % of the (non-special) positions are chosen for prediction; of those,
  80 % are replaced by ``[MASK]``, 10 % by a random token and 10 % are left unchanged. The
  loss is taken only at the chosen positions.
* :func:`next_token` -- GPT (Radford et al. 2018, section 3.1): the targets are the inputs
  shifted left by one.
* :func:`span_corruption` -- T5 (Raffel et al. 2020, section 3.1.4 and figure 2): random spans
  (15 % of the tokens, mean span length 3) are cut out of the input, each replaced by one
  sentinel; the target lists each sentinel followed by the tokens it stands for, and ends
  with one more sentinel.

Every function works on a list of tokens (strings) and is seeded: ``seed`` is an int or a
``numpy.random.Generator`` (pass one Generator to draw many examples in a row).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

MASK = "[MASK]"
CLS, SEP = "[CLS]", "[SEP]"
SPECIALS = (CLS, SEP, "<pad>", "<bos>", "<eos>", "<unk>")  # never chosen for masking
SENTINEL = "<extra_id_{}>"  # T5's sentinel names: <extra_id_0>, <extra_id_1>, ...


@dataclass(frozen=True)
class Example:
    """One training example of an objective.

    ``targets`` of :func:`masked_lm` and :func:`next_token` are aligned with ``inputs``
    (``None`` = no loss at that position); those of :func:`span_corruption` are the decoder's
    own sequence. ``how``: for the masked LM, per input position ``""`` (not chosen),
    ``"mask"``, ``"random"`` or ``"keep"``. ``noise``: for span corruption, per token of the
    original sentence, whether it was cut out.
    """

    objective: str
    inputs: tuple[str, ...]
    targets: tuple[str | None, ...]
    how: tuple[str, ...] = ()
    noise: tuple[bool, ...] = ()


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an int or a numpy.random.Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def _tokens(tokens, at_least: int) -> list[str]:
    if isinstance(tokens, str):
        tokens = tokens.split()
    tokens = list(tokens)
    if any(not isinstance(t, str) or not t for t in tokens):
        raise ValueError("tokens must be non-empty strings (or one sentence as a string)")
    if len(tokens) < at_least:
        raise ValueError(f"this objective needs at least {at_least} token(s), got {len(tokens)}: {tokens}")
    return tokens


def masked_lm(tokens: Sequence[str] | str, vocabulary: Sequence[str], seed, *, rate: float = 0.15,
              mask_token: str = MASK, specials: Sequence[str] = SPECIALS) -> Example:
    """BERT's masked-LM example: choose ``round(rate * n)`` (at least 1) of the n non-special
    positions; replace each by ``mask_token`` (80 %), a random token of ``vocabulary`` (10 %) or
    itself (10 %). Targets are the original tokens at the chosen positions, ``None`` elsewhere.
    """
    tokens = _tokens(tokens, 1)
    if not 0.0 < rate < 1.0:
        raise ValueError(f"rate must lie strictly between 0 and 1, got {rate}")
    words = [w for w in vocabulary if w not in specials and w != mask_token]
    if not words:
        raise ValueError("vocabulary must hold at least one ordinary token to draw random replacements from")
    rng = _rng(seed)
    candidates = [i for i, t in enumerate(tokens) if t not in specials]
    if not candidates:
        raise ValueError(f"every token is special ({list(specials)}), so there is nothing to mask")
    n_chosen = max(1, int(round(rate * len(candidates))))
    chosen = rng.choice(candidates, size=n_chosen, replace=False)
    inputs, targets, how = list(tokens), [None] * len(tokens), [""] * len(tokens)
    for i in chosen:
        u = rng.random()
        targets[i] = tokens[i]
        if u < 0.8:
            inputs[i], how[i] = mask_token, "mask"
        elif u < 0.9:
            inputs[i], how[i] = words[rng.integers(len(words))], "random"
        else:
            how[i] = "keep"
    return Example("masked LM", tuple(inputs), tuple(targets), how=tuple(how))


def next_token(tokens: Sequence[str] | str) -> Example:
    """GPT's example: inputs ``tokens[:-1]``, targets ``tokens[1:]`` (position t predicts token t + 1)."""
    tokens = _tokens(tokens, 2)
    return Example("next token", tuple(tokens[:-1]), tuple(tokens[1:]))


def _segment(n_items: int, n_segments: int, rng: np.random.Generator) -> list[int]:
    """Split n_items into n_segments positive lengths, uniformly over the ways to cut."""
    cuts = np.sort(rng.choice(np.arange(1, n_items), size=n_segments - 1, replace=False))
    return np.diff(np.concatenate([[0], cuts, [n_items]])).tolist()


def span_corruption(tokens: Sequence[str] | str, seed, *, noise_density: float = 0.15,
                    mean_span_length: float = 3.0, sentinel: str = SENTINEL) -> Example:
    """T5's span-corruption example.

    ``round(noise_density * n)`` tokens (at least 1, at most n - 1) are cut out, in
    ``round(noise / mean_span_length)`` spans (at least 1), the span lengths and the kept
    stretches between them drawn at random (T5's code always starts with a kept stretch and
    ends with a span; here a span may sit anywhere, so a one-span sentence is not always cut
    at its end). Each span becomes one
    sentinel ``sentinel.format(i)`` in the inputs; the targets are ``sentinel 0, span 0,
    sentinel 1, span 1, ..., sentinel k`` (the last sentinel closes the list).
    """
    tokens = _tokens(tokens, 2)
    if not 0.0 < noise_density < 1.0:
        raise ValueError(f"noise_density must lie strictly between 0 and 1, got {noise_density}")
    if not mean_span_length >= 1.0:
        raise ValueError(f"mean_span_length must be at least 1, got {mean_span_length}")
    if "{}" not in sentinel:
        raise ValueError(f"sentinel must contain '{{}}' for the span number, got {sentinel!r}")
    sentinels = {sentinel.format(i) for i in range(len(tokens) + 1)}
    if clash := sorted(sentinels.intersection(tokens)):
        raise ValueError(f"the sentence already contains sentinel tokens {clash}; pick another sentinel pattern")
    rng = _rng(seed)
    n = len(tokens)
    n_noise = min(max(int(round(noise_density * n)), 1), n - 1)
    n_spans = min(max(int(round(n_noise / mean_span_length)), 1), n - n_noise + 1)  # spans need a kept token between them
    noise_lengths = _segment(n_noise, n_spans, rng)
    # n_spans + 1 kept stretches around the spans: the inner ones hold at least one token (two spans
    # never touch), the outer two may be empty. Cut n_kept + 2 into positive parts, give back the 2.
    kept_lengths = _segment(n - n_noise + 2, n_spans + 1, rng)
    kept_lengths[0] -= 1
    kept_lengths[-1] -= 1
    inputs, targets, noise, pos = [], [], [], 0
    for i, (kept, cut) in enumerate(zip(kept_lengths, noise_lengths)):
        inputs += tokens[pos:pos + kept] + [sentinel.format(i)]
        targets += [sentinel.format(i)] + tokens[pos + kept:pos + kept + cut]
        noise += [False] * kept + [True] * cut
        pos += kept + cut
    inputs += tokens[pos:]
    noise += [False] * (n - pos)
    targets.append(sentinel.format(n_spans))
    return Example("span corruption", tuple(inputs), tuple(targets), noise=tuple(noise))
