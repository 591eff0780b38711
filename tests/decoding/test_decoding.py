"""Greedy decoding, beam search and sampling (chapter "Decoding"), and the shipped translator."""

import pytest
import torch

from transformer_lib import seed_everything
from transformer_lib.data import encode_pairs, make_corpus
from transformer_lib.decoding import beam_search, greedy_decode, length_penalty, length_power, sample, sequence_log_prob
from transformer_lib.nn import Transformer, TransformerConfig
from transformer_lib.tasks.translator import bleu_and_exact, load_translator, translate_batch


@pytest.fixture(scope="module")
def translator():
    return load_translator("translator")


@pytest.fixture(scope="module")
def corpus(translator):
    return make_corpus(**translator.info["corpus"])


@pytest.fixture(scope="module")
def heldout(corpus):
    return encode_pairs(corpus.test, corpus.src_vocab, corpus.tgt_vocab)[0]  # (N, S)


def random_model(seed=0, V=11):
    seed_everything(seed)
    cfg = TransformerConfig(src_vocab_size=V, tgt_vocab_size=V, d_model=16, n_heads=2, n_encoder_layers=1,
                            n_decoder_layers=1, d_ff=32, dropout=0.1, max_len=32)
    return Transformer(cfg)


@pytest.mark.weights
def test_checkpoint_matches_the_generated_corpus(translator, corpus):
    assert translator.src_vocab == corpus.src_vocab and translator.tgt_vocab == corpus.tgt_vocab
    assert not translator.model.training


@pytest.mark.weights
def test_beam_1_equals_greedy_exactly_on_heldout(translator, heldout):
    tokens, scores = greedy_decode(translator.model, heldout)
    res = beam_search(translator.model, heldout, k=1)
    assert torch.equal(res.tokens, tokens)
    assert torch.equal(res.scores, scores)


@pytest.mark.parametrize("seed", range(4))
def test_beam_1_equals_greedy_exactly_on_random_models(seed):
    model = random_model(seed)
    src = torch.randint(3, 11, (16, 7), generator=torch.Generator().manual_seed(seed))
    tokens, scores = greedy_decode(model, src, max_len=12)
    res = beam_search(model, src, k=1, max_len=12)
    assert torch.equal(res.tokens, tokens) and torch.equal(res.scores, scores)
    assert model.training  # the mode it had is restored


@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.weights
def test_beam_scores_are_the_models_summed_log_probs(translator, heldout, k):
    src = heldout[::10]
    res = beam_search(translator.model, src, k=k)
    for j in range(k):
        recomputed = sequence_log_prob(translator.model, src, res.beams[:, j])
        torch.testing.assert_close(res.beam_scores[:, j], recomputed, atol=1e-4, rtol=1e-4)
    lengths = ((res.beams != 0).sum(-1)).float()
    torch.testing.assert_close(res.beam_norm_scores, res.beam_scores / length_penalty(lengths, 0.6))
    assert (res.beam_norm_scores[:, :-1] >= res.beam_norm_scores[:, 1:]).all()  # best first


@pytest.mark.parametrize("seed", range(3))
def test_beam_ranks_with_the_penalty_it_is_given(seed):
    model = random_model(seed)
    src = torch.randint(3, 11, (12, 6), generator=torch.Generator().manual_seed(seed))
    for penalty, alpha in [(length_power, 1.0), (length_power, 0.6), (length_penalty, 0.6)]:
        res = beam_search(model, src, k=3, max_len=10, alpha=alpha, penalty=penalty)
        lengths = ((res.beams != 0).sum(-1)).float()
        torch.testing.assert_close(res.beam_norm_scores, res.beam_scores / penalty(lengths, alpha))
        assert (res.beam_norm_scores[:, :-1] >= res.beam_norm_scores[:, 1:]).all()  # best first


