"""Networking (DESIGN.md §8): the people I met, the directory of listed people, connections by consent.

Tablemates always see each other's name (they sat together); everything else follows the other person's consents:
``listed`` shows organisation, role, offer, seek and interests, ``share_contact`` shows email, phone and website to
the people they are connected with. Every answer is a few bounded queries: my seats, the seats at my tables in those
rounds, my connections (no query per person).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Text, cast, or_, update

from ..domain.names import search_key
from ..extensions import db
from ..models import CafeTable, Connection, Event, Participant, Round, Seat, Topic, utcnow
from ..realtime.rooms import person_room
from .errors import ServiceError
from .live import Push, record_many
from .spec import ConnectSpec, parse

# Rounds whose tables count as "met": the round has started (a planned round's table is only a plan).
STARTED = ("running", "paused", "ended")
# The directory's page size; ``?page=`` walks further.
PAGE_SIZE = 50
MAX_QUERY = 200

# The columns a person's entry is built from (one row per person, never the ORM object).
PERSON_COLUMNS = (
    Participant.id, Participant.name, Participant.organisation, Participant.role, Participant.offer,
    Participant.seek, Participant.interests, Participant.listed, Participant.share_contact, Participant.email,
    Participant.phone, Participant.website,
)


@dataclass
class Meeting:
    """Where I sat with someone: round numbers and table numbers (a person may be met several times)."""

    rounds: set[int] = field(default_factory=set)
    tables: set[int] = field(default_factory=set)
    # (round, table, topic) for the vCard's note and the follow-up pack.
    places: set[tuple[int, int, str | None]] = field(default_factory=set)


def my_seats(person: Participant) -> list[tuple[int, int, int, int, str | None]]:
    """My seats in the rounds that have started: (round id, table id, round number, table number, topic title)."""
    rows = db.session.execute(
        db.select(Seat.round_id, Seat.table_id, Round.number, CafeTable.number, Topic.title)
        .join(Round, Seat.round_id == Round.id)
        .join(CafeTable, Seat.table_id == CafeTable.id)
        .outerjoin(Topic, CafeTable.topic_id == Topic.id)
        .where(Seat.participant_id == person.id, Round.status.in_(STARTED))
        .order_by(Round.number)
    ).all()
    return [(r, t, n, tn, title) for r, t, n, tn, title in rows]


def meetings(person: Participant) -> tuple[dict[int, Meeting], dict[int, Any]]:
    """Everyone who shared a table with me in a started round → where; and their rows (two queries)."""
    seats = my_seats(person)
    if not seats:
        return {}, {}
    where = {(r, t): (n, tn, title) for r, t, n, tn, title in seats}
    rows = db.session.execute(
        db.select(Seat.round_id, Seat.table_id, *PERSON_COLUMNS)
        .join(Participant, Seat.participant_id == Participant.id)
        .where(
            Seat.round_id.in_({r for r, *_ in seats}),
            Seat.table_id.in_({t for _, t, *_ in seats}),
            Seat.participant_id != person.id,
            Participant.erased_at.is_(None),
        )
    ).all()
    met: dict[int, Meeting] = defaultdict(Meeting)
    people: dict[int, Any] = {}
    for row in rows:
        place = where.get((row[0], row[1]))
        if place is None:  # same round, another of my tables (not a place we shared)
            continue
        number, table, topic = place
        meeting = met[row.id]
        meeting.rounds.add(number)
        meeting.tables.add(table)
        meeting.places.add((number, table, topic))
        people[row.id] = row
    return dict(met), people


def connection_states(person: Participant) -> dict[int, str]:
    """The other person's id → my side of our connection: requested, incoming or connected."""
    rows = db.session.execute(
        db.select(Connection.requester_id, Connection.addressee_id, Connection.status).where(
            or_(Connection.requester_id == person.id, Connection.addressee_id == person.id)
        )
    ).all()
    states = {}
    for requester, addressee, status in rows:
        mine = requester == person.id
        other = addressee if mine else requester
        states[other] = "connected" if status == "connected" else "requested" if mine else "incoming"
    return states


