"""How fast the pages answer a reader's keystrokes when the book's models run in the page (issue 16).

Opens the built book in headless Chromium (Debian's, as the browser tests do) and, on every page
with a text box that runs a model in the page (an explorer with ``page_model``), types texts the
library chooses, one key at a time, as a reader types. Each keystroke's *forward pass plus redraw*
is the time explorer.js records in ``data-aho-ms``: from reading the box to the new picture laid
out (the model's forward pass, the frame, the SVG, a forced layout). Keystrokes answered by a
message (a half-typed word is not in the vocabulary) run no model and are counted apart.

Prints, per page: the median and 95th percentile against the goal (16 ms median), the time of the
first use (fetching and starting the runtime, the page program and the model), and the weight the
page adds when a reader first types (the files it fetched from ``_static/aho``), then the total
weight of ``_static/aho`` against the budget (3 MB). Build the book first (``bash scripts/build_book.sh``).

Run: .venv/bin/python benchmarks/bench_typing.py [--texts 8]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
GOAL_MS, BUDGET = 16.0, 3 * 1024 * 1024
sys.path.insert(0, str(ROOT / "tests"))


def texts(chapter: str, n: int) -> list[str]:
    """What a reader might type on each page: sentences of the model's own held-out data."""
    if chapter == "it_animal":
        from transformer_lib.data import pronoun as C

        return [e.text for e in C.sample_sentences(n, C.make_split(), seed=5, part="heldout")]
    if chapter == "decoding":
        from transformer_lib.data.translation import make_corpus

        return [fr for fr, _ in make_corpus(seed=0).test[-n:]]  # the longest held-out sentences
    if chapter == "gpt":
        from transformer_lib.tasks import gpt as tiny

        return [line[:40] for line in tiny.corpus_text("heldout").splitlines()[:n]]
    raise ValueError(f"no texts for chapter {chapter!r}")


RECORD = """root => {
  window.__aho = {ms: [], messages: 0};
  new MutationObserver(() => {
    if (root.hasAttribute('data-aho-error')) window.__aho.messages++;
    else window.__aho.ms.push(+root.getAttribute('data-aho-ms'));
  }).observe(root, {attributes: true, attributeFilter: ['data-aho-seq']});
}"""


def bench_page(browser, url: str, chapter: str, n: int) -> dict | None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    fetched: dict[str, int] = {}
    page.on("response", lambda r: fetched.__setitem__(r.url.split("/_static/aho/")[1], len(r.body()))
            if "/_static/aho/" in r.url else None)
    page.goto(f"{url}/chapters/{chapter}.html")
    page.wait_for_load_state("networkidle")
    roots = page.locator(".aho-explorer").filter(has=page.locator(".aho-textbox"))
    if roots.count() == 0:
        page.close()
        return None
    root = roots.first
    box = root.locator(".aho-textbox input")
    assert not fetched, f"{chapter}: fetched {sorted(fetched)} before the reader used the box"
    t0 = time.perf_counter()
    box.fill(texts(chapter, 1)[0][:-1])  # first use: fetch and start the runtime and the model
    page.wait_for_function("e => +(e.getAttribute('data-aho-seq') || 0) > 0 && !e.hasAttribute('data-aho-loading')",
                           arg=root.element_handle())
    first_use = time.perf_counter() - t0
    root.evaluate(RECORD)
    for text in texts(chapter, n):
        box.fill("")
        box.press_sequentially(text)
    page.wait_for_timeout(200)
    rec = page.evaluate("() => window.__aho")
    page.close()
    ms = sorted(rec["ms"])
    return {"chapter": chapter, "frames": len(ms), "messages": rec["messages"], "median": statistics.median(ms),
            "p95": ms[min(len(ms) - 1, int(0.95 * len(ms)))], "first_use": first_use, "fetched": fetched}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--texts", type=int, default=8, help="texts typed per page (default 8)")
    args = ap.parse_args()
    if not (HTML / "_static" / "aho" / "runtime.js").is_file():
        sys.exit(f"no built book with the in-page runtime at {HTML}: run bash scripts/build_book.sh first")
    from conftest import CHROMIUM, CHROMIUM_ARGS, pages
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for chapter in [c.split("/")[1] for c in pages() if c.startswith("chapters/")]:
            if chapter not in ("it_animal", "decoding", "gpt"):
                continue
            r = bench_page(browser, url, chapter, args.texts)
            if r:
                rows.append(r)
        browser.close()
    server.shutdown()
    import os

    print(f"headless Chromium, {os.cpu_count()} cores; forward pass + redraw per keystroke (goal: median <= {GOAL_MS:g} ms)")
    print(f"{'page':12s} {'frames':>6s} {'msgs':>5s} {'median ms':>10s} {'p95 ms':>8s} {'first use s':>12s} {'added kB':>9s}  verdict")
    for r in rows:
        added = sum(r["fetched"].values()) / 1024
        verdict = "ok" if r["median"] <= GOAL_MS else "SLOW"
        print(f"{r['chapter']:12s} {r['frames']:6d} {r['messages']:5d} {r['median']:10.2f} {r['p95']:8.2f} "
              f"{r['first_use']:12.2f} {added:9.1f}  {verdict}   ({', '.join(sorted(r['fetched']))})")
    total = sum(f.stat().st_size for f in (HTML / "_static" / "aho").rglob("*") if f.is_file())
    print(f"_static/aho in all (runtime, page programs, models): {total / 1024:.1f} kB of a {BUDGET / 1024:.0f} kB budget: "
          + ("ok" if total <= BUDGET else "OVER"))


if __name__ == "__main__":
    main()
