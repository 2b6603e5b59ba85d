"""The summary as a Word document (python-docx): headings, themes, insights, notes, figures as tables."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm, Pt, RGBColor

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

META_STYLE = "Note Meta"
KIND_STYLE = "Note Kind"
TEXT_WIDTH_TWIPS = 9638  # A4 less two 20 mm margins
PHOTO_MM = 120  # the long side of an embedded photo: a portrait one still fits a page with its caption


class _Writer:
    """Writes paragraphs as WordprocessingML text and parses them in batches.

    Going through python-docx's object model costs about 0.4 ms per note (each paragraph, run and property
    is placed by scanning its siblings), so ten thousand notes took seconds; the markup is small and fixed,
    so it is written directly, escaped, and python-docx keeps the document, the styles, tables and saving.
    """

    def __init__(self) -> None:
        self.document = Document()
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(20)
        self.body = self.document.element.body
        self.anchor = self.body.sectPr
        self.styles: dict[str, str] = {}
        self.pending: list[str] = []
        meta = self.document.styles.add_style(META_STYLE, WD_STYLE_TYPE.CHARACTER)
        meta.font.size = Pt(8.5)
        meta.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        self.document.styles.add_style(KIND_STYLE, WD_STYLE_TYPE.CHARACTER).font.bold = True

    def _style(self, name: str) -> str:
        if name not in self.styles:
            self.styles[name] = str(self.document.styles[name].style_id)
        return self.styles[name]

    def _run(self, text: str, style: str | None = None, italic: bool = False) -> str:
        properties = (f'<w:rStyle w:val="{self._style(style)}"/>' if style else "") + ("<w:i/>" if italic else "")
        lines = [escape(line, quote=False) for line in clean(text).replace("\r", "").split("\n")]
        body = '</w:t><w:br/><w:t xml:space="preserve">'.join(lines)
        return (f"<w:r>{f'<w:rPr>{properties}</w:rPr>' if properties else ''}"
                f'<w:t xml:space="preserve">{body}</w:t></w:r>')

    def paragraph(self, runs: Sequence[tuple[str, str | None]] = (), style: str | None = None,
                  page_break: bool = False, italic: bool = False) -> None:
        """A paragraph of (text, character style) runs."""
        properties = (f'<w:pStyle w:val="{self._style(style)}"/>' if style else "") + (
            "<w:pageBreakBefore/>" if page_break else "")
        self.pending.append(f"<w:p>{f'<w:pPr>{properties}</w:pPr>' if properties else ''}"
                            + "".join(self._run(text, run_style, italic) for text, run_style in runs if text)
                            + "</w:p>")

    def heading(self, text: str, level: int, page_break: bool = False) -> None:
        """A heading (level 0 is the title)."""
        self.paragraph([(text, None)], "Title" if level == 0 else f"Heading {level}", page_break)

    def bullet(self, strong: str, rest: str = "", meta: str = "", style: str = "List Bullet") -> None:
        """A bullet (or, with ``style="List Number"``, a numbered item): a bold lead, the text, grey details."""
        self.paragraph([(strong, KIND_STYLE), (rest, None), ("  " + meta if meta else "", META_STYLE)], style)

    def flush(self) -> None:
        """Move the written paragraphs into the document, before the section properties."""
        if not self.pending:
            return
        fragment = parse_xml(f"<w:body {nsdecls('w')}>{''.join(self.pending)}</w:body>")
        self.pending = []
        for element in list(fragment):
            if self.anchor is not None:
                self.anchor.addprevious(element)
            else:
                self.body.append(element)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], weights: Sequence[int] = ()) -> None:
        """A grid table with a bold header row that repeats on every page; ``weights`` share out the width."""
        weights = weights or [1] * len(header)
        widths = [TEXT_WIDTH_TWIPS * w // sum(weights) for w in weights]
        cells = [f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr><w:p>{{}}</w:p></w:tc>' for w in widths]
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        head = "".join(c.format(self._run(str(h), KIND_STYLE)) for c, h in zip(cells, header, strict=True))
        body = "".join("<w:tr>" + "".join(c.format(self._run(str(v))) for c, v in zip(cells, row, strict=True))
                       + "</w:tr>" for row in rows)
        self.pending.append(
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{self._style("Table Grid")}"/><w:tblW w:w="0" w:type="auto"/>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>{head}</w:tr>"
            f"{body}</w:tbl>")
        self.paragraph()

    def picture(self, image: bytes, width: int, height: int) -> None:
        """A photo in its own paragraph, as wide as a portrait one may be without leaving the page."""
        self.flush()  # python-docx appends the picture's paragraph before the section properties, after these
        if width >= height:
            self.document.add_picture(io.BytesIO(image), width=Mm(PHOTO_MM))
        else:
            self.document.add_picture(io.BytesIO(image), height=Mm(PHOTO_MM))

    def save(self) -> bytes:
        """The .docx file's bytes."""
        self.flush()
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def _topic(w: _Writer, topic: Mapping[str, Any], summary: Mapping[str, Any]) -> None:
    words: Mapping[str, str] = summary["strings"]
    w.heading(topic_heading(topic, words), 1, page_break=True)
    if topic.get("question"):
        w.paragraph([(topic["question"], None)], italic=True)
    w.heading(words["themes"], 2)
    if topic["themes"]:
        # A plain numbered paragraph: Word's own list numbering would run on from one topic's themes into the next.
        for n, theme in enumerate(topic["themes"], 1):
            w.paragraph([(f"{n}. ", None), (theme["label"], KIND_STYLE),
                         ("  " + theme_counts(theme, words), META_STYLE)])
    else:
        w.paragraph([(words["no_themes"], None)])
    w.heading(words["insights"], 2)
    if topic["insights"]:
        for note in topic["insights"]:
            extra = " · " + votes_text(note["votes"], words) if note["votes"] else ""
            w.bullet("", note["text"], where(note, words) + extra)
    else:
        w.paragraph([(words["no_insights"], None)])
    if topic["votes"]:
        w.heading(words["votes"], 2)
        w.table(["#", words["insights"], words["votes"]],
                [[n, v["text"], v["count"]] for n, v in enumerate(topic["votes"], 1)], [1, 10, 2])
    w.heading(words["notes_by_round"], 2)
    for round_ in topic["rounds"]:
        w.heading(round_heading(round_["number"], summary), 3)
        for table in round_["tables"]:
            w.heading(f"{words['table']} {table['table'] if table['table'] is not None else '–'}", 4)
            for note in table["notes"]:
                w.bullet(f"{kind(note, words)}: ", note.get("text") or "", " · ".join(note_meta(note, words)))


