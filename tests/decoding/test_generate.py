"""generate() with and without the KV cache, and the sampling transforms (decoding.py)."""

import pytest
import torch

from transformer_lib import decoding, nn as tnn


@pytest.fixture(scope="module")
def gpt():
    torch.manual_seed(3)
    return tnn.GPT(tnn.GPTConfig(vocab_size=13, block_size=24, d_model=16, n_heads=2, n_layers=2, d_ff=32))


def test_greedy_same_tokens_with_and_without_cache(gpt):
    prompt = torch.tensor([[1, 2, 3], [4, 5, 6]])
    a, la = decoding.generate(gpt, prompt, 15, use_cache=True, greedy=True, return_logits=True)
    b, lb = decoding.generate(gpt, prompt, 15, use_cache=False, greedy=True, return_logits=True)
    assert torch.equal(a, b) and a.shape == (2, 18) and torch.equal(a[:, :3], prompt)
    torch.testing.assert_close(la, lb, rtol=1e-5, atol=1e-5)
    assert torch.equal(a[:, 3:], lb.argmax(-1))  # each new token is the argmax of its step's logits


@pytest.mark.parametrize("kw", [dict(), dict(temperature=0.7, top_k=5), dict(temperature=1.3, top_p=0.8)])
def test_seeded_sampling_same_tokens_with_and_without_cache(gpt, kw):
    prompt = torch.tensor([[7, 8]] * 3)
    a = decoding.generate(gpt, prompt, 20, use_cache=True, generator=torch.Generator().manual_seed(0), **kw)
    b = decoding.generate(gpt, prompt, 20, use_cache=False, generator=torch.Generator().manual_seed(0), **kw)
    assert torch.equal(a, b)
    c = decoding.generate(gpt, prompt, 20, use_cache=True, generator=torch.Generator().manual_seed(1), **kw)
    assert not torch.equal(a, c)  # the seed matters: the test above is not greedy in disguise


def test_generate_leaves_training_mode(gpt):
    gpt.train()
    decoding.generate(gpt, torch.tensor([[1]]), 2, greedy=True)
    assert gpt.training
    gpt.eval()


def test_temperature_and_filters():
    logits = torch.tensor([[2.0, 1.0, 0.0, -1.0], [0.0, 0.0, 0.0, 3.0]])
    torch.testing.assert_close(decoding.apply_temperature(logits, 0.5), logits * 2)
    k2 = decoding.top_k_filter(logits, 2)
    assert torch.isinf(k2).sum(-1).tolist() == [2, 0]  # ties with the 2nd largest are kept
    assert torch.isfinite(k2[0, :2]).all()
    p = logits[0].softmax(-1)  # about 0.64, 0.24, 0.09, 0.03
    for top_p, kept in [(0.5, 1), (float(p[0]) + 1e-4, 2), (0.9, 3), (1.0, 4)]:
        assert torch.isfinite(decoding.top_p_filter(logits[:1], top_p)).sum() == kept
    shuffled = logits[:1, [2, 0, 3, 1]]  # the nucleus follows the values, not the positions (row 0: no ties)
    assert torch.isfinite(decoding.top_p_filter(shuffled, 0.9)).tolist() == [[True, True, False, True]]
    probs = decoding.sampling_probs(logits, temperature=2.0, top_k=3, top_p=0.7)
    manual = decoding.top_p_filter(decoding.top_k_filter(logits / 2.0, 3), 0.7).softmax(-1)
    torch.testing.assert_close(probs, manual)
    torch.testing.assert_close(probs.sum(-1), torch.ones(2))


@pytest.mark.parametrize("kw,msg", [
    (dict(temperature=0.0), "temperature must be positive"),
    (dict(temperature=-1.0), "temperature must be positive"),
    (dict(top_p=0.0), r"top_p must lie in \(0, 1\]"),
    (dict(top_p=1.5), r"top_p must lie in \(0, 1\]"),
    (dict(top_k=0), "top_k must be an integer in 1..V=13"),
    (dict(top_k=14), "top_k must be an integer in 1..V=13"),
])
def test_bad_sampling_arguments(gpt, kw, msg):
    with pytest.raises(ValueError, match=msg):
        decoding.generate(gpt, torch.tensor([[1]]), 2, **kw)
    with pytest.raises(ValueError, match=msg):
        decoding.sampling_probs(torch.zeros(1, 13), **kw)


def test_bad_prompts(gpt):
    with pytest.raises(ValueError, match="exceeds the model's context of 24 tokens"):
        decoding.generate(gpt, torch.ones(1, 20, dtype=torch.long), 5)
    with pytest.raises(ValueError, match="integer token ids with T >= 1"):
        decoding.generate(gpt, torch.ones(1, 0, dtype=torch.long), 5)
    with pytest.raises(ValueError, match="max_new_tokens must be a positive integer"):
        decoding.generate(gpt, torch.ones(1, 2, dtype=torch.long), 0)
