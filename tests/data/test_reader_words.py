"""The reader's unknown words (data.vocab) and words in another role (data.pronoun): the messages
the live widget and the page both show (the page's runtime mirrors these functions; the browser
tests hold the two equal)."""

from __future__ import annotations

import pytest

from transformer_lib.data import pronoun as C
from transformer_lib.data.vocab import Vocab, edit_distance, nearest_words, not_in_vocabulary


@pytest.mark.parametrize("a, b, d", [("", "", 0), ("", "abc", 3), ("kitten", "sitting", 3), ("dgo", "dog", 1),
                                     ("ca", "abc", 3), ("street", "street", 0), ("tierd", "tired", 1)])
def test_edit_distance(a, b, d):
    assert edit_distance(a, b) == d == edit_distance(b, a)


def test_nearest_words_skip_specials_and_punctuation_and_keep_vocabulary_order_on_ties():
    v = Vocab(("<pad>", ".", ",", "dog", "dot", "cat"), ("<pad>",))
    assert nearest_words("dox", v) == ["dog", "dot", "cat"]  # dog and dot tie at 1: vocabulary order
    assert sorted(nearest_words("<pad>", v, n=10)) == ["cat", "dog", "dot"]  # never <pad>, "." or ","


def test_not_in_vocabulary_names_each_word_once_in_order():
    v = Vocab(("<pad>", "dog", "cat"), ("<pad>",))
    msg = not_in_vocabulary(["dgo", "cta", "dgo"], v)
    assert msg == ("“dgo” is not in this model's vocabulary; nearest known words (by spelling): dog, cat. "
                   "“cta” is not in this model's vocabulary; nearest known words (by spelling): cat, dog.")


def test_role_contexts_cover_the_vocabulary():
    roles = C.role_contexts()
    assert set(roles) == set(C.vocabulary()[1:])
    assert roles["far"] == "in “was far too”" and roles["tired"].startswith("as the adjective")
    assert roles["street"] == "as a noun"


@pytest.mark.parametrize("text, words", [
    ("the animal didn't cross the street because it was too far .", ["far"]),
    ("the animal didn't cross the street because it was too much .", ["much"]),
    ("the tired didn't cross the street because it was too street .", ["tired", "street"]),
    ("the animal didn't cross the street because it was far too tired .", []),  # "far" in its own role
    ("the animal didn't cross the street because it was too tired .", []),
])
def test_role_notes_flag_known_words_in_a_role_never_seen(text, words):
    notes = C.role_notes(C.TOKENIZER(text))
    assert [n.split("”")[0].lstrip("“") for n in notes] == words
    for n in notes:
        assert "guess" in n
