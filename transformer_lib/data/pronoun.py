"""A synthetic Winograd-style corpus for pronoun resolution (chapter "It -> animal").

Every sentence has the shape of the famous example::

    [prefix] the AGENT <frame> the OBJECT <connective> it <copula> <adjective> .

"The animal didn't cross the street because it was too tired" -- *it* is the animal;
"... because it was too wide" -- *it* is the street. The referent is decided by the
adjective's class and by the **role** each noun plays in the frame: an agent adjective
(tired, scared, ...) picks the noun doing the crossing, an object adjective (wide,
deep, ...) the thing being crossed. Passive frames ("the street was not crossed by the
animal") put the object first, so the position of a noun alone cannot answer.

The decisive ingredient is ``random_nouns``: in that fraction of the sentences both slots
take nouns drawn from *both* lists ("the river didn't cross the dog because it was too
tired" -> river). Without it the model can answer by animacy ("tired" -> whichever noun is
an animal) and never needs to read the roles.

Everything is deterministic from a seed. :func:`make_split` holds out noun pairs,
(noun, adjective) combinations and whole frames; training sentences contain none of
them (a held-out noun and its held-out adjective never meet in one training sentence)
and held-out sentences contain all three at once, the noun being the referent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Iterable, Sequence

from transformer_lib.data.vocab import PAD, Tokenizer

AGENTS = ("animal", "dog", "horse", "cat", "child", "boy", "girl", "man", "woman", "fox", "deer", "goat",
          "rabbit", "sheep")
OBJECTS = ("street", "river", "road", "fence", "hill", "bridge", "wall", "lake", "field", "stream", "canyon",
           "ditch", "mountain", "valley")
AGENT_ADJECTIVES = ("tired", "scared", "weak", "sleepy", "lazy", "nervous", "exhausted", "hungry", "frightened",
                    "afraid")
OBJECT_ADJECTIVES = ("wide", "deep", "steep", "busy", "high", "long", "icy", "muddy", "slippery", "crowded")
NOUNS = AGENTS + OBJECTS
ADJECTIVES = AGENT_ADJECTIVES + OBJECT_ADJECTIVES

# {a} is the agent slot (the one who acts), {o} the object slot (the thing acted on).
# Passive frames name the object first.
FRAMES = (
    "the {a} didn't cross the {o}",
    "the {a} did not cross the {o}",
    "the {a} didn't climb the {o}",
    "the {a} didn't enter the {o}",
    "the {a} couldn't cross the {o}",
    "the {a} couldn't climb the {o}",
    "the {a} did not climb the {o}",
    "the {a} refused to cross the {o}",
    "the {a} refused to climb the {o}",
    "the {a} refused to enter the {o}",
    "the {a} would not enter the {o}",
    "the {a} avoided the {o}",
    "the {o} was not crossed by the {a}",
    "the {o} was never crossed by the {a}",
    "the {o} was not climbed by the {a}",
    "the {o} was never entered by the {a}",
    "the {o} was avoided by the {a}",
    "the {o} could not be crossed by the {a}",
    "the {o} could not be climbed by the {a}",
)
CONNECTIVES = ("because", "since", "as")
COPULAS = ("was too", "seemed too", "was far too", "was much too")
PREFIXES = ("", "yesterday ,", "that morning ,", "in the end ,")

# The classic pair stays out of training entirely: its frame, its noun pair and its two
# (referent, adjective) combinations are always held out, so the chapter's first picture
# is a sentence the model has never seen.
CLASSIC_FRAME = 0
CLASSIC_PAIR = ("animal", "street")
CLASSIC_ADJECTIVES = ("tired", "wide")

IT = "it"
SPECIALS = (PAD,)  # <pad> = id 0; the model's vocabulary is Vocab(vocabulary(), SPECIALS, TOKENIZER)
# Lower-case words (with their apostrophe: "didn't") and the marks "," and "."; anything else is dropped.
TOKENIZER = Tokenizer(r"[a-z']+|[.,]", name="English words and , .")


def is_passive(frame: int) -> bool:
    """True when ``FRAMES[frame]`` names the object before the agent."""
    f = FRAMES[frame]
    return f.index("{o}") < f.index("{a}")


@dataclass(frozen=True)
class Example:
    """One sentence with its answer.

    ``agent`` and ``object`` are the nouns in the two roles (either may be from either list
    in a random-noun sentence); ``referent`` is the one "it" refers to.
    """

    tokens: tuple[str, ...]
    agent: str
    object: str
    adjective: str
    frame: int
    connective: str = "because"
    copula: str = "was too"
    prefix: str = ""

    def with_(self, **changes) -> "Example":
        """The same sentence with some parts changed, e.g. ``ex.with_(adjective="wide")``."""
        parts = dict(agent=self.agent, object=self.object, adjective=self.adjective, frame=self.frame,
                     connective=self.connective, copula=self.copula, prefix=self.prefix)
        return sentence(**{**parts, **changes})

    @property
    def referent(self) -> str:
        return self.agent if self.adjective in AGENT_ADJECTIVES else self.object

    @property
    def other(self) -> str:
        return self.object if self.adjective in AGENT_ADJECTIVES else self.agent

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    @property
    def it_index(self) -> int:
        return self.tokens.index(IT)

    def noun_index(self, noun: str) -> int:
        """Position of ``noun`` in the sentence (the two nouns are always distinct)."""
        return self.tokens.index(noun)


def sentence(agent: str, object: str, adjective: str, frame: int = CLASSIC_FRAME, connective: str = "because",
             copula: str = "was too", prefix: str = "") -> Example:
    """Build one sentence; ``sentence("animal", "street", "tired")`` is the classic one."""
    for name, value, allowed in (("agent", agent, NOUNS), ("object", object, NOUNS), ("adjective", adjective, ADJECTIVES),
                                 ("connective", connective, CONNECTIVES), ("copula", copula, COPULAS),
                                 ("prefix", prefix, PREFIXES)):
        if value not in allowed:
            raise ValueError(f"unknown {name} {value!r}; choose one of: {', '.join(repr(a) for a in allowed)}")
    if agent == object:
        raise ValueError(f"the two nouns must differ, got {agent!r} twice")
    if not 0 <= frame < len(FRAMES):
        raise ValueError(f"frame must lie in 0..{len(FRAMES) - 1}, got {frame}")
    body = FRAMES[frame].format(a=agent, o=object)
    text = f"{prefix} {body} {connective} it {copula} {adjective} ."
    return Example(tuple(TOKENIZER(text)), agent, object, adjective, frame, connective, copula, prefix)


@dataclass(frozen=True)
class Split:
    """What the held-out set keeps back from training."""

    pairs: frozenset  # frozensets {noun, noun}: never in one training sentence together
    combos: frozenset  # (noun, adjective): never in one training sentence together
    frames: frozenset  # frame indices never used in training

    def is_train(self, ex: Example) -> bool:
        # A held-out (noun, adjective) combination is kept out of training with the noun in
        # *either* role. Keeping out only "noun is the referent" would leave the sentences
        # where the noun is the *other* one (a fifth of the corpus), and they teach the
        # shortcut "with this adjective, never this noun" -- wrong on every held-out test.
        return (frozenset((ex.agent, ex.object)) not in self.pairs and (ex.agent, ex.adjective) not in self.combos
                and (ex.object, ex.adjective) not in self.combos and ex.frame not in self.frames)

    def is_heldout(self, ex: Example) -> bool:
        return (frozenset((ex.agent, ex.object)) in self.pairs and (ex.referent, ex.adjective) in self.combos
                and ex.frame in self.frames)


def make_split(seed: int = 0, pair_fraction: float = 0.15, combos_per_class: int = 2, n_frames: int = 4) -> Split:
    """Choose the held-out noun pairs, (noun, adjective) combinations and frames.

    Args:
        pair_fraction: share of the unordered noun pairs held out.
        combos_per_class: per noun, how many agent adjectives and how many object
            adjectives it never meets in a training sentence.
        n_frames: frames held out, half active and half passive, the classic frame among them.
    """
    rng = random.Random(f"split-{seed}")
    all_pairs = [frozenset((a, b)) for i, a in enumerate(NOUNS) for b in NOUNS[i + 1:]]
    pairs = set(rng.sample(all_pairs, round(pair_fraction * len(all_pairs))))
    pairs.add(frozenset(CLASSIC_PAIR))
    combos = set()
    for noun in NOUNS:
        for adjs in (AGENT_ADJECTIVES, OBJECT_ADJECTIVES):
            combos.update((noun, a) for a in rng.sample(adjs, combos_per_class))
    combos.update({(CLASSIC_PAIR[0], CLASSIC_ADJECTIVES[0]), (CLASSIC_PAIR[1], CLASSIC_ADJECTIVES[1])})
    active = [i for i in range(len(FRAMES)) if not is_passive(i) and i != CLASSIC_FRAME]
    passive = [i for i in range(len(FRAMES)) if is_passive(i)]
    for _ in range(1000):  # redraw until every held-out frame is made of words training has seen
        frames = {CLASSIC_FRAME, *rng.sample(active, n_frames // 2 - 1), *rng.sample(passive, n_frames - n_frames // 2)}
        if not _unseen_words(frames):
            return Split(frozenset(pairs), frozenset(combos), frozenset(frames))
    raise ValueError(f"cannot hold out {n_frames} frames whose words all appear in the training frames")


def _unseen_words(frames: set[int]) -> set[str]:
    """Words of the held-out ``frames`` that no training frame contains (must be none:
    a held-out frame is a new *combination* of known words)."""
    seen = {w for i, f in enumerate(FRAMES) if i not in frames for w in TOKENIZER(f.format(a="", o=""))}
    return {w for i in frames for w in TOKENIZER(FRAMES[i].format(a="", o=""))} - seen


def _draw(rng: random.Random, random_nouns: float) -> Example:
    if rng.random() < random_nouns:
        agent, obj = rng.sample(NOUNS, 2)
    else:
        agent, obj = rng.choice(AGENTS), rng.choice(OBJECTS)
    return sentence(agent, obj, rng.choice(ADJECTIVES), rng.randrange(len(FRAMES)), rng.choice(CONNECTIVES),
                    rng.choice(COPULAS), rng.choice(PREFIXES))


def sample_sentences(n: int, split: Split, seed: int, part: str = "train", random_nouns: float = 0.5) -> list[Example]:
    """``n`` sentences from ``part`` ("train" or "heldout"), deterministic from ``seed``.

    ``random_nouns`` is the fraction of sentences whose two slots take nouns from both
    lists; 0 gives the animacy-only corpus (agents always animals, objects always places).
    """
    if part not in ("train", "heldout"):
        raise ValueError(f"part must be 'train' or 'heldout', got {part!r}")
    if not 0.0 <= random_nouns <= 1.0:
        raise ValueError(f"random_nouns must lie in [0, 1], got {random_nouns}")
    keep = split.is_train if part == "train" else split.is_heldout
    rng = random.Random(f"{part}-{seed}-{random_nouns}")
    out: list[Example] = []
    while len(out) < n:
        if part == "train":
            ex = _draw(rng, random_nouns)
        else:  # build held-out sentences directly: rejection would be slow
            ex = _draw_heldout(rng, split, random_nouns)
        if ex is not None and keep(ex):
            out.append(ex)
    return out


def _draw_heldout(rng: random.Random, split: Split, random_nouns: float) -> Example | None:
    pairs = sorted(tuple(sorted(p)) for p in split.pairs)
    natural = [p for p in pairs if (p[0] in AGENTS) != (p[1] in AGENTS)]
    is_random = rng.random() < random_nouns
    a, b = rng.choice(pairs if is_random else natural)
    agent, obj = (a, b) if rng.random() < 0.5 else (b, a)
    if not is_random and agent in OBJECTS:  # a natural sentence: the animal acts
        agent, obj = obj, agent
    adjs = AGENT_ADJECTIVES if rng.random() < 0.5 else OBJECT_ADJECTIVES
    referent = agent if adjs is AGENT_ADJECTIVES else obj
    options = [x for x in adjs if (referent, x) in split.combos]
    if not options:
        return None
    return sentence(agent, obj, rng.choice(options), rng.choice(sorted(split.frames)), rng.choice(CONNECTIVES),
                    rng.choice(COPULAS), rng.choice(PREFIXES))


def minimal_pairs(n: int, split: Split, seed: int, random_nouns: float = 0.5) -> list[tuple[Example, Example]]:
    """``n`` held-out pairs of sentences identical but for the adjective, one of each class.

    In the first sentence "it" is the agent, in the second the object; both (referent,
    adjective) combinations are held out.
    """
    rng = random.Random(f"pairs-{seed}-{random_nouns}")
    out = []
    while len(out) < n:
        ex = _draw_heldout(rng, split, random_nouns)
        if ex is None:
            continue
        ags = [x for x in AGENT_ADJECTIVES if (ex.agent, x) in split.combos]
        obs = [x for x in OBJECT_ADJECTIVES if (ex.object, x) in split.combos]
        if not ags or not obs:
            continue
        out.append((ex.with_(adjective=rng.choice(ags)), ex.with_(adjective=rng.choice(obs))))
    return out


def vocabulary() -> list[str]:
    """Every token the corpus can produce, ``<pad>`` first (id 0), in a fixed order (the order
    the shipped model's ids follow: not sorted, so it is listed here and not rebuilt)."""
    words: list[str] = [PAD]
    texts: Iterable[str] = (*FRAMES, *CONNECTIVES, *COPULAS, *PREFIXES, IT, ".", *NOUNS, *ADJECTIVES)
    for t in texts:
        for w in TOKENIZER(t.format(a="", o="") if "{" in t else t):
            if w not in words:
                words.append(w)
    return words


def swap_roles(examples: Sequence[Example]) -> list[Example]:
    """The same sentences with the two nouns exchanged (the street now does the crossing)."""
    return [ex.with_(agent=ex.object, object=ex.agent) for ex in examples]


# ------------------------------------------------------------------ words in another role
# A reader may type a word the model knows in a place it never saw it: "far" exists only in the
# copula "was far too", never as the adjective after "too". The model still answers, often with
# high probability, because nothing in it says "I have not seen this": these notes say it instead.
# The in-page runtime (transformer_lib/web) mirrors role_notes with the table role_contexts().

def role_contexts() -> dict[str, str]:
    """Where each word of the vocabulary stood in training, as a phrase for the reader:
    ``{"animal": "as a noun", "tired": "as the adjective after “too”", "far": "in “was far too”", ...}``.
    Words of the fixed phrases (frames, connectives, copulas, prefixes) name up to two phrases."""
    out = {}
    for w in vocabulary()[1:]:
        if w in NOUNS:
            out[w] = "as a noun"
        elif w in ADJECTIVES:
            out[w] = "as the adjective after “too”"
        else:
            phrases = [p.replace("{a}", "…").replace("{o}", "…") for p in (*COPULAS, *CONNECTIVES, *PREFIXES, *FRAMES, IT, ".")
                       if w in TOKENIZER(p.format(a="", o="") if "{" in p else p)]
            out[w] = "in " + " and ".join(f"“{p}”" for p in phrases[:2]) + (" (and more)" if len(phrases) > 2 else "")
    return out


def role_notes(tokens: Sequence[str]) -> list[str]:
    """One note per known word that ``tokens`` put in a role the model never saw it in.

    Two slots are checked, those the answer depends on: the word after "too" (following "it")
    must be an adjective, and a word after "the" a noun. Unknown words are not noted here (the
    vocabulary check reports them).
    """
    seen = role_contexts()
    notes = []
    it = list(tokens).index(IT) if IT in tokens else -1
    for i, w in enumerate(tokens):
        if w not in seen:
            continue
        if i > it >= 0 and i > 0 and tokens[i - 1] == "too" and w not in ADJECTIVES:
            slot = "the adjective"
        elif i > 0 and tokens[i - 1] == "the" and w not in NOUNS:
            slot = "a noun"
        else:
            continue
        notes.append(f"“{w}” stands here as {slot}, but the model saw it only {seen[w]}: it never learned what "
                     f"“{w}” means there, so this answer is a guess, however confident.")
    return notes
