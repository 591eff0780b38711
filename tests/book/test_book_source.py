"""The book's sources: notebooks stored without outputs, the Colab cell in sync, the TOC whole."""

from __future__ import annotations

import json
import pathlib
import sys

import pytest

from conftest import ROOT, chapters

sys.path.insert(0, str(ROOT / "scripts"))
import colab_cell  # noqa: E402  (the script that writes the cell is the single source of truth)

NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def test_every_chapter_file_is_in_the_toc_and_exists():
    listed = {ROOT / f"{c}.ipynb" for c in chapters()}
    assert all(p.exists() for p in listed), [str(p) for p in listed if not p.exists()]
    assert set(NOTEBOOKS) == listed, "every notebook in chapters/ must be listed in _toc.yml and vice versa"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: pathlib.Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: code cells {dirty} carry outputs; clear them before committing"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_installs_the_library_in_colab_only(path: pathlib.Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = nb["cells"][0]
    assert first == colab_cell.install_cell(), (
        f"{path.name}: the first cell must be the Colab install cell built from _config.yml's "
        "repository.url; run `python scripts/colab_cell.py`")
    assert "remove-cell" in first["metadata"]["tags"]  # hidden in the rendered book
    assert 'if "google.colab" in sys.modules' in "".join(first["source"])


def test_repository_url_is_written_once():
    url = colab_cell.repository_url()
    hits = [p for p in ROOT.rglob("*") if p.is_file() and p.suffix in {".yml", ".toml", ".md", ".py", ".sh"}
            and ".venv" not in p.parts and "_build" not in p.parts
            and url in p.read_text(encoding="utf-8", errors="ignore")]
    assert [p.name for p in hits] == ["_config.yml"], hits


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_seeds_everything(path: pathlib.Path):
    src = "".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"])
    assert "seed_everything(" in src, f"{path.name} must call seed_everything so rebuilds draw the same figures"
