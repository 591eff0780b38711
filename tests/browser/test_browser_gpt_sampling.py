"""The built "Decoder-only models (GPT)" page computes its sampling explorer's frames in
JavaScript (explorer.js's ``sampling`` program over the shipped logits); here, moved through
many settings in headless Chromium, every number it draws equals the library's
:func:`transformer_lib.views.gpt.sampling_frame` for the same setting."""

from __future__ import annotations

import itertools
import random

import pytest

from conftest import open_page

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "chapters/gpt"

# What the page draws, read from the DOM: each bar's data-value (the number it is drawn from),
# the highlighted bars (class aho-highlight), bar labels, panel titles and the caption.
READ = """root => Array.from(root.querySelectorAll('.aho-figure')).map(fig => {
    const bars = Array.from(fig.querySelectorAll('rect.aho-bar'));
    return {title: fig.querySelector('figcaption').textContent,
            values: bars.map(r => Number(r.getAttribute('data-value'))),
            highlight: bars.flatMap((r, i) => r.classList.contains('aho-highlight') ? [i] : [])};
}).concat([{caption: root.querySelector('.aho-caption').textContent}])"""


def _settings(ex) -> list[dict]:
    """>= 60 settings over every prompt: each top-k, each top-p and each temperature at least once,
    the ends of every range together, and a seeded random sample of the rest."""
    prompts, temps, tks, tps = (ex.controls[n] for n in ("prompt", "temperature", "top_k", "top_p"))
    ends = itertools.product(prompts, temps[:1] + temps[-1:], tks[:1] + tks[-1:], tps[:1] + tps[-1:])
    out = [dict(prompt=pr, temperature=t, top_k=k, top_p=p) for pr, t, k, p in ends]
    rng = random.Random(0)
    for i, k in enumerate(tks):
        out.append(dict(prompt=prompts[i % len(prompts)], temperature=rng.choice(temps), top_k=k, top_p=rng.choice(tps)))
    for i, p in enumerate(tps):
        out.append(dict(prompt=prompts[i % len(prompts)], temperature=rng.choice(temps), top_k=rng.choice(tks), top_p=p))
    for i, t in enumerate(temps):
        out.append(dict(prompt=prompts[i % len(prompts)], temperature=t, top_k=rng.choice(tks), top_p=rng.choice(tps)))
    return out


def _set(ex_locator, ex, name, value):
    """Move one control of the page to ``value``: type a prompt into the text box, or move a slider."""
    ctl = ex_locator.locator(f"[data-aho-control='{name}']")
    if ctl.evaluate("e => e.type") == "text":
        # a listed prompt, chosen as from the box's list (no focus, so nothing prefetched): the page's
        # shipped logits draw it, and no model is fetched or run
        ctl.evaluate("(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }", value)
    else:
        ctl.evaluate("(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }", str(ex.controls[name].index(value)))


@pytest.mark.weights
def test_page_frames_equal_the_library_sampling_frame(browser, site_url):
    from transformer_lib.tasks import gpt as tiny
    from transformer_lib.views import gpt as gv

    model, vocab, _ = tiny.load_tiny_gpt()
    ex = gv.sampling_explorer(model, vocab)
    settings = _settings(ex)
    assert len(settings) >= 60 and {s["prompt"] for s in settings} == set(ex.controls["prompt"])
    with open_page(browser, f"{site_url}/{PAGE}.html") as (page, errors, loaded):
        root = page.locator(".aho-explorer").filter(has=page.locator("[data-aho-control='top_p']"))
        assert root.count() == 1 and root.get_attribute("data-aho-mounted") == "1"
        assert root.locator("[data-aho-control='top_k']").evaluate("e => +e.max + 1") == len(vocab)  # every k
        cut = 0
        for s in settings:
            for name, value in s.items():
                _set(root, ex, name, value)
            want = ex.frame_fn(**s)
            got = root.evaluate(READ)
            assert got[-1]["caption"] == want["caption"], s
            for shown, panel in zip(got[:-1], want["panels"], strict=True):
                assert shown["title"] == panel["title"], s
                assert len(shown["values"]) == len(panel["values"]) == len(vocab), s
                assert max(abs(a - b) for a, b in zip(shown["values"], panel["values"])) <= 1e-6, s
                assert shown["highlight"] == panel["highlight"], s
            cut += len(want["panels"][1]["highlight"]) < len(vocab)
        assert cut >= len(settings) // 2  # most settings cut something: the sets were tested, not only "all"
        assert not any("/_static/aho/" in p for p in loaded)  # listed prompts fetch no model
        assert not errors, errors
