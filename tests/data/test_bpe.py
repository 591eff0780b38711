"""Byte-pair encoding (transformer_lib.data.bpe, chapter "Tokens"): a worked example, round
trips, merges applied in learned order, the first merge the most frequent pair, the Vocab it
plugs into, bad input, and the Hugging Face trainer on the same chunks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transformer_lib.data.bpe import BPE, chunks, hf_bpe, hf_merges, pair_counts
from transformer_lib.data.translation import generate_pairs

# Sennrich et al.'s example, without the end-of-word marker: each word its own text.
TINY = ["low"] * 5 + ["lower"] * 2 + ["newest"] * 6 + ["widest"] * 3


@pytest.fixture(scope="module")
def french():
    return sorted({fr for fr, _, _ in generate_pairs()})


@pytest.fixture(scope="module")
def learned(french):
    return BPE.learn(french, 150)


def test_the_worked_example():
    """By hand: pair counts lo 7, ow 7, we 8, er 2, ne 6, ew 6, es 9, st 9, wi 3, id 3, de 3.
    es and st tie at 9: e+s goes first (string order); then es+t (9, "we" is gone from newest);
    lo and ow tie at 7: l+o, then lo+w (7); e+w, ew+est, n+ewest (6 each, string order among
    ties); then widest's d+est, i+dest, w+idest (3 each) and lower's e+r, low+er (2 each)."""
    bpe = BPE.learn(TINY, 20)
    assert bpe.merges == (("e", "s"), ("es", "t"), ("l", "o"), ("lo", "w"), ("e", "w"), ("ew", "est"),
                          ("n", "ewest"), ("d", "est"), ("i", "dest"), ("w", "idest"), ("e", "r"),
                          ("low", "er"))  # then every word is one symbol: 12 merges, not 20
    assert bpe.counts == (9, 9, 7, 7, 6, 6, 6, 3, 3, 3, 2, 2)
    # 5*3 + 2*5 + 6*6 + 3*6 symbols, then minus each merge's count
    assert bpe.lengths == (79, 70, 61, 54, 47, 41, 35, 29, 26, 23, 20, 18, 16)
    assert bpe.alphabet == tuple("deilnorstw")
    assert bpe.tokenize("lowest") == ["low", "est"]
    assert bpe.tokenize("newer") == ["n", "ew", "er"]
    assert bpe.tokenize("newer", k=7) == ["n", "ew", "e", "r"]
    assert bpe.tokenize("lowest", k=2) == ["l", "o", "w", "est"]
    assert bpe.tokenize("lowerwidest") == ["lower", "widest"]  # no merge joins the two


def test_the_first_merge_is_the_most_frequent_pair(french, learned):
    words = {tuple(c): 0 for t in french for c in chunks(t)}
    for t in french:
        for c in chunks(t):
            words[tuple(c)] += 1
    counts = pair_counts(words)
    top = max(counts.values())
    assert learned.counts[0] == top and counts[learned.merges[0]] == top
    # a merge only lowers other pairs' counts, and a new pair occurs at most as often as the merged
    # one: the counts never grow
    assert list(learned.counts) == sorted(learned.counts, reverse=True)


def test_merges_are_applied_in_learned_order():
    bc_first = BPE(tuple("abc"), (("b", "c"), ("a", "b")))
    ab_first = BPE(tuple("abc"), (("a", "b"), ("b", "c")))
    assert bc_first.tokenize("abc") == ["a", "bc"]
    assert ab_first.tokenize("abc") == ["ab", "c"]
    assert BPE(tuple("a"), (("a", "a"),)).tokenize("aaa") == ["aa", "a"]  # left to right, no overlap


def test_tokenize_equals_applying_the_merges_one_by_one(french, learned):
    """The learned order, applied naively merge after merge, gives the same segmentation."""
    for text in french[::97]:
        for k in (0, 1, 10, 75, 150):
            pieces = [list(c) for c in chunks(text)]
            for a, b in learned.merges[:k]:
                for p in pieces:
                    i = 0
                    while i + 1 < len(p):
                        if p[i] == a and p[i + 1] == b:
                            p[i:i + 2] = [a + b]
                        i += 1
            assert learned.tokenize(text, k) == [s for p in pieces for s in p], (text, k)


def test_round_trip_on_the_corpus_and_lengths_match(french, learned):
    for k in (0, 40, 150):
        assert all(learned.decode(learned.encode(t, k), k) == t for t in french)
        total = sum(len(learned.tokenize(t, k)) for t in french)
        assert total == learned.lengths[k]  # the totals recorded while learning
        assert learned.mean_length(french, k) == pytest.approx(total / len(french))
    assert learned.lengths[0] == sum(map(len, french))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_round_trip_on_any_string_over_the_alphabet(data):
    bpe = _LEARNED
    text = data.draw(st.text(alphabet=st.sampled_from(bpe.alphabet), max_size=40))
    k = data.draw(st.integers(0, len(bpe.merges)))
    assert "".join(bpe.tokenize(text, k)) == text
    assert bpe.decode(bpe.encode(text, k), k) == text


_LEARNED = BPE.learn(sorted({fr for fr, _, _ in generate_pairs()})[::5], 60)


def test_vocab_is_the_package_vocab(learned):
    v = learned.vocab(10)
    assert len(v) == len(learned.alphabet) + 10
    assert v.tokens[len(learned.alphabet):] == tuple(a + b for a, b in learned.merges[:10])
    with_specials = BPE.learn(TINY, 3, specials=("<pad>", "<unk>"))
    assert with_specials.vocab().tokens[:2] == ("<pad>", "<unk>") and with_specials.vocab().pad_id == 0
    ids = with_specials.encode("lower")
    assert with_specials.decode([0] + ids + [0]) == "lower"  # specials dropped


@pytest.mark.parametrize("texts,err,match", [
    ([], ValueError, "empty"), (["", ""], ValueError, "empty"), ("low lower", TypeError, "one string"),
    ([3], TypeError, "strings, got a int")])
def test_learn_rejects_bad_corpora(texts, err, match):
    with pytest.raises(err, match=match):
        BPE.learn(texts, 5)


def test_bad_input_gets_a_clear_message():
    bpe = BPE.learn(TINY, 20)
    with pytest.raises(ValueError, match=r"unknown character\(s\) 'Zx': not in the alphabet this BPE learned "
                                         r"\(10 characters: 'deilnorstw'\)"):
        bpe.tokenize("lowxZ")
    with pytest.raises(ValueError, match=r"number of merges must lie in 0\.\.12"):
        bpe.tokenize("low", 13)
    with pytest.raises(ValueError, match="num_merges must be a whole number"):
        BPE.learn(TINY, -1)
    with pytest.raises(TypeError, match="segments a string"):
        bpe.tokenize(["low"])
    with pytest.raises(ValueError, match="outside the vocabulary"):
        bpe.decode([99])


def test_hugging_face_breaks_the_worked_examples_tie_by_ids():
    """After e+w, n+ew and ew+est both occur 6 times. We take ("ew", "est") (string order);
    the trainer takes the pair of smaller ids: n is 4 and ew 14 in its vocabulary, so
    (4, 14) < (14, 11). Every other merge is the same, in the same place."""
    ours = BPE.learn(TINY, 20)
    hf = hf_bpe(TINY, vocab_size=len(ours.alphabet) + len(ours.merges))
    theirs = hf_merges(hf)
    assert len(theirs) == len(ours.merges)
    assert [i for i, (a, b) in enumerate(zip(ours.merges, theirs)) if a != b] == [5, 6]
    assert theirs[5:7] == [("n", "ew"), ("new", "est")] and ours.merges[5:7] == (("ew", "est"), ("n", "ewest"))
    ids = hf.get_vocab()
    assert (ids["n"], ids["ew"]) < (ids["ew"], ids["est"])
    assert hf.encode("widest").tokens == ours.tokenize("widest") == ["widest"]
    assert hf.encode("newests").tokens == ["newest", "s"] == ours.tokenize("newests")
    with pytest.raises(ValueError, match="pre_tokenizer must be"):
        hf_bpe(TINY, 20, pre_tokenizer="bytes")


@pytest.mark.parametrize("k", [0, 1, 19, 100, 149])
def test_every_merge_is_the_most_frequent_pair_of_its_step(french, learned, k):
    counts = learned.pairs_after(french, k)
    top = max(counts.values())
    assert learned.counts[k] == top == counts[learned.merges[k]]
    assert learned.merges[k] == min(p for p, n in counts.items() if n == top)  # ties: string order


def test_follow_replays_merges_with_their_counts(french, learned):
    assert BPE.follow(french, learned.merges) == learned
    swapped = BPE.follow(TINY, [("l", "o"), ("e", "s")])
    assert swapped.counts == (7, 9) and swapped.lengths == (79, 72, 63)
    assert BPE.follow(TINY, [("x", "y")]).counts == (0,)  # a pair that never occurs merges nothing
