"""The three pretraining objectives (chapter "One block, three families"): BERT's 80/10/10
masked LM measured over many draws, next-token targets, T5's span corruption reconstructing
the sentence, and messages for bad input."""

from __future__ import annotations

import numpy as np
import pytest

from transformer_lib.data import objectives as obj

SENTENCE = "[CLS] the quick brown fox jumps over the lazy dog near the river bank [SEP]".split()
VOCAB = sorted(set(SENTENCE[1:-1])) + ["cat", "tree"]


def test_masked_lm_chooses_15_percent_with_the_80_10_10_split_over_many_draws():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]  # 40 candidates: round(0.15 * 40) = 6 chosen per draw
    counts, n_draws = {"mask": 0, "random": 0, "keep": 0}, 3000
    for _ in range(n_draws):
        ex = obj.masked_lm(["[CLS]"] + words + ["[SEP]"], words, rng)
        chosen = [h for h in ex.how if h]
        assert len(chosen) == 6
        for h in chosen:
            counts[h] += 1
    total = sum(counts.values())
    assert total / (n_draws * 40) == pytest.approx(0.15)
    # 18,000 choices: the standard error of a 10 % share is 0.22 %, so 1 % is > 4 standard errors
    assert counts["mask"] / total == pytest.approx(0.8, abs=0.01)
    assert counts["random"] / total == pytest.approx(0.1, abs=0.01)
    assert counts["keep"] / total == pytest.approx(0.1, abs=0.01)


def test_masked_lm_never_masks_specials_and_has_targets_only_at_chosen_positions():
    rng = np.random.default_rng(1)
    for _ in range(300):
        ex = obj.masked_lm(SENTENCE, VOCAB, rng, rate=0.4)
        assert len(ex.inputs) == len(ex.targets) == len(ex.how) == len(SENTENCE)
        assert ex.inputs[0] == "[CLS]" and ex.inputs[-1] == "[SEP]" and not ex.how[0] and not ex.how[-1]
        for tok, inp, tgt, how in zip(SENTENCE, ex.inputs, ex.targets, ex.how):
            assert (tgt is not None) == bool(how)
            if how:
                assert tgt == tok
            if how == "mask":
                assert inp == obj.MASK
            elif how == "random":
                assert inp in VOCAB
            else:  # "keep" or not chosen: the input is the original token
                assert inp == tok


def test_masked_lm_is_seeded():
    a, b = obj.masked_lm(SENTENCE, VOCAB, 7), obj.masked_lm(SENTENCE, VOCAB, 7)
    assert a == b
    assert any(obj.masked_lm(SENTENCE, VOCAB, s) != a for s in range(8, 20))


def test_next_token_targets_are_the_inputs_shifted_by_one():
    ex = obj.next_token("a b c d")
    assert ex.inputs == ("a", "b", "c") and ex.targets == ("b", "c", "d")
    ex = obj.next_token(SENTENCE)
    assert ex.inputs[1:] == ex.targets[:-1] and len(ex.inputs) == len(SENTENCE) - 1


def _reconstruct(ex, pattern=obj.SENTINEL):
    """The sentence back from inputs + targets: each sentinel in the inputs replaced by the
    target tokens that follow the same sentinel there (written here independently of the library)."""
    spans, current = {}, None
    for t in ex.targets:
        if t.startswith("<extra_id_"):
            current = t
            spans[t] = []
        else:
            spans[current].append(t)
    out = []
    for t in ex.inputs:
        out += spans[t] if t in spans else [t]
    return out


@pytest.mark.parametrize("n,density,mean", [(14, 0.15, 3.0), (60, 0.15, 3.0), (40, 0.3, 2.0), (25, 0.5, 1.0)])
def test_span_corruption_inputs_and_targets_reconstruct_the_sentence_with_sentinels_in_order(n, density, mean):
    words = [f"w{i}" for i in range(n)]
    rng = np.random.default_rng(2)
    for _ in range(100):
        ex = obj.span_corruption(words, rng, noise_density=density, mean_span_length=mean)
        assert _reconstruct(ex) == words
        k = sum(t.startswith("<extra_id_") for t in ex.inputs)
        assert [t for t in ex.inputs if t.startswith("<extra_id_")] == [f"<extra_id_{i}>" for i in range(k)]
        assert [t for t in ex.targets if t.startswith("<extra_id_")] == [f"<extra_id_{i}>" for i in range(k + 1)]
        assert ex.targets[-1] == f"<extra_id_{k}>" and len(ex.noise) == n
        assert [w for w, cut in zip(words, ex.noise) if not cut] == [t for t in ex.inputs if not t.startswith("<")]


@pytest.mark.parametrize("n,density,mean", [(100, 0.15, 3.0), (97, 0.3, 2.5), (200, 0.1, 4.0)])
def test_span_corruption_fraction_and_mean_span_length_match_their_parameters_on_average(n, density, mean):
    rng = np.random.default_rng(3)
    fractions, lengths = [], []
    for _ in range(200):
        noise = np.array(obj.span_corruption([f"w{i}" for i in range(n)], rng, noise_density=density,
                                             mean_span_length=mean).noise)
        fractions.append(noise.mean())
        edges = np.diff(np.concatenate([[0], noise.astype(int), [0]]))  # +1 where a span starts, -1 after it ends
        lengths += (np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)).tolist()  # spans never touch
    assert np.mean(fractions) == pytest.approx(density, abs=0.5 / n)  # rounding to whole tokens
    assert np.mean(lengths) == pytest.approx(mean, rel=0.1)  # rounding to whole spans


def test_span_corruption_is_seeded_and_varies_with_the_seed():
    a = obj.span_corruption(SENTENCE, 5)
    assert a == obj.span_corruption(SENTENCE, 5)
    assert any(obj.span_corruption(SENTENCE, s) != a for s in range(6, 20))


@pytest.mark.parametrize("bad,match", [
    (lambda: obj.masked_lm(SENTENCE, VOCAB, 0, rate=0.0), "rate must lie strictly between 0 and 1"),
    (lambda: obj.masked_lm(SENTENCE, ["[CLS]"], 0), "at least one ordinary token"),
    (lambda: obj.masked_lm(["[CLS]", "[SEP]"], VOCAB, 0), "every token is special"),
    (lambda: obj.masked_lm([], VOCAB, 0), "at least 1 token"),
    (lambda: obj.masked_lm(SENTENCE, VOCAB, 1.5), "seed must be an int"),
    (lambda: obj.next_token(["one"]), "at least 2 token"),
    (lambda: obj.next_token(["a", ""]), "non-empty strings"),
    (lambda: obj.span_corruption(SENTENCE, 0, noise_density=1.0), "noise_density must lie strictly between 0 and 1"),
    (lambda: obj.span_corruption(SENTENCE, 0, mean_span_length=0.5), "mean_span_length must be at least 1"),
    (lambda: obj.span_corruption(SENTENCE, 0, sentinel="<X>"), "must contain"),
    (lambda: obj.span_corruption(["a", "<extra_id_0>", "b"], 0), "already contains sentinel tokens"),
])
def test_bad_objective_input_gets_a_message(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()
