"""The book's map: every page of the table of contents, what to read before it, and why
(chapter "A learning path").

:data:`CHAPTERS` is the one record of the dependencies between chapters, in the order of
``_toc.yml``: for each page (its notebook's stem) the title of its first heading and its direct
prerequisites, each with the reason to read it first. Only *direct* prerequisites are listed: a
chapter that is already needed by another prerequisite is not repeated (the map is transitively
reduced), so every listed prerequisite is one arrow of the drawn map and no arrow is implied by
others. ``tests/book/test_book_map.py`` holds this record to the book: every page of ``_toc.yml``
appears exactly once and in the same order, titles equal the notebooks' first headings, the
prerequisites form no cycle and each comes before its dependent in the table of contents.

The record lives here, not in the notebooks, so that the learning-path page also runs where
only the installed package exists (Colab). The drawing is :mod:`transformer_lib.views.learning_path`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Chapter:
    """One page of the book: its notebook's stem, its title, and {prerequisite stem: why}."""

    stem: str
    title: str
    short: str  # the label of its box in the drawn map
    prerequisites: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))


def _chapter(stem: str, title: str, short: str, **prereqs: str) -> Chapter:
    return Chapter(stem, title, short, MappingProxyType(dict(prereqs)))


# In the order of _toc.yml (the root page first). Keyword = a prerequisite's stem, value = why it comes first.
CHAPTERS: tuple[Chapter, ...] = (
    _chapter("intro", "Attention, Hands-On", "Introduction"),
    _chapter("learning_path", "A learning path", "A learning path",
             intro="what the book is and where Transformers came from"),
    _chapter("self_attention", "Self-attention: queries, keys and values", "Self-attention",
             intro="why attention replaced recurrence"),
    _chapter("masking", "Masking: what a token may not look at", "Masking",
             self_attention="a mask blocks some of its scores"),
    _chapter("multi_head_attention", "Multi-head attention", "Multi-head attention",
             self_attention="each head is one scaled dot-product attention"),
    _chapter("positional_encoding", "Positional encoding", "Positional encoding",
             self_attention="attention alone is blind to order"),
    _chapter("tokens", "Tokens", "Tokens", intro="what the book's corpora are"),
    _chapter("embeddings", "Embeddings", "Embeddings", tokens="an embedding looks up a token's id"),
    _chapter("residuals_and_norms", "Residuals, LayerNorm and BatchNorm", "Residuals and norms",
             self_attention="a residual connection and a norm wrap each attention sublayer"),
    _chapter("feed_forward", "The feed-forward block", "Feed-forward block",
             self_attention="attention gathers; the feed-forward block computes with what it gathered"),
    _chapter("encoder_decoder", "Encoder, decoder and cross-attention", "Encoder and decoder",
             masking="the decoder's causal mask and the padding masks",
             multi_head_attention="every attention of the model is multi-head",
             positional_encoding="added to the embeddings at both inputs",
             embeddings="the source and target embeddings, shared with the output layer",
             residuals_and_norms="Add & Norm around every sublayer",
             feed_forward="the second sublayer of every layer"),
    _chapter("training", "Training: from logits to loss", "Training",
             encoder_decoder="the model that is trained"),
    _chapter("decoding", "Decoding: greedy and beam search", "Decoding",
             training="the trained translator whose outputs it searches"),
    _chapter("it_animal", "It → animal: watching a model resolve a pronoun", "It → animal",
             training="the loss and the fit loop behind the pronoun model (an encoder)"),
    _chapter("gpt", "Decoder-only models (GPT)", "Decoder-only (GPT)",
             decoding="generating one token at a time, and sampling"),
    _chapter("families", "One block, three families: BERT, GPT, T5", "Three families",
             gpt="the tiny GPT it fine-tunes"),
    _chapter("attention_cost", "The cost of attention", "Cost of attention",
             masking="its sparse patterns are masks",
             multi_head_attention="the layer whose cost it measures"),
    _chapter("modern_block", "The modern block", "The modern block",
             gpt="the decoder block whose parts it replaces"),
)

BY_STEM = MappingProxyType({c.stem: c for c in CHAPTERS})

