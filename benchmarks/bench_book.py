"""The book build, cold (fresh execution cache) and cached, with per-chapter execution times.

Copies the repository's tracked files to a temporary directory (so your own _build is left
alone), builds there twice with the same strict command as scripts/build_book.sh, using this
interpreter's environment (run it with .venv/bin/python after the setup), and reads each
chapter's execution time from the jupyter-cache. Goals on the 2-core machine: cold <= 5 min, cached <= 20 s,
no chapter over 20 s.

Run: .venv/bin/python benchmarks/bench_book.py
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def build(where: pathlib.Path) -> float:
    cmd = [sys.executable, "-m", "jupyter_book", "build", ".", "--warningiserror", "--nitpick", "--keep-going",
           "--builder", "html"]
    env = {**os.environ, "PATH": f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=where, capture_output=True, text=True, env=env)
    if proc.returncode:
        sys.exit(f"build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t0


def main() -> None:
    from jupyter_cache import get_cache

    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp) / "book"
        files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
        for f in files:
            (work / f).parent.mkdir(parents=True, exist_ok=True)
            (work / f).write_bytes((ROOT / f).read_bytes())
        cold = build(work)
        cached = build(work)
        records = get_cache(str(work / "_build" / ".jupyter_cache")).list_cache_records()
        print(f"cold build:   {cold:6.1f} s   ({cold / 300:.2f} of the 300 s goal)")
        print(f"cached build: {cached:6.1f} s   ({cached / 20:.2f} of the 20 s goal)")
        print("per-chapter execution (goal <= 20 s each):")
        for r in sorted(records, key=lambda r: r.uri):
            t = r.data.get("execution_seconds", float("nan"))
            print(f"  {pathlib.Path(r.uri).name:32s} {t:6.1f} s   ({t / 20:.2f} of the goal)")


if __name__ == "__main__":
    main()
