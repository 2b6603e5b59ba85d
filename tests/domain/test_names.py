"""Names: one spelling-tolerant key, look-alikes, duplicate pairs and the help desk's search, without an app."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from worldcafe.domain.names import SIMILAR, duplicate_pairs, matches, name_key, search_key, similar_to

words = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüéß", min_size=1, max_size=8), min_size=1, max_size=3)


@given(words, st.randoms())
def test_the_key_ignores_case_spacing_and_word_order(parts, rnd):
    shuffled = list(parts)
    rnd.shuffle(shuffled)
    messy = "  " + "   ".join(word.upper() for word in shuffled) + " "
    assert name_key(messy) == name_key(" ".join(parts))


def test_the_search_key_drops_accents():
    assert search_key("  Zoë  Müller ") == "zoe muller"
    assert matches("MULL", "Anna Müller") and matches("müll an", "Anna Müller")
    assert not matches("mueller", "Anna Müller")


def test_look_alikes_are_found_and_different_names_are_not():
    people = ["Anna Müller", "Jonas Weber", "Ben Okafor"]
    assert similar_to("anna mueller", people) == [(0, 96)]
    assert similar_to("Weber, Jonas", people) == [(1, 100)]
    assert similar_to("Ken Okafor", people)[0][0] == 2
    assert similar_to("Jan", ["Jana"]) == [] and similar_to("Ben", ["Ken"]) == [] and similar_to("  ", people) == []


@given(st.lists(st.text(alphabet="abc ", max_size=6), max_size=12))
def test_pairs_are_ordered_alike_and_each_pair_once(names):
    pairs = duplicate_pairs(names)
    assert all(i < j and score >= SIMILAR for i, j, score in pairs)
    assert len({(i, j) for i, j, _ in pairs}) == len(pairs)
    assert [score for *_, score in pairs] == sorted((score for *_, score in pairs), reverse=True)
    for i, j, _ in pairs:
        assert similar_to(names[i], [names[j]]), (names[i], names[j])


def test_numbers_tell_people_apart():
    assert similar_to("Walk-in 1", ["Walk-in 0", "Walk-in 1"]) == [(1, 100)]
    assert duplicate_pairs(["Guest 1", "Guest 2", "Guest 10"]) == []
