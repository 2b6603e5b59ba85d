"""The harvest, pure: from an event's plain data to a JSON-ready summary (themes, insights, votes, figures, charts)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from . import charts, edits, stats
from .strings import STRINGS, strings_for
from .themes import (
    Doc,
    LiveTerms,
    analyse_notes,
    cross_topic_themes,
    expand_frame,
    find_themes,
    framing_keys,
    live_terms,
)

__all__ = ["STRINGS", "LiveTerms", "build_summary", "live_terms", "strings_for"]

NO_TOPIC = 0
SEATED, CHECKED_IN = "#0072B2", "#E69F00"


def _order(value: Any) -> tuple[bool, int]:
    """Sort key that puts missing numbers last."""
    return (value is None, value if isinstance(value, int) else 0)


def _topic_positions(topics: Sequence[Mapping[str, Any]], notes: Sequence[Mapping[str, Any]]) -> list[int]:
    """The topic of each note: by title, else by the table it was written at, else none."""
    by_title = {str(t.get("title")): int(t["position"]) for t in topics}
    by_table = {int(table): int(t["position"]) for t in topics for table in t.get("tables") or []}
    positions = []
    for note in notes:
        title, table = note.get("topic"), note.get("table")
        if title is not None and str(title) in by_title:
            positions.append(by_title[str(title)])
        elif isinstance(table, int) and table in by_table:
            positions.append(by_table[table])
        else:
            positions.append(NO_TOPIC)
    return positions


def _note(note: Mapping[str, Any], doc: Doc) -> dict[str, Any]:
    return {"id": doc.id, "text": doc.text, "kind": note.get("kind") or "idea", "tags": list(note.get("tags") or []),
            "starred": doc.starred, "by_participant": bool(note.get("by_participant")), "votes": doc.votes,
            "table": doc.table, "round": doc.round, "created_at": note.get("created_at"),
            "language": doc.terms.language}


def _by_round_and_table(notes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    grouped: dict[Any, dict[Any, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for note in notes:
        grouped[note["round"]][note["table"]].append(note)
    return [{"number": number,
             "tables": [{"table": table, "notes": sorted(tables[table], key=lambda n: str(n["created_at"] or ""))}
                        for table in sorted(tables, key=_order)]}
            for number, tables in sorted(grouped.items(), key=lambda item: _order(item[0]))]


def _topic_votes(notes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    voted = [n for n in notes if n["votes"] > 0]
    voted.sort(key=lambda n: (-n["votes"], _order(n["round"]), _order(n["table"]), n["id"]))
    return [{"note_id": n["id"], "count": n["votes"], "text": n["text"], "table": n["table"], "round": n["round"],
             "kind": n["kind"], "starred": n["starred"]} for n in voted]


# The shape the app, the templates and the exports read (all JSON-serialisable):
#   Input may carry theme_edits (worldcafe.domain.summary.edits) and event.table_count (every table, for the header).
#   event, language ("de"/"en"), strings (headings in that language), totals {notes, hidden, topics, starred,
#   votes, photos, tables}, topics [{position, title, question, colour, colour_hex, tables, note_count,
#   themes [theme], insights [note], votes [{note_id, count, text, table, round, kind, starred}],
#   rounds [{number, tables [{table, notes [note]}]}], themes_chart (SVG)}], cross_topic_themes
#   [theme without near_duplicates, + topics [{position, title, notes}]], votes (event ranking, + topic),
#   attendance, mixing, charts {votes, people_per_round, mixing} (SVG, "" when there is nothing to draw), photos.
#   theme: {key (its first term), label, renamed? (the moderator's name), terms (base forms, lower case), note_ids,
#   notes, tables, rounds, table_numbers, round_numbers, sittings, weight, starred, votes, near_duplicates [[note id]]};
#   note: {id, text, kind, tags, starred, by_participant, votes, table, round, created_at, language}.
def build_summary(data: Mapping[str, Any]) -> dict[str, Any]:
    """The summary of an event from its plain data; hidden notes are left out of it."""
    event = dict(data.get("event") or {})
    language = event.get("language") if event.get("language") in STRINGS else "en"
    words = strings_for(str(language))
    topics = sorted(data.get("topics") or [], key=lambda t: int(t["position"]))
    all_notes = list(data.get("notes") or [])
    visible = [n for n in all_notes if not n.get("hidden")]
    votes: dict[str, int] = defaultdict(int)
    for vote in data.get("votes") or []:
        votes[str(vote.get("note_id"))] += int(vote.get("count") or 0)
    topic_of = _topic_positions(topics, visible)
    docs, canonical = analyse_notes(visible, topic_of, votes, str(language))
    theme_edits = dict(data.get("theme_edits") or {})
    merged = edits.merges(theme_edits)
    if merged:
        for doc in docs:
            doc.terms.remap(merged)
        canonical = {**{k: merged.get(v, v) for k, v in canonical.items()}, **merged}
    hidden_keys = edits.hidden(theme_edits)

    frame = set()
    for text in [str(event.get("name") or "")] + [str(g) for g in event.get("groups") or []]:
        frame |= framing_keys(text, str(language), canonical)
    titles = {int(t["position"]): str(t.get("title") or "") for t in topics}
    titles[NO_TOPIC] = words["no_topic"]
    frequency: Counter[str] = Counter()
    for doc in docs:
        frequency.update(doc.terms.keys)
    exclude = {position: expand_frame(frame | framing_keys(title, str(language), canonical), frequency) | hidden_keys
               for position, title in titles.items()}

    docs_by_topic: dict[int, list[Doc]] = defaultdict(list)
    notes_by_topic: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for note, doc in zip(visible, docs, strict=True):
        docs_by_topic[doc.topic].append(doc)
        notes_by_topic[doc.topic].append(_note(note, doc))
    topic_entries = list(topics)
    if docs_by_topic.get(NO_TOPIC):
        topic_entries.append({"position": NO_TOPIC, "title": words["no_topic"], "question": "", "colour": "grey",
                              "colour_hex": "#7F8C8D", "tables": []})

    topic_themes: dict[int, list[dict[str, Any]]] = {}
    summary_topics = []
    for topic in topic_entries:
        position = int(topic["position"])
        themes = find_themes(docs_by_topic.get(position, []), exclude[position], event_frequency=frequency)
        edits.apply_labels(themes, theme_edits)
        topic_themes[position] = themes
        notes = notes_by_topic.get(position, [])
        insights = sorted((n for n in notes if n["starred"]),
                          key=lambda n: (-n["votes"], _order(n["round"]), _order(n["table"]), str(n["created_at"])))
        colour_hex = str(topic.get("colour_hex") or "#0072B2")
        summary_topics.append({
            "position": position, "title": str(topic.get("title") or ""), "question": str(topic.get("question") or ""),
            "colour": topic.get("colour"), "colour_hex": colour_hex, "tables": list(topic.get("tables") or []),
            "note_count": len(notes), "themes": themes, "insights": insights, "votes": _topic_votes(notes),
            "rounds": _by_round_and_table(notes),
            # Each bar counts the conversations (a table in a round) that raised the theme: the same table in
            # three rounds is three groups of people coming to it.
            "themes_chart": charts.bar_chart(
                [(t["label"], t["sittings"]) for t in themes], words["theme_chart"],
                f'{topic.get("title") or ""}: ' + ", ".join(f'{t["label"]} ({t["sittings"]})' for t in themes),
                chart_id=f"chart-themes-{position}", colour=colour_hex),
        })
    cross = cross_topic_themes(docs, topic_themes, exclude, titles)
    edits.apply_labels(cross, theme_edits)

    by_id = {}
    for note, doc in zip(visible, docs, strict=True):
        by_id[doc.id] = {**note, "topic": titles.get(doc.topic)}
    ranking = stats.votes_ranking(data.get("votes") or [], by_id)
    attendance = stats.attendance(data.get("attendance") or {})
    mixing = stats.mixing(data.get("mixing") or {})
    outcomes = data.get("outcomes") or None
    return {
        "event": event,
        "language": language,
        "strings": words,
        "totals": {"notes": len(visible), "hidden": len(all_notes) - len(visible), "topics": len(topics),
                   "starred": sum(n["starred"] for ns in notes_by_topic.values() for n in ns),
                   "votes": sum(r["count"] for r in ranking), "photos": len(data.get("photos") or []),
                   # Every table of the event, also those that wrote nothing ("9 tables", not "4").
                   "tables": int(event.get("table_count") or len(
                       {table for t in topics for table in t.get("tables") or []}
                       | {d.table for d in docs if d.table is not None}))},
        "topics": summary_topics,
        "cross_topic_themes": cross,
        "votes": ranking,
        "attendance": attendance,
        "mixing": mixing,
        "outcomes": outcomes,
        # The outcomes' chart only where the data has outcomes (the organiser's exports, not the share link's).
        "charts": {**_charts(words, ranking, attendance, mixing),
                   **({"outcomes": _outcomes_chart(words, outcomes)} if outcomes else {})},
        "photos": sorted((dict(p) for p in data.get("photos") or []),
                         key=lambda p: (_order(p.get("round")), _order(p.get("table")), str(p.get("id")))),
    }


MET, REQUESTED, CONNECTED = "#0072B2", "#E69F00", "#009E73"


def _outcomes_chart(words: Mapping[str, str], outcomes: Mapping[str, Any] | None) -> str:
    """Per pair of groups: pairs who shared a table, contact requests, connections made ("" without outcomes)."""
    if not outcomes:
        return ""
    met = {row["label"]: row["pairs"] for row in outcomes["meetings"]["by_group_pair"]}
    asked = {row["label"]: row["requested"] for row in outcomes["connections"]["by_group_pair"]}
    made = {row["label"]: row["connected"] for row in outcomes["connections"]["by_group_pair"]}
    labels = sorted(set(met) | set(asked))
    if not labels:
        return ""
    series = [(words["pairs_met"], [met.get(label, 0) for label in labels], MET),
              (words["connections_requested"], [asked.get(label, 0) for label in labels], REQUESTED),
              (words["connections_made"], [made.get(label, 0) for label in labels], CONNECTED)]
    return charts.column_chart(
        labels, series, words["outcomes_chart"],
        "; ".join(f'{label}: {words["pairs_met"]} {met.get(label, 0)}, {words["connections_requested"]} '
                  f'{asked.get(label, 0)}, {words["connections_made"]} {made.get(label, 0)}' for label in labels),
        chart_id="chart-outcomes")


def _charts(words: Mapping[str, str], ranking: Sequence[Mapping[str, Any]], attendance: Mapping[str, Any],
            mixing: Mapping[str, Any]) -> dict[str, str]:
    top = ranking[:12]
    rounds = attendance["rounds"]
    mixed = mixing["rounds"]
    return {
        "votes": charts.bar_chart([(str(r["text"]), r["count"]) for r in top], words["votes_chart"],
                                  "; ".join(f'{r["text"]}: {r["count"]}' for r in top), chart_id="chart-votes"),
        "people_per_round": charts.column_chart(
            [f'{words["round"]} {r["number"]}' for r in rounds],
            [(words["seated"], [r["seated"] for r in rounds], SEATED),
             (words["checked_in"], [r["checked_in"] for r in rounds], CHECKED_IN)],
            words["people_per_round"],
            "; ".join(f'{words["round"]} {r["number"]}: {words["seated"]} {r["seated"]}, '
                      f'{words["checked_in"]} {r["checked_in"]}' for r in rounds), chart_id="chart-people"),
        "mixing": charts.column_chart(
            [f'{words["round"]} {r["number"]}' for r in mixed],
            [(words["all_groups_share"], [r["all_groups_share"] for r in mixed], SEATED),
             (words["evenness"], [r["evenness"] for r in mixed], CHECKED_IN)],
            words["mixing_chart"],
            words["evenness_help"] + " " + "; ".join(
                f'{words["round"]} {r["number"]}: {r["all_groups_share"]}, {r["evenness"]}' for r in mixed),
            chart_id="chart-mixing", maximum=1.0, value_format=charts.percent)
        if any(r["evenness"] is not None for r in mixed) else "",
    }
