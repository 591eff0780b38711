"""The one tokenizer API and the one vocabulary of the book's corpora.

A :class:`Tokenizer` turns text into tokens by one regular expression (after lower-casing and
normalising the apostrophe); every corpus in :mod:`transformer_lib.data` defines its own
``TOKENIZER`` with it. A :class:`Vocab` maps tokens to ids and back: its special tokens (if
any) come first, then the words in a fixed order (sorted, or most frequent first), so the ids
are the same on every machine. ``encode`` accepts a string (tokenized by the vocabulary's
tokenizer) or a list of tokens.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"


@dataclass(frozen=True)
class Tokenizer:
    """Text -> tokens: the matches of ``pattern`` in the (lower-cased) text, left to right.

    Anything the pattern does not match (spaces, other punctuation) is dropped.
    """

    pattern: str  # one regular expression; each match is a token
    lower: bool = True  # lower-case the text first
    name: str = ""  # what the rule is for, shown in messages

    def __post_init__(self):
        object.__setattr__(self, "_regex", re.compile(self.pattern))

    def __call__(self, text: str) -> list[str]:
        if not isinstance(text, str):
            raise TypeError(f"a tokenizer reads a string, got {type(text).__name__}")
        text = text.replace("’", "'")  # the typographic apostrophe is the plain one
        return self._regex.findall(text.lower() if self.lower else text)


WHITESPACE = Tokenizer(r"\S+", lower=False, name="whitespace")  # tokens are the space-separated words


@dataclass(frozen=True)
class Vocab:
    """Tokens <-> ids. ``tokens[i]`` has id ``i``; ``specials`` are the first tokens.

    Args:
        tokens: every token, the specials first.
        specials: e.g. ``("<pad>", "<bos>", "<eos>", "<unk>")`` (ids 0..3), or ``()``.
        tokenizer: how :meth:`encode` splits a string.

    An unknown word becomes ``<unk>`` if the vocabulary has one; otherwise ``encode`` raises
    a ``ValueError`` naming it.
    """

    tokens: tuple[str, ...]
    specials: tuple[str, ...] = ()
    tokenizer: Tokenizer = field(default=WHITESPACE, compare=False)
    index: dict = field(init=False, repr=False, compare=False)  # token -> id

    def __post_init__(self):
        object.__setattr__(self, "tokens", tuple(self.tokens))
        object.__setattr__(self, "specials", tuple(self.specials))
        if self.tokens[:len(self.specials)] != self.specials:
            raise ValueError(f"a vocabulary must start with its specials {self.specials}, "
                             f"got {self.tokens[:len(self.specials)]}")
        index = {t: i for i, t in enumerate(self.tokens)}
        if len(index) != len(self.tokens):
            dup = [t for t, n in Counter(self.tokens).items() if n > 1]
            raise ValueError(f"a vocabulary lists each token once; repeated: {dup[:5]}")
        object.__setattr__(self, "index", index)

    @classmethod
    def build(cls, texts: Iterable[str | Sequence[str]], specials: Sequence[str] = (), order: str = "sorted",
              tokenizer: Tokenizer = WHITESPACE) -> "Vocab":
        """The vocabulary of ``texts`` (strings, tokenized by ``tokenizer``, or token lists).

        Args:
            order: ``"sorted"`` (alphabetical) or ``"frequency"`` (most frequent first, ties
                alphabetical). Either way the ids do not depend on the machine.
        """
        if order not in ("sorted", "frequency"):
            raise ValueError(f"order must be 'sorted' or 'frequency', got {order!r}")
        counts = Counter(w for t in texts for w in (tokenizer(t) if isinstance(t, str) else t))
        for s in specials:
            counts.pop(s, None)
        words = sorted(counts) if order == "sorted" else sorted(counts, key=lambda w: (-counts[w], w))
        return cls(tuple(specials) + tuple(words), tuple(specials), tokenizer)

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token) -> bool:
        return token in self.index

    def _special_id(self, token: str) -> int:
        if token not in self.specials:
            raise ValueError(f"this vocabulary has no {token}; its specials are {self.specials or 'none'}")
        return self.index[token]

    pad_id = property(lambda self: self._special_id(PAD), doc="the id of ``<pad>``")
    bos_id = property(lambda self: self._special_id(BOS), doc="the id of ``<bos>``")
    eos_id = property(lambda self: self._special_id(EOS), doc="the id of ``<eos>``")
    unk_id = property(lambda self: self._special_id(UNK), doc="the id of ``<unk>``")

    def _tokens(self, text: str | Sequence[str]) -> list[str]:
        return self.tokenizer(text) if isinstance(text, str) else [str(t) for t in text]

    def unknown(self, text: str | Sequence[str]) -> list[str]:
        """The tokens of ``text`` that are not in the vocabulary."""
        return [w for w in self._tokens(text) if w not in self.index]

    def encode(self, text: str | Sequence[str], bos: bool = False, eos: bool = False) -> list[int]:
        """A string or a token list -> ids, optionally between ``<bos>`` and ``<eos>``."""
        toks = self._tokens(text)
        if UNK in self.specials:
            ids = [self.index.get(w, self.unk_id) for w in toks]
        else:
            missing = [w for w in toks if w not in self.index]
            if missing:
                raise ValueError(f"{missing[0]!r} is not in the vocabulary of {len(self)} tokens "
                                 f"(e.g. {', '.join(self.tokens[len(self.specials):len(self.specials) + 8])})")
            ids = [self.index[w] for w in toks]
        return ([self.bos_id] if bos else []) + ids + ([self.eos_id] if eos else [])

    def decode(self, ids, strip: bool = True) -> list[str]:
        """Ids -> tokens; with ``strip``, stop at ``<eos>`` and drop ``<bos>`` and ``<pad>``."""
        skip = {self.index[s] for s in (PAD, BOS) if s in self.specials}
        stop = self.index[EOS] if EOS in self.specials else None
        out = []
        for i in (int(i) for i in ids):
            if strip and i == stop:
                break
            if strip and i in skip:
                continue
            if not 0 <= i < len(self.tokens):
                raise ValueError(f"id {i} is outside the vocabulary of {len(self)} tokens")
            out.append(self.tokens[i])
        return out


# ------------------------------------------------------------ the reader's unknown words
# One message for a word a model does not know, the same in a kernel and on the page (the
# in-page runtime, transformer_lib/web/runtime.js, mirrors these three functions exactly).

def edit_distance(a: str, b: str) -> int:
    """The fewest single-character insertions, deletions, substitutions and swaps of two
    neighbours that turn ``a`` into ``b`` (Damerau-Levenshtein, optimal string alignment):
    a typo such as "dgo" is one step from "dog"."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def nearest_words(word: str, vocab: Vocab, n: int = 3) -> list[str]:
    """The ``n`` words of ``vocab`` closest to ``word`` by :func:`edit_distance` (ties: vocabulary
    order); special tokens and tokens without a letter (punctuation) are never proposed."""
    words = [t for t in vocab.tokens if t not in vocab.specials and any(c.isalpha() for c in t)]
    return sorted(words, key=lambda t: edit_distance(word, t))[:n]  # sorted is stable: ties keep vocabulary order


def not_in_vocabulary(unknown: Sequence[str], vocab: Vocab, n: int = 3) -> str:
    """The reader's message for unknown words, e.g. ``“motorway” is not in this model's vocabulary;
    nearest known words (by spelling): …``; one sentence per distinct word, in order of appearance."""
    return " ".join(f"“{w}” is not in this model's vocabulary; nearest known words (by spelling): "
                    f"{', '.join(nearest_words(w, vocab, n))}." for w in dict.fromkeys(unknown))