def _figures(w: _Writer, summary: Mapping[str, Any], words: Mapping[str, str]) -> None:
    attendance, mixing = summary["attendance"], summary["mixing"]
    w.heading(words["attendance"], 1, page_break=True)
    w.table([words["participants"], words["joined_on_the_day"], words["left"], words["no_show"],
             words["check_in_rate"]],
            [[attendance["participants"], attendance["joined_on_the_day"], attendance["left"], attendance["no_show"],
              share(attendance["check_in_rate"])]])
    if attendance["rounds"]:
        w.heading(words["people_per_round"], 2)
        w.table([words["round"], words["seated"], words["checked_in"], words["check_in_rate"]],
                [[r["number"], r["seated"], r["checked_in"], share(r["check_in_rate"])] for r in attendance["rounds"]])
    if mixing["rounds"]:
        w.heading(words["mixing"], 2)
        w.table([words["round"], words["tables"], words["all_groups_share"], words["evenness"]],
                [[r["number"], r["tables"], share(r["all_groups_share"]), share(r["evenness"])]
                 for r in mixing["rounds"]])
        w.paragraph([(words["evenness_help"], None)])
    if summary.get("outcomes"):
        totals, header, rows = outcome_rows(summary["outcomes"], words)
        w.heading(words["outcomes"], 2)
        w.table([words["outcomes"], ""], totals)
        if rows:
            w.table(header, rows)
        w.paragraph([(words["outcomes_help"], None)])
    if summary["votes"]:
        w.heading(words["votes"], 1)
        w.table(["#", words["topic"], words["insights"], words["votes"]],
                [[n, v.get("topic") or "", v["text"], v["count"]] for n, v in enumerate(summary["votes"], 1)],
                [1, 3, 8, 2])


def to_docx(summary: Mapping[str, Any]) -> bytes:
    """The whole summary as a .docx file's bytes; charts appear as the tables they were drawn from."""
    words: Mapping[str, str] = summary["strings"]
    event = summary.get("event") or {}
    w = _Writer()
    title = f"{words['summary']}: {event.get('name') or ''}"
    w.document.core_properties.title = clean(title)
    w.document.core_properties.language = str(summary.get("language") or "en")
    w.heading(title, 0)
    w.paragraph([(facts_line(summary), None)])
    if summary["cross_topic_themes"]:
        w.heading(words["cross_topic_themes"], 1)
        for theme in summary["cross_topic_themes"]:
            topics = ", ".join(f'{t["title"]} ({t["notes"]})' for t in theme["topics"])
            w.bullet(theme["label"], f" — {topics}", theme_counts(theme, words))
    for topic in summary["topics"]:
        _topic(w, topic, summary)
    _figures(w, summary, words)
    photos = [(p, safe_url(p.get("url"))) for p in summary.get("photos") or []]
    if any(url or p.get("image") for p, url in photos):
        w.heading(words["photos"], 1)
        for photo, url in photos:
            caption = photo.get("caption") or where(photo, words)
            if photo.get("image"):
                w.picture(photo["image"], int(photo.get("width") or 1), int(photo.get("height") or 1))
                w.paragraph([(caption, None), ("  " + where(photo, words), META_STYLE)])
            elif url:  # a photo that could not be read is listed with its link
                w.bullet("", caption, f"{where(photo, words)} · {url}")
    return w.save()