# Which chapter teaches each part of the paper's figure 1 (the boxes of
# :func:`transformer_lib.views.architecture.architecture_diagram`); declared once, here.
TEACHES = MappingProxyType({
    "inputs": "tokens",  # the source tokens
    "shifted_outputs": "training",  # the target shifted right: teacher forcing
    "embedding": "embeddings",
    "positional": "positional_encoding",
    "self_attention": "multi_head_attention",  # the encoder's self-attention
    "masked_self_attention": "masking",  # the decoder's self-attention, causal
    "cross_attention": "encoder_decoder",
    "feed_forward": "feed_forward",
    "add_norm": "residuals_and_norms",  # residual connection + LayerNorm (post-norm: Add & Norm)
    "norm": "residuals_and_norms",  # a pre-norm LayerNorm, and a pre-norm stack's final LayerNorm
    "add": "residuals_and_norms",  # a pre-norm residual sum
    "stack": "encoder_decoder",  # N identical layers
    "linear": "encoder_decoder",  # the output projection to the vocabulary's logits
    "softmax": "training",  # logits -> probabilities (applied by the loss and by decoding)
})
MAP_PAGE = "learning_path"  # the page that draws this map


def chapter(stem: str) -> Chapter:
    """The :class:`Chapter` of ``stem`` (a notebook's name without ``.ipynb``), with a clear error."""
    try:
        return BY_STEM[stem]
    except (KeyError, TypeError):
        raise ValueError(f"no chapter {stem!r} in the book; the chapters are: {', '.join(BY_STEM)}") from None


def order() -> list[str]:
    """Every page's stem in the order of the table of contents."""
    return [c.stem for c in CHAPTERS]


def ancestors(stem: str) -> list[str]:
    """Every chapter to read before ``stem`` (direct or not), in the order of the table of contents."""
    seen, todo = set(), list(chapter(stem).prerequisites)
    while todo:
        s = todo.pop()
        if s not in seen:
            seen.add(s)
            todo.extend(chapter(s).prerequisites)
    return [s for s in order() if s in seen]


def reading_path(stem: str) -> list[str]:
    """The shortest reading list that ends with ``stem``: its ancestors, then itself, in book order."""
    return ancestors(stem) + [stem]


def dependents(stem: str) -> list[str]:
    """The chapters that list ``stem`` as a direct prerequisite, in book order."""
    chapter(stem)
    return [c.stem for c in CHAPTERS if stem in c.prerequisites]


def edges() -> list[tuple[str, str, str]]:
    """Every arrow of the map: (read first, then, why), in book order of the dependent."""
    return [(p, c.stem, why) for c in CHAPTERS for p, why in c.prerequisites.items()]


def layers() -> dict[str, int]:
    """Each chapter's depth: 0 for a chapter with no prerequisite, else 1 + its deepest prerequisite's."""
    depth: dict[str, int] = {}
    for c in CHAPTERS:  # book order is a topological order (validate() checks it)
        depth[c.stem] = 1 + max((depth[p] for p in c.prerequisites), default=-1)
    return depth


def problems() -> list[str]:
    """What is wrong with :data:`CHAPTERS` as a map (an empty list when nothing is): unknown or
    repeated chapters, a prerequisite that comes after its dependent (which is also how a cycle
    shows), one that is implied by another (the map is kept transitively reduced)."""
    out, seen = [], set()
    for c in CHAPTERS:
        if c.stem in seen:
            out.append(f"{c.stem!r} appears twice")
        for p in c.prerequisites:
            if p not in BY_STEM:
                out.append(f"{c.stem!r} needs {p!r}, which is not a chapter")
            elif p not in seen:
                out.append(f"{c.stem!r} needs {p!r}, which does not come before it in the book")
        seen.add(c.stem)
    if out:
        return out
    for c in CHAPTERS:
        for p in c.prerequisites:
            via = [q for q in c.prerequisites if q != p and p in ancestors(q)]
            if via:
                out.append(f"{c.stem!r} lists {p!r}, already needed by {via[0]!r}: drop it (the map is reduced)")
    return out


def has_cycle(prereqs: dict[str, list[str]]) -> list[str] | None:
    """A cycle in a {node: [prerequisites]} graph (as a list of nodes, first = last), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(n, path):
        state[n] = 1
        for p in prereqs.get(n, ()):
            if state.get(p) == 1:
                return path[path.index(p):] + [p] if p in path else [n, p, n]
            if state.get(p) is None:
                found = visit(p, path + [p])
                if found:
                    return found
        state[n] = 2
        return None

    for n in prereqs:
        if n not in state:
            found = visit(n, [n])
            if found:
                return found
    return None


def page(stem: str, base: str = "") -> str:
    """The address of a chapter's HTML page. Every page lives in ``chapters/``, so from one page
    the others are ``<stem>.html``; ``base`` (e.g. the published site's ``.../chapters/``) prefixes it."""
    chapter(stem)
    return f"{base}{stem}.html"


__all__ = ["CHAPTERS", "Chapter", "MAP_PAGE", "TEACHES", "ancestors", "chapter", "dependents", "edges", "has_cycle",
           "layers", "order", "page", "problems", "reading_path"]
