"""Creating events, their settings and broadcasts (changing the setup later: ``setup``)."""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import gettext as _

from ..extensions import db
from ..models import Event, Participant
from ..realtime.rooms import event_room, moderators_room, screen_room
from .access import issue_link
from .errors import ServiceError
from .live import Push, record
from .participants import add_people
from .setup import apply_setup, joining_push
from .spec import BroadcastSpec, EventSpec, SettingsSpec, parse

# No 0/O, 1/I/L: a join code is read aloud and typed from a projector.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _code(length: int) -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


def new_join_code() -> str:
    """A short unused join code."""
    while True:
        code = _code(6)
        if db.session.execute(db.select(Event.id).filter_by(public_id=code)).first() is None:
            return code


def get_event(public_id: str) -> Event:
    """The event with this join code, or a not_found error."""
    event = db.session.execute(db.select(Event).filter_by(public_id=public_id.upper())).scalar_one_or_none()
    if event is None:
        raise ServiceError("not_found", _("There is no event with that code."))
    return event


def create_event(data: Any) -> Event:
    """Create an event from a spec, with a link for every role; returns the committed event."""
    spec = parse(EventSpec, data)
    event = Event(
        public_id=new_join_code(),
        name=spec.name,
        language=spec.language,
        groups=list(spec.groups),
        joining_open=spec.joining_open,
    )
    db.session.add(event)
    apply_setup(event, spec)
    issue_link("moderator", event)
    issue_link("screen", event)
    db.session.flush()
    add_people(event, spec.participants, source="api")
    # The log starts with the event itself, so every snapshot has seq ≥ 1 and `since: 0` means "knows nothing".
    record(event, "event_created", {"event_id": event.public_id}, [moderators_room(event.id)])
    db.session.commit()
    return event


def update_settings(event: Event, data: Any) -> list[Push]:
    """Apply small toggles (joining open/closed) and tell everyone."""
    spec = parse(SettingsSpec, data)
    if event.status == "closed" and spec.joining_open:
        raise ServiceError("wrong_state", _("The event is closed."))
    pushes: list[Push] = []
    if spec.joining_open is not None and spec.joining_open != event.joining_open:
        event.joining_open = spec.joining_open
        pushes.append(joining_push(event))
    changed = {}
    for name in ("auto_advance", "participant_notes", "pad_grace_s", "votes_per_person"):
        value = getattr(spec, name)
        if value is not None and value != getattr(event, name):
            setattr(event, name, value)
            changed[name] = value
    if changed:
        pushes.append(record(event, "settings_changed", changed, [event_room(event.id)]))
    db.session.commit()
    return pushes


def broadcast(event: Event, data: Any) -> list[Push]:
    """A message from the moderator, shown as an overlay on every phone, pad and screen (or the screen only)."""
    spec = parse(BroadcastSpec, data)
    rooms = [screen_room(event.id), moderators_room(event.id)] if spec.target == "screen" else [event_room(event.id)]
    push = record(event, "message_broadcast", {"text": spec.text, "target": spec.target}, rooms)
    db.session.commit()
    return [push]


def active_participants(event: Event) -> list[Participant]:
    """Participants who have not left or been marked absent."""
    return [p for p in event.participants if p.status == "active"]
