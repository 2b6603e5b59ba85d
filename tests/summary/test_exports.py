"""Exports: each holds what the summary holds, note text stays text, and each file opens in its program."""

from __future__ import annotations

import csv
import io
import json
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
    assert "@media print" in page and "@page" in page and "break-before: page" in page
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
    assert "**Lanes** — 3 tables, 3 rounds" in text
    assert ATTACK not in text and r"\<img src=x onerror=alert\(1\)\>" in text
    assert r"\*\*bold\*\*" in text and r"\[link\]\(javascript:alert\(1\)\)" in text
    assert "Line one  \n  Line two with a bell" in text
    assert "javascript:alert(1)>" not in text.split("## Photos")[1]


def test_csv_has_one_row_per_note_and_parses_back() -> None:
    data = event_with_markup("de")
    data["notes"][1]["hidden"] = True
    data["notes"][2]["text"] = 'Semikolon; "Zitat", Komma'
    exported = to_csv(data)
    assert exported.startswith("\ufeff") and "\r\n" in exported
    rows = list(csv.DictReader(io.StringIO(exported.removeprefix("\ufeff")), delimiter=";"))
    assert len(rows) == len(data["notes"])
    assert list(rows[0]) == ["topic", "round", "table", "kind", "starred", "hidden", "by_participant", "tags", "text",
                             "created_at", "votes", "id"]
    by_id = {r["id"]: r for r in rows}
    for note in data["notes"]:
        row = by_id[note["id"]]
        expected = note["text"] if not note["text"].startswith("=") else "'" + note["text"]
        assert row["text"] == expected
        assert (row["topic"], row["round"], row["table"], row["kind"]) == (
            note["topic"], str(note["round"]), str(note["table"]), note["kind"])
        assert (row["starred"], row["hidden"], row["by_participant"]) == (
            str(int(note["starred"])), str(int(note["hidden"])), str(int(note["by_participant"])))
        assert row["tags"] == ", ".join(note["tags"])
        assert row["created_at"] == note["created_at"]
    assert by_id[data["notes"][0]["id"]]["votes"] == "5"
    assert to_csv(event_data("en")).splitlines()[0] == "\ufefftopic,round,table,kind,starred,hidden,by_participant," \
                                                       "tags,text,created_at,votes,id"


def test_docx_opens_and_holds_headings_notes_and_attendance() -> None:
    data = event_with_markup()
    document = docx.Document(io.BytesIO(to_docx(build_summary(data))))
    paragraphs = [p.text for p in document.paragraphs]
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert "Summary: Cycling City Forum" in paragraphs
    for heading in ("Topic 1: Safe streets", "Themes", "Starred insights", "Notes by round and table", "Round 1",
                    "Table 1", "Attendance", "Mixing of groups"):
        assert heading in headings
    assert any(p.startswith("1. Lanes") for p in paragraphs)
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
