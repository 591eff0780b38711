"""The book's own models in the page (transformer_lib/web/runtime.js) equal torch's, and the pronoun
page's text box runs them on whatever a reader types.

* Parity: in headless Chromium, the runtime's logits and attention weights for >= 100 inputs per
  model (the pages' listed inputs, held-out corpus sentences, and inputs no corpus contains) equal
  the torch models' within 1e-4; the translator's greedy and beam-search outputs are the library's
  token for token.
* The pronoun page: nothing of the runtime is fetched before the reader clicks into the box; then the runtime,
  the page program and the model are fetched once each; every typed sentence's frame equals
  views.pronoun.it_frame's; unknown words are marked with the library's message; a word in another
  role gets its note; typed markup is shown, never run.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from conftest import open_page

pytestmark = [pytest.mark.book, pytest.mark.browser, pytest.mark.weights]

PAGE = "chapters/it_animal"
TOL = 1e-4

LOAD_RUNTIME = """async () => {
  if (!window.AHO_RUNTIME) await new Promise((ok, fail) => {
    const s = document.createElement('script');
    s.src = document.documentElement.dataset.content_root + '_static/aho/runtime.js';
    s.onload = ok; s.onerror = () => fail(new Error('no runtime.js'));
    document.head.appendChild(s);
  });
}"""


@pytest.fixture(scope="module")
def it_model():
    from transformer_lib.tasks.pronoun import load_it_model

    return load_it_model()


def _max_diff(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.abs(a - b).max()) if a.size else 0.0


# ----------------------------------------------------------------------------- inputs
def pronoun_inputs(model) -> list[str]:
    """The page's grid, held-out and training-like sentences, and token strings no corpus has."""
    from transformer_lib.data import pronoun as C
    from transformer_lib.views.pronoun import GRID

    g = GRID
    out = [C.sentence(a, o, adj, f).text for a in g["agent"][:2] for o in g["object"][:2] for f in g["frame"]
           for adj in g["adjective"][:2] if a != o]
    split = C.make_split()
    out += [e.text for e in C.sample_sentences(40, split, seed=11, part="heldout")]
    out += [e.text for e in C.sample_sentences(20, split, seed=12, part="train")]
    rng = random.Random(0)
    words = [w for w in model.config.vocab[1:] if w != "it"]
    for n in range(30):  # not sentences of any corpus: random words around one "it"
        toks = rng.sample(words, rng.randint(1, 12))
        toks.insert(rng.randint(0, len(toks)), "it")
        out.append(" ".join(toks))
    out += ["it", "it was too far .", "the animal didn't cross the street because it was too far ."]
    return out


def translator_inputs(tr) -> list[str]:
    from transformer_lib.data.translation import make_corpus

    corpus = make_corpus(seed=0)
    rng = random.Random(1)
    out = [fr for fr, _ in corpus.test[:50]] + [fr for fr, _ in rng.sample(corpus.train, 30)]
    words = list(tr.src_vocab.tokens[4:])
    out += [" ".join(rng.sample(words, rng.randint(1, 8))) for _ in range(25)]  # no corpus sentence
    return out


def gpt_inputs(vocab) -> list[str]:
    from transformer_lib.tasks import gpt as tiny

    text = tiny.corpus_text("heldout")
    rng = random.Random(2)
    out = [text[i:i + rng.randint(1, 40)] for i in range(0, 4000, 50)]
    chars = [c for c in vocab.tokens]
    out += ["".join(rng.choice(chars) for _ in range(rng.randint(1, 47))) for _ in range(30)]  # gibberish
    return out


def _in_page(browser, site_url, js: str, arg):
    """Run ``js`` (an async function of ``arg``) in a book page with the runtime loaded; its result."""
    with open_page(browser, f"{site_url}/{PAGE}.html") as (page, errors, _):
        page.evaluate(LOAD_RUNTIME)
        got = page.evaluate(js, arg)
        assert not errors
    return got


