"""Authoring aid: screenshot a page of the built book in headless Chromium.

Usage: python scripts/screenshot.py chapters/self_attention.html out.png [--full]
Serves _build/html on 127.0.0.1 and prints the page's console messages.
"""

from __future__ import annotations

import functools
import http.server
import pathlib
import sys
import threading

from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # authoring aid only: reuse the tests' browser flags
from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def main(page_path: str, out: str, full: bool) -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(ROOT / "_build" / "html"))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = b.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: print(f"console {m.type}: {m.text}"))
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/{page_path}")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=out, full_page=full)
        b.close()
    server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], "--full" in sys.argv)
