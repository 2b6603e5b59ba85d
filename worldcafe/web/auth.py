"""Resolving the secret token of a page or an API call."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, request, send_file

from ..services.access import Access, resolve
from ..services.errors import ServiceError
from ..services.notes import photo_file
from .i18n import use_event_language


def page_access(token: str, role: str) -> Access:
    """The access of a page link (the page then speaks the event's language); anything unknown is a plain 404."""
    access = resolve(token, role)
    if access is None:
        abort(404)
    use_event_language(access.event, room=role == "screen")
    return access


def send_photo(access: Access, photo_id: str) -> Any:
    """A stored photo the link may see (moderator: all; host: its own table's)."""
    path, mimetype = photo_file(access, photo_id, current_app.instance_path)
    return send_file(path, mimetype=mimetype, max_age=0)


def bearer_token() -> str:
    """The token of an API call's ``Authorization: Bearer <token>`` header ("" when there is none)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def api_access(event_code: str | None = None) -> Access:
    """The access of an API call's Bearer token, checked against the event in the URL."""
    token = bearer_token()
    if not token:
        raise ServiceError("unauthorized", "Send your link's token as 'Authorization: Bearer <token>'.")
    access = resolve(token)
    if access is None:
        raise ServiceError("unauthorized", "This token is unknown or has been replaced.")
    if event_code is not None and access.event.public_id != event_code.upper():
        raise ServiceError("forbidden", "This token belongs to another event.")
    return access