# ----------------------------------------------------------------------------- parity
def test_runtime_equals_torch_for_the_pronoun_model(browser, site_url, it_model):
    from transformer_lib.data import pronoun as C

    sentences = pronoun_inputs(it_model)
    assert len(sentences) >= 100
    got = _in_page(browser, site_url, """async (sentences) => {
      const m = await AHO_RUNTIME.load('it_model');
      return sentences.map(s => { const r = m.analyse(s);
        return {tokens: r.tokens, logits: r.logits, w: r.weights.map(l => l.map(h => Array.from(h)))}; });
    }""", sentences)
    worst_logit = worst_w = 0.0
    for s, r in zip(sentences, got, strict=True):
        ids, it_pos = it_model.encode([s])
        with torch.inference_mode():
            logits = it_model(ids, it_pos)[0].numpy()
        tokens, w = it_model.sentence_attention(s)  # (L, H, T, T)
        assert r["tokens"] == tokens == C.TOKENIZER(s)
        worst_logit = max(worst_logit, _max_diff(r["logits"], logits))
        worst_w = max(worst_w, _max_diff(np.asarray(r["w"]).reshape(w.shape), w))
    print(f"\npronoun model, {len(sentences)} sentences: max |logit diff| {worst_logit:.1e}, max |weight diff| {worst_w:.1e}")
    assert worst_logit <= TOL and worst_w <= TOL, (worst_logit, worst_w)


def test_runtime_equals_torch_for_the_translator(browser, site_url):
    from transformer_lib.decoding import beam_search, greedy_decode
    from transformer_lib.tasks.translator import load_translator

    tr = load_translator()
    sentences = translator_inputs(tr)
    assert len(sentences) >= 100
    got = _in_page(browser, site_url, """async (sentences) => {
      const m = await AHO_RUNTIME.load('translator');
      const rows = a => a.map(x => Array.from(x));
      return sentences.map(s => { const src = m.source(s), g = m.greedy(src.ids, 20), b = m.beam(src.ids, 4, 20, 0.6);
        return {tokens: src.tokens, greedy: g.ids, beam: b.ids, logits: rows(g.logits), enc: g.encoder.map(rows),
                self: g.self.map(st => st.map(rows)), cross: g.cross.map(st => st.map(rows))}; });
    }""", sentences)
    worst = {"logits": 0.0, "encoder": 0.0, "decoder": 0.0, "cross": 0.0}
    for s, r in zip(sentences, got, strict=True):
        src = tr.encode_source(s)  # (1, S)
        toks, _ = greedy_decode(tr.model, src, 20)
        greedy = [int(t) for t in toks[0] if t != tr.model.config.pad_id]
        assert r["greedy"] == greedy, s  # token for token
        beam = [int(t) for t in beam_search(tr.model, src, k=4, max_len=20).tokens[0] if t != tr.model.config.pad_id]
        assert r["beam"] == beam, s
        ins = tr.inspect(s)
        assert r["tokens"] == ins["source"]
        tgt_in = torch.tensor([[tr.tgt_vocab.bos_id] + greedy[:-1]])  # (1, L): what each step read
        with torch.inference_mode():
            logits = tr.model(src, tgt_in)[0].numpy()  # (L, V)
        L = len(greedy)
        self_w = np.zeros((L, *ins["decoder"].shape[:2], L))  # (L, layers, H, L): step t reads positions 0..t
        for t in range(L):
            self_w[t, :, :, :t + 1] = np.asarray(r["self"][t])
        worst["logits"] = max(worst["logits"], _max_diff(r["logits"], logits))
        worst["encoder"] = max(worst["encoder"], _max_diff(np.asarray(r["enc"]).reshape(ins["encoder"].shape), ins["encoder"]))
        worst["decoder"] = max(worst["decoder"], _max_diff(self_w.transpose(1, 2, 0, 3), ins["decoder"]))
        worst["cross"] = max(worst["cross"], _max_diff(np.asarray(r["cross"]).transpose(1, 2, 0, 3), ins["cross"]))
    print(f"\ntranslator, {len(sentences)} sentences, greedy and beam equal: max diffs "
          + ", ".join(f"{k} {v:.1e}" for k, v in worst.items()))
    assert max(worst.values()) <= TOL, worst


def test_runtime_equals_torch_for_the_tiny_gpt(browser, site_url):
    from transformer_lib.tasks import gpt as tiny

    model, vocab, _ = tiny.load_tiny_gpt()
    prompts = gpt_inputs(vocab)
    assert len(prompts) >= 100
    got = _in_page(browser, site_url, """async (prompts) => {
      const m = await AHO_RUNTIME.load('tiny_gpt');
      return prompts.map(s => { const r = m.forward(m.ids(s));
        return {logits: r.logits, w: r.weights.map(l => l.map(h => Array.from(h)))}; });
    }""", prompts)
    worst_logit = worst_w = 0.0
    for s, r in zip(prompts, got, strict=True):
        ids = tiny.encode(vocab, s, model.config.block_size)  # (1, T)
        with torch.inference_mode():
            logits, ws = model(ids, need_weights=True)
        w = torch.stack([x[0] for x in ws]).numpy()  # (L, H, T, T)
        worst_logit = max(worst_logit, _max_diff(r["logits"], logits[0].numpy()))
        worst_w = max(worst_w, _max_diff(np.asarray(r["w"]).reshape(w.shape), w))
    print(f"\ntiny GPT, {len(prompts)} prompts: max |logit diff| {worst_logit:.1e}, max |weight diff| {worst_w:.1e}")
    assert worst_logit <= TOL and worst_w <= TOL, (worst_logit, worst_w)


