"""Creating and setting up events: topics, tables, rounds, settings."""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import gettext as _

from ..domain.palette import colour_for
from ..extensions import db
from ..models import CafeTable, Event, Participant, Round, Topic
from ..realtime.rooms import event_room, moderators_room, screen_room
from .access import issue_link
from .errors import ServiceError
from .live import Push, record
from .participants import add_people
from .spec import BroadcastSpec, EventSpec, SettingsSpec, SetupSpec, parse

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


def new_checkin_code() -> str:
    """An unguessable code for a table card's check-in QR."""
    return secrets.token_urlsafe(12)


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
    _apply_setup(event, spec)
    issue_link("moderator", event)
    issue_link("screen", event)
    db.session.flush()
    add_people(event, spec.participants, source="api")
    # The log starts with the event itself, so every snapshot has seq ≥ 1 and `since: 0` means "knows nothing".
    record(event, "event_created", {"event_id": event.public_id}, [moderators_room(event.id)])
    db.session.commit()
    return event


def setup_of(event: Event) -> dict[str, Any]:
    """The event's current setup in the spec format (what ``update_setup`` accepts)."""
    return {
        "name": event.name,
        "language": event.language,
        "groups": list(event.groups),
        "joining_open": event.joining_open,
        "rounds": [{"minutes": r.minutes} for r in event.rounds],
        "topics": [{"title": t.title, "question": t.question, "colour": t.colour} for t in event.topics],
        "tables": [
            {
                "number": t.number,
                "topic": t.topic.position + 1 if t.topic else None,
                "capacity": t.capacity,
                "host": t.host_name,
                "tags": list(t.tags),
            }
            for t in event.tables
        ],
    }


def update_setup(event: Event, data: Any) -> list[Push]:
    """Change the setup: the given top-level fields replace the current ones, the others stay; host links stay."""
    if not isinstance(data, dict):
        raise ServiceError("invalid", _("Send the setup as a JSON object."))
    spec = parse(SetupSpec, {**setup_of(event), **data})
    if any(r.status != "planned" for r in event.rounds):
        raise ServiceError("wrong_state", _("Rounds have started; topics, tables and rounds can no longer change."))
    joining_changed = spec.joining_open != event.joining_open
    event.name, event.language, event.joining_open = spec.name, spec.language, spec.joining_open
    event.groups = list(spec.groups)
    _apply_setup(event, spec)
    db.session.flush()
    pushes = [record(event, "event_updated", {"event_id": event.public_id}, [event_room(event.id)])]
    if event.plan_metrics:
        # A published plan follows the new tables and rounds (or the change is refused with the reason).
        from .planning import reseat_after_change

        pushes += reseat_after_change(event, [])
    if joining_changed:
        pushes.append(_joining_push(event))
    db.session.commit()
    return pushes


def _joining_push(event: Event) -> Push:
    return record(
        event,
        "joining_changed",
        {"joining_open": event.joining_open},
        [event_room(event.id), moderators_room(event.id)],
    )


def _apply_setup(event: Event, spec: SetupSpec) -> None:
    """Make topics, tables and rounds match the spec, updating in place what already exists."""
    topics: list[Topic] = []
    taken: set[str] = set()
    for position, topic_spec in enumerate(spec.topics):
        topic = event.topics[position] if position < len(event.topics) else Topic(event=event)
        topic.position, topic.title, topic.question = position, topic_spec.title, topic_spec.question
        topic.colour = topic_spec.colour or colour_for(position, taken)
        taken.add(topic.colour)
        topics.append(topic)
    for stale in event.topics[len(spec.topics) :]:
        db.session.delete(stale)
    event.topics = topics

    existing = {t.number: t for t in event.tables}
    tables: list[CafeTable] = []
    for table_spec in spec.tables:
        table = existing.pop(table_spec.number, None)
        if table is None:
            table = CafeTable(event=event, number=table_spec.number, checkin_code=new_checkin_code())
            issue_link("host", event, table=table)
        index = spec.topic_index(table_spec.topic)
        table.topic = topics[index] if index is not None else None
        table.capacity, table.host_name, table.tags = (
            table_spec.capacity,
            table_spec.host,
            list(table_spec.tags),
        )
        tables.append(table)
    for stale in existing.values():
        db.session.delete(stale)
    event.tables = sorted(tables, key=lambda t: t.number)

    rounds: list[Round] = []
    for number, round_spec in enumerate(spec.rounds, start=1):
        rnd = event.rounds[number - 1] if number <= len(event.rounds) else Round(event=event, number=number)
        rnd.minutes = round_spec.minutes
        rounds.append(rnd)
    for stale in event.rounds[len(spec.rounds) :]:
        db.session.delete(stale)
    event.rounds = rounds


def update_settings(event: Event, data: Any) -> list[Push]:
    """Apply small toggles (joining open/closed) and tell everyone."""
    spec = parse(SettingsSpec, data)
    if event.status == "closed" and spec.joining_open:
        raise ServiceError("wrong_state", _("The event is closed."))
    pushes: list[Push] = []
    if spec.joining_open is not None and spec.joining_open != event.joining_open:
        event.joining_open = spec.joining_open
        pushes.append(_joining_push(event))
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
