"""The matcher: offers meet seeks and shared interests, across groups, explained, capped and deterministic."""

from __future__ import annotations

import ast
from pathlib import Path

from worldcafe.domain.matching import Profile, find_matches, match_job


def pairs(matches):
    return {(m.a, m.b) for m in matches}


def test_an_english_offer_meets_an_english_seek_across_groups_with_the_words_it_rests_on():
    people = [
        Profile(1, "Kanada", offer="Computer vision for quality inspection", seek="Pilot customers"),
        Profile(2, "OWL", offer="Precision machining", seek="computer vision models for our production line"),
        Profile(3, "OWL", offer="Catering", seek="Nothing in particular"),
    ]
    matches = find_matches(people, cap=3, language="en")
    assert pairs(matches) == {(1, 2)}
    reason = matches[0].reasons[0]
    assert reason.kind == "offer" and reason.offers == 1 and reason.seeks == 2
    assert {w.lower() for w in reason.words} >= {"computer", "vision"}


def test_german_words_match_in_their_base_form_and_inside_compounds():
    people = [
        Profile(1, "Kanada", offer="Wir bieten Bildverarbeitung und Sensorik"),
        Profile(2, "OWL", seek="Partner für die Bildverarbeitung unserer Anlagen"),
        Profile(3, "OWL", seek="Förderprogramme"),
        Profile(4, "Kanada", offer="Beratung zu Förderprogrammen der EU"),
    ]
    matches = find_matches(people, cap=3, language="de")
    assert pairs(matches) == {(1, 2), (3, 4)}
    words = {m.a: [w.lower() for r in m.reasons for w in r.words] for m in matches}
    assert "bildverarbeitung" in words[1]
    assert any(w.startswith("förderprogramm") for w in words[3])


def test_stop_words_alone_never_make_a_match():
    people = [Profile(1, "A", offer="Wir bieten und wir suchen das mit der"),
              Profile(2, "B", seek="wir suchen und bieten das mit der")]
    assert find_matches(people, cap=3, language="de") == []


def test_same_group_pairs_do_not_count_when_the_event_has_groups():
    people = [Profile(1, "OWL", offer="Robotik"), Profile(2, "OWL", seek="Robotik"),
              Profile(3, "Kanada", seek="Robotik")]
    assert pairs(find_matches(people, cap=3, language="de")) == {(1, 3)}
    assert pairs(find_matches(people, cap=3, language="de", use_groups=False)) == {(1, 2), (1, 3)}


def test_shared_interests_match_whatever_their_capitals_and_say_so():
    people = [Profile(1, "Kanada", interests=("Machine Learning", "Hockey")),
              Profile(2, "OWL", interests=("machine learning",))]
    matches = find_matches(people, cap=2, language="en")
    assert pairs(matches) == {(1, 2)}
    assert matches[0].reasons[0].kind == "interests"
    assert matches[0].reasons[0].words == ["Machine Learning"]


def test_each_person_is_in_at_most_cap_pairs_best_first():
    offerer = Profile(1, "Kanada", offer="Lidar sensors and robotics")
    seekers = [Profile(10 + i, "OWL", seek="lidar" if i % 2 else "lidar robotics") for i in range(8)]
    matches = find_matches([offerer, *seekers], cap=2, language="en")
    assert len(matches) == 2
    # The two who seek both words come first.
    assert all(m.b in (10, 12, 14, 16) for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_the_answer_is_deterministic_and_plain_data():
    people = [{"id": i, "group": "Kanada" if i % 2 else "OWL", "offer": f"Robotik Sensorik {i % 3}",
               "seek": "Sensorik" if i % 2 == 0 else "Robotik", "interests": ["KI"]} for i in range(1, 25)]
    first = match_job(people, 3, "de", True)
    assert first == match_job(list(reversed(people)), 3, "de", True)
    assert all(set(m) == {"a", "b", "score", "reasons"} and m["a"] < m["b"] for m in first)
    counts: dict[int, int] = {}
    for m in first:
        counts[m["a"]] = counts.get(m["a"], 0) + 1
        counts[m["b"]] = counts.get(m["b"], 0) + 1
    assert max(counts.values()) <= 3


def test_the_matcher_is_pure():
    tree = ast.parse(Path("worldcafe/domain/matching.py").read_text(encoding="utf-8"))
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(m.split(".")[0] in ("flask", "flask_babel", "sqlalchemy", "socketio") for m in modules)
