"""The feed-forward chapter's self-check questions and its coding exercise check."""

import numpy as np
import pytest

from transformer_lib.exercises import feed_forward as ex


def _numeric_answer(q):
    lo, hi = next(a["range"] for a in q["answers"] if a.get("correct"))
    return (lo + hi) / 2


def _independent_shares(d=512, d_ff=2048):
    mha = 4 * (d * d + d)  # W_Q, W_K, W_V, W_O with biases
    ffn = d * d_ff + d_ff + d_ff * d + d
    ln = 2 * d
    return ffn / (mha + ffn + 2 * ln), ffn / (2 * mha + ffn + 3 * ln)


def test_numeric_answers_match_an_independent_count():
    enc, dec = (_numeric_answer(q) for q in ex.questions() if q["type"] == "numeric")
    want_enc, want_dec = _independent_shares()
    assert enc == pytest.approx(100 * want_enc, abs=1e-6)
    assert dec == pytest.approx(100 * want_dec, abs=1e-6)
    assert 0.66 < want_enc < 0.67 and 0.49 < want_dec < 0.51


def test_ffn_share_rejects_a_bad_kind():
    with pytest.raises(ValueError, match="encoder' or 'decoder"):
        ex.ffn_share("both")


def right(x, W_1, b_1, W_2, b_2):
    return np.maximum(0, x @ W_1 + b_1) @ W_2 + b_2


def test_check_accepts_a_right_answer():
    v = ex.check_feed_forward(right)
    assert v.ok and v.message.startswith("Correct")


@pytest.mark.parametrize("wrong, words", [
    (lambda x, W_1, b_1, W_2, b_2: (x @ W_1 + b_1) @ W_2 + b_2, "expected"),  # no ReLU
    (lambda x, W_1, b_1, W_2, b_2: np.maximum(0, (x @ W_1 + b_1) @ W_2 + b_2), "expected"),  # ReLU at the end
    (lambda x, W_1, b_1, W_2, b_2: np.maximum(0, x @ W_1) @ W_2 + b_2, "expected"),  # forgot b_1
    (lambda x, W_1, b_1, W_2, b_2: np.maximum(0, x @ W_1.T + b_1) @ W_2 + b_2, "raised"),  # W_1 transposed
    (lambda x, W_1, b_1, W_2, b_2: right(x.reshape(-1, x.shape[-1]), W_1, b_1, W_2, b_2), "shape"),
])
def test_check_names_what_is_wrong(wrong, words):
    v = ex.check_feed_forward(wrong)
    assert not v.ok and v.message.startswith("Not yet") and words in v.message


