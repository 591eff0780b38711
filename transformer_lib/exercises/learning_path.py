"""Self-check of chapter "A learning path" (``chapters/learning_path.ipynb``).

Every answer is computed when the cell runs: the reading questions from the book's map
(:mod:`transformer_lib.book_map`), the figure questions from the module tree of the paper's base
model (:func:`transformer_lib.views.architecture.diagram_boxes`), built on PyTorch's ``meta``
device so that no weights are allocated. The page is a reading guide, so it has no coding exercise.
"""

from __future__ import annotations

import functools

from transformer_lib import book_map, quiz

TARGET = "attention_cost"  # the chapter whose direct prerequisites question 1 asks for
FAR = "modern_block"  # the chapter whose reading path question 2 counts


@functools.lru_cache(maxsize=1)
def base_model():
    """The paper's base Transformer (``TransformerConfig()``: N = 6, d_model = 512) on the ``meta``
    device: its module tree, without allocating its weights. Built once (the first build pays for PyTorch's
    meta-tensor machinery); the module tree is only read, never trained."""
    import torch

    from transformer_lib.nn import Transformer, TransformerConfig

    with torch.device("meta"):
        return Transformer(TransformerConfig())


def _title(stem: str) -> str:
    return book_map.chapter(stem).title


def _direct_prerequisites_question() -> dict:
    target = book_map.chapter(TARGET)
    direct = list(target.prerequisites)
    ancestors = book_map.ancestors(TARGET)
    indirect = [s for s in ancestors if s not in direct]
    unrelated = [s for s in book_map.order() if s not in ancestors and s != TARGET
                 and TARGET not in book_map.ancestors(s) and s != book_map.MAP_PAGE]
    options = [(_title(s), True, f"“{target.title}” builds on it directly: {why}.") for s, why in target.prerequisites.items()]
    if indirect:
        s = indirect[-1]
        via = next(d for d in direct if s in book_map.ancestors(d))
        options.append((_title(s), False, f"You need it, but through “{_title(via)}”, which builds on it: "
                                          "it is an earlier step, not a direct prerequisite."))
    if unrelated:
        s = unrelated[-1]
        options.append((_title(s), False, f"“{target.title}” does not build on it; it is on another branch of the map."))
    return quiz.choice(f"Which chapters does “{target.title}” build on directly (its arrows in the map)? "
                       "Pick all that apply.", options)


def _path_length_question() -> dict:
    path = book_map.reading_path(FAR)
    skipped = [s for s in book_map.order() if s not in path]
    return quiz.numeric(
        f"You want to reach “{_title(FAR)}” without skipping anything it builds on. How many pages do you "
        "read, counting the introduction and that chapter itself?", len(path), tol=0.1,
        why=f"its reading path is {' → '.join(book_map.chapter(s).short for s in path)} ({len(path)} pages); "
            f"the other {len(skipped)} ({', '.join(book_map.chapter(s).short for s in skipped)}) can wait.",
        too_low="Follow every arrow back from the chapter, not only the last one.",
        too_high="Count only the chapters you reach by following arrows backwards, not the whole book.")


def _attention_count_question() -> dict:
    from transformer_lib.views.architecture import architecture

    arch = architecture(base_model())
    per_side = {s: sum(k.endswith("attention") for k, _ in st.sublayers) * st.n_layers for s, st in arch.stacks.items()}
    total = sum(per_side.values())
    n_enc, n_dec = arch.stacks["encoder"].n_layers, arch.stacks["decoder"].n_layers
    return quiz.numeric(
        "The paper's base model has N = 6 layers in each stack. How many multi-head attention blocks does it hold "
        "in all (each with its own W_Q, W_K, W_V, W_O)?", total, tol=0.1,
        why=f"{n_enc} encoder layers × 1 self-attention + {n_dec} decoder layers × 2 (masked self-attention and "
            f"cross-attention) = {total}, counted in the model's module tree.",
        too_low="Each decoder layer has two attentions: its own (masked) one and the cross-attention.",
        too_high="An encoder layer has one attention; a decoder layer two.")


def _not_a_module_question() -> dict:
    from transformer_lib.views.architecture import LABELS, diagram_boxes

    boxes = diagram_boxes(base_model())
    modules = {b["kind"]: b["module"] for b in boxes}
    options = []
    for kind, label in (("softmax", "Softmax"), ("positional", "Positional Encoding"),
                        ("add_norm", "Add & Norm"), ("linear", "Linear")):
        m = modules.get(kind, "absent")
        if m is None:
            options.append((label, True, "forward() returns logits; the loss (chapter “Training”) and decoding apply "
                                         "the softmax, so the figure draws it dashed."))
        else:
            options.append((label, False, f"it is the module `{m}` of the tree."))
    return quiz.choice("Which box of figure 1 is not a module in the library's Transformer?", options)


def questions() -> list[dict]:
    """The chapter's self-check questions, answers computed now."""
    return quiz.questions(_direct_prerequisites_question(), _path_length_question(), _attention_count_question(),
                          _not_a_module_question())


def self_check() -> None:
    """Show the questions (works on the static page, in Jupyter and in Colab)."""
    quiz.show(*questions())


__all__ = ["TARGET", "FAR", "base_model", "questions", "self_check"]
