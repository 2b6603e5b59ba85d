"""Resolving the secret token of a page or an API call."""

from __future__ import annotations

from flask import abort, request

from ..services.access import Access, resolve
from ..services.errors import ServiceError


def page_access(token: str, role: str) -> Access:
    """The access of a page link; anything unknown is a plain 404."""
    access = resolve(token, role)
    if access is None:
        abort(404)
    return access


def api_access(event_code: str | None = None) -> Access:
    """The access of an API call's Bearer token, checked against the event in the URL."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ServiceError("unauthorized", "Send your link's token as 'Authorization: Bearer <token>'.")
    access = resolve(token.strip())
    if access is None:
        raise ServiceError("unauthorized", "This token is unknown or has been replaced.")
    if event_code is not None and access.event.public_id != event_code.upper():
        raise ServiceError("forbidden", "This token belongs to another event.")
    return access
