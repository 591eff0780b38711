"""The tiny GPT (tasks/gpt.py): its text, the baselines, the shipped weights and the recipe."""

import math

import pytest
import torch

from transformer_lib import decoding
from transformer_lib.tasks import gpt as tiny

BAR = 0.5  # scripts/train_gpt.py: held-out loss <= BAR x bigram loss


@pytest.fixture(scope="module")
def vocab():
    return tiny.char_vocab(tiny.corpus_text("train"))


def test_text_and_vocab(vocab):
    train, held = tiny.corpus_text("train"), tiny.corpus_text("heldout")
    assert train.endswith("\n") and held.endswith("\n")
    assert not set(held.splitlines()) & set(train.splitlines())  # unseen combinations only
    assert vocab.tokens[:2] == ("\n", " ") and len(vocab) < 40
    assert tiny.decode(vocab, vocab.encode("i am tired\n")) == "i am tired\n"
    with pytest.raises(ValueError, match="'train' or 'heldout'"):
        tiny.corpus_text("test")


def test_encode_messages(vocab):
    assert tiny.encode(vocab, "I am", 48).shape == (1, 4)  # lower-cased
    with pytest.raises(ValueError, match="not in this model's vocabulary"):
        tiny.encode(vocab, "i am 42")
    with pytest.raises(ValueError, match="prompt is empty"):
        tiny.encode(vocab, "")
    with pytest.raises(ValueError, match="context is 48"):
        tiny.encode(vocab, "a" * 48, 48)


def test_heldout_windows():
    x, y = tiny.heldout_windows(torch.arange(10), 3)
    assert x.tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]] and y.tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    with pytest.raises(ValueError, match="too few"):
        tiny.heldout_windows(torch.arange(3), 3)


def test_ngram_losses_by_hand():
    train = torch.tensor([0, 1, 0, 1, 1])  # unigram counts 2, 3; bigrams 0->1 x2, 1->0 x1, 1->1 x1
    x, y = torch.tensor([[0, 1]]), torch.tensor([[1, 1]])
    uni = tiny.ngram_loss(train, x, y, 1, 2, alpha=0.0)
    assert uni == pytest.approx(-math.log(3 / 5))
    bi = tiny.ngram_loss(train, x, y, 2, 2, alpha=1.0)  # p(1|0) = (2+1)/(2+2); p(1|1) = (1+1)/(2+2)
    assert bi == pytest.approx(-(math.log(3 / 4) + math.log(2 / 4)) / 2)
    with pytest.raises(ValueError, match="order must be 1"):
        tiny.ngram_loss(train, x, y, 3, 2)


@pytest.fixture(scope="module")
def shipped():
    return tiny.load_tiny_gpt()


@pytest.mark.weights
def test_shipped_scores_are_recomputed_and_beat_the_baselines(shipped):
    model, vocab, meta = shipped
    s = tiny.scores(model, vocab)
    for k in ("heldout_loss", "unigram_loss", "bigram_loss"):
        assert s[k] == pytest.approx(meta[k], abs=1e-3), k
    assert s["heldout_loss"] <= BAR * s["bigram_loss"] < s["unigram_loss"]
    assert meta["train_seconds"] <= 120 and all(r["meets_bar"] for r in meta["runs"].values())
    assert sorted(map(int, meta["runs"])) == list(tiny.DOCUMENTED_SEEDS)


@pytest.mark.weights
def test_trained_model_future_never_changes_past(shipped):
    model, vocab, _ = shipped
    a = tiny.encode(vocab, "she does not like the cat\nwe")
    b = tiny.encode(vocab, "she does not like the dog\nyo")
    cut = len("she does not like the ")
    with torch.no_grad():
        la, lb = model(a), model(b)
    torch.testing.assert_close(la[:, :cut], lb[:, :cut])
    assert not torch.allclose(la[:, cut:], lb[:, cut:])


@pytest.mark.weights
def test_trained_model_cache_same_tokens(shipped):
    model, vocab, _ = shipped
    ids = tiny.encode(vocab, "they ")
    for kw in (dict(greedy=True), dict(temperature=1.0, top_p=0.9)):
        a = decoding.generate(model, ids, 40, use_cache=True, generator=torch.Generator().manual_seed(5), **kw)
        b = decoding.generate(model, ids, 40, use_cache=False, generator=torch.Generator().manual_seed(5), **kw)
        assert torch.equal(a, b)
    greedy = tiny.decode(vocab, decoding.generate(model, tiny.encode(vocab, "i am "), 20, greedy=True)[0])
    words = set(tiny.corpus_text("train").split())
    assert greedy.split()[2] in words  # it continues with a word of the corpus


@pytest.mark.slow
@pytest.mark.parametrize("seed", tiny.DOCUMENTED_SEEDS)
def test_recipe_meets_the_bar_on_every_documented_seed(seed):
    torch.set_num_threads(1)
    _, record = tiny.train_tiny_gpt(seed, progress=False)
    assert record["heldout_loss"] <= BAR * record["bigram_loss"]
