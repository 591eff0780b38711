"""What every chapter's exercises module owes its readers, checked once for all of them: at least
three questions of both kinds (the learning path may ask choices only), feedback on every answer,
one right option per multiple-choice question, a numeric answer range around a finite number; and
checks that answer a broken function, a stub, None or a non-function with a message, never an
exception. (Each module's own tests hold its numbers and its wrong answers.)"""

from __future__ import annotations

import importlib
import math
import pkgutil

import pytest

import transformer_lib.exercises as exercises
from transformer_lib.exercises import Verdict

MODULES = [m.name for m in pkgutil.iter_modules(exercises.__path__)]
CHOICE_ONLY = {"learning_path"}


def _checks(name):
    mod = importlib.import_module(f"transformer_lib.exercises.{name}")
    return [(n, f) for n, f in vars(mod).items() if n.startswith("check_") and callable(f)]


@pytest.mark.parametrize("name", MODULES)
def test_questions_are_well_formed(name):
    mod = importlib.import_module(f"transformer_lib.exercises.{name}")
    qs = mod.questions()
    assert len(qs) >= 3
    kinds = {q["type"] for q in qs}
    assert kinds & {"multiple_choice", "many_choice"}
    if name not in CHOICE_ONLY:
        assert "numeric" in kinds, f"{name}: no numeric question (answers computed by the library)"
    for q in qs:
        assert q["question"].strip()
        answers = [a for a in q["answers"] if a.get("type") != "default"]
        assert all(a.get("feedback", "").strip() for a in answers), q["question"]
        if q["type"] == "multiple_choice":
            assert sum(a["correct"] for a in answers) == 1, q["question"]
        if q["type"] == "numeric":
            lo, hi = answers[0]["range"]
            assert answers[0]["correct"] and math.isfinite(lo) and math.isfinite(hi) and lo < hi


def _raises(*args, **kwargs):
    raise RuntimeError("boom")


def _stub(*args, **kwargs):
    raise NotImplementedError


def _none(*args, **kwargs):
    return None


@pytest.mark.weights  # decoding's check runs the shipped translator
@pytest.mark.parametrize("name", [m for m in MODULES if _checks(m)])
def test_checks_answer_broken_functions_with_a_message(name):
    for check_name, check in _checks(name):
        for fn, says in [(_raises, "RuntimeError"), (_stub, "not written yet"), (_none, "None"), (42, "function")]:
            v = check(fn)
            assert isinstance(v, Verdict) and not v.ok, (check_name, fn)
            assert v.message.startswith("Not yet") and says in v.message, (check_name, v.message)
