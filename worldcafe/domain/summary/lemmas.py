"""Words to base forms: a lemma (simplemma) and whether the word is a noun (HanTa's part-of-speech analysis).

Themes are nouns in their base form ("Atlantik", not "Atlantiks"; "Programm", not "Programme"), never an adjective
("Gemeinsamer") or a verb. Both libraries work offline from the data they ship. HanTa's models take a second or
two to load, so they load on first use, in the worker process that analyses notes (``worldcafe.offload``), and
every word is looked up once per process: a café of 10,000 notes has a few thousand distinct words.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import simplemma

# The same noun in the sense a café means: both libraries read "Daten" as the plural of "Datum" (a date).
OVERRIDES = {"de": {"daten": "Daten"}, "en": {"data": "data", "media": "media"}}
# HanTa's part-of-speech tags for nouns: German STTS (NN noun, NE name, NNI a verb used as a noun: "das Lernen"),
# English CLAWS (NN0/NN1/NN2 nouns, NP0 names).
NOUN_TAGS = {"de": ("NN", "NE", "NNI"), "en": ("NN0", "NN1", "NN2", "NP0")}
MODELS = {"de": "morphmodel_ger.pgz", "en": "morphmodel_en.pgz"}

_taggers: dict[str, Any] = {}


def _tagger(language: str) -> Any:
    tagger = _taggers.get(language)
    if tagger is None:
        from HanTa import HanoverTagger  # numpy and a pickled model: loaded only where notes are analysed

        tagger = _taggers[language] = HanoverTagger.HanoverTagger(MODELS[language])
    return tagger


@lru_cache(maxsize=200_000)
def analyse_word(word: str, language: str) -> tuple[str, bool]:
    """The base form of a word as written and whether it is a noun: ("Atlantik", True) for "Atlantiks"."""
    if len(word) >= 2 and word.isupper():
        return word, True  # an acronym ("KI", "NRW", "EU") is a name: kept as written
    override = OVERRIDES[language].get(word.lower())
    if override is not None:
        return override, True
    hanta_lemma, tag = _tagger(language).analyze(word)
    noun = str(tag) in NOUN_TAGS[language]
    if noun or not simplemma.is_known(word, lang=language):
        # A noun's base form comes from the tagger that knows it is one: simplemma, which does not, makes verbs of
        # English nouns ("parking" -> "park") and keeps some old German spellings ("Abschlüsse" -> "Abschluß").
        lemma = str(hanta_lemma)
    else:
        lemma = simplemma.lemmatize(word, lang=language)
    if language == "de":
        # A German noun is written with a capital, even if typed without one.
        lemma = lemma[:1].upper() + lemma[1:] if noun else lemma.lower()
    elif str(tag) != "NP0":
        lemma = lemma.lower()
    return lemma, noun


def warm() -> None:
    """Load both languages' models and dictionaries (a worker does this at start, so the first export does not
    wait seconds for them)."""
    for language in MODELS:
        analyse_word("Programme", language)
        simplemma.lemmatize("Programme", lang=language)
