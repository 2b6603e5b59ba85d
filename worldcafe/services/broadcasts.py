"""Moderator messages to the room: shown until they expire, are withdrawn, or the next round starts."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _

from ..extensions import db
from ..models import Event, utcnow
from ..realtime.rooms import event_room, moderators_room, screen_room
from .errors import ServiceError
from .live import Push, record
from .spec import BroadcastSpec, BroadcastWithdrawSpec, parse
from .views import iso

# At most this many messages on show at once (older ones leave first): a snapshot stays small.
MAX_ON_SHOW = 10


def _rooms(event: Event, target: str) -> list[str]:
    """Who sees a message: everyone, or the screen (and the moderators, who sent it)."""
    if target == "screen":
        return [screen_room(event.id), moderators_room(event.id)]
    return [event_room(event.id)]


def on_show(event: Event, now: datetime | None = None, role: str | None = None) -> list[dict[str, Any]]:
    """The messages not yet expired, oldest first; for ``role`` only those its devices show."""
    moment = now or utcnow()
    shown = [b for b in event.broadcasts or [] if datetime.fromisoformat(b["expires_at"]) > moment]
    if role in ("host", "participant"):
        shown = [b for b in shown if b["target"] == "all"]
    return shown


def broadcast(event: Event, data: Any) -> tuple[dict[str, Any], list[Push]]:
    """A message from the moderator, shown as an overlay on every phone, pad and screen (or the screen only)."""
    spec = parse(BroadcastSpec, data)
    _lock(event)
    now = utcnow()
    message = {
        "id": secrets.token_hex(8),
        "text": spec.text,
        "target": spec.target,
        "sent_at": iso(now),
        "expires_at": iso(now + timedelta(seconds=spec.seconds)),
        "seconds": spec.seconds,
    }
    # A new list (not an in-place append) so the JSON column is seen as changed.
    event.broadcasts = [*on_show(event, now), message][-MAX_ON_SHOW:]
    push = record(event, "message_broadcast", message, _rooms(event, spec.target))
    db.session.commit()
    return message, [push]


def withdraw(event: Event, data: Any) -> tuple[dict[str, Any], list[Push]]:
    """Take a message off every device at once; one that has expired or gone already is not_found."""
    spec = parse(BroadcastWithdrawSpec, data)
    _lock(event)
    shown = on_show(event)
    message = next((b for b in shown if b["id"] == spec.id), None)
    if message is None:
        raise ServiceError("not_found", _("That message is no longer on show."))
    event.broadcasts = [b for b in shown if b["id"] != spec.id]
    push = record(event, "broadcast_withdrawn", _withdrawn(message, "withdrawn"), _rooms(event, message["target"]))
    db.session.commit()
    return message, [push]


def clear_items(event: Event, reason: str) -> list[tuple[str, dict[str, Any], list[str]]]:
    """Take every message off show (a new round starts clean); the pushes to log, for the caller's transaction."""
    shown = on_show(event)
    event.broadcasts = []
    return [("broadcast_withdrawn", _withdrawn(b, reason), _rooms(event, b["target"])) for b in shown]


def _lock(event: Event) -> None:
    """Read the list under the event's row lock (PostgreSQL), so two moderators' changes never undo each other."""
    db.session.refresh(event, attribute_names=["broadcasts"], with_for_update=True)


def _withdrawn(message: dict[str, Any], reason: str) -> dict[str, Any]:
    return {"id": message["id"], "target": message["target"], "reason": reason}
