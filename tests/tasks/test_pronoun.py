"""The pronoun corpus, the shipped "it" model and its views (chapter "It -> animal")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources

import numpy as np
import pytest
import torch

import transformer_lib as tl
from conftest import ROOT
from transformer_lib.data import pronoun as C
from transformer_lib.views import pronoun as it_views
from transformer_lib.tasks.pronoun import ItConfig, ItModel, TrainConfig, pronoun_scores, train_it_model

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def model():
    return tl.load_it_model()


@pytest.fixture(scope="module")
def split():
    return C.make_split(0)


# ------------------------------------------------------------------------------- corpus
def test_corpus_is_deterministic_from_its_seed(split):
    assert C.make_split(0) == split
    assert C.make_split(1) != split
    for part in ("train", "heldout"):
        a, b = C.sample_sentences(200, split, 3, part), C.sample_sentences(200, split, 3, part)
        assert a == b
        assert a != C.sample_sentences(200, split, 4, part)
    assert C.minimal_pairs(50, split, 3) == C.minimal_pairs(50, split, 3)


def test_train_and_heldout_are_disjoint(split):
    train = C.sample_sentences(5000, split, 0, "train")
    held = C.sample_sentences(1000, split, 0, "heldout")
    for ex in train:
        assert frozenset((ex.agent, ex.object)) not in split.pairs
        # a held-out combination never meets in training, whichever role the noun plays
        assert (ex.agent, ex.adjective) not in split.combos and (ex.object, ex.adjective) not in split.combos
        assert ex.frame not in split.frames
    for ex in held:
        assert frozenset((ex.agent, ex.object)) in split.pairs
        assert (ex.referent, ex.adjective) in split.combos
        assert ex.frame in split.frames
    assert not {ex.tokens for ex in train} & {ex.tokens for ex in held}
    # the held-out frames are new combinations of words that training has seen
    seen = {w for ex in train for w in ex.tokens}
    assert {w for ex in held for w in ex.tokens} <= seen
    # the classic pair is never in training
    assert all(not (ex.frame == C.CLASSIC_FRAME and {ex.agent, ex.object} == set(C.CLASSIC_PAIR)) for ex in train)
    assert split.is_heldout(C.sentence("animal", "street", "tired")) and split.is_heldout(C.sentence("animal", "street", "wide"))


def test_random_nouns_mix_the_lists_and_zero_keeps_them_apart(split):
    mixed = C.sample_sentences(2000, split, 0, "train", random_nouns=0.5)
    assert any(ex.agent in C.OBJECTS for ex in mixed) and any(ex.object in C.AGENTS for ex in mixed)
    plain = C.sample_sentences(2000, split, 0, "train", random_nouns=0.0)
    assert all(ex.agent in C.AGENTS and ex.object in C.OBJECTS for ex in plain)


@pytest.mark.parametrize("frame", range(len(C.FRAMES)))
def test_the_referent_follows_the_role_in_every_frame(frame):
    tired = C.sentence("street", "dog", "tired", frame)  # the street is the agent
    wide = tired.with_(adjective="wide")
    assert tired.referent == "street" and wide.referent == "dog"
    first = min(tired.noun_index("street"), tired.noun_index("dog"))
    assert (tired.tokens[first] == "dog") == C.is_passive(frame)  # passive frames name the object first


def test_minimal_pairs_differ_only_in_the_adjective(split):
    for a, b in C.minimal_pairs(200, split, 0):
        diff = [i for i, (x, y) in enumerate(zip(a.tokens, b.tokens)) if x != y]
        assert len(a.tokens) == len(b.tokens) and len(diff) == 1
        assert a.adjective in C.AGENT_ADJECTIVES and b.adjective in C.OBJECT_ADJECTIVES
        assert a.referent == a.agent and b.referent == b.object
        assert split.is_heldout(a) and split.is_heldout(b)


def test_corpus_bad_input_messages():
    with pytest.raises(ValueError, match="unknown agent 'unicorn'"):
        C.sentence("unicorn", "street", "tired")
    with pytest.raises(ValueError, match="must differ"):
        C.sentence("dog", "dog", "tired")
    with pytest.raises(ValueError, match="part must be"):
        C.sample_sentences(1, C.make_split(0), 0, "test")


# ------------------------------------------------------------------------- shipped model
@pytest.mark.weights
def test_shipped_model_meets_the_bars_on_a_fresh_heldout_set(model, split):
    scores = pronoun_scores(model, split, seed=99, n=1000, n_pairs=500)
    assert scores["accuracy"] >= 0.99, scores
    assert scores["flip_rate"] >= 0.95, scores
    assert scores["accuracy_swapped"] >= 0.97, scores  # it reads roles, not animacy


@pytest.mark.weights
def test_classic_pair(model):
    assert model.predict("The animal didn't cross the street because it was too tired.") == "animal"
    assert model.predict("The animal didn't cross the street because it was too wide.") == "street"


@pytest.mark.weights
def test_sentence_attention_shape_and_rows(model):
    tokens, w = model.sentence_attention("the animal didn't cross the street because it was too tired .")
    cfg = model.config
    assert tokens[:2] == ["the", "animal"] and isinstance(w, np.ndarray)
    assert w.shape == (cfg.n_layers, cfg.n_heads, len(tokens), len(tokens))
    np.testing.assert_allclose(w.sum(-1), 1.0, atol=1e-5)


@pytest.mark.weights
def test_batch_padding_does_not_change_the_answer(model):
    short = "the dog avoided the hill because it was too tired ."
    long = "in the end , the river could not be crossed by the goat as it seemed far too deep ."
    ids, it_pos = model.encode([short, long])
    with torch.no_grad():
        both = model(ids, it_pos)
        alone = model(*model.encode([short]))
    torch.testing.assert_close(both[:1], alone, atol=1e-5, rtol=1e-5)


@pytest.mark.weights
def test_shipped_files_are_small_and_safetensors():
    folder = resources.files("transformer_lib") / "weights"
    for stem in ("it_model", "it_model_animacy"):
        with resources.as_file(folder / f"{stem}.safetensors") as p:
            assert os.path.getsize(p) < 200_000
        meta = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
        assert meta["config"]["vocab"][0] == "<pad>" and meta["history"]["step"]


@pytest.mark.weights
def test_animacy_variant_cheats(split):
    cheat = tl.load_it_model("animacy")
    scores = pronoun_scores(cheat, split, seed=99, n=500, n_pairs=100)
    assert scores["accuracy_natural"] >= 0.95  # fine where animacy and role agree
    assert scores["accuracy_swapped"] <= 0.5  # and wrong where they do not


@pytest.mark.parametrize("sentence, bad", [
    ("the unicorn didn't cross the street because it was too tired .", "“unicorn”"),
    ("the animal didn't cross the street because it was too purple .", "“purple”"),
    (HOSTILE, "“img”"),
])
@pytest.mark.weights
def test_unknown_words_get_a_clear_message(model, sentence, bad):
    with pytest.raises(ValueError, match="not in this model's vocabulary") as err:
        model.predict(sentence)
    msg = str(err.value)
    assert bad in msg and "nearest known words (by spelling): " in msg
    with pytest.raises(ValueError, match="not in this model's vocabulary"):
        model.sentence_attention(sentence)


@pytest.mark.weights
def test_other_bad_sentences(model):
    with pytest.raises(ValueError, match="empty"):
        model.predict("")
    with pytest.raises(ValueError, match="'it' exactly once"):
        model.predict("the animal didn't cross the street .")
    with pytest.raises(ValueError, match="variant"):
        tl.load_it_model("huge")


def test_config_is_validated():
    with pytest.raises(ValueError, match="cannot be split into n_heads=4"):
        ItConfig(d_model=30, n_heads=4)


# --------------------------------------------------------------------------------- views
@pytest.mark.weights
def test_explorer_frames_equal_the_live_model(model):
    ex = it_views.it_explorer(model)
    spec = ex.spec()
    names = [c["name"] for c in spec["controls"]]
    assert len(spec["frames"]) == np.prod([len(c["options"]) for c in spec["controls"]])
    frame_of = {it_views.frame_label(f): f for f in it_views.GRID["frame"]}
    for key, fr in spec["frames"].items():
        values = {n: ex.controls[n][int(i)] for n, i in zip(names, key.split(","))}
        sent = C.sentence(values["agent"], values["object"], values["adjective"], frame_of[values["frame"]])
        tokens, w = model.sentence_attention(sent.text)
        heat, bars = fr["panels"]
        assert heat["x"] == tokens
        np.testing.assert_allclose(heat["z"], w[:, :, sent.it_index, :].reshape(-1, len(tokens)), atol=1e-5)
        probs = model.probabilities(sent.text)
        np.testing.assert_allclose(bars["values"][:2], [probs[sent.tokens[i]] for i in sorted(
            (sent.noun_index(sent.agent), sent.noun_index(sent.object)))], atol=1e-5)
        assert f"reads it as the {model.predict(sent.text)}" in fr["caption"]
        assert f"the corpus rule says the {sent.referent}" in fr["caption"]


@pytest.mark.weights
def test_explorer_html_is_self_contained_and_small(model):
    page = it_views.it_explorer(model).html()
    assert len(page.encode()) < 1_200_000
    assert "<script src" not in page and "https://" not in page


@pytest.mark.weights
def test_sentence_widget_shows_errors_escaped(model):
    box = it_views.sentence_explorer(model, ["the animal didn't cross the street because it was too tired ."]).widget()
    assert box.message.value == ""
    box.controls["sentence"].value = "the animal saw " + HOSTILE + " because it was too tired"
    assert "is not in this model" in box.message.value
    assert "<img" not in box.message.value
    box.controls["sentence"].value = "the street was never crossed by the dog because it was too wide ."
    assert box.message.value == ""


@pytest.mark.weights
def test_static_explorer_escapes_hostile_titles(model):
    ex = it_views.sentence_explorer(model, ["the animal didn't cross the street because it was too tired ."])
    ex.title = HOSTILE
    page = ex.html()
    assert HOSTILE not in page and "&lt;img" in page


@pytest.mark.weights
def test_attention_from_it_parts_sum_to_one(model, split):
    parts = it_views.attention_from_it(model, C.sample_sentences(20, split, 1, "heldout"))
    np.testing.assert_allclose(sum(parts.values()), 1.0, atol=1e-5)


# ------------------------------------------------------------------------------ training
def _shipped_meta() -> dict:
    return json.loads((resources.files("transformer_lib") / "weights" / "it_model.json").read_text(encoding="utf-8"))


@pytest.mark.weights
def test_the_shipped_recipe_met_the_bars_on_every_seed():
    """The script's record: five seeds, one recipe (today's defaults), every one above both bars."""
    meta = _shipped_meta()
    assert [r["seed"] for r in meta["runs"]] == [0, 1, 2, 3, 4]
    assert meta["seed"] in [r["seed"] for r in meta["runs"]]
    for r in meta["runs"]:
        assert r["meets_bars"] and r["accuracy"] >= 0.99 and r["flip_rate"] >= 0.95, r
    defaults = {k: v for k, v in vars(TrainConfig()).items() if k != "seed"}
    assert {k: meta["train"][k] for k in defaults} == defaults  # shipped with the defaults the test retrains


def test_script_exits_non_zero_when_a_seed_misses_the_bars(tmp_path):
    """Five steps cannot reach the bars: the script must fail loudly and save nothing."""
    script = str(ROOT / "scripts" / "train_it_model.py")
    run = subprocess.run([sys.executable, script, "--seeds", "0", "--ship-seed", "0", "--steps", "5",
                          "--n-train", "500", "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert "seeds [0] miss a bar" in run.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.weights
@pytest.mark.slow
def test_training_reaches_the_bars():
    """The training function, with the defaults the script uses, on the seed the script ships."""
    torch.set_num_threads(1)
    model, history = train_it_model(train=TrainConfig(seed=_shipped_meta()["seed"]), progress=False)
    assert history["heldout_accuracy"][-1] >= 0.98
    scores = pronoun_scores(model, C.make_split(0), seed=5, n=500, n_pairs=200)
    assert scores["accuracy"] >= 0.99 and scores["flip_rate"] >= 0.95, scores


def test_train_it_model_is_adamw_with_warmup_cosine_on_seeded_batches():
    """The training function against its loop written out here (a tiny run): the same batches,
    optimizer, schedule and records, so the shipped weights stay reproducible bit for bit."""
    import math

    tc = TrainConfig(seed=3, steps=6, batch_size=8, n_train=64, warmup=2, eval_every=4)
    model, history = train_it_model(train=tc, progress=False)
    assert not model.training

    torch.manual_seed(tc.seed)
    mine = ItModel(ItConfig())
    split = C.make_split(tc.split_seed)
    data = C.sample_sentences(tc.n_train, split, tc.seed, "train", tc.random_nouns)
    ids, it_pos = mine.encode(data)
    target = torch.tensor([ItConfig().nouns.index(e.referent) for e in data])
    opt = torch.optim.AdamW(mine.parameters(), lr=tc.lr, weight_decay=tc.weight_decay)
    gen = torch.Generator().manual_seed(tc.seed)
    losses = []
    for step in range(tc.steps):
        rate = (step + 1) / tc.warmup if step < tc.warmup else 0.5 * (1 + math.cos(math.pi * (step - tc.warmup) / (tc.steps - tc.warmup)))
        for g in opt.param_groups:
            g["lr"] = tc.lr * rate
        idx = torch.randint(0, len(data), (tc.batch_size,), generator=gen)
        loss = torch.nn.functional.cross_entropy(mine(ids[idx], it_pos[idx]), target[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    for (k, a), b in zip(model.state_dict().items(), mine.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6, msg=k)
    assert history["step"] == [4, 6]
    assert history["loss"] == pytest.approx([sum(losses[:4]) / 4, sum(losses[4:]) / 2], rel=1e-5)
    assert set(history) == {"step", "loss", "train_accuracy", "heldout_accuracy"}
    assert all(0.0 <= a <= 1.0 for a in history["heldout_accuracy"])


# --------------------------------------------------------------------------- interventions
from transformer_lib.tasks import pronoun as P  # noqa: E402


def test_cut_edges_removes_only_the_listed_edges():
    keep = P.cut_edges(6, 2, [0, 4])
    assert keep.dtype == bool and keep.shape == (6, 6)
    assert not keep[2, 0] and not keep[2, 4] and keep.sum() == 34
    assert P.cut_edges(3, 1, []).all()
    for bad in ((0, 0, []), (4, 4, [0]), (4, 1, [5]), (4, 1, [-1])):
        with pytest.raises(ValueError, match="must"):
            P.cut_edges(*bad)


@pytest.mark.weights
def test_an_empty_intervention_is_the_model_itself(model, split):
    exs = C.sample_sentences(40, split, 5, "heldout")
    ids, it_pos = model.encode(exs)
    with torch.inference_mode():
        h, states = P._intervened(model, ids)
        assert len(states) == model.config.n_layers + 1
        torch.testing.assert_close(h, model.run(ids))
    assert P._answers(model, h, it_pos) == model.predict_many(exs)


@pytest.mark.weights
def test_knockouts_the_chapter_reports(model, split):
    exs = C.sample_sentences(300, split, 21, "heldout")
    # layer 2: without the right noun, "it" names the other one; without both, neither
    assert P.knockout(model, exs, 2, "right noun")["other"] >= 0.9
    assert P.knockout(model, exs, 2, "both nouns")["right"] <= 0.3
    assert P.knockout(model, exs, 2, "other noun")["right"] >= 0.95
    # layer 1: "it" does not need the adjective; the nouns do (then the answer is a coin toss)
    assert P.knockout(model, exs, 1, "adjective")["right"] >= 0.95
    nouns = P.knockout(model, exs, 1, "adjective", source="nouns")
    assert 0.3 <= nouns["right"] <= 0.7 and nouns["right"] + nouns["other"] >= 0.9


@pytest.mark.weights
def test_patches_the_chapter_reports(model, split):
    pairs = C.minimal_pairs(150, split, 21)
    assert P.patch_from_pair(model, pairs, 0, "nouns") == {"flipped": 0.0, "kept": 1.0}  # same words: no change
    assert P.patch_from_pair(model, pairs, 1, "nouns")["flipped"] >= 0.9
    assert P.patch_from_pair(model, pairs, 1, "it")["kept"] >= 0.9
    assert P.patch_from_pair(model, pairs, model.config.n_layers, "it")["flipped"] >= 0.99  # the readout's input


@pytest.mark.weights
def test_intervention_bad_inputs(model, split):
    exs = C.sample_sentences(4, split, 1, "heldout")
    for kwargs, msg in ((dict(layer=0, part="adjective"), "layer"), (dict(layer=1, part="verb"), "part"),
                        (dict(layer=1, part="adjective", source="the"), "source")):
        with pytest.raises(ValueError, match=msg):
            P.knockout(model, exs, **kwargs)
    with pytest.raises(ValueError, match="positions"):
        P.patch_from_pair(model, [(exs[0], exs[0])], 1, "verbs")
    with pytest.raises(ValueError, match="layer"):
        P.patch_from_pair(model, [(exs[0], exs[0])], 3, "it")
    short, long = C.sentence("dog", "hill", "tired"), C.sentence("dog", "hill", "tired", prefix="in the end ,")
    with pytest.raises(ValueError, match="same length"):
        P.patch_from_pair(model, [(short, long)], 1, "it")