def test_runtime_tokenizers_and_messages_equal_the_librarys(browser, site_url, it_model):
    """The same tokens, unknown-word messages and nearest words as the Python, on awkward text."""
    from transformer_lib.tasks import gpt as tiny
    from transformer_lib.tasks.translator import load_translator

    tr = load_translator()
    _, vocab, _ = tiny.load_tiny_gpt()
    texts = ["The Animal’s  street", "Je n'ai pas de chat.", "L'élève aime l'été", "naïve café 3 x_y",
             "it  was\ttoo far,tired.", "ÇA VA ? oui", "<script>alert(1)</script> it", "Émile’s œuvre", ""]
    bad_fr = ["le zèbre mange", "je mange la pomme verte du astronaute", "xyz", "le chat " * 20]
    bad_it = ["the motorway is it", "the animal didn't cross it it", "", "it " + "the " * 40,
              "the dgo didn't cross the streat because it was too tierd ."]
    bad_gpt = ["Quiz", "", "a" * 48, "hello\tworld", "jazz"]
    got = _in_page(browser, site_url, """async ([texts, badFr, badIt, badGpt]) => {
      const it = await AHO_RUNTIME.load('it_model'), tr = await AHO_RUNTIME.load('translator'), g = await AHO_RUNTIME.load('tiny_gpt');
      const msg = f => { try { f(); return null; } catch (e) { return [e.message, e.unknown]; } };
      return {it: texts.map(t => AHO_RUNTIME.tokenize(it.manifest.tokenizer, t)),
              tr: texts.map(t => AHO_RUNTIME.tokenize(tr.manifest.tokenizer, t)),
              gpt: texts.map(t => AHO_RUNTIME.tokenize(g.manifest.tokenizer, t)),
              badFr: badFr.map(t => msg(() => tr.source(t))), badIt: badIt.map(t => msg(() => it.tokens(t))),
              badGpt: badGpt.map(t => msg(() => g.ids(t)))};
    }""", [texts, bad_fr, bad_it, bad_gpt])
    from transformer_lib.data import pronoun as C
    from transformer_lib.data.translation import TOKENIZER as FR

    assert got["it"] == [C.TOKENIZER(t) for t in texts]
    assert got["tr"] == [FR(t) for t in texts]
    assert got["gpt"] == [tiny.CHARS(t) for t in texts]

    def python_message(fn, text):
        with pytest.raises(ValueError) as err:
            fn(text)
        return str(err.value)

    for text, r in zip(bad_fr, got["badFr"], strict=True):
        assert r is not None and r[0] == python_message(tr.encode_source, text), text
    for text, r in zip(bad_it, got["badIt"], strict=True):
        assert r is not None and r[0] == python_message(it_model.tokens, text), text
    for text, r in zip(bad_gpt, got["badGpt"], strict=True):
        assert r is not None and r[0] == python_message(lambda s: tiny.encode(vocab, s, 48), text), text
    assert got["badIt"][0][1] == ["motorway", "is"] or "motorway" in got["badIt"][0][1]


# ----------------------------------------------------------------------------- the pronoun page
def _typing_box(page):
    root = page.locator(".aho-explorer").filter(has=page.locator(".aho-textbox"))
    assert root.count() == 1 and root.get_attribute("data-aho-mounted") == "1"
    return root


def _type(page, root, text: str) -> None:
    """Put ``text`` in the box (one input event) and wait until the page has answered it."""
    seq = int(root.get_attribute("data-aho-seq") or 0)
    root.locator("input[data-aho-control='sentence']").fill(text)
    page.wait_for_function("([e, n]) => +(e.getAttribute('data-aho-seq') || 0) > n", arg=[root.element_handle(), seq])


def _assert_same_frame(got: dict, want: dict, what: str) -> None:
    assert got["caption"] == want["caption"], what
    assert len(got["panels"]) == len(want["panels"]), what
    for g, w in zip(got["panels"], want["panels"]):
        assert g["kind"] == w["kind"] and g["title"] == w["title"], what
        if w["kind"] == "heatmap":
            assert (g["x"], g["y"], g["xlabel"], g["ylabel"]) == (w["x"], w["y"], w["xlabel"], w["ylabel"]), what
            assert (g["vmin"], g["vmax"], g["decimals"]) == (w["vmin"], w["vmax"], w["decimals"]), what
            assert _max_diff(g["z"], w["z"]) <= TOL, what
        else:
            assert g["labels"] == w["labels"] and g["highlight"] == w["highlight"] and g["vmax"] == w["vmax"], what
            assert _max_diff(g["values"], w["values"]) <= TOL, what