def test_length_power_is_the_length_to_the_alpha():
    lengths = torch.tensor([1.0, 2.0, 7.0])
    torch.testing.assert_close(length_power(lengths, 1.0), lengths)
    torch.testing.assert_close(length_power(lengths, 0.6), torch.tensor([1.0, 2.0 ** 0.6, 7.0 ** 0.6]))
    assert float(length_power(torch.tensor(7.0), 0.0)) == 1.0


@pytest.mark.weights
def test_greedy_scores_are_the_models_summed_log_probs(translator, heldout):
    tokens, scores = greedy_decode(translator.model, heldout[:50])
    torch.testing.assert_close(scores, sequence_log_prob(translator.model, heldout[:50], tokens), atol=1e-4, rtol=1e-4)


@pytest.mark.weights
def test_beam_never_scores_below_greedy_without_normalisation(translator, heldout):
    greedy = greedy_decode(translator.model, heldout)[1]
    beam = beam_search(translator.model, heldout, k=4, alpha=0.0).scores
    assert (beam >= greedy - 1e-5).all()


@pytest.mark.weights
def test_beam_tree_trace(translator, heldout):
    res = beam_search(translator.model, heldout[:3], k=2)
    assert len(res.trace) >= 2
    for step in res.trace:
        assert step["parent"].shape == step["token"].shape == step["score"].shape == (3, 2)
        assert (step["score"][:, 0] >= step["score"][:, 1]).all()


@pytest.mark.weights
def test_sampling_with_low_temperature_is_greedy(translator, heldout):
    g = torch.Generator().manual_seed(0)
    tokens, _ = greedy_decode(translator.model, heldout[:40])
    sampled, _ = sample(translator.model, heldout[:40], temperature=1e-3, generator=g)
    assert torch.equal(sampled, tokens)
    top1, _ = sample(translator.model, heldout[:40], temperature=5.0, top_k=1, generator=g)
    assert torch.equal(top1, tokens)
    a, _ = sample(translator.model, heldout[:40], temperature=2.0, generator=torch.Generator().manual_seed(1))
    b, _ = sample(translator.model, heldout[:40], temperature=2.0, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b)


def test_bad_decoding_input():
    model = random_model()
    src = torch.tensor([[4, 5, 2]])
    with pytest.raises(ValueError, match="beam size"):
        beam_search(model, src, k=0)
    with pytest.raises(ValueError, match="exceeds the vocabulary"):
        beam_search(model, src, k=50)
    with pytest.raises(ValueError, match=r"\(B, S\)"):
        greedy_decode(model, torch.tensor([4, 5]))
    with pytest.raises(ValueError, match="temperature"):
        sample(model, src, temperature=0)
    with pytest.raises(ValueError, match="top_k"):
        sample(model, src, top_k=0)


@pytest.mark.weights
def test_shipped_checkpoint_meets_the_bleu_bar(translator, corpus):
    """The bar of the closing note: held-out BLEU >= 90 for greedy and beam 4, beam >= greedy."""
    refs = [en for _, en in corpus.test]
    srcs = [fr for fr, _ in corpus.test]
    greedy = bleu_and_exact(translate_batch(translator, srcs, beam=1), refs)
    beam4 = bleu_and_exact(translate_batch(translator, srcs, beam=4), refs)
    assert greedy["bleu"] >= 90 and beam4["bleu"] >= 90
    assert beam4["bleu"] >= greedy["bleu"] - 1e-9
    assert greedy == pytest.approx({k: v for k, v in translator.info["heldout"]["beam1"].items() if k != "seconds"})


@pytest.mark.weights
def test_unknown_words_get_a_clear_message(translator):
    with pytest.raises(ValueError, match="“zèbre” is not in this model's vocabulary"):
        translator.translate("je suis zèbre")
    with pytest.raises(ValueError, match="no words"):
        translator.translate("  !! ")
    assert translator.translate("je suis étudiant") == "i am a student"
    assert translator.translate("merci", beam=3) == "thanks"


def test_load_missing_translator():
    with pytest.raises(ValueError, match="no translator named"):
        load_translator("nope")
