"""The built "Decoding" page's text box: sentences typed key by key (listed ones, held-out corpus
sentences, and sentences the corpus does not contain) run the translator in the page
(web/runtime.js + views/programs/translation.js); every frame the page draws equals the library's
:func:`transformer_lib.views.translator.decoding_frame` for the same setting, its greedy
translation equals :meth:`Translator.translate` token for token, and an unknown word gets the
library's message with the word marked."""

from __future__ import annotations

import random
import re
import statistics

import pytest

from conftest import open_page

pytestmark = [pytest.mark.book, pytest.mark.browser, pytest.mark.weights]

PAGE = "chapters/decoding"

# Wrap the page program once it is loaded, so the test sees the exact frame the page drew from
# (values and frame), and count the model's greedy searches (moving the layer or the head must not
# search again). Also record every data-aho-ms the element takes (forward pass + redraw).
SPY = """root => {
  const f = window.AHO_PROGRAMS.translation;
  if (f.spied) return;
  window.__greedy = 0;
  const spy = function (m, v, d) {
    if (!m.__counted) { const g = m.greedy; m.greedy = function () { window.__greedy++; return g.apply(m, arguments); }; m.__counted = 1; }
    const frame = f(m, v, d);
    window.__last = {values: v, frame: frame};
    return frame;
  };
  spy.spied = true;
  window.AHO_PROGRAMS.translation = spy;
}"""
WATCH = """root => {
  window.__ms = [];
  new MutationObserver(() => window.__ms.push(+root.getAttribute('data-aho-ms')))
    .observe(root, {attributes: true, attributeFilter: ['data-aho-ms']});
}"""
# What the page shows: each figure's title, and its heatmap cells' tooltips ("row → column: value").
READ = """root => ({
  caption: (root.querySelector('.aho-caption') || {}).textContent,
  message: root.querySelector('.aho-message').textContent,
  error: root.getAttribute('data-aho-error'),
  unknown: Array.from(root.querySelectorAll('span.aho-unknown')).map(s => s.textContent),
  figures: Array.from(root.querySelectorAll('.aho-figure')).map(fig => ({
    title: fig.querySelector('figcaption').textContent,
    cells: Array.from(fig.querySelectorAll('rect title')).map(t => t.textContent)})),
})"""


def _sentences(translator, listed) -> list[str]:
    """The listed sentences, held-out corpus sentences, and >= 12 sentences in neither split."""
    from transformer_lib.data import make_corpus

    corpus = make_corpus(**translator.info["corpus"])
    seen = {fr for fr, _ in corpus.train + corpus.test}
    heldout = [fr for fr, _ in corpus.test[7::45] if fr not in listed]
    rng, spliced = random.Random(16), []
    while len(spliced) < 10:  # the start of one training sentence, the end of another
        a, b = (rng.choice(corpus.train)[0].split() for _ in range(2))
        s = " ".join(a[:rng.randrange(1, len(a) + 1)] + b[rng.randrange(len(b)):])
        if s not in seen and s not in spliced:
            spliced.append(s)
    novel = spliced + ["il mange la voiture rouge", "elles lavent le stylo", "nous sommes un chat", "merci merci merci",
                       "je ne mange pas de voiture bleue", "oui non bonjour"]
    assert not set(novel) & seen and len(heldout) >= 8
    spelled = ["Je suis ÉTUDIANTE", "tu n'es pas professeure"]  # corpus sentences, typed as a reader would
    return listed + heldout + novel + spelled


def _set(root, name, index):
    ctl = root.locator(f"[data-aho-control='{name}']")
    if ctl.evaluate("e => e.tagName") == "SELECT":
        ctl.select_option(str(index))
    else:
        ctl.evaluate("(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }", str(index))


def _type(page, root, text, keys=True):
    """Type ``text`` into the box key by key (each key redraws, as for a reader), or paste it."""
    box = root.locator("input[data-aho-control='sentence']")
    seq = int(root.get_attribute("data-aho-seq") or 0)
    if keys:
        box.fill("")
        box.press_sequentially(text)
    else:
        box.fill(text)
    # answered (a frame, or a message: one waits for a pause in the typing, data-aho-pending meanwhile)
    page.wait_for_function("([r, n]) => +(r.getAttribute('data-aho-seq') || 0) > n && !r.hasAttribute('data-aho-loading')"
                           " && !r.hasAttribute('data-aho-pending')", arg=[root.element_handle(), seq], timeout=30_000)


def _same_frame(got, want, where):
    assert got["caption"] == want["caption"], where
    assert len(got["panels"]) == len(want["panels"]) == 2, where
    for g, w in zip(got["panels"], want["panels"]):
        for key in ("kind", "title", "xlabel", "ylabel", "x", "y", "vmin", "vmax", "decimals"):
            assert g[key] == w[key], (where, key)
        assert [len(r) for r in g["z"]] == [len(r) for r in w["z"]], where
        diff = max(abs(a - b) for rg, rw in zip(g["z"], w["z"]) for a, b in zip(rg, rw))
        assert diff <= 1e-4, (where, diff)


