"""Keep every chapter's first cell -- the Colab install cell -- in sync with _config.yml.

The repository URL is written once, in _config.yml (``repository.url``). This script
writes the hidden first cell of each chapter from it; ``tests/book/test_book_source.py`` fails
if a chapter's cell has drifted. Run: ``python scripts/colab_cell.py``.
"""

from __future__ import annotations

import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
TAG = "colab-install"


def repository_url() -> str:
    text = (ROOT / "_config.yml").read_text(encoding="utf-8")
    m = re.search(r"^repository:\s*\n\s+url:\s*(\S+)", text, flags=re.M)
    if not m:
        raise SystemExit("_config.yml has no repository.url")
    return m.group(1)


def install_cell() -> dict:
    src = (
        "# Runs only in Colab: install the book's library from the repository. Hidden in the book.\n"
        "import sys\n"
        "if \"google.colab\" in sys.modules:\n"
        f"    %pip install -q \"git+{repository_url()}\"\n"
    )
    return {"cell_type": "code", "execution_count": None, "id": TAG,
            "metadata": {"tags": ["remove-cell", TAG]}, "outputs": [], "source": src.splitlines(keepends=True)}


def sync(path: pathlib.Path) -> bool:
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = install_cell()
    cells = nb["cells"]
    if cells and TAG in cells[0].get("metadata", {}).get("tags", []):
        if cells[0] == cell:
            return False
        cells[0] = cell
    else:
        cells.insert(0, cell)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


if __name__ == "__main__":
    for p in sorted((ROOT / "chapters").glob("*.ipynb")):
        if sync(p):
            print("updated", p.relative_to(ROOT))
