"""All notes as CSV, one row per note, made to open correctly in Excel by double-click.

Choices: UTF-8 with a byte-order mark (without it Excel reads UTF-8 as the local code page and umlauts break);
the delimiter follows the event's language — ";" for German (German Excel splits on it, since "," is the
decimal comma) and "," for English — and can be forced; CRLF line ends; booleans as 1/0; tags joined with ", ".
Cells that Excel would run as a formula (starting with =, +, -, @, tab or CR) get a leading apostrophe.
Headers and kinds are in the event's language; times are local to the event's time zone, which the time column's
header names ("Zeit (Europe/Berlin)"), as "2026-12-06 14:05".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from ..domain.summary.strings import strings_for
from .common import local_time, outcome_rows

COLUMNS = ["topic", "round", "table", "kind", "starred", "hidden", "by_participant", "tags", "text", "time",
           "votes", "id"]
BOM = "\ufeff"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> str:
    text = "" if value is None else str(value)
    # A participant's note must never become a live formula on the moderator's machine.
    return "'" + text if text.startswith(_FORMULA) else text


def _flag(value: Any) -> str:
    return "1" if value else "0"


def _number(value: Any) -> str:
    return "" if value is None else str(value)


def to_csv(data: Mapping[str, Any], delimiter: str | None = None) -> str:
    """Every note of the event (hidden ones too, flagged), with a BOM; encode the result as UTF-8."""
    event = data.get("event") or {}
    if delimiter is None:
        delimiter = ";" if event.get("language") == "de" else ","
    topics = {int(t["position"]): str(t.get("title") or "") for t in data.get("topics") or []}
    by_table = {int(table): topics[int(t["position"])] for t in data.get("topics") or [] for table in
                t.get("tables") or []}
    votes: dict[str, int] = {}
    for vote in data.get("votes") or []:
        votes[str(vote.get("note_id"))] = votes.get(str(vote.get("note_id")), 0) + int(vote.get("count") or 0)
    notes = sorted(data.get("notes") or [], key=lambda n: (str(n.get("topic") or ""), n.get("round") or 0,
                                                           n.get("table") or 0, str(n.get("created_at") or "")))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    words = strings_for(str(event.get("language") or "en"))
    zone = event.get("timezone") or "UTC"
    writer.writerow([words[f"csv_{column}"].format(zone=zone) for column in COLUMNS])
    for note in notes:
        topic = note.get("topic") or by_table.get(note.get("table") or -1, "")
        writer.writerow([
            _text(topic), _number(note.get("round")), _number(note.get("table")),
            _text(words.get(f"kind_{note.get('kind') or 'idea'}", note.get("kind"))),
            _flag(note.get("starred")), _flag(note.get("hidden")), _flag(note.get("by_participant")),
            _text(", ".join(str(t) for t in note.get("tags") or [])), _text(note.get("text")),
            _text(local_time(note.get("created_at"), zone)), str(votes.get(str(note.get("id")), 0)),
            _text(note.get("id"))])
    return BOM + buffer.getvalue()


def outcomes_csv(data: Mapping[str, Any], delimiter: str | None = None) -> str:
    """The networking outcomes as their own CSV (the notes' CSV stays one row per note): the totals as label and
    value, then a table per pair of groups. Counts only."""
    event = data.get("event") or {}
    if delimiter is None:
        delimiter = ";" if event.get("language") == "de" else ","
    words = strings_for(str(event.get("language") or "en"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([words["outcomes"], ""])
    outcomes = data.get("outcomes")
    if outcomes:
        totals, header, rows = outcome_rows(outcomes, words)
        writer.writerows([[_text(label), _text(value)] for label, value in totals])
        if rows:
            writer.writerow([])
            writer.writerow(header)
            writer.writerows([[_text(c) for c in row] for row in rows])
    return BOM + buffer.getvalue()
