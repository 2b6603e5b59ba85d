"""Live themes on the projector: ranked key terms per topic, the same whether built at once or note by note."""

from __future__ import annotations

from harvest_corpus import event_data

from worldcafe.domain.summary import LiveTerms, live_terms


def test_live_terms_rank_the_point_raised_at_most_tables_first() -> None:
    data = event_data("de")
    terms = live_terms(data["notes"], limit=5, language="de", exclude=["Canada meets OWL", "Kanada", "OWL"])
    # "Schüleraustausch" came before anyone wrote "Austausch": it still counts once the word appears.
    first = {t["term"]: t for t in terms["Bildung & Jugend"]}
    assert first["Austausch"]["tables"] == 3 == max(t["tables"] for t in first.values())
    assert terms["Wirtschaft & Fachkräfte"][0]["term"] == "Anerkennung"
    for ranked in terms.values():
        assert len(ranked) <= 5
        assert all(t["notes"] >= 2 for t in ranked)
        assert all(t["term"].lower() not in {"gut", "mehr", "sehr", "also", "kanada", "owl"} for t in ranked)


def test_adding_notes_one_by_one_gives_the_same_ranking_as_all_at_once() -> None:
    notes = event_data("en")["notes"]
    live = LiveTerms("en")
    for note in notes:
        live.add(note)
    at_once = live_terms(notes, limit=8, language="en")
    assert {topic: live.top(topic, 8) for topic in live.topics()} == at_once
    assert at_once["Safe streets"][0]["term"] == "Lane"


def test_hiding_editing_and_deleting_notes_take_their_terms_back() -> None:
    notes = event_data("en")["notes"]
    live = LiveTerms("en")
    for note in notes:
        live.add(note)
    lanes = [n for n in notes if "lanes" in n["text"]]
    live.add({**lanes[0], "hidden": True})
    live.add({**lanes[1], "text": "Bus shelters with seats"})
    top = {t["term"]: t for t in live.top("Safe streets", 10)}
    assert "Lane" not in top  # one note left: no longer recurring
    live.remove(lanes[2]["id"])
    live.add(lanes[0])
    live.add(lanes[1])
    live.add(lanes[2])
    assert live.top("Safe streets", 1)[0]["term"] == "Lane"
    for note in notes:
        live.remove(note["id"])
    assert live.topics() == []


def test_the_topic_title_is_not_a_live_term_of_its_topic() -> None:
    notes = [{"id": str(i), "topic": "Schools", "table": i, "round": 1, "text": f"school garden idea {i}"}
             for i in range(4)]
    terms = live_terms(notes, language="en")["Schools"]
    assert [t["term"] for t in terms] == ["Garden"]


def test_the_projector_follows_the_moderators_hidden_and_renamed_themes() -> None:
    notes = event_data("en")["notes"]
    edits = {"hidden": {"lane": "Lane"}, "renamed": {"speed": "Slower traffic"}}
    terms = [t["term"] for t in live_terms(notes, limit=8, language="en", edits=edits)["Safe streets"]]
    assert "Lane" not in terms and "Lanes" not in terms
    assert "Slower traffic" in terms and "Speed" not in terms