def entry(row: Any, state: str, meeting: Meeting | None) -> dict[str, Any]:
    """One person as another participant sees them: the name always, the profile when listed, contact data only to
    a connection and only when shared."""
    view: dict[str, Any] = {"id": row.id, "name": row.name}
    if row.listed:
        view.update(organisation=row.organisation, role=row.role, offer=row.offer, seek=row.seek,
                    interests=list(row.interests or []))
    view["rounds"] = sorted(meeting.rounds) if meeting else []
    view["tables"] = sorted(meeting.tables) if meeting else []
    view["connection"] = state
    if state == "connected" and row.share_contact:
        view["contact"] = {"email": row.email, "phone": row.phone, "website": row.website}
    return view


def _by_name(view: dict[str, Any]) -> tuple[str, int]:
    return (view["name"].casefold(), view["id"])


def met_people(person: Participant) -> list[dict[str, Any]]:
    """``GET /me/met``: everyone who shared a table with me in a round that has started."""
    met, people = meetings(person)
    states = connection_states(person) if met else {}
    return sorted((entry(people[pid], states.get(pid, "none"), met[pid]) for pid in met), key=_by_name)


@lru_cache(maxsize=8192)
def _haystack(text: str) -> str:
    """A profile's searchable text, folded once: profiles rarely change, the searches over them repeat."""
    return search_key(text)


def _matches(words: list[str], row: Any) -> bool:
    # The interests as stored (a JSON list): brackets and quotes do not disturb a word search, and decoding a
    # thousand lists per search costs more than the search itself (unless a letter is escaped in it).
    interests = row.interests or ""
    if "\\u" in interests:
        interests = " ".join(json.loads(interests))
    text = _haystack("\n".join(filter(None, [row.name, row.organisation, row.offer, row.seek, interests])))
    return all(word in text for word in words)


def directory(person: Participant, query: str = "", page: int = 1) -> dict[str, Any]:
    """``GET /me/directory``: every listed participant of the event (not me), found by name, organisation, offer,
    seek or interests (every typed word, ignoring case and accents), a page of PAGE_SIZE at a time.

    Browsing reads one page from the database (the phones ask at every round); a search reads the searched columns
    of the listed people once (accent-blind matching is not something SQL LIKE does alike on SQLite and PostgreSQL)
    and then the page's people."""
    listed = (Participant.event_id == person.event_id, Participant.listed.is_(True), Participant.id != person.id,
              Participant.erased_at.is_(None))
    order = (db.func.lower(Participant.name), Participant.id)
    words = search_key(query.strip()[:MAX_QUERY]).split()
    start = (page - 1) * PAGE_SIZE
    if words:
        searched = db.session.execute(
            db.select(Participant.id, Participant.name, Participant.organisation, Participant.offer, Participant.seek,
                      cast(Participant.interests, Text).label("interests")).where(*listed).order_by(*order)
        ).all()
        found = [row.id for row in searched if _matches(words, row)]
        total, wanted = len(found), found[start: start + PAGE_SIZE]
        rows = db.session.execute(db.select(*PERSON_COLUMNS).where(Participant.id.in_(wanted))).all() if wanted else []
        position = {pid: index for index, pid in enumerate(wanted)}
        rows.sort(key=lambda row: position[row.id])
    else:
        total = db.session.execute(db.select(db.func.count(Participant.id)).where(*listed)).scalar_one()
        rows = db.session.execute(
            db.select(*PERSON_COLUMNS).where(*listed).order_by(*order).limit(PAGE_SIZE).offset(start)
        ).all() if start < total else []
    met, _people = meetings(person) if rows else ({}, {})
    states = connection_states(person) if rows else {}
    return {
        "people": [entry(row, states.get(row.id, "none"), met.get(row.id)) for row in rows],
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
    }


def connections(person: Participant) -> list[dict[str, Any]]:
    """My connections and requests, both ways, each with what its person lets me see."""
    states = connection_states(person)
    if not states:
        return []
    rows = db.session.execute(
        db.select(*PERSON_COLUMNS).where(Participant.id.in_(states), Participant.erased_at.is_(None))
    ).all()
    met, _people = meetings(person)
    return sorted((entry(row, states[row.id], met.get(row.id)) for row in rows), key=_by_name)


