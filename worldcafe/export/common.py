"""What every export formats the same way: note details, shares, counts, safe text."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain.summary.strings import counted

# Characters no XML document (HTML, DOCX, SVG) may hold even escaped; a pasted note can carry them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)


def clean(text: Any) -> str:
    """Text without control characters, for formats built on XML."""
    return _CONTROL.sub("", "" if text is None else str(text))


def safe_url(url: Any) -> str | None:
    """A photo URL that is a path, a web address or an inline raster image; never ``javascript:`` and the like."""
    # Browsers drop whitespace and control characters inside a scheme ("java\tscript:"), so judge without them.
    value = clean(url).strip()
    squeezed = re.sub(r"[\x00-\x20]", "", value)
    if not squeezed:
        return None
    scheme = _SCHEME.match(squeezed)
    if scheme is None or scheme.group(1).lower() in ("http", "https"):
        return value
    if squeezed.lower().startswith(("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp")):
        return value
    return None


def share(value: float | None) -> str:
    """A share in 0..1 as a percentage, a dash when unknown."""
    return "–" if value is None else f"{round(value * 100)} %"


def local_time(value: Any, zone: str | None) -> str:
    """An ISO 8601 UTC time as "2026-12-06 14:05" in the event's time zone ("" when there is none)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone_info(zone)).strftime("%Y-%m-%d %H:%M")


def zone_info(zone: str | None) -> tzinfo:
    """The event's time zone; UTC when it is unknown to this machine."""
    try:
        return ZoneInfo(zone) if zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def kind(note: Mapping[str, Any], words: Mapping[str, str]) -> str:
    """The note's kind in the summary's language."""
    return words.get(f"kind_{note.get('kind') or 'idea'}", str(note.get("kind") or ""))


def where(item: Mapping[str, Any], words: Mapping[str, str]) -> str:
    """"Table 3, Round 2" for a note, a vote or a photo."""
    parts = []
    if item.get("table") is not None:
        parts.append(f"{words['table']} {item['table']}")
    if item.get("round") is not None:
        parts.append(f"{words['round']} {item['round']}")
    return ", ".join(parts)


def theme_counts(theme: Mapping[str, Any], words: Mapping[str, str]) -> str:
    """"3 tables, 2 rounds, 5 notes" ("1 table, 1 round, 2 notes")."""
    return ", ".join(counted(words, noun, int(theme[key])) for noun, key in
                     (("table", "tables"), ("round", "rounds"), ("note", "notes")))


def totals_line(totals: Mapping[str, Any], words: Mapping[str, str]) -> str:
    """"36 notes · 3 topics · 9 tables" in the summary's language, every noun in the number its count needs."""
    return " · ".join(counted(words, noun, int(totals[key])) for noun, key in
                      (("note", "notes"), ("topic", "topics"), ("table", "tables")))


def round_heading(number: Any, summary: Mapping[str, Any]) -> str:
    """"Round 2 · 14:05" (its start in the event's time zone, when it started)."""
    words = summary["strings"]
    event = summary.get("event") or {}
    label = f"{words['round']} {number if number is not None else '–'}"
    started = next((r.get("started_at") for r in event.get("rounds") or [] if r.get("number") == number), None)
    return f"{label} · {local_time(started, event.get('timezone'))[11:]}" if started else label


def facts_line(summary: Mapping[str, Any]) -> str:
    """The line under the title: date, groups, counts and, when rounds have times, the zone they are in."""
    words = summary["strings"]
    event = summary.get("event") or {}
    facts = [str(event.get("date") or ""), ", ".join(str(g) for g in event.get("groups") or []),
             totals_line(summary["totals"], words)]
    if event.get("timezone") and any(r.get("started_at") for r in event.get("rounds") or []):
        facts.append(words["times_in"].format(zone=event["timezone"]))
    return " · ".join(f for f in facts if f)


def topic_heading(topic: Mapping[str, Any], words: Mapping[str, str]) -> str:
    """"Topic 2: Title" (the no-topic bucket has no number)."""
    if not topic.get("position"):
        return str(topic.get("title") or words["no_topic"])
    return f"{words['topic']} {topic['position']}: {topic.get('title') or ''}"


def votes_text(count: int, words: Mapping[str, str]) -> str:
    """"1 vote", "5 votes"."""
    return words["one_vote"] if count == 1 else words["n_votes"].format(n=count)


def note_meta(
    note: Mapping[str, Any], words: Mapping[str, str], *, star: bool = True, tag: Callable[[str], str] = "#{}".format
) -> list[str]:
    """What follows a note's text: ★ (unless the format shows it otherwise), votes, #tags, "by a participant"."""
    meta = []
    if star and note.get("starred"):
        meta.append("★")
    if note.get("votes"):
        meta.append(votes_text(note["votes"], words))
    # A tag the host wrote into the text ("… #datenschutz") is already there: listing it again only repeats it.
    written = {w.lower() for w in re.findall(r"#([^\s#]+)", str(note.get("text") or ""))}
    tags = [t for t in note.get("tags") or [] if str(t).lower().lstrip("#") not in written]
    if tags:
        meta.append(" ".join(tag(t) for t in tags))
    if note.get("by_participant"):
        meta.append(words["by_participant"])
    return meta


def outcome_rows(outcomes: Mapping[str, Any], words: Mapping[str, str]) -> tuple[list[list[Any]], list[str],
                                                                                   list[list[Any]]]:
    """The networking outcomes as two tables: (label, value) totals, and the header and rows per pair of groups."""
    people, connections, meetings = outcomes["people"], outcomes["connections"], outcomes["meetings"]
    totals: list[list[Any]] = [[words["outcomes_people"], people["total"]]]
    totals += [[f'{words["outcomes_people"]}: {row["group"]}', row["people"]] for row in people["by_group"]]
    totals += [[words["pairs_met"], meetings["pairs"]], [words["cross_group_met"], meetings["cross_group"]],
               [words["connections_requested"], connections["requested"]],
               [words["connections_made"], connections["connected"]],
               [words["meet_fulfilled"], f'{outcomes["meet"]["fulfilled"]} / {outcomes["meet"]["requested"]}']]
    met = {row["label"]: row["pairs"] for row in meetings["by_group_pair"]}
    asked = {row["label"]: (row["requested"], row["connected"]) for row in connections["by_group_pair"]}
    header = [words["group_pair"], words["pairs_met"], words["connections_requested"], words["connections_made"]]
    rows = [[label, met.get(label, 0), *asked.get(label, (0, 0))] for label in sorted(set(met) | set(asked))]
    return totals, header, rows
