"""The summary as one self-contained HTML page (inline CSS and SVG) that prints cleanly to A4 PDF."""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
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
from .photos import data_uri

_HEX = re.compile(r"^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$")

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --line: #d0d0d0; --topic: #0072B2; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: var(--ink);
       max-width: 60rem; margin: 0 auto; padding: 1.5rem; background: #fff; overflow-wrap: anywhere; }
h1 { font-size: 2rem; margin: 0 0 .25rem; hyphens: auto; }
.table-wrap { max-width: 100%; overflow-x: auto; }
h2 { font-size: 1.5rem; margin: 2rem 0 .5rem; padding-left: .6rem; border-left: .5rem solid var(--topic); }
h3 { font-size: 1.15rem; margin: 1.4rem 0 .4rem; }
h4 { font-size: 1rem; margin: 1rem 0 .3rem; }
h5 { font-size: .95rem; margin: .6rem 0 .2rem; }
.facts, .meta, .counts, figcaption, .help { color: var(--muted); }
.meta, .counts { font-size: .85em; }
.question { font-style: italic; margin: 0 0 1rem; }
ol.themes li, ul.insights li { margin: .2rem 0; }
ul.notes { margin: 0 0 .5rem; padding-left: 1.2rem; }
ul.notes li { margin: .15rem 0; overflow-wrap: anywhere; }
.kind { font-weight: 600; }
.starred::after { content: " ★"; color: #b07d00; }
.tables { columns: 2 22rem; column-gap: 2rem; }
.table-notes { break-inside: avoid; }
table.figures { border-collapse: collapse; margin: .5rem 0 1rem; }
table.figures th, table.figures td { border: 1px solid var(--line); padding: .25rem .6rem; text-align: left;
                                     vertical-align: top; overflow-wrap: normal; hyphens: auto; }
table.figures td.number { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: .75rem 0 1.25rem; }
svg.chart { display: block; height: auto; max-width: 100%; }
.photos { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 1rem; }
.photos img { width: 100%; height: auto; border: 1px solid var(--line); }
nav ol { columns: 2 16rem; }
nav a { display: inline-block; padding: .2rem 0; }
@media (max-width: 40rem) {
  body { padding: 1rem .75rem; }
  h1 { font-size: 1.5rem; }
  h2 { font-size: 1.25rem; }
  .tables { columns: 1; }
  table.figures { font-size: .8rem; }
  table.figures th, table.figures td { padding: .2rem .3rem; overflow-wrap: break-word; hyphens: auto; }
}
footer { margin-top: 3rem; font-size: .8rem; color: var(--muted); }
@page { size: A4; margin: 16mm 14mm 18mm; }
@media print {
  body { font-size: 10.5pt; max-width: none; padding: 0; }
  nav { display: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  /* Sections run on: a page per topic left pages nearly empty. Headings stay with what follows them. */
  h1, h2, h3, h4, h5 { break-after: avoid; page-break-after: avoid; }
  h2 { margin-top: 1.4rem; }
  figure, svg, tr, li, .table-notes, .photos figure { break-inside: avoid; page-break-inside: avoid; }
  /* Charts no taller than a third of a page: a tall one pushes itself (and the rest of the page) onto the next. */
  svg.chart { max-height: 62mm; width: auto; }
  figure { margin: .4rem 0 .6rem; }
  table.figures { margin: .3rem 0 .6rem; }
  .table-wrap { overflow: visible; }
  .tables { columns: 2; }
  .photos { grid-template-columns: repeat(3, 1fr); }
  .photos img { max-height: 80mm; object-fit: contain; }
  a { color: inherit; text-decoration: none; }
}
"""


def e(text: Any) -> str:
    """Escaped text: whatever a note holds stays text."""
    return escape(clean(text), quote=True)


def _figure(svg: str) -> str:
    # Chart SVG comes from the domain's chart builders, which escape every label themselves.
    return f'<figure class="chart-figure">{svg}</figure>' if svg else ""


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f'<th scope="col">{e(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(
        f'<td class="number">{e(c)}</td>' if isinstance(c, int | float) else f"<td>{e(c)}</td>" for c in row)
        + "</tr>" for row in rows)
    return (f'<div class="table-wrap"><table class="figures"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            '</table></div>')


def _note(note: Mapping[str, Any], words: Mapping[str, str]) -> str:
    meta = note_meta(note, words, star=False)  # a starred note is marked by its class
    star = " starred" if note.get("starred") else ""
    meta_html = f' <span class="meta">{e(" · ".join(meta))}</span>' if meta else ""
    return (f'<li class="note kind-{e(note.get("kind") or "idea")}{star}"><span class="kind">{e(kind(note, words))}:'
            f'</span> {e(note.get("text"))}{meta_html}</li>')


def _topic(topic: Mapping[str, Any], summary: Mapping[str, Any]) -> str:
    words: Mapping[str, str] = summary["strings"]
    colour = topic.get("colour_hex") if _HEX.match(str(topic.get("colour_hex") or "")) else "#7F8C8D"
    out = [f'<section class="topic" id="topic-{e(topic["position"])}" style="--topic: {colour}">',
           f"<h2>{e(topic_heading(topic, words))}</h2>"]
    if topic.get("question"):
        out.append(f'<p class="question">{e(topic["question"])}</p>')
    out.append(f"<h3>{e(words['themes'])}</h3>")
    if topic["themes"]:
        out.append('<ol class="themes">' + "".join(
            f'<li><strong>{e(t["label"])}</strong> <span class="counts">{e(theme_counts(t, words))}</span></li>'
            for t in topic["themes"]) + "</ol>")
        out.append(_figure(topic.get("themes_chart") or ""))
    else:
        out.append(f'<p class="help">{e(words["no_themes"])}</p>')
    out.append(f"<h3>{e(words['insights'])}</h3>")
    if topic["insights"]:
        out.append('<ul class="insights">' + "".join(
            f'<li>{e(n["text"])} <span class="meta">{e(where(n, words))}'
            + (" · " + e(votes_text(n["votes"], words)) if n["votes"] else "") + "</span></li>"
            for n in topic["insights"]) + "</ul>")
    else:
        out.append(f'<p class="help">{e(words["no_insights"])}</p>')
    if topic["votes"]:
        out.append(f"<h3>{e(words['votes'])}</h3>")
        out.append(_table(["#", words["insights"], words["votes"]],
                          [[n, v["text"], v["count"]] for n, v in enumerate(topic["votes"], 1)]))
    out.append(f"<h3>{e(words['notes_by_round'])}</h3>")
    for round_ in topic["rounds"]:
        out.append(f"<h4>{e(round_heading(round_['number'], summary))}</h4><div class=\"tables\">")
        for table in round_["tables"]:
            label = table["table"] if table["table"] is not None else "–"
            out.append(f'<div class="table-notes"><h5>{e(words["table"])} {e(label)}</h5><ul class="notes">'
                       + "".join(_note(n, words) for n in table["notes"]) + "</ul></div>")
        out.append("</div>")
    out.append("</section>")
    return "\n".join(out)


def _figures(summary: Mapping[str, Any], words: Mapping[str, str]) -> str:
    attendance, mixing, charts = summary["attendance"], summary["mixing"], summary["charts"]
    # The totals as label–value rows: five columns of long German headings do not fit a phone.
    totals = [(words["participants"], attendance["participants"]),
              (words["joined_on_the_day"], attendance["joined_on_the_day"]), (words["left"], attendance["left"]),
              (words["no_show"], attendance["no_show"]), (words["check_in_rate"], share(attendance["check_in_rate"]))]
    rows = "".join(f'<tr><th scope="row">{e(label)}</th><td class="number">{e(value)}</td></tr>'
                   for label, value in totals)
    out = ['<section class="figures-section" id="figures">', f"<h2>{e(words['attendance'])}</h2>",
           f'<div class="table-wrap"><table class="figures totals"><tbody>{rows}</tbody></table></div>']
    if attendance["rounds"]:
        out.append(_table([words["round"], words["seated"], words["checked_in"], words["check_in_rate"]],
                          [[r["number"], r["seated"], r["checked_in"], share(r["check_in_rate"])]
                           for r in attendance["rounds"]]))
        out.append(_figure(charts.get("people_per_round") or ""))
    if mixing["rounds"]:
        out.append(f"<h3>{e(words['mixing'])}</h3>")
        out.append(_table([words["round"], words["tables"], words["all_groups_share"], words["evenness"]],
                          [[r["number"], r["tables"], share(r["all_groups_share"]), share(r["evenness"])]
                           for r in mixing["rounds"]]))
        out.append(f'<p class="help">{e(words["evenness_help"])}</p>')
        out.append(_figure(charts.get("mixing") or ""))
    if summary.get("outcomes"):
        totals, header, pair_rows = outcome_rows(summary["outcomes"], words)
        out.append(f'<h3 id="outcomes">{e(words["outcomes"])}</h3>')
        out.append('<div class="table-wrap"><table class="figures totals"><tbody>' + "".join(
            f'<tr><th scope="row">{e(label)}</th><td class="number">{e(value)}</td></tr>' for label, value in totals)
            + "</tbody></table></div>")
        if pair_rows:
            out.append(_table(header, pair_rows))
        out.append(_figure(charts.get("outcomes") or ""))
        out.append(f'<p class="help">{e(words["outcomes_help"])}</p>')
    if summary["votes"]:
        out.append(f"<h3>{e(words['votes'])}</h3>")
        out.append(_figure(charts.get("votes") or ""))
        out.append(_table(["#", words["topic"], words["insights"], words["votes"]],
                          [[n, v.get("topic") or "", v["text"], v["count"]]
                           for n, v in enumerate(summary["votes"], 1)]))
    out.append("</section>")
    return "\n".join(out)


def to_html(summary: Mapping[str, Any]) -> str:
    """The whole summary as one HTML document: inline CSS and charts; photos embedded when they carry an ``image``,
    else linked by their ``url``."""
    words: Mapping[str, str] = summary["strings"]
    event = summary.get("event") or {}
    title = f"{words['summary']}: {event.get('name') or ''}"
    out = ["<!DOCTYPE html>", f'<html lang="{e(summary.get("language") or "en")}">', "<head>",
           '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
           f"<header><h1>{e(title)}</h1><p class=\"facts\">{e(facts_line(summary))}</p></header>"]
    out.append("<nav><ol>" + "".join(f'<li><a href="#topic-{e(t["position"])}">{e(topic_heading(t, words))}</a></li>'
                                     for t in summary["topics"])
               + f'<li><a href="#figures">{e(words["attendance"])}</a></li></ol></nav>')
    if summary["cross_topic_themes"]:
        out.append(f"<section class=\"cross\"><h2>{e(words['cross_topic_themes'])}</h2><ul>")
        for theme in summary["cross_topic_themes"]:
            topics = ", ".join(f'{t["title"]} ({t["notes"]})' for t in theme["topics"])
            out.append(f'<li><strong>{e(theme["label"])}</strong> — {e(topics)} '
                       f'<span class="counts">{e(theme_counts(theme, words))}</span></li>')
        out.append("</ul></section>")
    out += [_topic(topic, summary) for topic in summary["topics"]]
    out.append(_figures(summary, words))
    photos = [(p, safe_url(p.get("url"))) for p in summary.get("photos") or []]
    if any(url or data_uri(p) for p, url in photos):
        out.append(f'<section class="photos-section"><h2>{e(words["photos"])}</h2><div class="photos">')
        for photo, url in photos:
            embedded = data_uri(photo)
            if embedded or url:
                caption = photo.get("caption") or where(photo, words)
                image = f'<img src="{e(embedded or url)}" alt="{e(caption)}">'
                if embedded and url:  # the full-size photo, for as long as its link is valid
                    image = f'<a href="{e(url)}">{image}</a>'
                out.append(f"<figure>{image}<figcaption>{e(caption)} · {e(where(photo, words))}</figcaption></figure>")
        out.append("</div></section>")
    out += [f"<footer>{e(words['generated_by'])}</footer>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