def _shown_equals(shown, want, where):
    """What the page drew (titles, caption, every cell's labels and value) is the frame ``want``."""
    assert shown["caption"] == want["caption"] and not shown["message"] and shown["error"] is None, where
    assert [f["title"] for f in shown["figures"]] == [p["title"] for p in want["panels"]], where
    for fig, p in zip(shown["figures"], want["panels"]):
        cells = [re.fullmatch(r"(.*) → (.*): (-?[\d.]+)", c).groups() for c in fig["cells"]]
        want_cells = [(y, x, v) for y, row in zip(p["y"], p["z"]) for x, v in zip(p["x"], row)]
        assert [c[:2] for c in cells] == [c[:2] for c in want_cells], where
        assert max(abs(float(c[2]) - v) for c, (_, _, v) in zip(cells, want_cells)) <= 5.1e-4, where  # shown to 3 decimals


def test_typed_sentences_equal_the_library_frame(browser, site_url):
    from transformer_lib.tasks.translator import load_translator
    from transformer_lib.views.translator import decoding_frame

    translator = load_translator("translator")
    rng = random.Random(0)
    with open_page(browser, f"{site_url}/{PAGE}.html") as (page, errors, loaded):
        root = page.locator(".aho-explorer").filter(has=page.locator("input[data-aho-control='sentence']"))
        assert root.count() == 1 and root.get_attribute("data-aho-mounted") == "1"
        assert not any("_static/aho/" in p for p in loaded), "the page fetched the model before the reader used the box"
        listed = root.locator("datalist option").evaluate_all("os => os.map(o => o.value)")
        layers = root.locator("[data-aho-control='layer']").evaluate("e => +e.max + 1")
        heads = root.locator("[data-aho-control='head'] option").evaluate_all("os => os.map(o => o.textContent)")
        sentences = _sentences(translator, listed)
        assert len(sentences) >= 30 and len(listed) >= 6

        _type(page, root, "il mange la voiture")  # the first typed text loads the runtime, program and model
        assert loaded.get("/_static/aho/models/translator.bin") == 200
        root.evaluate(SPY)
        root.evaluate(WATCH)
        program_frames = 0
        for n, s in enumerate(sentences):
            layer, head = rng.randrange(layers), rng.randrange(len(heads))
            _set(root, "layer", layer)
            _set(root, "head", head)
            _type(page, root, s)
            where = f"{s!r}, layer {layer + 1}, head {heads[head]}"
            want = decoding_frame(translator, s, layer + 1, heads[head])
            _shown_equals(root.evaluate(READ), want, where)
            if s not in listed:  # computed by the page program: its frame, to 1e-4
                last = page.evaluate("window.__last")
                assert last["values"] == {"sentence": s, "layer": layer + 1, "head": heads[head]}, where
                _same_frame(last["frame"], want, where)
                program_frames += 1
            shown = root.evaluate(READ)["caption"]  # the page's greedy translation, token for token
            greedy = re.search(r" → greedy: (.*?) \(log p = ", shown).group(1)
            assert greedy.split() == translator.translate(s).split() or (greedy == "(nothing)" and not translator.translate(s)), where
            if n % 5 == 0:  # another layer and head, the same text: redrawn from the cache, no new search
                before = page.evaluate("window.__greedy")
                _set(root, "layer", (layer + 1) % layers)
                _set(root, "head", (head + 1) % len(heads))
                want = decoding_frame(translator, s, (layer + 1) % layers + 1, heads[(head + 1) % len(heads)])
                _shown_equals(root.evaluate(READ), want, where + " (moved)")
                assert page.evaluate("window.__greedy") == before, where
        assert program_frames >= 22
        ms = page.evaluate("window.__ms")
        print(f"\ndata-aho-ms over {len(ms)} frames drawn while typing: median {statistics.median(ms):.2f} ms, "
              f"90th percentile {sorted(ms)[int(0.9 * len(ms))]:.2f} ms")
        assert not errors, errors


def test_unknown_word_shows_the_message_and_is_marked(browser, site_url):
    from transformer_lib.tasks.translator import load_translator

    translator = load_translator("translator")
    with open_page(browser, f"{site_url}/{PAGE}.html") as (page, errors, _):
        root = page.locator(".aho-explorer").filter(has=page.locator("input[data-aho-control='sentence']"))
        _type(page, root, "je suis médecin")
        caption = root.evaluate(READ)["caption"]
        for text, unknown in (("je suis astronaute", ["astronaute"]), ("Le chat mange du poisson", ["du", "poisson"]),
                              ("<b>il</b> est malade", ["b", "b"])):
            with pytest.raises(ValueError) as err:
                translator.encode_source(text)
            _type(page, root, text, keys=False)  # pasted: the last good text is the one before
            shown = root.evaluate(READ)
            assert shown["message"] == str(err.value) and shown["error"] == "1", text
            assert shown["unknown"] == unknown, text
            assert shown["caption"] == caption, text  # the last good picture stays
            assert root.locator(".aho-marks b").count() == 0  # typed markup is shown as text, never made
        _type(page, root, "je suis malade")
        shown = root.evaluate(READ)
        assert shown["error"] is None and not shown["message"] and not shown["unknown"]
        assert shown["caption"].startswith("je suis malade → greedy: i am sick")
        assert not errors, errors
