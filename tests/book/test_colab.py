"""The Colab path: the package alone, over Colab's own versions, each chapter in an empty folder.

A reader who opens a chapter in Colab gets ``pip install`` of this package on top of what
Colab ships, and nothing of the repository. This test rebuilds that situation:

1. the wheel is built from the working tree;
2. a fresh virtual environment gets Colab's versions of the packages Colab brings (below);
3. the wheel is installed into it, and not one of those packages may change version;
4. every chapter notebook is copied alone into an empty folder and executed there, with that
   environment's kernel, so shipped weights, JavaScript and data must come from the package.

Colab's torch is stood in for by this machine's (a range in pyproject.toml keeps any torch).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, chapters, explorer_chapters

pytestmark = pytest.mark.colab

# What a Colab runtime brings that this package also uses (Colab's versions, late 2025/2026).
COLAB = {
    "ipywidgets": "7.7.1",
    "ipython": "7.34.0",
    "ipykernel": "6.17.1",
    "numpy": "2.0.2",
    "matplotlib": "3.10.0",
    "transformers": "5.24.0",
    "python-dateutil": "2.9.0.post0",  # pinned below 3 by botocore, which bertviz pulls in
}


def _torch_version() -> str:
    import torch

    return torch.__version__.split("+")[0]  # this machine's CPU build stands in for Colab's


def _pip(py, *args, **kw):
    return subprocess.run([str(py), "-m", "pip", "--disable-pip-version-check", *args],
                          check=True, capture_output=True, text=True, **kw)


def _freeze(py) -> dict[str, str]:
    out = _pip(py, "list", "--format=json").stdout
    return {re.sub(r"[-_.]+", "-", p["name"]).lower(): p["version"] for p in json.loads(out)}


def _clean_env() -> dict[str, str]:
    """The environment minus anything that would let the repository leak in."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT)))
    return env


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("colab")
    dist, src = tmp / "dist", tmp / "src"
    # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv", "_build", "build", "*.egg-info",
                                                             ".pytest_cache", ".hypothesis", "node_modules"))
    _pip(sys.executable, "wheel", "--no-deps", "-q", "-w", str(dist), str(src))
    wheel = next(dist.glob("transformer_lib-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(tmp / "venv")], check=True)
    py = tmp / "venv" / "bin" / "python"
    pins = [f"torch=={_torch_version()}"] + [f"{k}=={v}" for k, v in COLAB.items()]
    _pip(py, "install", "-q", *pins, env=_clean_env())
    before = _freeze(py)
    install = _pip(py, "install", wheel, env=_clean_env())
    after = _freeze(py)
    # The runner that executes the notebooks (Colab has its own front end; this is ours).
    _pip(py, "install", "-q", "nbclient>=0.10", "pytest>=8", env=_clean_env())
    return {"py": py, "tmp": tmp, "before": before, "after": after, "install_log": install.stdout}


def test_installing_the_wheel_changes_none_of_colabs_packages(colab):
    before, after = colab["before"], colab["after"]
    ships = ["torch", *COLAB]
    changed = {k: f"{before[k]} -> {after.get(k, 'removed')}" for k in ships if after.get(k) != before[k]}
    assert not changed, f"installing transformer_lib changed packages Colab ships: {changed}"
    assert after["ipywidgets"] == "7.7.1" and after["torch"].split("+")[0] == _torch_version()
    assert "transformer-lib" in after


def test_the_package_carries_its_weights_and_scripts(colab):
    probe = (
        "import transformer_lib, pathlib; from importlib import resources\n"
        "root = pathlib.Path(transformer_lib.__file__).parent\n"
        "assert 'site-packages' in str(root), root\n"
        "files = [p.name for p in resources.files('transformer_lib').joinpath('weights').iterdir()]\n"
        "assert any(f.endswith('.safetensors') for f in files), files\n"
        "assert resources.files('transformer_lib.views').joinpath('explorer.js').is_file()\n"
        "print(root)\n"
    )
    empty = colab["tmp"] / "probe"
    empty.mkdir()
    subprocess.run([str(colab["py"]), "-c", probe], cwd=empty, check=True, env=_clean_env())


RUNNER = r"""
import sys, nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": "."}}).execute()
# A display hook that raises (e.g. a _repr_mimebundle_ that ipywidgets 7.7 lacks) does not stop
# the cell: IPython prints its traceback instead. Count that as a failure too.
for i, cell in enumerate(nb.cells):
    for out in cell.get("outputs", []):
        text = out.get("text", "") if out.get("output_type") == "stream" else ""
        if out.get("output_type") == "error" or "Traceback (most recent call last)" in text:
            sys.exit(f"cell {i} shows an error:\n" + (text or "\n".join(out.get("traceback", [])))[-3000:])
widgets = sum("application/vnd.jupyter.widget-view+json" in out.get("data", {})
              for cell in nb.cells for out in cell.get("outputs", []))
print("live widgets displayed:", widgets)
import transformer_lib, pathlib
print("transformer_lib from", pathlib.Path(transformer_lib.__file__).parent)
"""


@pytest.mark.parametrize("chapter", chapters())
def test_chapter_runs_alone_in_an_empty_folder(colab, chapter):
    folder = colab["tmp"] / "alone" / chapter.replace("/", "_")
    folder.mkdir(parents=True)
    nb = shutil.copy(ROOT / f"{chapter}.ipynb", folder)
    proc = subprocess.run([str(colab["py"]), "-c", RUNNER, str(nb)], cwd=folder, capture_output=True,
                          text=True, env=_clean_env())
    log = re.sub(r"\x1b\[[0-9;]*m", "", proc.stderr)  # IPython colours its tracebacks
    assert proc.returncode == 0, f"{chapter} failed alone over Colab's versions:\n{log[-4000:]}"
    assert "site-packages" in proc.stdout
    if chapter in explorer_chapters():
        assert "live widgets displayed: 0" not in proc.stdout, f"{chapter}: its explorer showed no live widget"
    leftovers = sorted(p.name for p in folder.iterdir() if p.name != os.path.basename(nb))
    assert not leftovers or all(not p.endswith(".py") for p in leftovers), leftovers


def test_live_explorers_under_colabs_ipywidgets(colab):
    """tests/views/test_views_live.py (every explorer moved through its widget) over ipywidgets 7.7.1."""
    folder = colab["tmp"] / "live"
    folder.mkdir()
    proc = subprocess.run([str(colab["py"]), "-m", "pytest", "-q", "--noconftest", "-p", "no:cacheprovider",
                           "--rootdir", str(folder), "-c", os.devnull, str(ROOT / "tests" / "views" / "test_views_live.py")],
                          cwd=folder, capture_output=True, text=True, env=_clean_env())
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert re.search(r"\d+ passed", proc.stdout) and " skipped" not in proc.stdout.splitlines()[-1], proc.stdout[-1000:]
