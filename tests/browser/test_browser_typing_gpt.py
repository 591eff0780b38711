"""Type your own prompt on the built "Decoder-only models (GPT)" page: the sampling explorer's
text box runs the tiny GPT in headless Chromium (runtime.js + views/programs/gpt.js, no kernel),
and every frame it draws equals :func:`transformer_lib.views.gpt.sampling_frame` for the same
prompt and setting: captions as strings, bar values within 1e-4 (the page's logits differ from
torch's by about 1e-5), highlights equal. A bad prompt shows the Python ValueError's message, and
the characters the model does not know are marked in the reader's copy of the prompt."""

from __future__ import annotations

import random
import statistics

import pytest

from conftest import open_page

pytestmark = [pytest.mark.book, pytest.mark.browser, pytest.mark.weights]

PAGE = "chapters/gpt"
TOL = 1e-4

# What the page draws (as in test_browser_gpt_sampling.py), plus the message and the marked characters.
READ = """root => ({
    panels: Array.from(root.querySelectorAll('.aho-figure')).map(fig => {
        const bars = Array.from(fig.querySelectorAll('rect.aho-bar'));
        return {title: fig.querySelector('figcaption').textContent,
                values: bars.map(r => Number(r.getAttribute('data-value'))),
                highlight: bars.flatMap((r, i) => r.classList.contains('aho-highlight') ? [i] : [])};
    }),
    caption: (root.querySelector('.aho-caption') || {}).textContent,
    message: root.querySelector('.aho-message').textContent,
    unknown: Array.from(root.querySelectorAll('.aho-marks span.aho-unknown')).map(s => s.textContent),
    error: root.getAttribute('data-aho-error'),
    ms: Number(root.getAttribute('data-aho-ms')),
    frames: Number(root.getAttribute('data-aho-frames')),
})"""


def _prompts(gv, tiny) -> dict[str, list[str]]:
    """>= 30 prompts: the listed ones, held-out sentences cut at seeded places, odd but valid
    text, and text the model must refuse (too long, unknown characters, empty)."""
    rng = random.Random(16)
    heldout = [s for s in tiny.corpus_text("heldout").split("\n") if s]
    snippets = [s[: rng.randint(1, min(len(s), 47))] for s in rng.sample(heldout, 14)]
    odd = ["I AM ", "   ", "a", "y", "the the the the ", "wwwwwwwwww", "she " * 11 + "abc",  # 47: the longest allowed
           " ends with a space ", "no spaces at allwhatsoever"]
    bad = ["she " * 12, "a" * 60,  # 48 and 60 characters: too long
           "hello, world!", "je suis là", "<script>alert(1)</script>", "I'm 42", "quiz", "", "the fox jumps \u2014 why?"]
    return {"listed": list(gv.PROMPTS), "heldout": snippets, "odd": odd, "bad": bad}


def _set(root, ex, name, value):
    """Move a slider of the page to ``value``."""
    idx = str(ex.controls[name].index(value))
    root.locator(f"[data-aho-control='{name}']").evaluate("(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }", idx)


def _type(page, root, text):
    """Replace the prompt box's text (one input event) and wait for the page to answer it: a frame, or
    a message (which waits for a pause in the typing); explorer.js counts both in data-aho-seq."""
    seq = int(root.get_attribute("data-aho-seq") or 0)
    root.locator("[data-aho-control='prompt']").fill(text)
    page.wait_for_function("([r, n]) => +(r.getAttribute('data-aho-seq') || 0) > n", arg=[root.element_handle(), seq],
                           timeout=30_000)


def _assert_frame(got, want, where):
    assert got["error"] is None and got["message"] == "", where
    assert got["caption"] == want["caption"], where
    for shown, panel in zip(got["panels"], want["panels"], strict=True):
        assert shown["title"] == panel["title"], where
        assert len(shown["values"]) == len(panel["values"]), where
        assert max(abs(a - b) for a, b in zip(shown["values"], panel["values"])) <= TOL, where
        assert shown["highlight"] == panel["highlight"], where


