"""Exports of the harvest, pure functions from plain data: Markdown, HTML, CSV, DOCX and JSON.

``render_export``, ``harvest_themes`` and ``themes_of`` are the worker jobs (``worldcafe.offload``): plain data in,
bytes or plain data out, no Flask, so a worker process runs them while the server's loop serves the room.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .csv import to_csv
from .docx import to_docx
from .html import to_html
from .json_export import to_json
from .markdown import to_markdown
from .photos import with_images

__all__ = ["harvest_themes", "render_export", "themes_of", "to_csv", "to_docx", "to_html", "to_json", "to_markdown"]


def render_export(fmt: str, data: Mapping[str, Any], plan: Any = None,
                  photo_files: Mapping[str, str] | None = None, shared: bool = False) -> bytes:
    """The summary of ``data`` in one format (json, md, csv, html or docx) as the file's bytes (UTF-8 text); with
    ``photo_files`` (photo id → stored file) the HTML and DOCX carry the photos inside, shrunk. A ``shared`` JSON
    (the read-only share link) leaves out the group counts per table and round."""
    from ..domain.summary import build_summary

    if fmt == "csv":
        return to_csv(data).encode("utf-8")  # every note as it is: no summary needed
    summary = build_summary(data)
    if photo_files and fmt in ("html", "docx"):
        summary["photos"] = with_images(summary["photos"], photo_files)
    body: str | bytes
    if fmt == "json":
        # Group counts per table and round are the moderator's to see: a group of one names its person's seats. The
        # summary keeps the per-round mixing figures every other format shows.
        body = to_json({**data, "mixing": None} if shared else data, summary, plan)
    elif fmt == "md":
        body = to_markdown(summary)
    elif fmt == "html":
        body = to_html(summary)
    elif fmt == "docx":
        body = to_docx(summary)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return body.encode("utf-8") if isinstance(body, str) else body


def themes_of(notes: Sequence[Mapping[str, Any]], limit: int, language: str,
              exclude: Sequence[str], edits: Mapping[str, Any] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Ranked key terms per topic of some notes (the projector's live themes), the moderator's edits applied."""
    from ..domain.summary import live_terms

    return live_terms(notes, limit=limit, language=language, exclude=exclude, edits=edits)


def harvest_themes(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The themes of each topic as the summary has them (the moderator's edits applied), without notes or charts:
    what the console shows to rename, merge and hide."""
    from ..domain.summary import build_summary

    summary = build_summary(data)
    keep = ("key", "label", "renamed", "terms", "tables", "rounds", "sittings", "notes", "starred", "votes")
    return [{"position": t["position"], "title": t["title"], "colour_hex": t["colour_hex"],
             "themes": [{k: theme.get(k, False) for k in keep} for theme in t["themes"]]}
            for t in summary["topics"]]
