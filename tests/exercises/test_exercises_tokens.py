"""Chapter "Tokens": its questions are well formed and right, and its check accepts a right
answer and names what is wrong in plausible wrong ones."""

from __future__ import annotations

from collections import Counter

import pytest

from transformer_lib.exercises import tokens as ex


def _numeric_answer(q):
    lo, hi = q["answers"][0]["range"]
    return (lo + hi) / 2


def test_numeric_answers_match_an_independent_recomputation():
    words = [w if i == 0 else " " + w for t in ex.TOY_CORPUS for i, w in enumerate(t.split(" "))]
    pairs = Counter(p for w in words for p in zip(w, w[1:]))
    top, vocab = [_numeric_answer(q) for q in ex.questions() if q["type"] == "numeric"]
    assert top == pytest.approx(max(pairs.values()), abs=1e-9)
    assert vocab == pytest.approx(len(set("".join(ex.TOY_CORPUS))) + 3, abs=1e-9)


def _right(symbols, pair):
    out, i = [], 0
    while i < len(symbols):
        if symbols[i:i + 2] == list(pair):
            out.append(pair[0] + pair[1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def _first_only(symbols, pair):  # stops after the first occurrence
    for i in range(len(symbols) - 1):
        if (symbols[i], symbols[i + 1]) == tuple(pair):
            return symbols[:i] + [pair[0] + pair[1]] + symbols[i + 2:]
    return symbols


def _string_replace(symbols, pair):  # joins and splits again: loses the symbol boundaries
    return list("".join(symbols).replace(pair[0] + pair[1], "\0")).copy()


def test_check_merge_pair():
    v = ex.check_merge_pair(_right)
    assert v.ok and v.message.startswith("Correct")
    first = ex.check_merge_pair(_first_only)
    assert not first.ok and "expected" in first.message
    joined = ex.check_merge_pair(_string_replace)
    assert not joined.ok and "expected" in joined.message


def test_numeric_feedback_says_which_side_before_the_hint():
    for q in (q for q in ex.questions() if q["type"] == "numeric"):
        low, high = q["answers"][1]["feedback"], q["answers"][2]["feedback"]
        assert low.startswith("Too small.") and high.startswith("Too large."), (low, high)
