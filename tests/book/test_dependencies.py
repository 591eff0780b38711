"""The package declares exactly what the library and the chapters import.

A reader in Colab gets only what ``pyproject.toml`` declares: a third-party import that is
not declared stops a chapter there (``ModuleNotFoundError``), and a declared package that
nothing imports is a needless install over the reader's runtime.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import json
import re
import sys
import tomllib

import pytest

from conftest import ROOT


def _top_modules(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def imported_modules() -> dict[str, set[str]]:
    """Top-level module -> files that import it, over the library and every chapter's code cells."""
    from IPython.core.inputtransformer2 import TransformerManager  # turns %pip / !cmd into Python

    where: dict[str, set[str]] = {}
    sources = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
               for p in sorted((ROOT / "transformer_lib").rglob("*.py"))]
    for p in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in json.loads(p.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                sources.append((p.name, TransformerManager().transform_cell("".join(cell["source"]))))
    for name, src in sources:
        for mod in _top_modules(src):
            where.setdefault(mod, set()).add(name)
    return where


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_norm(re.match(r"[A-Za-z0-9_.-]+", d).group(0)) for d in project["dependencies"]}


def third_party() -> dict[str, set[str]]:
    """Distribution -> files, for every import that is neither stdlib nor the library itself."""
    dists = md.packages_distributions()
    out: dict[str, set[str]] = {}
    for mod, files in imported_modules().items():
        if mod in sys.stdlib_module_names or mod in {"transformer_lib", "__future__"}:
            continue
        if mod not in dists:
            pytest.fail(f"{mod!r} (imported by {sorted(files)}) is not installed in the test environment")
        for dist in dists[mod]:
            out.setdefault(_norm(dist), set()).update(files)
    return out


def test_every_third_party_import_is_declared():
    missing = {d: sorted(f) for d, f in third_party().items() if d not in declared()}
    assert not missing, f"imported but not in pyproject.toml's dependencies (Colab would fail): {missing}"


def test_every_declared_dependency_is_imported():
    unused = declared() - set(third_party())
    assert not unused, f"declared in pyproject.toml but imported by no chapter or library module: {sorted(unused)}"


def test_colab_keeps_its_torch_and_ipywidgets():
    """Ranges, not pins: Colab's own torch and its ipywidgets 7.7.x must satisfy them."""
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = {_norm(Requirement(d).name): Requirement(d) for d in project["dependencies"]}
    assert "==" not in str(reqs["torch"].specifier), "torch must stay a range so Colab keeps its own"
    for version in ["7.7.1", "7.7.5", "8.1.5"]:
        assert reqs["ipywidgets"].specifier.contains(version), f"ipywidgets {version} must satisfy the range"
    assert not reqs["ipywidgets"].specifier.contains("9.0.0")
    assert reqs["ipython"].specifier.contains("7.34.0"), "Colab ships IPython 7.34"
