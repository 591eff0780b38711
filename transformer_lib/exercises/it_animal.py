"""Self-check and exercise of chapter "It -> animal: watching a model resolve a pronoun"
(chapters/it_animal.ipynb).

``self_check()`` shows the chapter's questions; ``check_cut_edges(fn)`` checks the reader's
knockout mask against :func:`transformer_lib.tasks.pronoun.cut_edges`, the mask the chapter's
knockouts use. Every numeric answer is computed here, with the library, when the questions are
built.
"""

from __future__ import annotations

from transformer_lib import quiz
from transformer_lib.data import pronoun as C
from transformer_lib.exercises import Verdict, compare
from transformer_lib.tasks.pronoun import cut_edges, load_it_model, word_in_adjective_slot


def causal_view_of_it() -> int:
    """How many tokens "it" may attend to (itself included) in the classic sentence under a causal mask."""
    return C.sentence(*C.CLASSIC_PAIR, "tired").it_index + 1


def questions() -> list[dict]:
    classic = C.sentence(*C.CLASSIC_PAIR, "tired")
    n_seen = causal_view_of_it()
    far = word_in_adjective_slot(load_it_model(), "far")  # computed now, as in the chapter
    return [
        quiz.choice(
            "The model must name the noun (\"animal\") at the position of \"it\", not answer "
            "\"first or second noun\". Why does that matter for reading its attention?",
            [("To output the word, \"it\" has to bring the noun's identity to its own position, and "
              "attention is the only way information moves between positions.", True,
              "A first-or-second answer can be read off positions and roles without fetching any "
              "word, so the attention need not point at the noun at all."),
             ("Naming the noun is easier to learn.", False,
              "It is harder (one of 28 nouns, not one of 2); the point is what it forces the model "
              "to do, not how easy it is."),
             ("Because a linear readout cannot output \"first\" or \"second\".", False,
              "A linear layer can score two classes as easily as 28; the difference is in what "
              "information must reach the position of \"it\"."),
             ("It does not matter; attention always points at the answer.", False,
              "Attention weights show where a position reads; whether the answer depends on that "
              "read has to be tested (the knockouts and patches of the chapter).")]),
        quiz.numeric(
            f"In a causal (GPT-style) model reading \"{classic.text}\", how many tokens can \"it\" "
            "attend to, itself included?",
            n_seen, tol=0.1,
            why=f"\"it\" is token {n_seen} of the sentence, so it sees the {n_seen} tokens up to "
                "itself, and not the adjective: the sentence is still ambiguous there.",
            too_low="Too small: count every token from \"the\" up to and including \"it\".",
            too_high="Too large: a causal mask hides every token after \"it\", the adjective included."),
        quiz.choice(
            "In one sentence, the last layer's attention from \"it\" puts most of its weight on "
            "\"animal\". What shows that the answer depends on that attention?",
            [("Remove that attention (a knockout) or copy it from a sentence with the other answer "
              "(a patch), on many sentences, and measure how the answers change.", True,
              "An intervention tests the route; weights alone show where the model reads, not what "
              "it uses (Jain and Wallace 2019; Wiegreffe and Pinter 2019)."),
             ("The weight is above 0.5, so it must be what decides.", False,
              "A large weight can carry a value the readout ignores; only changing it and measuring "
              "the answer tells."),
             ("The heatmap of one sentence looks clear.", False,
              "One sentence is an anecdote; a claim about the model is measured over many."),
             ("The model's answer is right.", False,
              "The animacy model gives right answers on natural sentences by a different rule.")]),
        quiz.choice(
            "The animacy model was trained only on sentences where an animal acts on a place. "
            "Which test set reveals that it has not learnt the rule?",
            [("Held-out sentences with the roles swapped (\"the street didn't cross the animal ...\").",
              True, "There \"the animal\" and \"the agent\" come apart, so the two rules give "
              "different answers, and the animacy model's accuracy collapses."),
             ("More held-out sentences like its training data.", False,
              "On those \"pick the animal for tired\" and \"pick the agent for tired\" agree, so "
              "both rules score alike."),
             ("The training sentences themselves.", False,
              "Training accuracy says nothing about which of two rules that fit the data was learnt."),
             ("Sentences with an unknown word.", False,
              "The model rejects those with a message; they test the vocabulary, not the rule.")]),
        quiz.choice(
            f"With \"far\" where the adjective stands (\"... because it was too far .\"), the model "
            f"answers {far['n']} such sentences with a median probability of {far['median_p']:.2f}, "
            "although \"far\" never stood there in training. What does that probability tell you?",
            [("How strongly the model's learnt patterns fire on this input, not how likely the answer "
              "is to be right: nothing in the model can say \"I have not seen this\".", True,
              "A softmax always hands out all of its probability; the model is calibrated, if at all, "
              "only on sentences like its training data."),
             ("That \"far\" describes the noun the model names.", False,
              "The model never saw \"far\" describe a noun, so it cannot have learnt which one it fits."),
             ("That the model is right about nine times in ten on such sentences.", False,
              "Such sentences have no answer the model could have learnt; a high probability there "
              "is a habit (mostly: the noun nearest to \"it\"), not knowledge."),
             ("Nothing: the model should have refused, as it does for unknown words.", False,
              "It refuses unknown words because they have no embedding; \"far\" has one, so the "
              "model computes an answer, and the page's note says why to distrust it.")]),
    ]


def self_check() -> None:
    """Show the chapter's questions (they work on the static page, in Jupyter and in Colab)."""
    quiz.show(*questions())


def _cut_cases() -> list[tuple]:
    return [
        (5, 2, [0]),  # one edge
        (6, 0, [1, 3]),  # two edges from the first token
        (7, 6, [0, 6, 2]),  # keys out of order, the token itself among them
        (4, 3, []),  # nothing to cut: every entry stays True
        (1, 0, [0]),  # a one-token sentence
    ]


def check_cut_edges(fn) -> Verdict:
    """Check ``fn(T, query, keys) -> (T, T) bool mask``, True = may attend, False on query -> keys."""
    return compare(fn, cut_edges, _cut_cases(), what="your cut_edges")
