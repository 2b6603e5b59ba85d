"""Attendance, mixing and votes figures, and the SVG charts drawn from them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harvest_corpus import event_data

from worldcafe.domain.summary import build_summary
from worldcafe.domain.summary.charts import bar_chart, column_chart
from worldcafe.domain.summary.stats import attendance, mixing, mixing_round, votes_ranking

SVG = "{http://www.w3.org/2000/svg}"


def test_attendance_gives_people_and_check_in_rate_per_round() -> None:
    figures = attendance({"rounds": [{"number": 2, "seated": 0, "checked_in": 0},
                                     {"number": 1, "seated": 40, "checked_in": 30}],
                          "participants": 40, "joined_on_the_day": 3, "left": 1, "no_show": 2})
    assert figures["rounds"] == [{"number": 1, "seated": 40, "checked_in": 30, "check_in_rate": 0.75},
                                 {"number": 2, "seated": 0, "checked_in": 0, "check_in_rate": None}]
    assert figures["check_in_rate"] == 0.75
    assert (figures["participants"], figures["joined_on_the_day"], figures["left"], figures["no_show"]) == (40, 3, 1, 2)


def test_mixing_is_perfect_when_tables_mirror_the_room_and_zero_when_groups_sit_apart() -> None:
    mirrored = mixing_round([{"table": t, "groups": {"A": 2, "B": 3}} for t in range(4)])
    assert (mirrored["all_groups_share"], mirrored["evenness"]) == (1.0, 1.0)
    apart = mixing_round([{"table": 1, "groups": {"A": 5}}, {"table": 2, "groups": {"B": 5}}])
    assert (apart["all_groups_share"], apart["evenness"]) == (0.0, 0.0)
    half = mixing_round([{"table": 1, "groups": {"A": 2, "B": 2}}, {"table": 2, "groups": {"B": 4}}])
    assert half["all_groups_share"] == 0.5 and 0 < half["evenness"] < 1
    single = mixing_round([{"table": 1, "groups": {"A": 4}}])
    assert single["evenness"] is None and single["all_groups_share"] is None
    summary = mixing({"rounds": [{"number": 1, "tables": [{"table": 1, "groups": {"A": 2, "B": 2}}]},
                                 {"number": 2, "tables": [{"table": 1, "groups": {"A": 4}},
                                                          {"table": 2, "groups": {"B": 4}}]}]})
    assert summary["all_groups_share"] == 0.5 and summary["evenness"] == 0.5


def test_votes_are_ranked_and_votes_on_notes_not_shown_are_dropped() -> None:
    notes = {"a": {"text": "A", "topic": "T"}, "b": {"text": "B", "topic": "T"}}
    ranking = votes_ranking([{"note_id": "a", "count": 2}, {"note_id": "b", "count": 5},
                             {"note_id": "a", "count": 1}, {"note_id": "gone", "count": 9}], notes)
    assert [(r["note_id"], r["count"]) for r in ranking] == [("b", 5), ("a", 3)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_charts_are_accessible_self_contained_svg() -> None:
    summary = build_summary(event_data("de"))
    charts = [summary["charts"]["votes"], summary["charts"]["people_per_round"], summary["charts"]["mixing"]]
    charts += [t["themes_chart"] for t in summary["topics"]]
    for svg in charts:
        assert svg
        root = parse(svg)
        assert root.tag == f"{SVG}svg" and root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert "<script" not in svg and "http://" not in svg.replace("http://www.w3.org/2000/svg", "")
    ids = [parse(svg).find(f"{SVG}title").get("id") for svg in charts]  # type: ignore[union-attr]
    assert len(ids) == len(set(ids))  # one HTML page holds them all


def test_chart_labels_are_text_and_values_are_printed() -> None:
    svg = bar_chart([("<script>alert(1)</script>", 3), ("Radwege", 1), ("nothing", 0)], "T & <b>", "D")
    root = parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<script>alert(1)</script>" in texts and "3" in texts and "Radwege" in texts and "nothing" not in texts
    assert root.find(f"{SVG}title").text == "T & <b>"  # type: ignore[union-attr]
    assert bar_chart([], "T", "D") == "" and column_chart([], [], "T", "D") == ""
    columns = parse(column_chart(["Round 1", "Round 2"], [("Seated", [40, 38], "#000"), ("In", [35, None], "#111")],
                                 "People", "D"))
    assert {"40", "38", "35", "–", "Seated", "In"} <= {t.text for t in columns.iter(f"{SVG}text")}
