"""A participant's own data (DESIGN.md §8): their profile and consents, the export of everything stored about them
(GDPR Art. 15/20) and erasure."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_

from ..extensions import db
from ..models import CafeTable, Connection, LogEntry, Note, Participant, Round, Seat, Topic, Vote, utcnow
from ..realtime.rooms import moderators_room
from .live import Push, record
from .networking import PERSON_COLUMNS, changed_pushes, connection_states, entry, hold_event, meetings
from .participants import participant_view
from .spec import MePatchSpec, parse
from .views import iso

_PROFILE = ("email", "organisation", "role", "offer", "seek", "interests", "phone", "website")
# Pushes whose payload carries a participant's view (name, email): an erasure rewrites them in the event's log.
_PEOPLE_PUSHES = ("participants_added", "participant_changed")


def profile_view(person: Participant) -> dict[str, Any]:
    """My own profile and consents, as my phone page edits them."""
    view: dict[str, Any] = {key: getattr(person, key) for key in _PROFILE}
    view["interests"] = list(person.interests or [])
    view.update(listed=person.listed, share_contact=person.share_contact)
    return view


def update_profile(person: Participant, data: Any) -> tuple[dict[str, Any], list[Push]]:
    """``PATCH /me``: change the fields sent (null or "" clears one); the moderator's list hears of a new email."""
    spec = parse(MePatchSpec, data)
    given = spec.model_fields_set
    for key, value in spec.profile().items():
        setattr(person, key, value)
    if "email" in given:
        person.email = spec.email
    for key in ("listed", "share_contact"):
        if key in given:
            setattr(person, key, bool(getattr(spec, key)))
    db.session.flush()
    pushes = []
    if "email" in given:
        event = person.event
        pushes.append(record(event, "participant_changed", {"participant": participant_view(person)},
                             [moderators_room(event.id)]))
    db.session.commit()
    return profile_view(person), pushes


def export_me(person: Participant) -> dict[str, Any]:
    """Everything stored about me: profile, consents, seats, my notes and votes, my connections (with the contact
    data only of those who share it with me)."""
    event = person.event
    seats = db.session.execute(
        db.select(Round.number, CafeTable.number, Topic.title, Seat.checked_in_at)
        .join(Round, Seat.round_id == Round.id).join(CafeTable, Seat.table_id == CafeTable.id)
        .outerjoin(Topic, CafeTable.topic_id == Topic.id)
        .where(Seat.participant_id == person.id).order_by(Round.number)
    ).all()
    notes = db.session.execute(
        db.select(Note.id, Note.round_number, Note.text, Note.kind, Note.created_at, Note.deleted_at, Topic.title)
        .outerjoin(Topic, Note.topic_id == Topic.id)
        .where(Note.participant_id == person.id).order_by(Note.created_at)
    ).all()
    votes = db.session.execute(
        db.select(Vote.note_id, Vote.created_at).where(Vote.participant_id == person.id).order_by(Vote.created_at)
    ).all()
    states = connection_states(person)
    met, _people = meetings(person)
    people = db.session.execute(
        db.select(*PERSON_COLUMNS).where(Participant.id.in_(states))
    ).all() if states else []
    return {
        "event": {"id": event.public_id, "name": event.name},
        "profile": {"id": person.id, "name": person.name, "group": person.group, "needs": list(person.needs),
                    "status": person.status, "source": person.source, "created_at": iso(person.created_at),
                    **{key: value for key, value in profile_view(person).items()
                       if key not in ("listed", "share_contact")}},
        "consents": {"listed": person.listed, "share_contact": person.share_contact},
        "seats": [{"round": number, "table": table, "topic": topic, "checked_in_at": iso(checked)}
                  for number, table, topic, checked in seats],
        "notes": [{"id": note_id, "round": number, "topic": topic, "text": text, "kind": kind,
                   "created_at": iso(created), "deleted_at": iso(deleted)}
                  for note_id, number, text, kind, created, deleted, topic in notes],
        "votes": [{"note_id": note_id, "created_at": iso(created)} for note_id, created in votes],
        "connections": [entry(row, states[row.id], met.get(row.id)) for row in people],
    }


def erase_me(person: Participant) -> tuple[list[Push], list[str]]:
    """``DELETE /me``: remove my profile, contact data, needs and connections, replace my name, end my links; my
    notes stay, now anonymous. Returns the pushes and my dead tokens; commits."""

    event = person.event
    pushes: list[Push] = []
    if person.status == "active" and event.status not in ("harvest", "closed"):
        # Imported here: planning builds on the participants module this one builds on.
        from .planning import set_status

        pushes += set_status(event, person.id, "left")  # their seats to come go to others (commits)
    hold_event(event)
    with force_locale(event.language):
        erased_name = _("Erased participant")
    rows = db.session.execute(
        db.select(Connection).where(or_(Connection.requester_id == person.id, Connection.addressee_id == person.id))
    ).scalars().all()
    for row in rows:
        other = row.addressee_id if row.requester_id == person.id else row.requester_id
        db.session.delete(row)
        pushes += changed_pushes(event, person.id, "none", other, "none")
    person.name = erased_name
    for key in ("email", "organisation", "role", "offer", "seek", "phone", "website"):
        setattr(person, key, None)
    person.interests, person.needs = [], []
    person.listed = person.share_contact = False
    person.erased_at = utcnow()
    tokens = [link.token for link in person.links]
    for link in list(person.links):
        db.session.delete(link)
    _scrub_log(event.id, person.id, erased_name)
    db.session.flush()
    pushes.append(record(event, "participant_changed", {"participant": {**participant_view(person), "erased": True}},
                         [moderators_room(event.id)]))
    db.session.commit()
    return pushes, tokens


def _scrub_log(event_id: int, person_id: int, erased_name: str) -> None:
    """Rewrite the person's view in the event's log (a reconnecting console replays it): no name, no email."""
    entries = db.session.execute(
        db.select(LogEntry).where(LogEntry.event_id == event_id, LogEntry.name.in_(_PEOPLE_PUSHES))
    ).scalars().all()
    for log in entries:
        payload, changed = _scrubbed(log.payload, person_id, erased_name)
        if changed:
            log.payload = payload


def _scrubbed(value: Any, person_id: int, erased_name: str) -> tuple[Any, bool]:
    """``value`` with every view of the person (a dict with their ``id`` and a ``name``) emptied of personal data."""
    if isinstance(value, list):
        items = [_scrubbed(item, person_id, erased_name) for item in value]
        return [item for item, _changed in items], any(changed for _item, changed in items)
    if not isinstance(value, dict):
        return value, False
    if value.get("id") == person_id and "name" in value:
        return {**value, "name": erased_name, "email": None, "needs": []}, True
    items = {key: _scrubbed(item, person_id, erased_name) for key, item in value.items()}
    return {key: item for key, (item, _changed) in items.items()}, any(changed for _item, changed in items.values())
