"""The self-check of chapter "A learning path": well-formed questions whose answers equal an
independent recomputation from the book's map and the base model's module tree."""

from __future__ import annotations

import torch

from transformer_lib import book_map
from transformer_lib.exercises import learning_path as ex
from transformer_lib.nn import MultiHeadAttention


def _correct(q):
    if q["type"] == "numeric":
        lo, hi = next(a["range"] for a in q["answers"] if a.get("correct"))
        return (lo + hi) / 2
    return {a["answer"] for a in q["answers"] if a["correct"]}


def test_direct_prerequisites_match_the_map():
    q = ex.questions()[0]
    want = {book_map.chapter(s).title for s in book_map.chapter(ex.TARGET).prerequisites}
    assert _correct(q) == want
    wrong = [a for a in q["answers"] if not a["correct"]]
    assert len(wrong) >= 2  # one needed only indirectly, one on another branch


def test_reading_path_length_is_recomputed_by_a_walk_of_the_arrows():
    prereqs = {c.stem: set(c.prerequisites) for c in book_map.CHAPTERS}
    seen, todo = {ex.FAR}, [ex.FAR]
    while todo:
        for p in prereqs[todo.pop()]:
            if p not in seen:
                seen.add(p)
                todo.append(p)
    assert abs(_correct(ex.questions()[1]) - len(seen)) < 1e-9


def test_attention_count_is_the_number_of_attention_modules_in_the_base_model():
    n = sum(isinstance(m, MultiHeadAttention) for m in ex.base_model().modules())
    assert n == 18  # 6 encoder self-attentions + 6 decoder self-attentions + 6 cross-attentions
    assert abs(_correct(ex.questions()[2]) - n) < 1e-9


def test_the_box_that_is_not_a_module_is_the_softmax():
    q = ex.questions()[3]
    assert _correct(q) == {"Softmax"}
    modules = dict(ex.base_model().named_modules())
    for a in q["answers"]:
        if not a["correct"]:
            name = a["feedback"].split("<code>")[1].split("</code>")[0]
            assert name.replace("_layers[i]", "_layers.0") in modules, name


def test_self_check_displays(monkeypatch):
    shown = []
    monkeypatch.setattr("transformer_lib.quiz.show", lambda *qs: shown.extend(qs))
    ex.self_check()
    assert len(shown) == len(ex.questions())
    assert torch.device("meta") == next(ex.base_model().parameters()).device
