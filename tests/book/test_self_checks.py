"""Issue 15 in the sources: every chapter ends with a self-check (>= 3 questions computed by its
exercises module), has coding exercises with a check cell and a hidden solution, cites what it
draws on and ends with "Further reading"; the glossary's terms are linked from the chapters that
introduce them; the one .bib holds every key cited; the shipped CJK font has every CJK character."""

from __future__ import annotations

import importlib
import json
import re

import pytest

from conftest import ROOT, chapters

STEMS = [c.split("/", 1)[1] for c in chapters()]
NO_CODING_EXERCISE = {"learning_path"}  # a reading guide: its self-check asks about the path
REQUIRED_SOURCES = ["vaswani2017attention", "rush2018annotated", "alammar2018illustrated",
                    "3b1b2024attention", "zhang2023dive"]
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
TERM = re.compile(r"\{term\}`(?:[^`<]*<([^>`]+)>|([^`]+))`")


def _cells(stem):
    nb = json.loads((ROOT / "chapters" / f"{stem}.ipynb").read_text(encoding="utf-8"))
    return [(c["cell_type"], "".join(c["source"]), set(c.get("metadata", {}).get("tags", [])))
            for c in nb["cells"]]


def _prose(stem):
    return "\n".join(src for kind, src, _ in _cells(stem) if kind == "markdown")


def bib_keys() -> set[str]:
    return set(re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "references.bib").read_text(encoding="utf-8"), re.M))


def glossary() -> dict[str, tuple[list[str], str]]:
    """English term -> (all names of the entry, the chapter stem that introduces it)."""
    text = (ROOT / "appendix" / "glossary.md").read_text(encoding="utf-8")
    block = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    entries, names = {}, []
    for line in block.splitlines():
        if line and not line[0].isspace():
            names.append(line.strip())
        elif line.strip() and names:
            m = re.search(r"\{doc\}`/chapters/(\w+)`", line)
            key = names[0]
            entries.setdefault(key, (list(names), None))
            if m:
                entries[key] = (entries[key][0], m.group(1))
        elif not line.strip() and names and names[0] in entries:
            names = []
    return entries


@pytest.mark.parametrize("stem", STEMS)
def test_every_chapter_has_a_self_check_of_at_least_three_questions(stem):
    mod = importlib.import_module(f"transformer_lib.exercises.{stem}")
    qs = mod.questions()
    assert len(qs) >= 3, f"{stem}: {len(qs)} questions; the issue asks for at least 3"
    for q in qs:
        assert all(a.get("feedback") for a in q["answers"] if "range" in a or "answer" in a), q
    assert stem.replace("_", " ") in (mod.__doc__ or "").lower().replace("-", " ") or \
        f"{stem}.ipynb" in (mod.__doc__ or ""), f"exercises/{stem}.py's docstring should point back to its chapter"
    cells = _cells(stem)
    calls = [i for i, (kind, src, _) in enumerate(cells) if kind == "code" and "self_check()" in src]
    assert calls, f"{stem}: no cell calls ex.self_check()"
    before = " ".join(src for kind, src, _ in cells[:calls[0]] if kind == "markdown")
    assert "## Check yourself" in before, f"{stem}: the self-check needs a '## Check yourself' heading"


@pytest.mark.parametrize("stem", [s for s in STEMS if s not in NO_CODING_EXERCISE])
def test_every_chapter_has_a_coding_exercise_with_a_check_and_a_hidden_solution(stem):
    cells = _cells(stem)
    kinds = []
    for kind, src, tags in cells:
        if kind == "markdown" and "{exercise-start}" in src:
            kinds.append("exercise-start")
        elif kind == "markdown" and "{solution-start}" in src:
            assert ":class: dropdown" in src, f"{stem}: solutions are hidden (:class: dropdown)"
            kinds.append("solution-start")
        elif kind == "markdown" and "{solution-end}" in src:
            kinds.append("solution-end")
        elif kind == "code" and tags & {"exercise", "check", "solution"}:
            kinds.append(next(iter(tags & {"exercise", "check", "solution"})))
            if "check" in tags or "solution" in tags:
                assert re.search(r"\bcheck_\w+\(", src), f"{stem}: a check/solution cell must call a check"
    pattern = ["exercise-start", "exercise", "check", "solution-start", "solution", "solution-end"]
    n = sum(1 for i in range(len(kinds)) if kinds[i:i + len(pattern)] == pattern)
    assert 1 <= n <= 2, f"{stem}: {n} exercises in the pattern {pattern}; found {kinds}"


@pytest.mark.parametrize("stem", STEMS)
def test_every_chapter_ends_with_further_reading_that_cites(stem):
    prose = _prose(stem)
    heads = re.findall(r"^## (.+)$", prose, re.M)
    assert heads and heads[-1].strip() == "Further reading", f"{stem}: last section is {heads[-1:]}"
    last = prose.rsplit("## Further reading", 1)[1]
    assert len(CITE.findall(last)) >= 2, f"{stem}: Further reading should cite its sources"


def test_every_cited_key_is_in_the_one_bib_file():
    keys = bib_keys()
    assert not set(REQUIRED_SOURCES) - keys
    texts = {stem: _prose(stem) for stem in STEMS}
    texts |= {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "appendix").glob("*.md")}
    missing = {(where, k.strip()) for where, t in texts.items() for ks in CITE.findall(t)
               for k in ks.split(",") if k.strip() not in keys}
    assert not missing, f"cited but not in references.bib: {sorted(missing)}"
    assert len(list((ROOT).glob("*.bib"))) == 1


def test_bib_keys_are_unique():
    raw = re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "references.bib").read_text(encoding="utf-8"), re.M)
    assert len(raw) == len(set(raw)), sorted(k for k in raw if raw.count(k) > 1)


def test_glossary_terms_have_chinese_and_a_chapter_that_links_them():
    entries = glossary()
    assert len(entries) >= 30
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for term, (names, stem) in entries.items():
        assert any(cjk.search(n) for n in names[1:]), f"glossary: {term} has no Chinese term"
        assert stem in STEMS, f"glossary: {term} is introduced in {stem}, not a chapter"
        used = {a or b for a, b in TERM.findall(_prose(stem))}
        assert term in used, f"{stem} introduces '{term}' but never links it with {{term}}"


def test_every_term_role_names_a_glossary_entry():
    names = {n for ns, _ in glossary().values() for n in ns}
    for stem in STEMS:
        for a, b in TERM.findall(_prose(stem)):
            assert (a or b) in names, f"{stem}: {{term}} {a or b!r} is not in the glossary"


def test_the_shipped_cjk_font_has_every_cjk_character_in_the_book():
    fontTools = pytest.importorskip("fontTools.ttLib")
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from cjk_font import OUT, book_characters

    cmap = fontTools.TTFont(str(OUT)).getBestCmap()
    missing = [c for c in book_characters() if ord(c) not in cmap]
    assert not missing, f"not in {OUT.name}: {''.join(missing)}; run scripts/cjk_font.py"
    assert OUT.stat().st_size < 200_000


def test_the_bib_file_parses_entry_by_entry():
    """A brace left open swallows the next entry silently; pybtex (what sphinxcontrib-bibtex
    reads with) must find every @entry the file holds, each with a title, an author and a year."""
    from pybtex.database import parse_file

    data = parse_file(str(ROOT / "references.bib"))
    assert set(data.entries) == bib_keys()
    for key, e in data.entries.items():
        assert e.fields.get("title") and e.fields.get("year") and e.persons.get("author"), key
