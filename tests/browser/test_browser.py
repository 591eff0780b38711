"""The built book opened in a real headless Chromium, served on 127.0.0.1.

Every page (the appendix too) loads with no console errors (beyond the documented allow-list), its
Colab button points at the chapter's notebook, its formulas render (MathJax from the site
itself), and its kernel-free views respond to their controls.
"""

from __future__ import annotations

import pytest

from conftest import chapters, explorer_chapters, math_chapters, open_page, pages

pytestmark = [pytest.mark.book, pytest.mark.browser]

@pytest.mark.parametrize("chapter", pages())
def test_page_loads_without_console_errors(browser, site_url, chapter):
    with open_page(browser, f"{site_url}/{chapter}.html") as (page, errors, _):
        assert page.locator("main h1").count() >= 1, "the page has no title"
        assert not errors, f"console errors on {chapter}: {errors}"
        assert page.locator("div.cell_output .output.traceback, .output.error").count() == 0


@pytest.mark.parametrize("chapter", chapters())
def test_colab_link_points_at_the_chapter_notebook(browser, site_url, chapter):
    with open_page(browser, f"{site_url}/{chapter}.html") as (page, _, __):
        hrefs = page.eval_on_selector_all("a[href*='colab.research.google.com']", "els => els.map(e => e.href)")
        assert hrefs, f"{chapter} has no Colab launch link"
        assert all(h.endswith(f"/blob/main/{chapter}.ipynb") for h in hrefs), hrefs


@pytest.mark.parametrize("chapter", math_chapters())
def test_math_renders_offline(browser, site_url, chapter):
    """Every chapter whose prose holds formulas: they reach the page and MathJax renders them."""
    with open_page(browser, f"{site_url}/{chapter}.html") as (page, _, __):
        assert page.locator("div.math, span.math").count() > 0, f"{chapter} has formulas in its source, none on its page"
        page.wait_for_selector("article mjx-container", state="attached", timeout=10_000)
        assert page.evaluate("window.MathJax.version").startswith("3.")


@pytest.mark.parametrize("chapter", explorer_chapters())
def test_every_explorer_responds_to_its_controls(browser, site_url, chapter):
    """Move each control of each kernel-free view: the drawing must change."""
    with open_page(browser, f"{site_url}/{chapter}.html") as (page, errors, _):
        explorers = page.locator(".aho-explorer")
        assert explorers.count() >= 1, f"{chapter} shows explorers in a kernel but none on its page"
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

