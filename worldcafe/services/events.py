"""Creating events and their settings (changing the setup later: ``setup``; broadcasts: ``broadcasts``)."""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, insert

from ..extensions import db
from ..models import AccessLink, CafeTable, Event, Participant, utcnow
from ..realtime.rooms import event_room, moderators_room
from .access import issue_link, new_token
from .errors import ServiceError
from .live import Push, record
from .reading import let_others_run
from .setup import apply_setup, joining_push, new_checkin_code
from .spec import EventSpec, ParticipantSpec, SettingsSpec, TableSpec, parse, with_groups

# No 0/O, 1/I/L: a join code is read aloud and typed from a projector.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def readable_code(length: int) -> str:
    """Random characters that survive being read aloud and typed (join codes, generated passwords)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_join_code() -> str:
    """A short unused join code."""
    while True:
        code = readable_code(6)
        if db.session.execute(db.select(Event.id).filter_by(public_id=code)).first() is None:
            return code


def get_event(public_id: str) -> Event:
    """The event with this join code, or a not_found error."""
    event = db.session.execute(db.select(Event).filter_by(public_id=public_id.upper())).scalar_one_or_none()
    if event is None:
        raise ServiceError("not_found", _("There is no event with that code."))
    return event


# Rows per insert transaction when creating a big event (tables: half as many, each has a check-in code): a chunk of
# 250 people with their links is ~9 ms of the loop, 125 tables ~4 ms (1,000 people took ~31 ms, measured).
CREATE_CHUNK_ROWS = 250


def create_event(data: Any) -> Event:
    """Create an event from a spec, with a link for every role; returns the committed event.

    A spec may hold 1,000 tables and 5,000 people. Their rows and links go in as bulk inserts, a chunk per short
    transaction with the loop free in between: one transaction for all of them would hold the loop, and SQLite's one
    writer, for a quarter of a second or more. Until the answer nobody knows the new event's links, so nobody sees
    it half made; if a chunk fails, the event goes again."""
    spec = parse(EventSpec, data)
    groups = with_groups(spec.groups, [person.group for person in spec.participants])
    event = Event(
        public_id=new_join_code(),
        name=spec.name,
        language=spec.language,
        groups=groups,
        joining_open=spec.joining_open,
        timezone=spec.timezone,
    )
    db.session.add(event)
    # Topics and rounds (at most 100 and 20) the usual way; tables and people below, in bulk.
    apply_setup(event, spec.model_copy(update={"tables": []}))
    issue_link("moderator", event)
    issue_link("screen", event)
    issue_link("helpdesk", event)
    db.session.flush()
    # The log starts with the event itself, so every snapshot has seq ≥ 1 and `since: 0` means "knows nothing".
    record(event, "event_created", {"event_id": event.public_id}, [moderators_room(event.id)])
    db.session.commit()
    let_others_run()
    topic_ids = [topic.id for topic in event.topics]
    try:
        for start in range(0, len(spec.tables), CREATE_CHUNK_ROWS // 2):
            chunk = spec.tables[start : start + CREATE_CHUNK_ROWS // 2]
            _insert_tables(event, chunk, [topic_ids[i] if (i := spec.topic_index(t.topic)) is not None else None
                                          for t in chunk])
            db.session.commit()
            let_others_run()
        for start in range(0, len(spec.participants), CREATE_CHUNK_ROWS):
            _insert_people(event, spec.participants[start : start + CREATE_CHUNK_ROWS])
            db.session.commit()
            let_others_run()
    except Exception:
        db.session.rollback()
        db.session.execute(delete(Event).where(Event.id == event.id))  # its rows go with it (ON DELETE CASCADE)
        db.session.commit()
        raise
    db.session.expire(event, ["tables", "participants", "links"])
    return event


def _insert_tables(event: Event, tables: list[TableSpec], topic_ids: list[int | None]) -> None:
    """New tables with their check-in codes and host links, in two bulk inserts."""
    rows = [{"event_id": event.id, "number": t.number, "topic_id": topic_id, "capacity": t.capacity,
             "host_name": t.host, "tags": list(t.tags), "checkin_code": new_checkin_code()}
            for t, topic_id in zip(tables, topic_ids, strict=True)]
    table = CafeTable.__table__
    ids = db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
    now = utcnow()
    db.session.execute(insert(AccessLink.__table__), [
        {"token": new_token(), "role": "host", "event_id": event.id, "table_id": table_id, "created_at": now}
        for table_id in ids
    ])


def _insert_people(event: Event, people: list[ParticipantSpec]) -> None:
    """New participants (source ``api``) with their personal links, in two bulk inserts."""
    now = utcnow()
    rows = [{"event_id": event.id, "name": p.name, "group": p.group, "email": p.email, "needs": list(p.needs),
             "status": "active", "source": "api", "created_at": now, **p.profile_row()} for p in people]
    table = Participant.__table__
    ids = db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
    db.session.execute(insert(AccessLink.__table__), [
        {"token": new_token(), "role": "participant", "event_id": event.id, "participant_id": person_id,
         "created_at": now}
        for person_id in ids
    ])


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
    for name in ("auto_advance", "participant_notes", "pad_grace_s", "votes_per_person", "timezone",
                 "seat_complementary", "summary_shared"):
        value = getattr(spec, name)
        if value is not None and value != getattr(event, name):
            setattr(event, name, value)
            changed[name] = value
    if spec.privacy_notice is not None:
        notice = spec.privacy_notice or None  # empty: the built-in notice again
        if notice != event.privacy_notice:
            event.privacy_notice = notice
            changed["privacy_notice"] = notice
    if changed:
        pushes.append(record(event, "settings_changed", changed, [event_room(event.id)]))
    db.session.commit()
    return pushes


def active_participants(event: Event) -> list[Participant]:
    """Participants who have not left or been marked absent."""
    return [p for p in event.participants if p.status == "active"]
