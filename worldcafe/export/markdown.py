"""The summary as Markdown: headings, lists and tables that read well as plain text and render anywhere."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .common import (
    clean,
    facts_line,
    kind,
    note_meta,
    outcome_rows,
    round_heading,
    safe_url,
    share,
    theme_counts,
    topic_heading,
    votes_text,
    where,
)

# Markdown (and the HTML it may carry) would act on these anywhere in a line; a note is text, so each is escaped.
_INLINE = re.compile(r"([\\`*_\[\]<~])")
# An entity ("&amp;") would be decoded: its ampersand is escaped, a plain "A & B" is left alone.
_ENTITY = re.compile(r"&(?=#?\w+;)")
# These act only where a line starts: a heading, a quote, a list item, a rule or a setext underline.
_LINE_START = re.compile(r"^(#{1,6}(?=\s|$)|>|[+\-](?=[\s\-]|$)|=+\s*$|\d+(?=[.)](?:\s|$)))")


def _escape(line: str, line_start: bool = True) -> str:
    line = _ENTITY.sub(r"\\&", _INLINE.sub(r"\\\1", line))
    start = _LINE_START.match(line) if line_start else None
    if start is None:
        return line
    if start.group(1)[0].isdigit():  # "2026. …" would be item 2026 of a numbered list
        end = start.end()
        return line[:end] + "\\" + line[end:]
    return "\\" + line


def md(text: Any) -> str:
    """Note text as literal Markdown on one line: markup escaped where it would act (not "2026\\-12\\-06"), line
    breaks kept as hard breaks."""
    lines = [_escape(line.strip()) for line in clean(text).replace("\r", "").split("\n")]
    return "  \n  ".join(line for line in lines if line)


def _cell(text: Any) -> str:
    # Inside a table cell nothing starts a block: only inline markup and the cell separator are escaped.
    return " ".join(_escape(line.strip(), line_start=False) for line in clean(text).replace("\r", "").split("\n")
                    if line.strip()).replace("|", "\\|")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out + [""]


def _note_line(note: Mapping[str, Any], words: Mapping[str, str]) -> str:
    extra = note_meta(note, words, tag=lambda t: f"#{md(t)}")
    suffix = f" _({', '.join(extra)})_" if extra else ""
    return f"- **{md(kind(note, words))}:** {md(note.get('text'))}{suffix}"


def to_markdown(summary: Mapping[str, Any]) -> str:
    """The whole summary as one Markdown document."""
    words: Mapping[str, str] = summary["strings"]
    event = summary.get("event") or {}
    out = [f"# {words['summary']}: {md(event.get('name'))}", "", md(facts_line(summary)), ""]

    if summary["cross_topic_themes"]:
        out += [f"## {words['cross_topic_themes']}", ""]
        for theme in summary["cross_topic_themes"]:
            topics = ", ".join(f"{md(t['title'])} ({t['notes']})" for t in theme["topics"])
            out.append(f"- **{md(theme['label'])}** — {topics}; {theme_counts(theme, words)}")
        out.append("")

    for topic in summary["topics"]:
        out += [f"## {md(topic_heading(topic, words))}", ""]
        if topic.get("question"):
            out += [f"> {md(topic['question'])}", ""]
        out += [f"### {words['themes']}", ""]
        if topic["themes"]:
            for n, theme in enumerate(topic["themes"], 1):
                out.append(f"{n}. **{md(theme['label'])}** — {theme_counts(theme, words)}")
        else:
            out.append(f"_{words['no_themes']}_")
        out += ["", f"### {words['insights']}", ""]
        if topic["insights"]:
            out += [f"- {md(n['text'])} _({where(n, words)}"
                    + (", " + votes_text(n["votes"], words) if n["votes"] else "") + ")_" for n in topic["insights"]]
        else:
            out.append(f"_{words['no_insights']}_")
        out.append("")
        if topic["votes"]:
            out += [f"### {words['votes']}", ""]
            out += _table(["#", words["insights"], words["votes"]],
                          [[n, v["text"], v["count"]] for n, v in enumerate(topic["votes"], 1)])
        out += [f"### {words['notes_by_round']}", ""]
        for round_ in topic["rounds"]:
            out += [f"#### {md(round_heading(round_['number'], summary))}", ""]
            for table in round_["tables"]:
                out += [f"**{words['table']} {table['table'] if table['table'] is not None else '–'}**", ""]
                out += [_note_line(note, words) for note in table["notes"]]
                out.append("")

    out += _figures(summary, words)
    photos = [(p, safe_url(p.get("url"))) for p in summary.get("photos") or []]
    if any(url for _p, url in photos):
        out += [f"## {words['photos']}", ""]
        for photo, url in photos:
            if url:
                caption = md(photo.get("caption") or where(photo, words))
                out += [f"![{caption}](<{url.replace('>', '%3E').replace(' ', '%20')}>)", f"_{caption}_", ""]
    return "\n".join(out).rstrip() + "\n"


def _figures(summary: Mapping[str, Any], words: Mapping[str, str]) -> list[str]:
    attendance, mixing = summary["attendance"], summary["mixing"]
    out = [f"## {words['attendance']}", ""]
    out += _table([words["participants"], words["joined_on_the_day"], words["left"], words["no_show"],
                   words["check_in_rate"]],
                  [[attendance["participants"], attendance["joined_on_the_day"], attendance["left"],
                    attendance["no_show"], share(attendance["check_in_rate"])]])
    if attendance["rounds"]:
        out += _table([words["round"], words["seated"], words["checked_in"], words["check_in_rate"]],
                      [[r["number"], r["seated"], r["checked_in"], share(r["check_in_rate"])]
                       for r in attendance["rounds"]])
    if mixing["rounds"]:
        out += [f"## {words['mixing']}", ""]
        out += _table([words["round"], words["tables"], words["all_groups_share"], words["evenness"]],
                      [[r["number"], r["tables"], share(r["all_groups_share"]), share(r["evenness"])]
                       for r in mixing["rounds"]])
        out += [f"_{md(words['evenness_help'])}_", ""]
    if summary.get("outcomes"):
        totals, header, rows = outcome_rows(summary["outcomes"], words)
        out += [f"## {words['outcomes']}", ""]
        out += _table([words["outcomes"], ""], totals)
        if rows:
            out += _table(header, rows)
        out += [f"_{md(words['outcomes_help'])}_", ""]
    if summary["votes"]:
        out += [f"## {words['votes']}", ""]
        out += _table(["#", words["topic"], words["insights"], words["votes"]],
                      [[n, v.get("topic") or "", v["text"], v["count"]] for n, v in enumerate(summary["votes"], 1)])
    return out
