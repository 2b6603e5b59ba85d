"""What photos may take: a quota per table and per event, never after the event is closed, and a full disk that
leaves no half-written file behind."""

from __future__ import annotations

import contextlib
import errno
import os
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from ..extensions import db
from ..files import private_dir, write_private
from ..models import CafeTable, Event, Photo
from .errors import ServiceError

MB = 1024 * 1024


@dataclass(frozen=True)
class PhotoQuota:
    """How many photos one table may keep, and how many bytes all of an event's photos together."""

    per_table: int
    event_bytes: int


def check_may_add(event: Event) -> None:
    """Refuse photos for a closed event (checked again before storing; first before an upload is even read)."""
    if event.status == "closed":
        raise ServiceError("wrong_state", _("The event is closed; no more photos can be added."))


def check_quota(event: Event, table: CafeTable | None, size: int, quota: PhotoQuota) -> None:
    """Refuse a photo that would take the table or the event beyond its quota (``quota_exceeded``)."""
    if table is not None:
        count = db.session.execute(db.select(db.func.count(Photo.id)).where(Photo.table_id == table.id)).scalar_one()
        if count >= quota.per_table:
            raise ServiceError(
                "quota_exceeded",
                _("Table %(number)s already has %(limit)s photos, as many as one table may keep.",
                  number=table.number, limit=quota.per_table),
            )
    used = db.session.execute(
        db.select(db.func.coalesce(db.func.sum(Photo.size), 0)).where(Photo.event_id == event.id)
    ).scalar_one()
    if used + size > quota.event_bytes:
        raise ServiceError(
            "quota_exceeded",
            _("This event's photos already take %(used)s of the %(limit)s MB it may keep.",
              used=round(used / MB), limit=quota.event_bytes // MB),
        )


def store_whole(path: Path, data: bytes) -> None:
    """Write a file completely or not at all: written beside, then renamed; a full disk is ``storage_full``."""
    partial = path.with_name(path.name + ".part")
    try:
        private_dir(path.parent)
        write_private(partial, data)  # readable by the server's user only, like the database
        partial.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise ServiceError(
                "storage_full", _("The server's disk is full; the photo was not saved. Please tell the organisers.")
            ) from None
        raise


def discard(path: Path) -> None:
    """Remove a stored file whose database row did not commit."""
    with contextlib.suppress(OSError):
        os.unlink(path)
