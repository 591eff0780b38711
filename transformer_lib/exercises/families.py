"""Self-check and exercise for chapter "One block, three families: BERT, GPT, T5" (chapters/families.ipynb).

``self_check()`` shows the chapter's questions; ``check_prefix_lm_mask(fn)`` checks the reader's
prefix-LM mask against :func:`transformer_lib.ref.prefix_lm_mask`. Numeric answers are computed
here, with the library, when the questions are built.
"""

from __future__ import annotations

from transformer_lib import quiz, ref, scale
from transformer_lib.exercises import Verdict, compare

__all__ = ["questions", "self_check", "check_prefix_lm_mask", "encoder_layer_parameters"]


def encoder_layer_parameters(d_model: int, d_ff: int, n_heads: int) -> int:
    """Parameters of one post-norm encoder layer with biases (attention, FFN, two LayerNorms),
    from :func:`transformer_lib.scale.parameter_breakdown`."""
    shape = scale.ModelShape(d_model=d_model, n_heads=n_heads, d_ff=d_ff, vocab_size=0, n_encoder_layers=1)
    return scale.parameter_breakdown(shape)["encoder layers"]


def questions() -> list[dict]:
    """The chapter's self-check questions (numbers computed with the library now)."""
    prefix, T = 3, 8
    allowed = int(ref.prefix_lm_mask(prefix, T).sum())
    causal = int(ref.causal_mask(T).sum())
    bert_layer = encoder_layer_parameters(768, 3072, 12)
    return [
        quiz.choice("A model must fill in a blanked-out word in the middle of a sentence, using the words on "
                    "both sides. Which attention pattern lets every position see the words after it too?", [
            ("the full mask, as in BERT's encoder", True,
             "Every query may attend to every key, so the blank sees both its left and its right context."),
            ("the causal mask, as in GPT", False,
             "The causal mask hides every later position: the blank would see only the words before it."),
            ("a prefix-LM mask with an empty prefix", False,
             "With prefix length 0 the prefix-LM mask is exactly the causal mask, so later words stay hidden."),
        ]),
        quiz.numeric(f"How many (query, key) pairs does `prefix_lm_mask({prefix}, {T})` allow? "
                     f"(The causal mask of length {T} allows {causal}.)", allowed,
                     why=f"The causal mask's {causal} pairs, plus each prefix position seen by the earlier "
                         f"queries that the causal mask hid from it: {allowed - causal} more, {allowed} in all.",
                     tol=0.5, too_low="Too small. The prefix is seen by every query, including those before it inside the prefix.",
                     too_high="Too large. After the prefix, positions still only look back."),
        quiz.choice("BERT chooses 15 % of the tokens for its loss. Why does it leave 10 % of the chosen ones "
                    "unchanged and put a random word at another 10 %, instead of always writing [MASK]?", [
            ("so that the model cannot learn that only [MASK] positions matter; [MASK] never appears when it is "
             "fine-tuned", True,
             "Devlin et al. (2019, section 3.1) give this reason: the mismatch between pretraining and fine-tuning."),
            ("to make the loss cheaper to compute", False,
             "The loss is taken at the same 15 % of positions whatever was written there."),
            ("because the causal mask would otherwise let the model read the answer", False,
             "BERT uses the full mask, not the causal one; what hides the answer is the replaced input token."),
        ]),
        quiz.numeric("How many parameters does one BERT-base encoder layer have (D = 768, d_ff = 3072, 12 heads; "
                     "weights and biases of attention and feed-forward, two LayerNorms)?", bert_layer,
                     why=f"Attention 4 D^2 + 4 D, feed-forward 2 D d_ff + d_ff + D, two LayerNorms 4 D: "
                         f"{bert_layer:,} (`scale.parameter_breakdown`).",
                     too_low="Too small. Count all four attention matrices W_Q, W_K, W_V, W_O and both FFN matrices, with biases.",
                     too_high="Too large. The heads split D between them: the four attention matrices are D x D each, not D x H D."),
        quiz.choice("In the chapter's fine-tuning table, what does the model trained from scratch lack that the "
                    "pretrained one has before it sees a single labelled pair?", [
            ("what it learned about English while predicting the next character of unlabelled text", True,
             "Same architecture, same recipe: only the starting weights differ, so the gap is what pretraining gave."),
            ("a classification head", False,
             "Neither model has one: both score a sentence by its log-probability under the language model."),
            ("a larger vocabulary", False, "Both use the tiny GPT's character vocabulary."),
        ]),
    ]


def self_check() -> None:
    """Show the chapter's questions (answered on the page, no kernel needed)."""
    quiz.show(*questions())


def check_prefix_lm_mask(fn) -> Verdict:
    """Check ``fn(prefix_len, T)`` -> bool (T, T), True = may attend, against
    :func:`transformer_lib.ref.prefix_lm_mask`, on empty, partial and whole prefixes."""
    cases = [(2, 4), (0, 5), (5, 5), (1, 1), (3, 7), (1, 6)]
    return compare(fn, ref.prefix_lm_mask, cases, what="your prefix-LM mask")
