"""Exports: each holds what the summary holds, note text stays text, and each file opens in its program."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from typing import Any

import docx
import pytest
from harvest_corpus import event_data

from worldcafe.domain.summary import build_summary
from worldcafe.export import to_csv, to_docx, to_html, to_json, to_markdown

ATTACK = "<img src=x onerror=alert(1)>"


def event_with_markup(language: str = "en") -> dict[str, Any]:
    data = event_data(language)
    data["notes"][3]["text"] = f"Lanes {ATTACK} **bold** [link](javascript:alert(1)) </svg><script>x()</script>"
    data["notes"][4]["text"] = "=HYPERLINK(\"http://evil\",\"click\")"
    data["notes"][6]["text"] = "Line one\nLine two\x07 with a bell"
    data["photos"].append({"id": "bad", "table": 2, "round": 1, "caption": "<b>evil</b>",
                           "url": "java\tscript:alert(1)"})
    return data


class Elements(HTMLParser):
    """Collects tags and their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_one_self_contained_printable_page() -> None:
    data = event_data("de")
    page = to_html(build_summary(data))
    parser = Elements()
    parser.feed(page)
    tags = [t for t, _a in parser.tags]
    assert page.startswith("<!DOCTYPE html>") and '<html lang="de">' in page
    assert "script" not in tags and "link" not in tags  # no JS, no stylesheet or font from elsewhere
    assert "@media print" in page and "@page" in page
    # Topics run on in print: a page break before each left pages nearly empty.
    assert "break-before: page" not in page
    assert tags.count("svg") >= 5 and tags.count("section") >= 4
    assert [a["src"] for t, a in parser.tags if t == "img"] == ["/photos/p1.jpg"]
    for heading in ("Zusammenfassung", "Schwerpunkte", "Markierte Erkenntnisse", "Notizen nach Runde und Tisch",
                    "Teilnahme", "Durchmischung der Gruppen", "Fotos", "Austausch", "Anerkennung"):
        assert heading in page
    assert all(n["text"].replace("&", "&amp;") in page for n in data["notes"])


def test_html_keeps_markup_in_notes_as_text() -> None:
    page = to_html(build_summary(event_with_markup()))
    parser = Elements()
    parser.feed(page)
    assert ATTACK not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;/svg&gt;&lt;script&gt;" in page
    assert not [a for t, a in parser.tags if "onerror" in a]
    assert [t for t, _a in parser.tags].count("img") == 1  # the real photo; the javascript: one is dropped
    assert "javascript" not in "".join(str(a.get("src")) for _t, a in parser.tags)
    assert "\x07" not in page


def test_markdown_has_the_structure_and_escapes_markup() -> None:
    data = event_with_markup()
    text = to_markdown(build_summary(data))
    assert text.startswith("# Summary: Cycling City Forum\n")
    for heading in ("## Themes across topics", "## Topic 1: Safe streets", "### Themes", "### Starred insights",
                    "### Notes by round and table", "#### Round 1", "**Table 1**", "## Attendance",
                    "## Mixing of groups", "## Photos"):
        assert heading in text
    assert "**Lane** — 3 tables, 3 rounds" in text
    # Every "<" of a note is escaped, so no renderer reads a tag; "2026-11-21" and "#tag" stay as written.
    assert r"\<img src=x onerror=alert(1)>" in text and not re.search(r"(?<!\\)<", text.split("## Photos")[0])
    assert "2026-11-21" in text and "\\-" not in text and "\\#" not in text
    assert r"\*\*bold\*\*" in text and r"\[link\](javascript:alert(1))" in text
    assert "Line one  \n  Line two with a bell" in text
    assert "javascript:alert(1)>" not in text.split("## Photos")[1]


def test_csv_has_one_row_per_note_and_parses_back() -> None:
    data = event_with_markup("de")
    data["event"]["timezone"] = "Europe/Berlin"
    data["notes"][1]["hidden"] = True
    data["notes"][2]["text"] = 'Semikolon; "Zitat", Komma'
    exported = to_csv(data)
    assert exported.startswith("\ufeff") and "\r\n" in exported
    rows = list(csv.DictReader(io.StringIO(exported.removeprefix("\ufeff")), delimiter=";"))
    assert len(rows) == len(data["notes"])
    # Headers and kinds in the event's language; times in its zone, which the header names.
    assert list(rows[0]) == ["Thema", "Runde", "Tisch", "Art", "Markiert", "Ausgeblendet", "Vom Handy",
                             "Schlagwörter", "Text", "Zeit (Europe/Berlin)", "Stimmen", "ID"]
    kinds = {"idea": "Idee", "insight": "Erkenntnis", "question": "Frage", "quote": "Zitat"}
    by_id = {r["ID"]: r for r in rows}
    for note in data["notes"]:
        row = by_id[note["id"]]
        expected = note["text"] if not note["text"].startswith("=") else "'" + note["text"]
        assert row["Text"] == expected
        assert (row["Thema"], row["Runde"], row["Tisch"], row["Art"]) == (
            note["topic"], str(note["round"]), str(note["table"]), kinds[note["kind"]])
        assert (row["Markiert"], row["Ausgeblendet"], row["Vom Handy"]) == (
            str(int(note["starred"])), str(int(note["hidden"])), str(int(note["by_participant"])))
        assert row["Schlagwörter"] == ", ".join(note["tags"])
    # 10:00 UTC on 21 November is 11:00 in Berlin (winter time).
    assert by_id[data["notes"][0]["id"]]["Zeit (Europe/Berlin)"] == "2026-11-21 11:00"
    assert by_id[data["notes"][0]["id"]]["Stimmen"] == "5"
    english = event_data("en")
    english["event"]["timezone"] = "America/Toronto"
    assert to_csv(english).splitlines()[0] == "\ufeffTopic,Round,Table,Kind,Starred,Hidden,From a phone," \
                                              "Tags,Text,Time (America/Toronto),Votes,ID"


