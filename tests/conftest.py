"""Shared fixtures: the strictly built book, a local HTTP server for it, headless Chromium."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import pathlib
import re
import subprocess
import threading
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def explorer_chapters() -> list[str]:
    """Chapters that show explorers: the list the widget benchmark covers (its single source)."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_widgets import BOOK_EXPLORERS

    return [f"chapters/{c}" for c in BOOK_EXPLORERS]


def pages() -> list[str]:
    """Every page of the book (docnames, without suffix) in the order of _toc.yml."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for entry in toc.get("chapters", []):
        files.append(entry["file"])
    for part in toc.get("parts", []):
        files += [e["file"] for e in part["chapters"]]
    return files


def chapters() -> list[str]:
    """The chapters (the notebooks in chapters/) in the order of _toc.yml; not the appendix."""
    return [p for p in pages() if p.startswith("chapters/")]


def math_chapters() -> list[str]:
    """Chapters whose prose holds formulas (``$...$`` or ``$$...$$`` in a markdown cell)."""
    import json
    import re

    out = []
    for chapter in chapters():
        nb = json.loads((ROOT / f"{chapter}.ipynb").read_text(encoding="utf-8"))
        prose = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        if re.search(r"\$[^$\s][^$]*\$", prose):
            out.append(chapter)
    return out


@pytest.fixture
def float64():
    """Parity is checked in float64; the default dtype is restored afterwards for other tests.

    Use it per module: ``pytestmark = pytest.mark.usefixtures("float64")``.
    """
    import torch

    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


@pytest.fixture(scope="session")
def built_book() -> pathlib.Path:
    """Run the strict book build (cached chapters are not re-executed) and return the HTML dir.

    This is the test that every chapter executes: a cell that raises, or any Sphinx
    warning, fails the build and so this fixture.
    """
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "build_book.sh")], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        reports = sorted((HTML.parent / "html" / "reports").rglob("*.log")) if (HTML / "reports").exists() else []
        detail = "\n".join(p.read_text(errors="replace")[-3000:] for p in reports)
        pytest.fail(f"strict book build failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}\n{detail}")
    return HTML


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


@pytest.fixture(scope="session")
def site_url(built_book):
    """Serve the built site on 127.0.0.1 (an ephemeral port) for the browser tests."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (never `playwright install`)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


# Console messages that are not errors of ours. Keep this list short and explained.
CONSOLE_ALLOW = [
    # pydata-sphinx-theme logs this at "error" level on a first visit with empty localStorage.
    re.compile(r"Got invalid theme mode"),
]


LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@contextlib.contextmanager
def open_page(browser, url):
    """Open ``url``, letting the page load only from the local server.

    Yields (page, errors, loaded): a live list of console errors not on the allow-list, and
    the site paths the page loaded, each with its HTTP status. A request to any other host is
    recorded and aborted, and fails the test when the block ends: the built site must be
    self-contained.
    """
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    offsite: list[str] = []
    loaded: dict[str, int] = {}

    def record(text: str) -> None:
        if not any(p.search(text) for p in CONSOLE_ALLOW):
            errors.append(text)

    def only_local(route):
        if urllib.parse.urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            return route.continue_()
        offsite.append(route.request.url)
        return route.abort("blockedbyclient")

    def response(r):
        parts = urllib.parse.urlsplit(r.url)
        if parts.hostname in LOCAL_HOSTS:
            loaded[parts.path] = r.status

    page.on("console", lambda m: record(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: record(f"uncaught: {e}"))
    page.on("response", response)
    page.route("**/*", only_local)
    try:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        yield page, errors, loaded
        assert not offsite, f"the page asked another host for: {offsite}"
    finally:
        page.close()
