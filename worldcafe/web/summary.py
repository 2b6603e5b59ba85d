"""The harvest summary: viewed and downloaded by the moderator, or through the optional read-only share link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, request

from .. import offload
from ..export.photos import shrink
from ..services.access import Access
from ..services.errors import ServiceError
from ..services.notes import photo_file
from ..services.photo_links import photo_files, shared_photo, sign_photo
from ..services.summary import export
from .auth import page_access
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


def summary_response(access: Access, fmt: str, download: bool) -> Response:
    """One export of the summary. It carries no role token: a downloaded HTML or DOCX holds its photos, the others
    link each photo by a signed, expiring URL that opens that photo and nothing else."""
    event, moderator = access.event, access.role == "moderator"
    # The page links its photos on its own origin (its CSP allows no other, and the public URL may be another
    # name for this server); a file links them by the address phones and mail readers reach.
    origin = "" if fmt == "html" and not download else base_url()
    # Hidden notes are the moderator's to see (flagged in JSON and CSV); the share link never shows them, and its
    # JSON carries no names or seats.
    body, mimetype, filename = export(
        event, fmt, lambda photo_id: f"{origin}/photo/{sign_photo(event, photo_id)}",
        include_hidden=moderator, complete=moderator,
        photo_files=photo_files(event, current_app.instance_path) if download else None,
        part=request.args.get("part"),
    )
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
    return summary_response(_page(token), "html", download=False)


@bp.get("/m/<token>/summary.<fmt>")
@bp.get("/r/<token>/summary.<fmt>")
def download(token: str, fmt: str) -> Any:
    """The summary as a file: json, md, csv, html or docx."""
    return summary_response(_page(token), fmt, download=True)


@bp.get("/r/<token>/photos/<photo_id>")
def photo(token: str, photo_id: str) -> Any:
    """A photo, for the shared summary: the shareable copy, as through a signed link."""
    path, _mimetype = photo_file(page_access(token, "summary"), photo_id, current_app.instance_path)
    return _shareable_copy(path)


@bp.get("/photo/<key>")
def signed_photo(key: str) -> Any:
    """One photo through the signed, expiring link a summary export carries; anything else is a 404 page.

    Whoever holds a forwarded summary gets the copy the exports embed (upright, at most 1,280 px, re-encoded without
    the phone's EXIF data such as its GPS position), made in a worker; the moderator's own link serves the original.
    """
    try:
        path, _mimetype = shared_photo(key, current_app.instance_path)
    except ServiceError:
        abort(404)
    return _shareable_copy(path)


def _shareable_copy(path: Path) -> Response:
    shrunk = offload.run(shrink, str(path))  # None: gone meanwhile (event deleted), or not readable as an image
    if shrunk is None:
        abort(404)
    return Response(shrunk[0], mimetype="image/jpeg", headers={"Cache-Control": "no-store"})
