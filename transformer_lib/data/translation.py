"""A small French -> English corpus generated from a grammar (chapters "Training" and "Decoding").

No download: every sentence pair is produced here, deterministically, by a grammar with
subject pronouns, *être* and *avoir*, professions, adjectives (with gender and number
agreement), a few regular -er verbs with objects, negation (*ne ... pas*) and elision
(*j'*, *n'*, *l'*, *d'*). English puts adjectives before the noun and builds negation with
*do not* / *does not*, so the translation is not word for word.

The held-out split is made of **unseen combinations**: every sentence pair carries a
*combination* (e.g. verb ``regarder`` with noun ``cheval``, or noun ``chat`` with adjective
``noir``), and a seeded random tenth of the combinations is kept out of training entirely.
Every held-out word still occurs in training; only the pairing is new.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch

from transformer_lib.data.vocab import BOS, EOS, PAD, UNK, Tokenizer, Vocab

SPECIALS = (PAD, BOS, EOS, UNK)  # ids 0, 1, 2, 3 in both vocabularies

# Lower-cased words; an elided ``j'``/``n'``/``l'``/``d'`` is its own token:
# TOKENIZER("Je n'ai pas de chat.") == ["je", "n'", "ai", "pas", "de", "chat"]
TOKENIZER = Tokenizer(r"\w+'|\w+", name="French/English words, elisions split off")

# ------------------------------------------------------------------------------ grammar
# (french, person, gender or None, english); person = 0..5 (je, tu, il/elle, nous, vous, ils/elles)
SUBJECTS = [
    ("je", 0, None, "i"), ("tu", 1, None, "you"), ("il", 2, "m", "he"), ("elle", 2, "f", "she"),
    ("nous", 3, None, "we"), ("vous", 4, None, "you"), ("ils", 5, "m", "they"), ("elles", 5, "f", "they"),
]
ETRE = ["suis", "es", "est", "sommes", "êtes", "sont"]
AVOIR = ["ai", "as", "a", "avons", "avez", "ont"]
BE_EN = ["am", "are", "is", "are", "are", "are"]
ER_ENDINGS = ["e", "es", "e", "ons", "ez", "ent"]

# adjective describing a person: (m sg, f sg, m pl, f pl, english)
PERSON_ADJECTIVES = [
    ("fatigué", "fatiguée", "fatigués", "fatiguées", "tired"),
    ("content", "contente", "contents", "contentes", "happy"),
    ("grand", "grande", "grands", "grandes", "tall"),
    ("petit", "petite", "petits", "petites", "short"),
    ("malade", "malade", "malades", "malades", "sick"),
    ("prêt", "prête", "prêts", "prêtes", "ready"),
    ("occupé", "occupée", "occupés", "occupées", "busy"),
    ("riche", "riche", "riches", "riches", "rich"),
    ("jeune", "jeune", "jeunes", "jeunes", "young"),
    ("triste", "triste", "tristes", "tristes", "sad"),
]
# professions: (m sg, f sg, m pl, f pl, english sg, english pl)
PROFESSIONS = [
    ("étudiant", "étudiante", "étudiants", "étudiantes", "student", "students"),
    ("médecin", "médecin", "médecins", "médecins", "doctor", "doctors"),
    ("professeur", "professeure", "professeurs", "professeures", "teacher", "teachers"),
    ("avocat", "avocate", "avocats", "avocates", "lawyer", "lawyers"),
    ("acteur", "actrice", "acteurs", "actrices", "actor", "actors"),
    ("ingénieur", "ingénieure", "ingénieurs", "ingénieures", "engineer", "engineers"),
    ("cuisinier", "cuisinière", "cuisiniers", "cuisinières", "cook", "cooks"),
    ("chanteur", "chanteuse", "chanteurs", "chanteuses", "singer", "singers"),
    ("infirmier", "infirmière", "infirmiers", "infirmières", "nurse", "nurses"),
    ("artiste", "artiste", "artistes", "artistes", "artist", "artists"),
]
# nouns for things and animals: (french, gender, english)
NOUNS = [
    ("chat", "m", "cat"), ("chien", "m", "dog"), ("cheval", "m", "horse"), ("livre", "m", "book"),
    ("vélo", "m", "bike"), ("stylo", "m", "pen"), ("gâteau", "m", "cake"), ("ordinateur", "m", "computer"),
    ("journal", "m", "newspaper"), ("voiture", "f", "car"), ("maison", "f", "house"), ("pomme", "f", "apple"),
    ("orange", "f", "orange"), ("table", "f", "table"), ("lettre", "f", "letter"), ("fleur", "f", "flower"),
]
# adjectives for nouns, placed after the noun in French, before it in English: (m, f, english)
NOUN_ADJECTIVES = [
    ("noir", "noire", "black"), ("blanc", "blanche", "white"), ("rouge", "rouge", "red"),
    ("vert", "verte", "green"), ("bleu", "bleue", "blue"), ("neuf", "neuve", "new"),
    ("cassé", "cassée", "broken"), ("sale", "sale", "dirty"),
]
ANIMALS = {"chat", "chien", "cheval"}
FOOD = {"pomme", "orange", "gâteau"}
ALL_NOUNS = {n for n, _, _ in NOUNS}
# regular -er verbs: (stem, infinitive, english base form, the nouns it takes as objects)
VERBS = [
    ("aim", "aimer", "like", ALL_NOUNS), ("regard", "regarder", "watch", ALL_NOUNS),
    ("cherch", "chercher", "look for", ALL_NOUNS), ("trouv", "trouver", "find", ALL_NOUNS),
    ("dessin", "dessiner", "draw", ALL_NOUNS),
    ("lav", "laver", "wash", ANIMALS | {"vélo", "voiture", "maison", "table", "pomme"}),
    ("port", "porter", "carry", ANIMALS - {"cheval"} | FOOD | {"livre", "stylo", "ordinateur", "journal", "lettre", "fleur"}),
    ("prépar", "préparer", "prepare", FOOD | {"table", "lettre"}),
    ("mang", "manger", "eat", FOOD),
]
PHRASES = [("merci", "thanks"), ("bonjour", "hello"), ("au revoir", "goodbye"), ("oui", "yes"), ("non", "no"),
           ("merci beaucoup", "thank you very much")]
VOWELS = "aeiouyéèêâîôh"


def _elide(words: list[str]) -> str:
    """Join French words, turning je/ne/le/la/de before a vowel into j'/n'/l'/d'."""
    out = []
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w in ("je", "ne", "le", "la", "de") and nxt[:1] in VOWELS and nxt:
            out.append(w[0] + "'")
        else:
            out.append(w)
    return " ".join(out)


def _article_en(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _verb_en(base: str, person: int) -> str:
    """English present tense: 'watch' -> 'watches' and 'look for' -> 'looks for' after he/she."""
    if person != 2:
        return base
    head, *rest = base.split(" ")
    if head.endswith(("ch", "sh", "s", "x")):
        head += "es"
    elif head.endswith("y") and head[-2] not in "aeiou":
        head = head[:-1] + "ies"  # carry -> carries
    else:
        head += "s"
    return " ".join([head, *rest])


def _do_not(person: int) -> str:
    return "does not" if person == 2 else "do not"


def _genders(gender):
    return [gender] if gender else ["m", "f"]


def _agree(forms, gender: str, plural: bool) -> str:
    return forms[(2 if plural else 0) + (1 if gender == "f" else 0)]


def _negate(subject: str, verb: str, negative: bool) -> list[str]:
    return [subject, "ne", verb, "pas"] if negative else [subject, verb]


def generate_pairs() -> list[tuple[str, str, tuple]]:
    """Every sentence the grammar makes, as (french, english, combination), in a fixed order.

    The combination names the content words whose *pairing* the held-out split withholds.
    """
    out = []
    for fr, en in PHRASES:
        out.append((fr, en, ("phrase", fr)))
    for subj, p, g, s_en in SUBJECTS:
        plural = p >= 3
        for neg in (False, True):
            not_ = " not" if neg else ""
            for gender in _genders(g):
                # SUBJ être [très] ADJ
                for forms in PERSON_ADJECTIVES:
                    adj = _agree(forms, gender, plural)
                    for very in (False, True):
                        fr = _elide(_negate(subj, ETRE[p], neg) + (["très"] if very else []) + [adj])
                        en = f"{s_en} {BE_EN[p]}{not_} {'very ' if very else ''}{forms[4]}"
                        out.append((fr, en, ("be-adj", forms[0], very)))
                # SUBJ être PROFESSION
                for forms in PROFESSIONS:
                    prof = _agree(forms, gender, plural)
                    obj = forms[5] if plural else f"{_article_en(forms[4])} {forms[4]}"
                    fr = _elide(_negate(subj, ETRE[p], neg) + [prof])
                    out.append((fr, f"{s_en} {BE_EN[p]}{not_} {obj}", ("be-prof", forms[0], neg)))
            # SUBJ avoir un/une NOUN [ADJ]; negative: pas de NOUN [ADJ]
            for noun, ng, n_en in NOUNS:
                for adj in [None, *NOUN_ADJECTIVES]:
                    adj_fr = [adj[0] if ng == "m" else adj[1]] if adj else []
                    phrase_en = f"{adj[2]} {n_en}" if adj else n_en
                    det = ["de"] if neg else ["un" if ng == "m" else "une"]
                    fr = _elide(_negate(subj, AVOIR[p], neg) + det + [noun] + adj_fr)
                    have = "has" if p == 2 else "have"
                    verb_en = f"{_do_not(p)} have" if neg else have
                    en = f"{s_en} {verb_en} {_article_en(phrase_en)} {phrase_en}"
                    out.append((fr, en, ("have", noun, adj[0] if adj else None)))
            # SUBJ VERB le/la/un/une NOUN
            for stem, inf, v_en, objects in VERBS:
                ending = ER_ENDINGS[p]
                verb = stem + ("e" if stem.endswith("g") and ending[0] == "o" else "") + ending  # mangeons
                for noun, ng, n_en in NOUNS:
                    if noun not in objects:
                        continue
                    for definite in (True, False):
                        if definite:
                            det, det_en = ("le" if ng == "m" else "la"), "the"
                        else:
                            det, det_en = (("de" if neg else ("un" if ng == "m" else "une")), _article_en(n_en))
                        fr = _elide(_negate(subj, verb, neg) + [det, noun])
                        verb_en = f"{_do_not(p)} {v_en}" if neg else _verb_en(v_en, p)
                        out.append((fr, f"{s_en} {verb_en} {det_en} {n_en}", ("verb", inf, noun)))
    seen, unique = set(), []
    for fr, en, key in out:  # professions like "médecin" have one form for both genders
        if (fr, en) not in seen:
            seen.add((fr, en))
            unique.append((fr, en, key))
    return unique


# -------------------------------------------------------------------------------- corpus
@dataclass(frozen=True)
class TranslationCorpus:
    """Train and held-out (french, english) pairs and the two vocabularies (built on train only)."""

    train: list
    test: list
    src_vocab: Vocab
    tgt_vocab: Vocab
    seed: int


# Combinations the chapters use as worked examples stay in training.
_ALWAYS_TRAIN = {("be-prof", "étudiant", False), ("phrase", "merci")}


PHRASE_REPEATS = 20  # the fixed phrases are few and short: repeat them so training sees them often enough


def make_corpus(seed: int = 0, test_fraction: float = 0.1, max_test: int = 500) -> TranslationCorpus:
    """Split the grammar's sentences by combination into train and held-out (deterministic).

    Args:
        seed: picks which combinations are held out and which held-out sentences are kept.
        test_fraction: the share of combinations withheld from training.
        max_test: the held-out split is subsampled to at most this many pairs.

    Returns:
        a :class:`TranslationCorpus`; no held-out pair's combination occurs in training. The
        fixed phrases (*merci*, *bonjour*, ...) occur ``PHRASE_REPEATS`` times in training.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction}")
    pairs = generate_pairs()
    keys = sorted({k for *_, k in pairs if k[0] != "phrase"}, key=repr)
    rng = random.Random(seed)
    held = {k for k in rng.sample(keys, round(test_fraction * len(keys))) if k not in _ALWAYS_TRAIN}
    while True:  # a held-out combination whose words training never shows goes back to training
        seen = {w for fr, en, k in pairs if k not in held for w in TOKENIZER(fr) + TOKENIZER(en)}
        back = {k for fr, en, k in pairs if k in held and not set(TOKENIZER(fr) + TOKENIZER(en)) <= seen}
        if not back:
            break
        held -= back
    train = [(fr, en) for fr, en, k in pairs if k not in held]
    train += [(fr, en) for fr, en, k in pairs if k[0] == "phrase"] * (PHRASE_REPEATS - 1)
    test = [(fr, en) for fr, en, k in pairs if k in held]
    rng.shuffle(train)
    rng.shuffle(test)
    test = sorted(test[:max_test], key=lambda p: (len(TOKENIZER(p[0])), p))
    # each vocabulary: the specials (ids 0-3), then every training word in sorted order
    src_vocab = Vocab.build((fr for fr, _ in train), SPECIALS, "sorted", TOKENIZER)
    tgt_vocab = Vocab.build((en for _, en in train), SPECIALS, "sorted", TOKENIZER)
    return TranslationCorpus(train, test, src_vocab, tgt_vocab, seed)


def encode_pairs(pairs, src_vocab: Vocab, tgt_vocab: Vocab):
    """Pad a list of (french, english) pairs into id tensors for teacher forcing.

    Returns:
        src (B, S): french ids + ``<eos>``; tgt_in (B, T): ``<bos>`` + english ids (the
        decoder's input); tgt_out (B, T): english ids + ``<eos>`` (what it must predict,
        tgt_in shifted left by one). Padding is ``<pad>`` = 0.
    """
    src = [torch.tensor(src_vocab.encode(fr, eos=True)) for fr, _ in pairs]
    tgt = [torch.tensor(tgt_vocab.encode(en, bos=True, eos=True)) for _, en in pairs]
    pad = torch.nn.utils.rnn.pad_sequence
    src = pad(src, batch_first=True, padding_value=src_vocab.pad_id)  # (B, S)
    tgt = pad(tgt, batch_first=True, padding_value=tgt_vocab.pad_id)  # (B, T + 1)
    return src, tgt[:, :-1], tgt[:, 1:]
