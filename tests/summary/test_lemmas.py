"""Themes are nouns in their base form: German and English words to lemmas, and what makes a theme word."""

from __future__ import annotations

import pytest

from worldcafe.domain.summary import build_summary
from worldcafe.domain.summary.lemmas import analyse_word
from worldcafe.domain.summary.text import Analyser, tokenise


@pytest.mark.parametrize(("word", "language", "lemma", "noun"), [
    ("Atlantiks", "de", "Atlantik", True),
    ("Programme", "de", "Programm", True),
    ("Programmen", "de", "Programm", True),
    ("Fachkräften", "de", "Fachkraft", True),
    ("Abschlüsse", "de", "Abschluss", True),  # today's spelling, not "Abschluß"
    ("Hochschulen", "de", "Hochschule", True),
    ("Daten", "de", "Daten", True),  # data, not the plural of "Datum"
    ("Gemeinsamer", "de", "gemeinsam", False),
    ("fehlen", "de", "fehlen", False),
    ("KI", "de", "KI", True),
    ("NRW", "de", "NRW", True),
    ("programs", "en", "program", True),
    ("companies", "en", "company", True),
    ("parking", "en", "parking", True),  # a noun, not the verb "park"
    ("councillors", "en", "councillor", True),
    ("shared", "en", "share", False),
    ("digital", "en", "digital", False),
])
def test_words_have_their_base_form_and_part_of_speech(word: str, language: str, lemma: str, noun: bool) -> None:
    assert analyse_word(word, language) == (lemma, noun)


def terms(texts: list[str], language: str) -> list[dict[str, tuple[str, bool]]]:
    analyser = Analyser(language)
    for text in texts:
        analyser.learn(tokenise(text), language)
    return [analyser.analyse(tokenise(text), language).surfaces for text in texts]


def test_german_notes_give_nouns_in_their_base_form_and_compound_parts() -> None:
    first, second, third = terms(["Gemeinsamer Austausch über den Atlantiks",
                                  "Fachkräftemangel im Mittelstand", "Mehr Fachkräfte aus Kanada gewinnen"], "de")
    assert set(first) == {"austausch", "atlantik"}  # no adjective "gemeinsamer", no inflected "Atlantiks"
    assert first["atlantik"] == ("Atlantik", True)
    assert second["fachkraft"] == ("Fachkraft", False)  # the compound's base joins "Fachkräfte"
    assert third["fachkraft"] == ("Fachkraft", True)


def test_english_notes_give_nouns_in_their_base_form() -> None:
    (first,) = terms(["More funding for student exchange programs across the Atlantic"], "en")
    assert set(first) == {"funding", "student", "exchange", "program", "atlantic"}


def note(i: int, text: str, table: int, round_: int, topic: str = "Verkehr") -> dict[str, object]:
    return {"id": f"n{i}", "text": text, "table": table, "round": round_, "topic": topic, "kind": "idea"}


def test_themes_merge_plural_singular_case_and_typos_and_count_conversations() -> None:
    notes = [note(1, "Neue Programme für Schulen", 1, 1), note(2, "ein programm für alle", 2, 1),
             note(3, "Programm verlängern", 1, 2), note(4, "Das Programm muss bleiben", 1, 2),
             note(5, "Gemeinsamer Radweg", 3, 3), note(6, "Gemeinsamer Einkauf", 3, 3)]
    data = {"event": {"name": "Stadt", "language": "de"},
            "topics": [{"position": 1, "title": "Verkehr", "tables": [1, 2, 3]}], "notes": notes}
    themes = build_summary(data)["topics"][0]["themes"]
    labels = [t["label"] for t in themes]
    assert labels == ["Programm"]  # "Gemeinsamer" is an adjective: never a theme
    # Raised at tables 1 and 2 in round 1 and at table 1 in round 2: three conversations, two notes at one.
    assert (themes[0]["sittings"], themes[0]["tables"], themes[0]["rounds"], themes[0]["notes"]) == (3, 2, 2, 4)


def test_a_german_verb_counts_as_its_noun_when_the_event_uses_it() -> None:
    _first, second = terms(["Anerkennung der Abschlüsse", "Abschlüsse schneller anerkennen"], "de")
    assert "anerkennung" in second
