"""Byte-pair encoding learned from scratch (chapter "Tokens").

BPE (Sennrich et al., 2016, after Gage's 1994 compression scheme) starts from single
characters and repeatedly **merges the most frequent adjacent pair** of symbols into one new
symbol. The list of merges, in the order they were learned, *is* the tokenizer: to segment a
new text, apply the same merges in the same order.

Here a text is first cut into *chunks*, each a word with the space before it (``"nous ne"``
-> ``["nous", " ne"]``, the rule of GPT-2's pre-tokenizer, with only the space as a
separator), and merges never cross a chunk. The chunks put together are the text again, so
``decode(encode(text)) == text`` for every string over the alphabet, spaces included.

Ties (two pairs equally frequent) go to the pair that comes first in Python's string order,
so the merges are the same on every machine. :meth:`BPE.vocab` gives the package's one
:class:`~transformer_lib.data.vocab.Vocab` (ids) for any number of merges.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from transformer_lib.data.vocab import Tokenizer, Vocab

# A word with the space(s) before it, or a run of spaces: the chunks cover the whole text.
CHUNKS = Tokenizer(r" ?[^ ]+| +", lower=False, name="BPE chunks: a word and the space before it")


def chunks(text: str) -> list[str]:
    """The chunks BPE merges within: ``"je ne suis"`` -> ``["je", " ne", " suis"]``.

    ``"".join(chunks(text)) == text`` always (the pattern matches every character)."""
    return CHUNKS(text)


def _merge_word(symbols: tuple[str, ...], pair: tuple[str, str]) -> tuple[str, ...]:
    """Replace every occurrence of ``pair`` in ``symbols``, left to right (``a a a`` + (a, a) -> ``aa a``)."""
    a, b = pair
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and symbols[i] == a and symbols[i + 1] == b:
            out.append(a + b)
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def pair_counts(words: dict[tuple[str, ...], int]) -> Counter:
    """How often each adjacent pair occurs: ``{(a, b): count}`` over ``{symbols: frequency}``."""
    counts: Counter = Counter()
    for symbols, n in words.items():
        for pair in zip(symbols, symbols[1:]):
            counts[pair] += n
    return counts


def _check_texts(texts) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("BPE learns from a list of texts, got one string (wrap it in a list)")
    texts = list(texts)
    bad = [t for t in texts if not isinstance(t, str)]
    if bad:
        raise TypeError(f"BPE learns from strings, got a {type(bad[0]).__name__}")
    if not any(texts):
        raise ValueError("BPE needs a corpus with at least one character to learn from; got an empty one")
    return texts


@dataclass(frozen=True)
class BPE:
    """A learned byte-pair encoding: the alphabet and the merges, in the order learned.

    Args:
        alphabet: the characters of the training corpus, sorted; the first symbols.
        merges: ``((a, b), ...)``, merge ``k`` (0-based) joins ``a`` and ``b`` into ``a + b``.
        counts: how often each merge's pair occurred in the corpus when it was learned.
        lengths: total symbols in the corpus after 0, 1, ..., ``len(merges)`` merges.
        specials: tokens put before the alphabet in :meth:`vocab` (e.g. ``("<pad>",)``).
    """

    alphabet: tuple[str, ...]
    merges: tuple[tuple[str, str], ...]
    counts: tuple[int, ...] = ()
    lengths: tuple[int, ...] = ()
    specials: tuple[str, ...] = ()
    _ranks: dict = field(init=False, repr=False, compare=False)
    _cache: dict = field(init=False, repr=False, compare=False)  # (chunk, k) -> its symbols
    _vocabs: dict = field(init=False, repr=False, compare=False)  # k -> Vocab

    def __post_init__(self):
        object.__setattr__(self, "_ranks", {pair: k for k, pair in enumerate(self.merges)})
        object.__setattr__(self, "_cache", {})
        object.__setattr__(self, "_vocabs", {})

    # ------------------------------------------------------------------------ learning
    @classmethod
    def learn(cls, texts: Iterable[str], num_merges: int, specials: Sequence[str] = (),
              progress: bool = False) -> "BPE":
        """Learn up to ``num_merges`` merges on ``texts`` (fewer if every chunk becomes one symbol).

        Each step counts the adjacent pairs in all chunks (weighted by how often the chunk
        occurs), merges the most frequent pair everywhere, ties going to the pair first in
        string order. ``progress`` shows a tqdm bar.
        """
        if not isinstance(num_merges, int) or isinstance(num_merges, bool) or num_merges < 0:
            raise ValueError(f"num_merges must be a whole number >= 0, got {num_merges!r}")
        return cls._run(texts, num_merges, None, specials, progress)

    @classmethod
    def follow(cls, texts: Iterable[str], merges: Sequence[tuple[str, str]], specials: Sequence[str] = ()) -> "BPE":
        """Apply given ``merges`` (e.g. another trainer's) to ``texts`` in order, recording each
        pair's count and the corpus length as :meth:`learn` does; ``follow(t, learn(t, n).merges)``
        is ``learn(t, n)``."""
        return cls._run(texts, len(merges), [tuple(m) for m in merges], specials, False)

    @classmethod
    def _run(cls, texts, num_merges, given, specials, progress) -> "BPE":
        texts = _check_texts(texts)
        freq = Counter(c for t in texts for c in chunks(t))
        words = {tuple(c): n for c, n in freq.items()}  # chunk as a tuple of symbols -> frequency
        alphabet = tuple(sorted({ch for c in freq for ch in c}))
        merges, counts, lengths = [], [], [sum(len(w) * n for w, n in words.items())]
        from tqdm.std import tqdm  # a text bar, as train.fit's

        bar = tqdm(total=num_merges, desc="BPE merges", disable=not progress, leave=False)
        for step in range(num_merges):
            pairs = pair_counts(words)
            if given is None and not pairs:
                break  # every chunk is a single symbol: nothing left to merge
            best = given[step] if given is not None else min(pairs, key=lambda p: (-pairs[p], p))
            merged = {}
            for w, n in words.items():
                w = _merge_word(w, best) if best[0] in w else w
                merged[w] = merged.get(w, 0) + n
            words = merged
            merges.append(best)
            counts.append(pairs[best])
            lengths.append(sum(len(w) * n for w, n in words.items()))
            bar.update()
        bar.close()
        return cls(alphabet, tuple(merges), tuple(counts), tuple(lengths), tuple(specials))

    # ---------------------------------------------------------------------- segmenting
    def _k(self, k: int | None) -> int:
        if k is None:
            return len(self.merges)
        if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k <= len(self.merges):
            raise ValueError(f"the number of merges must lie in 0..{len(self.merges)} (the merges learned), got {k!r}")
        return k

    def _check_alphabet(self, text) -> None:
        if not isinstance(text, str):
            raise TypeError(f"BPE segments a string, got {type(text).__name__}")
        known = set(self.alphabet)
        unknown = sorted({ch for ch in text if ch not in known})
        if unknown:
            raise ValueError(f"unknown character(s) {''.join(unknown)!r}: not in the alphabet this BPE learned "
                             f"({len(self.alphabet)} characters: {''.join(self.alphabet)!r})")

    def _segment_chunk(self, chunk: str, k: int) -> tuple[str, ...]:
        key = (chunk, k)
        if key not in self._cache:
            symbols = tuple(chunk)
            while len(symbols) > 1:
                # the earliest-learned merge present; merges made later cannot create an
                # earlier one, so this applies the merges in their learned order
                ranked = [self._ranks.get(p, k) for p in zip(symbols, symbols[1:])]
                best = min(ranked)
                if best >= k:
                    break
                symbols = _merge_word(symbols, self.merges[best])
            self._cache[key] = symbols
        return self._cache[key]

    def tokenize(self, text: str, k: int | None = None) -> list[str]:
        """The tokens of ``text`` after the first ``k`` merges (default: all).

        Raises ``ValueError`` naming any character outside the learned alphabet.
        """
        k = self._k(k)
        self._check_alphabet(text)
        return [s for c in chunks(text) for s in self._segment_chunk(c, k)]

    def vocab(self, k: int | None = None) -> Vocab:
        """The vocabulary after ``k`` merges: specials, the alphabet, then one token per merge.

        Its size is ``len(specials) + len(alphabet) + k``."""
        k = self._k(k)
        if k not in self._vocabs:  # built once per k: encode and decode use it on every call
            merged = [a + b for a, b in self.merges[:k]]
            self._vocabs[k] = Vocab(self.specials + self.alphabet + tuple(merged), self.specials)
        return self._vocabs[k]

    def encode(self, text: str, k: int | None = None) -> list[int]:
        """``text`` -> token ids of :meth:`vocab` ``(k)``."""
        return self.vocab(k).encode(self.tokenize(text, k))

    def decode(self, ids, k: int | None = None) -> str:
        """Token ids -> the text (the tokens joined; specials dropped)."""
        vocab = self.vocab(k)
        return "".join(t for t in vocab.decode(ids, strip=False) if t not in self.specials)

    def mean_length(self, texts: Iterable[str], k: int | None = None) -> float:
        """Mean number of tokens per text after ``k`` merges."""
        texts = _check_texts(texts)
        k = self._k(k)
        freq = Counter(c for t in texts for c in chunks(t))
        for c in freq:
            self._check_alphabet(c)
        return sum(len(self._segment_chunk(c, k)) * n for c, n in freq.items()) / len(texts)

    def pairs_after(self, texts: Iterable[str], k: int) -> Counter:
        """The adjacent-pair counts of ``texts`` segmented by the first ``k`` merges: what
        learning saw before choosing merge ``k + 1`` (its most frequent pair)."""
        texts = _check_texts(texts)
        k = self._k(k)
        freq = Counter(c for t in texts for c in chunks(t))
        for c in freq:
            self._check_alphabet(c)
        words: Counter = Counter()
        for c, n in freq.items():
            words[self._segment_chunk(c, k)] += n
        return pair_counts(words)

def hf_bpe(texts: Iterable[str], vocab_size: int, pre_tokenizer: str = "same", min_frequency: int = 0):
    """The Hugging Face ``tokenizers`` BPE trainer on the same texts (in memory, nothing downloaded).

    Args:
        vocab_size: alphabet plus merges, as in :meth:`BPE.vocab` (no special tokens).
        pre_tokenizer: ``"same"`` cuts the text into the chunks of :func:`chunks`;
            ``"whitespace"`` is the library's ``Whitespace`` pre-tokenizer (``\\w+|[^\\w\\s]+``:
            spaces dropped, punctuation such as the apostrophe split off).
        min_frequency: pairs seen fewer times are never merged.

    Returns:
        a ``tokenizers.Tokenizer``; ``tok.encode(text).tokens`` are its tokens.
    """
    from tokenizers import Regex, Tokenizer as HFTokenizer, models, pre_tokenizers, trainers

    texts = _check_texts(texts)
    if pre_tokenizer not in ("same", "whitespace"):
        raise ValueError(f"pre_tokenizer must be 'same' or 'whitespace', got {pre_tokenizer!r}")
    tok = HFTokenizer(models.BPE())
    tok.pre_tokenizer = (pre_tokenizers.Split(Regex(CHUNKS.pattern), behavior="isolated")
                         if pre_tokenizer == "same" else pre_tokenizers.Whitespace())
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_frequency, show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def hf_merges(tok) -> list[tuple[str, str]]:
    """The merges a ``tokenizers`` BPE learned, in its order, as ``[(a, b), ...]`` like :attr:`BPE.merges`."""
    import json

    merges = json.loads(tok.to_str())["model"]["merges"]
    return [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in merges]  # older versions: "a b"


__all__ = ["BPE", "CHUNKS", "chunks", "hf_bpe", "hf_merges", "pair_counts"]
