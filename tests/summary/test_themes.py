"""Themes from realistic German and English café notes: recurring points, trivial words, near-duplicates."""

from __future__ import annotations

import json
from typing import Any

import pytest
from harvest_corpus import event_data, ids_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worldcafe.domain.summary import build_summary
from worldcafe.domain.summary import stopwords as sw
from worldcafe.domain.summary.text import detect_language, is_stop, tokenise

TRIVIAL = {"gut", "mehr", "sehr", "also", "wirklich", "wichtig", "thing", "things", "really", "need", "good",
           "more", "idea", "idee"}


def topic(summary: dict[str, Any], position: int) -> dict[str, Any]:
    return next(t for t in summary["topics"] if t["position"] == position)


def themes_holding(summary: dict[str, Any], position: int, ids: list[str]) -> list[dict[str, Any]]:
    return [t for t in topic(summary, position)["themes"] if set(ids) <= set(t["note_ids"])]


@pytest.mark.parametrize(("language", "position", "texts", "label"), [
    ("de", 1, ["Schüleraustausch zwischen Gymnasien in Kanada und OWL ausbauen",
               "Mehr Austausch für Auszubildende, nicht nur für Studierende",
               "Austauschprogramme für Berufsschulen sind bisher kaum bekannt"], "Austausch"),
    ("de", 2, ["Anerkennung ausländischer Abschlüsse dauert viel zu lange", "Berufsabschlüsse schneller anerkennen",
               "Anerkennungsverfahren digital und einfach machen"], "Anerkennung"),
    ("de", 3, ["Wohnungssuche für Neuankommende ist das größte Problem", "Bezahlbare Wohnungen fehlen in Bielefeld",
               "Hilfe bei der Wohnung: Paten vermitteln"], None),
    ("en", 1, ["Protected bike lanes on the ring road", "We really need separated cycle lanes, not paint",
               "Painted lanes next to parked cars feel dangerous"], "Lane"),
])
def test_a_point_raised_at_three_tables_in_different_words_is_one_theme(language: str, position: int,
                                                                        texts: list[str], label: str | None) -> None:
    data = event_data(language)
    summary = build_summary(data)
    holding = themes_holding(summary, position, ids_of(data, *texts))
    assert len(holding) == 1
    theme = holding[0]
    assert theme["tables"] == 3
    assert theme["rounds"] == 3
    if label:
        assert theme["label"] == label
    # Recurring across tables is what makes a theme strong: none in its topic came from more tables.
    assert theme["tables"] == max(t["tables"] for t in topic(summary, position)["themes"])


@pytest.mark.parametrize("language", ["de", "en"])
def test_stop_words_and_trivial_words_never_become_themes(language: str) -> None:
    summary = build_summary(event_data(language))
    themes = [t for tp in summary["topics"] for t in tp["themes"]] + summary["cross_topic_themes"]
    assert themes
    for theme in themes:
        assert theme["label"].lower() not in sw.ALL | TRIVIAL
        words = [w.lower() for w in tokenise(theme["label"])]
        assert not all(is_stop(w, language) for w in words), theme["label"]
        for term in theme["terms"]:
            assert term not in sw.ALL and term not in TRIVIAL
    # The corpus has trivial notes ("Sehr gut, mehr davon!") at many tables; none of them forms a theme.
    trivial_ids = {n["id"] for n in event_data(language)["notes"]
                   if all(is_stop(w.lower(), language) for w in tokenise(n["text"]))}
    assert len(trivial_ids) >= 3
    for theme in themes:
        assert not set(theme["note_ids"]) & trivial_ids


def test_event_and_group_names_frame_the_themes_rather_than_being_them() -> None:
    summary = build_summary(event_data("de"))
    labels = {t["label"].lower() for tp in summary["topics"] for t in tp["themes"]}
    labels |= {t["label"].lower() for t in summary["cross_topic_themes"]}
    assert not labels & {"kanada", "owl", "kanadische", "kanadischen", "canada"}


def test_topic_title_words_are_not_themes_of_their_own_topic() -> None:
    summary = build_summary(event_data("en"))
    for term in (t for th in topic(summary, 3)["themes"] for t in th["terms"]):
        assert not term.startswith("council")


@pytest.mark.parametrize(("language", "label", "positions"), [
    ("de", "Netzwerk", {1, 2, 3}),
    ("en", "School", {1, 2}),
])
def test_cross_topic_theme_is_detected(language: str, label: str, positions: set[int]) -> None:
    summary = build_summary(event_data(language))
    cross = {t["label"]: t for t in summary["cross_topic_themes"]}
    assert label in cross
    assert {t["position"] for t in cross[label]["topics"]} == positions
    assert sum(t["notes"] for t in cross[label]["topics"]) == len(cross[label]["note_ids"])


@pytest.mark.parametrize(("language", "position", "texts"), [
    ("de", 3, ["Patenschaften für neue Familien organisieren", "Patenschaften für neue Familen organisieren!"]),
    ("en", 3, ["Monthly community ride with councillors", "Monthly community ride with the councillors!"]),
])
def test_near_duplicates_are_merged(language: str, position: int, texts: list[str]) -> None:
    data = event_data(language)
    summary = build_summary(data)
    ids = ids_of(data, *texts)
    holding = themes_holding(summary, position, ids)
    assert len(holding) == 1
    assert sorted(ids) in [sorted(group) for group in holding[0]["near_duplicates"]]


