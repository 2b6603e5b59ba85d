"""Exports of the harvest, pure functions from plain data: Markdown, HTML, CSV, DOCX and JSON."""

from __future__ import annotations

from .csv import to_csv
from .docx import to_docx
from .html import to_html
from .json_export import to_json
from .markdown import to_markdown

__all__ = ["to_csv", "to_docx", "to_html", "to_json", "to_markdown"]