def _visible(person: Participant, other_id: int) -> Participant:
    """Someone I may ask: in my met list or listed in the directory (my event, not me, not erased); else 404."""
    other = db.session.get(Participant, other_id)
    if (other is None or other.event_id != person.event_id or other.id == person.id
            or other.erased_at is not None):
        raise ServiceError("not_found", _("There is no such person among the people you met or the directory."))
    if other.listed:
        return other
    met, _people = meetings(person)
    if other.id not in met:
        raise ServiceError("not_found", _("There is no such person among the people you met or the directory."))
    return other


def hold_event(event: Event) -> None:
    """Take the event's row lock first, so two people asking each other at once become one connection, not two
    requests (the log's seq is taken under the same lock)."""
    db.session.execute(update(Event).where(Event.id == event.id).values(last_seq=Event.last_seq))


def _pair(a: int, b: int) -> Connection | None:
    return db.session.execute(
        db.select(Connection).where(
            or_((Connection.requester_id == a) & (Connection.addressee_id == b),
                (Connection.requester_id == b) & (Connection.addressee_id == a))
        )
    ).scalar_one_or_none()


def changed_pushes(event: Event, me: int, mine: str, other: int, theirs: str) -> list[Push]:
    """``connection_changed`` to both persons' rooms, each with their own side (two log entries, replayable)."""
    return record_many(event, [
        ("connection_changed", {"participant": other, "connection": mine}, [person_room(me)]),
        ("connection_changed", {"participant": me, "connection": theirs}, [person_room(other)]),
    ])


def connect(person: Participant, data: Any) -> tuple[str, bool, list[Push]]:
    """Ask someone for a connection, or accept their request → (my side, whether it changed, pushes); commits."""
    spec = parse(ConnectSpec, data)
    event = person.event
    hold_event(event)
    other = _visible(person, spec.participant)
    row = _pair(person.id, other.id)
    pushes: list[Push] = []
    if row is None:
        db.session.add(Connection(event_id=event.id, requester_id=person.id, addressee_id=other.id))
        state, pushes = "requested", changed_pushes(event, person.id, "requested", other.id, "incoming")
    elif row.status == "connected":
        state = "connected"
    elif row.requester_id == person.id:
        state = "requested"
    else:
        row.status, row.updated_at = "connected", utcnow()
        state, pushes = "connected", changed_pushes(event, person.id, "connected", other.id, "connected")
    db.session.commit()
    return state, bool(pushes), pushes


def disconnect(person: Participant, other_id: int) -> list[Push]:
    """Withdraw my request, decline theirs or end our connection; nothing to end is fine (a retried call)."""
    event = person.event
    hold_event(event)
    other = db.session.get(Participant, other_id)
    if other is None or other.event_id != person.event_id or other.id == person.id:
        raise ServiceError("not_found", _("There is no such person in this event."))
    row = _pair(person.id, other.id)
    pushes: list[Push] = []
    if row is not None:
        db.session.delete(row)
        pushes = changed_pushes(event, person.id, "none", other.id, "none")
    db.session.commit()
    return pushes


@dataclass(frozen=True)
class Contact:
    """A connected person who shares their contact data, and where we met."""

    id: int
    name: str
    organisation: str | None
    role: str | None
    email: str | None
    phone: str | None
    website: str | None
    places: list[tuple[int, int, str | None]]


def contacts(person: Participant, other_id: int | None = None) -> list[Contact]:
    """My connections who consented to ``share_contact`` (only ``other_id`` if given: 404 unless they are one)."""
    states = connection_states(person)
    wanted = [pid for pid, state in states.items() if state == "connected" and other_id in (None, pid)]
    rows = db.session.execute(
        db.select(*PERSON_COLUMNS).where(Participant.id.in_(wanted), Participant.share_contact.is_(True),
                                          Participant.erased_at.is_(None))
    ).all() if wanted else []
    if other_id is not None and not rows:
        raise ServiceError("not_found", _("This person is not a connection of yours who shares their contact data."))
    met, _people = meetings(person)
    found = [
        Contact(row.id, row.name, row.organisation if row.listed else None, row.role if row.listed else None,
                row.email, row.phone, row.website, sorted(met[row.id].places) if row.id in met else [])
        for row in rows
    ]
    return sorted(found, key=lambda c: (c.name.casefold(), c.id))

