"""The harvest summary: viewed and downloaded by the moderator, or through the optional read-only share link."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from ..services.access import Access
from ..services.summary import export
from .auth import page_access, send_photo
from .links import base_url

bp = Blueprint("summary", __name__)

# The summary is one self-contained document with its own inline CSS and no script at all.
SUMMARY_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
               "form-action 'none'; frame-ancestors 'none'")


def _page(token: str) -> Access:
    try:
        return page_access(token, "moderator")
    except Exception:
        return page_access(token, "summary")


def summary_response(access: Access, token: str, fmt: str, download: bool) -> Response:
    """One export of the summary, its photos linked through the same secret link."""
    prefix = "m" if access.role == "moderator" else "r"
    # Hidden notes are the moderator's to see (flagged in JSON and CSV); the share link never shows them.
    body, mimetype, filename = export(access.event, fmt,
                                      lambda photo_id: f"{base_url()}/{prefix}/{token}/photos/{photo_id}",
                                      include_hidden=access.role == "moderator")
    response = Response(body, content_type=mimetype)  # already carries its charset: Werkzeug would add another
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if fmt == "html":
        response.headers["Content-Security-Policy"] = SUMMARY_CSP
    return response


@bp.get("/m/<token>/summary")
@bp.get("/r/<token>")
def view(token: str) -> Any:
    """The summary as a page (prints cleanly to PDF)."""
    return summary_response(_page(token), token, "html", download=False)


@bp.get("/m/<token>/summary.<fmt>")
@bp.get("/r/<token>/summary.<fmt>")
def download(token: str, fmt: str) -> Any:
    """The summary as a file: json, md, csv, html or docx."""
    return summary_response(_page(token), token, fmt, download=True)


@bp.get("/r/<token>/photos/<photo_id>")
def photo(token: str, photo_id: str) -> Any:
    """A photo, for the shared summary."""
    return send_photo(page_access(token, "summary"), photo_id)
