"""The built book opened in a real headless Chromium, served on 127.0.0.1.

Every chapter page loads with no console errors (beyond the documented allow-list), its
Colab button points at the chapter's notebook, its formulas render (MathJax from the site
itself), and its kernel-free views respond to their controls.
"""

from __future__ import annotations

import re

import pytest

from conftest import chapters
from cdn import route_cdn

pytestmark = [pytest.mark.book, pytest.mark.browser]

# Console messages that are not errors of ours. Keep this list short and explained.
CONSOLE_ALLOW = [
    # pydata-sphinx-theme logs this at "error" level on a first visit with empty localStorage.
    re.compile(r"Got invalid theme mode"),
]


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    route_cdn(page)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page, [e for e in errors if not any(p.search(e) for p in CONSOLE_ALLOW)]


@pytest.mark.parametrize("chapter", chapters())
def test_page_loads_without_console_errors(browser, site_url, chapter):
    page, errors = _open(browser, f"{site_url}/{chapter}.html")
    try:
        assert page.locator("main h1").count() >= 1, "the chapter has no title"
        assert not errors, f"console errors on {chapter}: {errors}"
        assert page.locator("div.cell_output .output.traceback, .output.error").count() == 0
    finally:
        page.close()


@pytest.mark.parametrize("chapter", chapters())
def test_colab_link_points_at_the_chapter_notebook(browser, site_url, chapter):
    page, _ = _open(browser, f"{site_url}/{chapter}.html")
    try:
        hrefs = page.eval_on_selector_all("a[href*='colab.research.google.com']", "els => els.map(e => e.href)")
        assert hrefs, f"{chapter} has no Colab launch link"
        assert all(h.endswith(f"/blob/main/{chapter}.ipynb") for h in hrefs), hrefs
    finally:
        page.close()


@pytest.mark.parametrize("chapter", chapters())
def test_math_renders_offline(browser, site_url, chapter):
    page, _ = _open(browser, f"{site_url}/{chapter}.html")
    try:
        if page.locator("div.math, span.math").count() == 0:
            pytest.skip("no formulas on this page")
        page.wait_for_selector("article mjx-container", state="attached", timeout=10_000)
        assert page.evaluate("window.MathJax.version").startswith("3.")
    finally:
        page.close()


@pytest.mark.parametrize("chapter", chapters())
def test_every_explorer_responds_to_its_controls(browser, site_url, chapter):
    """Move each control of each kernel-free view: the drawing must change."""
    page, errors = _open(browser, f"{site_url}/{chapter}.html")
    try:
        explorers = page.locator(".aho-explorer")
        if explorers.count() == 0:
            pytest.skip("no explorable views on this page")
        for i in range(explorers.count()):
            ex = explorers.nth(i)
            assert ex.get_attribute("data-aho-mounted") == "1", f"view {i} did not start"
            controls = ex.locator("[data-aho-control]")
            assert controls.count() >= 1
            for j in range(controls.count()):
                ctl = controls.nth(j)
                before = ex.locator(".aho-stage").inner_html()
                n = int(ctl.evaluate("e => e.tagName === 'SELECT' ? e.options.length : (+e.max + 1)"))
                if n < 2:
                    continue
                cur = int(ctl.evaluate("e => +e.value"))
                new = (cur + 1) % n
                if ctl.evaluate("e => e.tagName") == "SELECT":
                    ctl.select_option(str(new))
                else:
                    ctl.evaluate("(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }", new)
                after = ex.locator(".aho-stage").inner_html()
                name = ctl.get_attribute("data-aho-control")
                assert after != before, f"view {i} on {chapter}: moving {name!r} changed nothing"
        assert not errors, errors
    finally:
        page.close()
