"""Fail the Pages workflow, with one clear message, if _config.yml names another repository.

The published book's Colab buttons and every chapter's Colab install cell are made from
``_config.yml``'s ``repository.url``. A fork that publishes without changing it would send
its readers to the original repository. GitHub Actions sets GITHUB_SERVER_URL and
GITHUB_REPOSITORY; run locally as ``GITHUB_REPOSITORY=owner/name python .github/check_repository.py``.
"""

from __future__ import annotations

import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from colab_cell import repository_url  # noqa: E402  (the one reader of repository.url)


def _normal(url: str) -> str:
    url = url.strip().rstrip("/")
    return (url[:-4] if url.endswith(".git") else url).lower()


def main() -> int:
    repo = os.environ.get("GITHUB_REPOSITORY")
    if not repo:
        print("GITHUB_REPOSITORY is not set: run this in GitHub Actions, or set it to owner/name", file=sys.stderr)
        return 2
    here = f"{os.environ.get('GITHUB_SERVER_URL', 'https://github.com').rstrip('/')}/{repo}"
    named = repository_url()
    if _normal(named) == _normal(here):
        print(f"_config.yml's repository.url names this repository ({here})")
        return 0
    print(f"::error file=_config.yml,title=repository.url names another repository::"
          f"_config.yml's repository.url is {named}, but this workflow runs in {here}, so the published "
          f"Colab buttons and install cells would point at the other repository. To publish this copy, "
          f"change that one line of _config.yml to `url: {here}`, run `python scripts/colab_cell.py` "
          f"(it regenerates every chapter's Colab install cell), commit and push.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