def test_typed_sentences_fetch_the_model_once_and_draw_what_the_library_draws(browser, site_url, it_model):
    from transformer_lib.data import pronoun as C
    from transformer_lib.views.pronoun import it_frame

    split = C.make_split()
    typed = [e.text for e in C.sample_sentences(20, split, seed=21, part="heldout")]
    typed += ["the fox didn't cross the lake because it was too far .",  # a word in another role
              "yesterday , the wall was avoided by the sheep since it seemed much too nervous .",
              "It was too tired.", "the animal didn’t cross the street because it was too wide",  # case, apostrophe
              "it", "the deer , it the", "too it too far", "the street didn't cross the animal because it was too tired ."]
    typed += [" ".join(random.Random(i).sample(C.NOUNS, 3)) + " it" for i in range(4)]
    assert len(typed) >= 30
    with open_page(browser, f"{site_url}/{PAGE}.html") as (page, errors, loaded):
        assert not [p for p in loaded if "/_static/aho/" in p], "the runtime must wait until the reader uses the box"
        fetched = []
        page.on("request", lambda r: fetched.append(r.url.split("/_static/aho/")[-1]) if "/_static/aho/" in r.url else None)
        root = _typing_box(page)
        with page.expect_response(lambda r: r.url.endswith("/_static/aho/models/it_model.bin")):
            root.locator("input[data-aho-control='sentence']").focus()  # the cursor in the box starts the fetch
        assert sorted(fetched) == ["models/it_model.bin", "models/it_model.json", "programs/pronoun.js", "runtime.js"]
        for text in typed:
            _type(page, root, text)
            assert root.get_attribute("data-aho-error") is None, (text, root.locator(".aho-message").text_content())
            _assert_same_frame(root.evaluate("e => e.ahoFrame"), it_frame(it_model, text), text)
        assert len(fetched) == 4, fetched  # and never again, however much the reader types
        shown = root.locator(".aho-caption").text_content()
        assert shown == it_frame(it_model, typed[-1])["caption"]
        assert float(root.get_attribute("data-aho-ms")) > 0
        assert not errors


def test_unknown_words_are_marked_and_other_roles_explained(browser, site_url, it_model):
    from transformer_lib.views.pronoun import it_frame

    bad = "the animal didn't cross the motorway because it was too tierd ."
    with open_page(browser, f"{site_url}/{PAGE}.html") as (page, errors, _):
        root = _typing_box(page)
        _type(page, root, "the horse didn't cross the river because it was too far .")
        caption = root.locator(".aho-caption").text_content()
        assert "“far” stands here as the adjective" in caption and "“was far too”" in caption
        assert caption == it_frame(it_model, "the horse didn't cross the river because it was too far .")["caption"]
        _type(page, root, bad)
        with pytest.raises(ValueError) as err:
            it_model.tokens(bad)
        assert root.locator(".aho-message").text_content() == str(err.value)
        assert root.locator(".aho-marks .aho-unknown").all_text_contents() == ["motorway", "tierd"]
        assert "nearest known words (by spelling): " in str(err.value) and "tired" in str(err.value)
        assert root.locator(".aho-caption").text_content() == caption  # the last picture stays
        _type(page, root, "the horse didn't cross the river because it was too tired .")
        assert root.locator(".aho-message").text_content() == "" and root.locator(".aho-marks span").count() == 0
        assert not errors


def test_typed_markup_is_shown_never_run(browser, site_url):
    hostile = ["<script>window.__aho_pwned = 1</script> it", '<img src=x onerror="window.__aho_pwned = 2"> it',
               "the animal didn't cross the street because <it> was too tired .",
               "the animal didn't cross the street because it was too tired . <b>",
               "</script><script>window.__aho_pwned = 3</script>"]
    with open_page(browser, f"{site_url}/{PAGE}.html") as (page, errors, _):
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        root = _typing_box(page)
        for text in hostile:
            _type(page, root, text)
        assert page.evaluate("() => window.__aho_pwned") is None and not dialogs
        assert root.locator("img, b, it, script:not(.aho-data)").count() == 0
        _type(page, root, hostile[2])
        assert "<it>" in root.locator(".aho-caption").text_content()  # shown as text
        _type(page, root, hostile[0])
        assert "script" in root.locator(".aho-marks .aho-unknown").all_text_contents()
        assert not errors
