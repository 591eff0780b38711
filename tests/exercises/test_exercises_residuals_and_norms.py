"""The residuals-and-norms chapter's self-check questions and its coding exercise check."""

import numpy as np
import pytest
import torch

from transformer_lib.exercises import residuals_and_norms as ex


def test_numeric_answer_is_batch_times_time():
    (q,) = [q for q in ex.questions() if q["type"] == "numeric"]
    lo, hi = next(a["range"] for a in q["answers"] if a.get("correct"))
    assert lo < 4 * 6 < hi and hi - lo < 1  # B x T, and no other whole number accepted


def test_group_sizes():
    assert ex.group_size("LayerNorm", 3, 5, 7) == 7
    assert ex.group_size("BatchNorm", 3, 5, 7) == 15
    with pytest.raises(ValueError, match="LayerNorm' or 'BatchNorm"):
        ex.group_size("GroupNorm", 3, 5, 7)


def right(x, gamma, beta, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * gamma + beta


def test_check_accepts_a_right_answer_and_torch():
    assert ex.check_layer_norm(right).ok
    torch_ln = lambda x, g, b: torch.nn.functional.layer_norm(  # noqa: E731
        torch.tensor(x), (x.shape[-1],), torch.tensor(g), torch.tensor(b), eps=1e-5)
    assert ex.check_layer_norm(torch_ln).ok


@pytest.mark.parametrize("wrong, words", [
    (lambda x, g, b: (x - x.mean((0, 1), keepdims=True)) / np.sqrt(x.var((0, 1), keepdims=True) + 1e-5) * g + b,
     "expected"),  # BatchNorm's axes
    (lambda x, g, b: (x - x.mean(-1, keepdims=True)) / x.std(-1, keepdims=True) * g + b, "expected"),  # no eps
    (lambda x, g, b: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, ddof=1, keepdims=True) + 1e-5) * g + b,
     "expected"),  # unbiased variance
    (lambda x, g, b: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5), "expected"),  # no gamma, beta
    (lambda x, g, b: right(x, g, b).mean(-1), "shape"),
])
def test_check_names_what_is_wrong(wrong, words):
    v = ex.check_layer_norm(wrong)
    assert not v.ok and v.message.startswith("Not yet") and words in v.message