def test_typed_prompts_match_the_library_and_bad_ones_get_its_message(browser, site_url):
    from transformer_lib.tasks import gpt as tiny
    from transformer_lib.views import gpt as gv

    model, vocab, _ = tiny.load_tiny_gpt()
    ex = gv.sampling_explorer(model, vocab)
    groups = _prompts(gv, tiny)
    assert sum(map(len, groups.values())) >= 30
    rng = random.Random(0)
    checked = refused = 0
    with open_page(browser, f"{site_url}/{PAGE}.html") as (page, errors, loaded):
        root = page.locator(".aho-explorer").filter(has=page.locator("[data-aho-control='top_p']"))
        assert root.count() == 1 and root.locator("[data-aho-control='prompt']").evaluate("e => e.type") == "text"
        for group, prompts in groups.items():
            for prompt in prompts:
                setting = dict(temperature=1.0, top_k=len(vocab), top_p=1.0)  # reset, then type
                for name, value in setting.items():
                    _set(root, ex, name, value)
                _type(page, root, prompt)
                try:
                    tiny.encode(vocab, prompt, model.config.block_size)
                except ValueError as err:
                    assert group == "bad", (prompt, err)
                    got = root.evaluate(READ)
                    assert got["error"] == "1" and got["message"] == str(err), prompt
                    assert sorted(set(got["unknown"])) == sorted(set(vocab.unknown(prompt))), prompt
                    _set(root, ex, "temperature", 0.5)  # moving a control keeps the message
                    assert root.evaluate(READ)["message"] == str(err), prompt
                    refused += 1
                    continue
                assert group != "bad", prompt
                for _ in range(4):  # the setting typed into, then three random moves of the controls
                    want = gv.sampling_frame(model, vocab, prompt, **setting)
                    _assert_frame(root.evaluate(READ), want, (prompt, setting))
                    checked += 1
                    setting = {n: rng.choice(ex.controls[n]) for n in ("temperature", "top_k", "top_p")}
                    for name, value in setting.items():
                        _set(root, ex, name, value)
        assert refused == len(groups["bad"]) and checked == 4 * (sum(map(len, groups.values())) - refused)
        assert loaded.get(next(p for p in loaded if p.endswith("/_static/aho/models/tiny_gpt.bin"))) == 200  # from this site
        assert not errors, errors


def test_keystrokes_redraw_from_the_model_and_are_timed(browser, site_url):
    """Key by key, as a reader types: each keystroke that leaves a valid prompt draws a frame, from
    the model run in the page, equal to the library's; the median of data-aho-ms (forward pass +
    redraw) is printed (the goal of 16 ms is checked in benchmarks/bench_typing.py, not here)."""
    from transformer_lib.tasks import gpt as tiny
    from transformer_lib.views import gpt as gv

    model, vocab, _ = tiny.load_tiny_gpt()
    setting = dict(temperature=0.8, top_k=10, top_p=0.9)
    ex = gv.sampling_explorer(model, vocab)
    texts = ["the cats see a big dog", "we do not like the old red car", "you have a white cow and"]
    times = []
    with open_page(browser, f"{site_url}/{PAGE}.html") as (page, errors, _):
        root = page.locator(".aho-explorer").filter(has=page.locator("[data-aho-control='top_p']"))
        for name, value in setting.items():
            _set(root, ex, name, value)
        box = root.locator("[data-aho-control='prompt']")
        _type(page, root, "x")  # loads the model (an unknown character: a message, no frame)
        for text in texts:
            box.fill("")
            for i, ch in enumerate(text):
                before = root.evaluate(READ)["frames"]
                box.press(ch if ch != " " else "Space")
                got = root.evaluate(READ)
                assert got["frames"] == before + 1, text[: i + 1]  # drawn at once: no wait, no fetch
                _assert_frame(got, gv.sampling_frame(model, vocab, text[: i + 1], **setting), text[: i + 1])
                times.append(got["ms"])
        assert not errors, errors
    print(f"\ndata-aho-ms over {len(times)} keystrokes: median {statistics.median(times):.2f} ms, "
          f"max {max(times):.2f} ms")