def test_docx_opens_and_holds_headings_notes_and_attendance() -> None:
    data = event_with_markup()
    document = docx.Document(io.BytesIO(to_docx(build_summary(data))))
    paragraphs = [p.text for p in document.paragraphs]
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert "Summary: Cycling City Forum" in paragraphs
    for heading in ("Topic 1: Safe streets", "Themes", "Starred insights", "Notes by round and table", "Round 1",
                    "Table 1", "Attendance", "Mixing of groups"):
        assert heading in headings
    assert any(p.startswith("1. Lane  3 tables") for p in paragraphs)
    numbered = [p for p in document.paragraphs if p.text.startswith("1. ")]
    assert numbered and all(p.style is None or "Bullet" not in p.style.name for p in numbered)  # no "• 1. Lane"
    assert any(ATTACK in p for p in paragraphs)  # as text, exactly as typed
    assert any("Line one\nLine two with a bell" in p for p in paragraphs)
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["Participants", "Joined on the day", "Left early", "No-shows", "Check-in rate"] in cells
    assert ["40", "3", "1", "2", "92 %"] in cells
    assert ["1", "40", "35", "88 %"] in cells
    assert document.core_properties.title == "Summary: Cycling City Forum"


def test_json_holds_the_complete_event() -> None:
    data = event_data("de")
    summary = build_summary(data)
    plan = {"rounds": [{"number": 1, "seats": [{"participant": "P1", "table": 1}]}]}
    loaded = json.loads(to_json(data, summary, plan))
    assert loaded["format"] == "worldcafe-event" and loaded["version"] == 1
    assert loaded["data"]["notes"] == data["notes"]
    assert loaded["summary"]["topics"][0]["themes"] == summary["topics"][0]["themes"]
    assert loaded["plan"] == plan
    assert "Schüleraustausch" in to_json(data, summary, plan)  # readable UTF-8, not \u escapes


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_export_handles_an_empty_event(language: str) -> None:
    data = {"event": {"name": "Leer", "language": language}, "topics": [], "notes": []}
    summary = build_summary(data)
    assert "Leer" in to_markdown(summary) and "Leer" in to_html(summary)
    assert to_csv(data).count("\r\n") == 1
    docx.Document(io.BytesIO(to_docx(summary)))
    json.loads(to_json(data, summary, None))


def test_counts_read_as_grammar_and_the_header_counts_every_table() -> None:
    data = {"event": {"name": "Klein", "language": "de", "table_count": 9},
            "topics": [{"position": 1, "title": "Wald", "tables": [1, 2, 3]}],
            "notes": [{"id": "a", "text": "Bäume pflanzen", "table": 1, "round": 1, "topic": "Wald"}]}
    summary = build_summary(data)
    assert summary["totals"]["tables"] == 9  # one table wrote a note; the event has nine
    text = to_markdown(summary)
    assert "1 Notiz · 1 Thema · 9 Tische" in text
    assert "1 Tische" not in text and "1 Notizen" not in text
    theme = {"tables": 1, "rounds": 2, "notes": 1}
    from worldcafe.export.common import theme_counts
    assert theme_counts(theme, summary["strings"]) == "1 Tisch, 2 Runden, 1 Notiz"


def test_a_tag_written_in_the_note_is_not_repeated() -> None:
    from worldcafe.domain.summary.strings import strings_for
    from worldcafe.export.common import note_meta
    note = {"text": "Mehr #Datenschutz bitte", "tags": ["datenschutz", "ki"], "starred": False}
    assert note_meta(note, strings_for("de")) == ["#ki"]


def test_people_per_round_axis_counts_in_whole_numbers() -> None:
    from worldcafe.domain.summary.charts import column_chart
    svg = column_chart(["Runde 1", "Runde 2"], [("Platziert", [21, 19], "#000"), ("Eingecheckt", [20, 18], "#111")],
                       "Personen", "")
    ticks = re.findall(r'text-anchor="end" font-size="11">([^<]+)<', svg)
    assert ticks and all(t.isdigit() for t in ticks), ticks  # never "10.5" people
    assert int(ticks[-1]) >= 21


def test_dates_and_round_times_are_local_to_the_event_and_name_the_zone() -> None:
    data = event_data("de")
    data["event"]["timezone"] = "Europe/Berlin"
    data["event"]["rounds"] = [{"number": 1, "started_at": "2026-11-21T22:30:00+00:00"}]
    text = to_markdown(build_summary(data))
    assert "#### Runde 1 · 23:30" in text
    assert "Uhrzeiten in Europe/Berlin" in text
