"""The self-check question builders: well-formed jupyterquiz questions, escaped text, feedback
on every option, numeric answers accepted within the tolerance and no further."""

from __future__ import annotations

import pytest

from transformer_lib import quiz


def _accepts(q, x):
    """Which answer entry jupyterquiz's numeric.js picks for the reader's number x (the first
    range that holds it, ranges half-open [lo, hi))."""
    for a in q["answers"]:
        if "range" in a and a["range"][0] <= x < a["range"][1]:
            return a
    return None


def test_choice_marks_one_right_answer_and_explains_every_option():
    q = quiz.choice("Which is right?", [("this", True, "because."), ("that", False, "because not.")])
    assert q["type"] == "multiple_choice"
    assert [a["correct"] for a in q["answers"]] == [True, False]
    assert q["answers"][0]["feedback"].startswith("Correct.")
    assert q["answers"][1]["feedback"].startswith("Not quite.")


def test_two_right_options_make_a_many_choice_question():
    q = quiz.choice("Pick all", [("a", True, "x"), ("b", True, "y"), ("c", False, "z")])
    assert q["type"] == "many_choice"


def test_text_is_escaped_and_code_spans_become_code():
    q = quiz.choice("Is `A<B` <script>?", [("<b>x</b>", True, "a & b"), ("y", False, "z")])
    assert q["question"] == "Is <code>A&lt;B</code> &lt;script&gt;?"
    assert q["answers"][0]["answer"] == "&lt;b&gt;x&lt;/b&gt;"
    assert "a &amp; b" in q["answers"][0]["feedback"]


@pytest.mark.parametrize("options, match", [
    ([("only", True, "x")], "at least 2"),
    ([("a", False, "x"), ("b", False, "y")], "no option is marked correct"),
    ([("a", True), ("b", False, "y")], "text, is_correct, feedback"),
    ([("a", True, ""), ("b", False, "y")], "non-empty"),
])
def test_bad_choice_questions_are_refused_with_a_message(options, match):
    with pytest.raises(ValueError, match=match):
        quiz.choice("Q?", options)


def test_numeric_accepts_the_computed_answer_within_tolerance_only():
    q = quiz.numeric("sqrt(64)?", 8.0, why="8 * 8 = 64.", tol=0.01)
    assert q["type"] == "numeric"
    assert _accepts(q, 8.0)["correct"] and _accepts(q, 8.01)["correct"] and _accepts(q, 7.99)["correct"]
    assert not _accepts(q, 7.9)["correct"] and _accepts(q, 7.9)["feedback"].startswith("Too small")
    assert not _accepts(q, 8.1)["correct"] and _accepts(q, 8.1)["feedback"].startswith("Too large")
    assert "8 * 8 = 64." in _accepts(q, 8.0)["feedback"]


def test_numeric_default_tolerance_is_relative():
    q = quiz.numeric("n?", 1000.0, why="w")
    assert _accepts(q, 1004.0)["correct"] and not _accepts(q, 1006.0)["correct"]
    q0 = quiz.numeric("zero?", 0.0, why="w")
    assert _accepts(q0, 0.0005)["correct"] and not _accepts(q0, 0.002)["correct"]


def test_numeric_takes_numpy_and_torch_scalars_and_refuses_nan():
    import numpy as np
    import torch

    assert quiz.numeric("q", np.float32(2.5), why="w")["answers"][0]["range"][0] < 2.5
    assert quiz.numeric("q", torch.tensor(3.0), why="w")["answers"][0]["range"][1] > 3.0
    with pytest.raises(ValueError, match="finite"):
        quiz.numeric("q", float("nan"), why="w")
    with pytest.raises(ValueError, match="tol"):
        quiz.numeric("q", 1.0, why="w", tol=-1)


def test_questions_refuses_things_that_are_not_questions():
    with pytest.raises(ValueError, match="at least one"):
        quiz.questions()
    with pytest.raises(TypeError, match="quiz.choice or quiz.numeric"):
        quiz.questions({"question": "x"})


def test_show_renders_a_div_and_the_quiz_script(capsys):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as out:
        quiz.show(quiz.numeric("n?", 2.0, why="w"))
    kinds = [set(o.data) for o in out.outputs]
    assert any("text/html" in k for k in kinds) and any("application/javascript" in k for k in kinds)
    script = next(o.data["application/javascript"] for o in out.outputs if "application/javascript" in o.data)
    assert '"question": "n?"' in script and "show_questions" in script


def test_the_quiz_script_asks_no_other_host_and_waits_for_mathjax():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as out:
        quiz.show(quiz.numeric("n?", 2.0, why="w"))
    script = next(o.data["application/javascript"] for o in out.outputs if "application/javascript" in o.data)
    assert "cdn.jsdelivr" not in script and "no CDN" in script
    assert "if (version === undefined) { return; }" in script


def test_a_changed_jupyterquiz_script_is_refused_loudly():
    with pytest.raises(RuntimeError, match="jupyterquiz's script changed"):
        quiz._offline("var questions = [];")


def test_an_unrewritable_script_fails_the_book_build_but_still_shows_in_a_kernel(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()

    def refuse(script):
        raise RuntimeError("jupyterquiz's script changed")

    monkeypatch.setattr(quiz, "_offline", refuse)
    monkeypatch.delenv("AHO_BOOK_BUILD", raising=False)
    with capture_output() as out:
        quiz.show(quiz.numeric("n?", 2.0, why="w"))
    assert any("application/javascript" in o.data for o in out.outputs)
    monkeypatch.setenv("AHO_BOOK_BUILD", "1")
    with pytest.raises(RuntimeError), capture_output():
        quiz.show(quiz.numeric("n?", 2.0, why="w"))


def test_stars_around_words_become_emphasis_and_lone_stars_stay():
    q = quiz.choice("only padding *keys* are hidden; 2 * 3 = 6; *a b*", [("x", True, "y"), ("z", False, "w")])
    assert q["question"] == "only padding <em>keys</em> are hidden; 2 * 3 = 6; <em>a b</em>"
    assert quiz.choice("a*b*c", [("x", True, "y"), ("z", False, "w")])["question"] == "a*b*c"
