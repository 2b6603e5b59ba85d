"""Deleting an event with everything of it (DESIGN.md §8): on the moderator's word, or when a closed event is older
than ``WORLDCAFE_RETENTION_DAYS``.

Every table that holds a row of an event references it with ``ON DELETE CASCADE`` (SQLite enforces it: the app turns
``foreign_keys`` on), so deleting the event row deletes the rest; the biggest tables go first in chunks, so a large
event does not hold the loop or SQLite's one writer in a single long statement. The photo files go after the commit.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete

from ..extensions import db
from ..models import AccessLink, Event, LogEntry, Note, Seat, utcnow
from . import matchmaking
from .notes import photo_dir
from .reading import let_others_run

log = logging.getLogger(__name__)

# Rows per delete statement for the big tables (the log, notes, seats).
CHUNK_ROWS = 2000
# Events one retention pass deletes at most; the next pass takes the rest.
EVENTS_PER_PASS = 20


@dataclass(frozen=True)
class Deleted:
    """What went with an event: its join code and the tokens of its links (their sockets must be cut)."""

    code: str
    tokens: list[str]


def _delete_in_chunks(model: type[db.Model], event_id: int) -> None:  # type: ignore[name-defined]
    table = model.__table__
    if model is Seat:
        from ..models import Round

        ids_of = (db.select(Seat.id).join(Round, Seat.round_id == Round.id).where(Round.event_id == event_id)
                  .limit(CHUNK_ROWS))
    else:
        ids_of = db.select(table.c.id).where(table.c.event_id == event_id).limit(CHUNK_ROWS)
    while True:
        ids = list(db.session.execute(ids_of).scalars())
        if not ids:
            return
        db.session.execute(delete(table).where(table.c.id.in_(ids)))
        db.session.commit()
        let_others_run()


def delete_event(event: Event, instance_path: str) -> Deleted:
    """Delete the event, every row of it and its photo files; returns what the caller must still revoke."""
    event_id, code = event.id, event.public_id
    tokens = list(db.session.execute(db.select(AccessLink.token).where(AccessLink.event_id == event_id)).scalars())
    # The links go first: from here on no page, call or socket of the event gets in.
    db.session.execute(delete(AccessLink).where(AccessLink.event_id == event_id))
    db.session.commit()
    for model in (LogEntry, Note, Seat):
        _delete_in_chunks(model, event_id)
    db.session.execute(delete(Event).where(Event.id == event_id))
    db.session.commit()
    db.session.expunge_all()
    shutil.rmtree(photos_folder(instance_path, code), ignore_errors=True)
    matchmaking.forget(event_id)
    log.info("event %s deleted", code)
    return Deleted(code, tokens)


def expired_events(days: int, now: datetime | None = None, limit: int = EVENTS_PER_PASS) -> list[int]:
    """Ids of closed events whose closing is more than ``days`` days ago, oldest first."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    query = (db.select(Event.id).where(Event.status == "closed", Event.closed_at.is_not(None),
                                       Event.closed_at < cutoff).order_by(Event.closed_at).limit(limit))
    return list(db.session.execute(query).scalars())


def purge(days: int, instance_path: str, *, dry_run: bool = False, now: datetime | None = None,
          limit: int = EVENTS_PER_PASS) -> list[Deleted]:
    """Delete closed events older than ``days`` (at most ``limit``); ``dry_run``: only say which."""
    gone = []
    for event_id in expired_events(days, now, limit):
        event = db.session.get(Event, event_id)
        if event is None:
            continue
        if dry_run:
            gone.append(Deleted(event.public_id, []))
        else:
            gone.append(delete_event(event, instance_path))
    return gone


def photos_folder(instance_path: str, code: str) -> Path:
    """Where the photos of the event with this join code are kept (``notes.photo_dir``)."""
    return photo_dir(instance_path, Event(public_id=code))
