"""Photo links for documents people forward: signed for one photo, expiring, granting nothing else.

A summary export travels (mail, chat, a shared drive); a role token in it would hand its reader the moderator's
console. Its photos are embedded where the format allows (HTML download, DOCX) and otherwise linked by a URL
signed with the app's secret key for exactly one photo of one event, valid for ``PHOTO_LINK_DAYS``.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..extensions import db
from ..models import Event, Photo
from .access import Access
from .errors import ServiceError
from .notes import photo_dir, photo_file

# The salt scopes the signature to this one purpose: no other signed value of the app (sessions, CSRF) passes.
SALT = "worldcafe.photo-link.v1"
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def sign_photo(event: Event, photo_id: str) -> str:
    """The signed, expiring key of one photo (the last segment of ``/photo/<key>``)."""
    return _serializer().dumps([event.public_id, photo_id])


def shared_photo(key: str, instance_path: str) -> tuple[Path, str]:
    """The stored file a signed key grants; anything forged, expired or gone is ``not_found``."""
    gone = ServiceError("not_found", _("There is no such photo."))
    max_age = int(current_app.config["PHOTO_LINK_DAYS"]) * 86400
    try:
        code, photo_id = _serializer().loads(key, max_age=max_age)  # SignatureExpired is a BadSignature
    except (BadSignature, TypeError, ValueError):
        raise gone from None
    if not isinstance(code, str) or not isinstance(photo_id, str):
        raise gone
    event = db.session.execute(db.select(Event).filter_by(public_id=code)).scalar_one_or_none()
    if event is None:
        raise gone
    return photo_file(Access(role="photo", event=event), photo_id, instance_path)


def photo_files(event: Event, instance_path: str) -> dict[str, str]:
    """Every photo's stored file by photo id, for exports that embed them (read in the worker, not here)."""
    folder = photo_dir(instance_path, event)
    rows = db.session.execute(db.select(Photo.id, Photo.content_type).where(Photo.event_id == event.id))
    return {photo_id: str(folder / f"{photo_id}.{EXTENSIONS.get(kind, 'bin')}") for photo_id, kind in rows}
