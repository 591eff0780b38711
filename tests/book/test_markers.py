"""Test hygiene: every test that loads the shipped model weights carries ``pytest.mark.weights``.

Read from the test files' code: a test loads the weights when it calls a loader
(``load_it_model``, ``load_translator``, ``load_tiny_gpt``, ``load_position_models``, ``load_curve``) or asks for a fixture that does, directly or through
another fixture. Such a test must be marked, by a decorator or by its module's ``pytestmark``,
so that ``-m "not weights"`` leaves out exactly these.
"""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import ROOT

LOADERS = {"load_it_model", "load_translator", "load_tiny_gpt", "load_position_models", "load_curve"}


def _marks(decorators: list[ast.expr]) -> set[str]:
    """Marker names in ``@pytest.mark.NAME`` / ``@pytest.mark.NAME(...)`` decorators or a pytestmark value."""
    out = set()
    for d in decorators:
        for node in ast.walk(d):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "mark":
                out.add(node.attr)
    return out


def _calls_loader(fn: ast.AST) -> bool:
    """True if ``fn`` calls a loader outside ``with pytest.raises(...)`` (a refused name loads nothing)."""
    for node in ast.iter_child_nodes(fn):
        if isinstance(node, ast.With) and any("raises" in ast.unparse(i.context_expr) for i in node.items):
            continue
        if isinstance(node, ast.Call):
            f = node.func
            if (isinstance(f, ast.Name) and f.id in LOADERS) or (isinstance(f, ast.Attribute) and f.attr in LOADERS):
                return True
        if _calls_loader(node):
            return True
    return False


def unmarked_weight_tests(source: str) -> list[str]:
    """Names of the tests in ``source`` that load the shipped weights and are not marked ``weights``."""
    tree = ast.parse(source)
    module_marks: set[str] = set()
    fixtures, tests = {}, []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            module_marks |= _marks([node.value])
        elif isinstance(node, ast.FunctionDef):
            if any("fixture" in ast.unparse(d) for d in node.decorator_list):
                fixtures[node.name] = node
            elif node.name.startswith("test"):
                tests.append(node)
    loading: set[str] = set()
    changed = True
    while changed:  # fixtures that load, directly or through other fixtures
        changed = False
        for name, fn in fixtures.items():
            if name not in loading and (_calls_loader(fn) or {a.arg for a in fn.args.args} & loading):
                loading.add(name)
                changed = True
    bad = []
    for fn in tests:
        loads = _calls_loader(fn) or bool({a.arg for a in fn.args.args} & loading)
        if loads and "weights" not in module_marks | _marks(fn.decorator_list):
            bad.append(fn.name)
    return bad


def test_the_check_finds_unmarked_tests():
    src = ("import pytest\nfrom x import load_translator\n"
           "@pytest.fixture\ndef tr():\n    return load_translator('t')\n"
           "@pytest.fixture\ndef corpus(tr):\n    return tr.info\n"
           "def test_a(corpus):\n    pass\n"
           "@pytest.mark.weights\ndef test_b(tr):\n    pass\n"
           "def test_c():\n    import transformer_lib as tl\n    tl.load_it_model()\n"
           "def test_d():\n    with pytest.raises(ValueError):\n        load_translator('nope')\n")
    assert unmarked_weight_tests(src) == ["test_a", "test_c"]
    assert unmarked_weight_tests("import pytest\npytestmark = [pytest.mark.weights]\n" + src.split("\n", 1)[1]) == []


def test_every_test_that_loads_shipped_weights_is_marked():
    files = sorted((ROOT / "tests").rglob("test_*.py"))
    bad = {str(p.relative_to(ROOT)): names for p in files if (names := unmarked_weight_tests(p.read_text(encoding="utf-8")))}
    assert not bad, f"tests that load the shipped weights without @pytest.mark.weights: {bad}"


def test_not_weights_deselects_them_and_the_default_run_keeps_them():
    def collected(*args: str) -> list[str]:
        out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", *args, "tests/decoding", "tests/tasks"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
        return [line for line in out.splitlines() if "::" in line]

    everything, without = collected(), collected("-m", "not weights")
    dropped = set(everything) - set(without)
    assert any("test_shipped_checkpoint_meets_the_bleu_bar" in t for t in dropped)
    assert any("test_classic_pair" in t for t in dropped)
    assert not any("test_beam_1_equals_greedy_exactly_on_random_models" in t for t in dropped)