def test_a_theme_counts_tables_rounds_and_weight() -> None:
    summary = build_summary(event_data("de"))
    for theme in (t for tp in summary["topics"] for t in tp["themes"]):
        assert theme["tables"] == len(theme["table_numbers"])
        assert theme["rounds"] == len(theme["round_numbers"])
        assert theme["notes"] == len(theme["note_ids"]) >= 2
        assert theme["sittings"] >= 2
        assert theme["weight"] >= theme["sittings"]
    weights = [t["weight"] for t in topic(summary, 1)["themes"]]
    assert weights == sorted(weights, reverse=True)


def test_language_is_detected_per_note() -> None:
    assert detect_language(tokenise("Wir brauchen mehr Austausch zwischen den Schulen"), "en") == "de"
    assert detect_language(tokenise("We should have more exchange between the schools"), "de") == "en"
    assert detect_language(tokenise("Schüleraustausch"), "en") == "de"  # no function words, but an umlaut
    assert detect_language(tokenise("Radwege"), "de") == "de"  # nothing to go on: the event's language
    data = event_data("de")
    data["notes"].append({**data["notes"][0], "id": "mixed", "text": "We should share the teaching material online"})
    notes = [n for tp in build_summary(data)["topics"] for r in tp["rounds"] for t in r["tables"] for n in t["notes"]]
    languages = {n["id"]: n["language"] for n in notes}
    assert languages["mixed"] == "en"
    assert languages[data["notes"][0]["id"]] == "de"


def test_hidden_notes_stay_out_of_the_summary() -> None:
    data = event_data("en")
    data["notes"].append({**data["notes"][0], "id": "secret", "text": "Protected lanes everywhere SECRET",
                          "hidden": True})
    summary = build_summary(data)
    assert summary["totals"]["hidden"] == 1
    assert "secret" not in json.dumps(summary["topics"]) and "SECRET" not in json.dumps(summary)


def test_notes_are_grouped_by_round_then_table() -> None:
    data = event_data("de")
    summary = build_summary(data)
    for tp in summary["topics"]:
        assert [r["number"] for r in tp["rounds"]] == sorted(r["number"] for r in tp["rounds"])
        grouped = [n for r in tp["rounds"] for t in r["tables"] for n in t["notes"]]
        assert len(grouped) == tp["note_count"]
        assert all(n["table"] in tp["tables"] for n in grouped)
        for r in tp["rounds"]:
            assert all(n["round"] == r["number"] for t in r["tables"] for n in t["notes"])
    assert sum(tp["note_count"] for tp in summary["topics"]) == len(data["notes"])


def test_notes_without_a_topic_title_follow_their_table_or_land_in_no_topic() -> None:
    data = event_data("en")
    data["notes"].append({**data["notes"][0], "id": "by-table", "topic": None, "table": 5})
    data["notes"].append({**data["notes"][0], "id": "nowhere", "topic": None, "table": 99})
    summary = build_summary(data)
    ids = {tp["position"]: {n["id"] for r in tp["rounds"] for t in r["tables"] for n in t["notes"]}
           for tp in summary["topics"]}
    assert "by-table" in ids[2]
    assert "nowhere" in ids[0]
    assert summary["topics"][-1]["title"] == "No topic"


def test_starred_insights_and_votes_per_topic() -> None:
    data = event_data("de")
    summary = build_summary(data)
    first = topic(summary, 1)
    assert [n["text"] for n in first["insights"]][0] == data["notes"][0]["text"]  # 5 votes puts it first
    assert all(n["starred"] for n in first["insights"])
    assert first["votes"][0] == {"note_id": data["notes"][0]["id"], "count": 5, "text": data["notes"][0]["text"],
                                 "table": 1, "round": 1, "kind": "idea", "starred": True}
    assert [v["count"] for v in summary["votes"]] == [5, 3]


def test_the_summary_speaks_the_event_language() -> None:
    assert build_summary(event_data("de"))["strings"]["themes"] == "Schwerpunkte"
    assert build_summary(event_data("en"))["strings"]["themes"] == "Themes"
    data = event_data("en")
    data["event"]["language"] = "fr"
    assert build_summary(data)["language"] == "en"


def test_an_empty_event_has_an_empty_summary() -> None:
    summary = build_summary({"event": {"name": "Leer", "language": "de"}, "topics": [], "notes": []})
    assert summary["topics"] == [] and summary["cross_topic_themes"] == [] and summary["votes"] == []
    assert summary["charts"] == {"votes": "", "people_per_round": "", "mixing": ""}
    json.dumps(summary)


note_text = st.text(st.characters(codec="utf-8"), max_size=80)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(note_text, min_size=1, max_size=30), language=st.sampled_from(["de", "en"]))
def test_any_notes_give_a_json_summary_with_every_note_once(texts: list[str], language: str) -> None:
    data = event_data(language)
    data["notes"] = [{**data["notes"][i % 9], "id": f"h{i}", "text": text} for i, text in enumerate(texts)]
    summary = build_summary(data)
    json.dumps(summary)
    grouped = [n["id"] for tp in summary["topics"] for r in tp["rounds"] for t in r["tables"] for n in t["notes"]]
    assert sorted(grouped) == sorted(f"h{i}" for i in range(len(texts)))
    for theme in (t for tp in summary["topics"] for t in tp["themes"]):
        assert set(theme["note_ids"]) <= set(grouped)
