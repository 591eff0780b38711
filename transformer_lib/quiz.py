"""Self-check questions at the end of every chapter, answered on the page with no kernel.

The questions are rendered by `jupyterquiz <https://pypi.org/project/jupyterquiz/>`_, a kept
library whose output is a ``<div>`` plus a script that carries its own JavaScript, so the quiz
works the same in Jupyter, in Colab and on the built (static) page. This module only builds the
question list jupyterquiz expects, with three house rules:

* every option and every numeric answer carries feedback that says *why*;
* numeric answers are computed by the library when the cell runs (pass the computed value, never a
  typed-in one), and are accepted within a stated tolerance;
* text is HTML-escaped before it reaches the page (backticks become ``<code>``, ``*word*``
  becomes emphasis; ``$...$`` stays for MathJax).

Usage, in a chapter::

    from transformer_lib import quiz
    quiz.show(
        quiz.choice("Which matrix holds one row per query?", [
            ("the weights A", True, "Each row of A is one query's distribution over keys."),
            ("the keys K", False, "K has one row per key, not per query."),
        ]),
        quiz.numeric("What is sqrt(d_k) for d_k = 64?", 8.0, why="sqrt(64) = 8."),
    )
"""

from __future__ import annotations

import html
import math
import os
import re

__all__ = ["choice", "numeric", "show", "questions"]

_CODE = re.compile(r"`([^`]+)`")
_EM = re.compile(r"(?<![\w*])\*([^\s*](?:[^*]*?[^\s*])?)\*(?![\w*])")  # *word* -> emphasis


def _text(s: str) -> str:
    """Escape ``s`` for HTML, then turn `code` spans into <code> and *words* into <em>."""
    if not isinstance(s, str) or not s.strip():
        raise ValueError(f"quiz text must be a non-empty string, got {s!r}")
    return _EM.sub(r"<em>\1</em>", _CODE.sub(r"<code>\1</code>", html.escape(s, quote=False)))


def choice(question: str, options: list[tuple[str, bool, str]]) -> dict:
    """A multiple-choice question: ``options`` is a list of (text, is_correct, feedback).

    Exactly one option is correct ("multiple choice"); with more than one it is a "many choice"
    question where the reader must pick all of them. Every option needs feedback.
    """
    if len(options) < 2:
        raise ValueError(f"a choice question needs at least 2 options, got {len(options)}")
    answers = []
    for opt in options:
        if len(opt) != 3:
            raise ValueError(f"each option is (text, is_correct, feedback), got {opt!r}")
        text, correct, feedback = opt
        answers.append({"answer": _text(text), "correct": bool(correct),
                        "feedback": ("Correct. " if correct else "Not quite. ") + _text(feedback)})
    n_right = sum(a["correct"] for a in answers)
    if n_right == 0:
        raise ValueError(f"no option is marked correct in {question!r}")
    return {"question": _text(question),
            "type": "multiple_choice" if n_right == 1 else "many_choice",
            "answers": answers}


def numeric(question: str, answer: float, *, why: str, tol: float | None = None,
            too_low: str = "Too small.", too_high: str = "Too large.") -> dict:
    """A numeric question whose ``answer`` was computed by the cell that asks it.

    Answers within ``tol`` of ``answer`` are accepted (default: 0.5 % of it, at least 1e-3);
    ``why`` explains the answer, ``too_low``/``too_high`` give a hint for each side.
    """
    answer = float(answer)
    if not math.isfinite(answer):
        raise ValueError(f"the answer must be a finite number, got {answer}")
    tol = max(abs(answer) * 5e-3, 1e-3) if tol is None else float(tol)
    if tol < 0:
        raise ValueError(f"tol must be >= 0, got {tol}")
    lo, hi = answer - tol, answer + tol
    big = 1e300
    return {"question": _text(question), "type": "numeric",
            "answers": [
                {"range": [lo, hi + 1e-12], "correct": True, "feedback": "Correct. " + _text(why)},
                {"range": [-big, lo], "correct": False, "feedback": _text(too_low) + " Try again."},
                {"range": [hi + 1e-12, big], "correct": False,
                 "feedback": _text(too_high) + " Try again."},
                {"type": "default", "feedback": "Enter a number, then press Enter."},
            ]}


def questions(*qs: dict) -> list[dict]:
    """Check a list of questions made by :func:`choice` / :func:`numeric` and return it."""
    if not qs:
        raise ValueError("a quiz needs at least one question")
    for q in qs:
        if not isinstance(q, dict) or q.get("type") not in ("multiple_choice", "many_choice", "numeric"):
            raise TypeError(f"make questions with quiz.choice or quiz.numeric, got {q!r}")
    return list(qs)


# jupyterquiz's script typesets math with the page's MathJax; where MathJax is present but not
# ready it falls back to loading MathJax from a CDN, and where MathJax is still only a config
# object (a Sphinx page before its deferred MathJax script has run) it reads `version[0]` of
# undefined. The book serves MathJax itself and asks no other host, so `show` rewrites those two
# spots: no CDN load, and no typesetting until MathJax has a version. `_offline` refuses a script
# it cannot rewrite (a new jupyterquiz release), so the change cannot silently stop applying.
_CDN_LOAD = re.compile(r"script\.src = 'https://cdn\.jsdelivr\.net/npm/mathjax@3/es5/tex-svg\.js';"
                       r"(\s*)script\.async = true;(\s*)document\.head\.appendChild\(script\);")
_NO_VERSION = 'var version = MathJax.version;\n            console.log(\'After sleep, MathJax version\', version);'


def _offline(script: str) -> str:
    """jupyterquiz's script without its CDN fallback (see above)."""
    out, n_cdn = _CDN_LOAD.subn(r"/* this book serves MathJax itself: no CDN */", script)
    n_ver = out.count(_NO_VERSION)
    if n_cdn != 2 or n_ver != 1 or "https://" in out.replace("https://fdsp.net", ""):
        raise RuntimeError(f"jupyterquiz's script changed (found {n_cdn} CDN loads, {n_ver} version reads, or another address); "
                           "update transformer_lib.quiz._offline")
    return out.replace(_NO_VERSION, _NO_VERSION + "\n            if (version === undefined) { return; }")


def show(*qs: dict) -> None:
    """Display the questions with jupyterquiz (in order, answers not shuffled), offline."""
    from IPython.display import display
    from IPython.utils.capture import capture_output
    from jupyterquiz import display_quiz

    with capture_output() as made:
        display_quiz(questions(*qs), shuffle_answers=False, max_width=720,
                     colors={"--jq-multiple-choice-bg": "#2f4b7c", "--jq-many-choice-bg": "#7a3e65",
                             "--jq-numeric-bg": "#2f4b7c", "--jq-numeric-input-bg": "#f0f0f0"})
    for out in made.outputs:
        data = dict(out.data)
        if "application/javascript" in data:
            try:
                data["application/javascript"] = _offline(data["application/javascript"])
            except RuntimeError:
                if os.environ.get("AHO_BOOK_BUILD") == "1":  # the site must ask no other host
                    raise
                # in a reader's kernel (online) the CDN fallback is harmless: show the quiz as made
        display(data, raw=True, metadata=out.metadata)
