"""The help desk: find a person, say where they sit now and next, check them in; and the A–Z seating list per round.

The help desk's link may read seats and names, never notes, setup or anyone's link but the one person it looks up.
Everything here reads columns, not ORM objects of the whole room (a 400-person queue at the desk asks often).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from ..domain.names import matches, search_key
from ..domain.palette import NO_TOPIC_COLOUR, hex_of
from ..extensions import db
from ..models import CafeTable, Event, Participant, Round, Seat, Topic
from .checkin import check_in, checkin_round
from .errors import ServiceError
from .live import Push
from .participants import find_participant

# A search shows at most this many people (a desk types a few letters more rather than scroll).
MAX_RESULTS = 50


def _tables(event: Event) -> dict[int, dict[str, Any]]:
    """table number → what the desk says about it: number, colour, topic."""
    rows = db.session.execute(
        db.select(CafeTable.number, Topic.colour, Topic.title)
        .outerjoin(Topic, CafeTable.topic_id == Topic.id)
        .where(CafeTable.event_id == event.id)
    ).all()
    return {
        number: {"number": number, "colour": colour or NO_TOPIC_COLOUR, "colour_hex": hex_of(colour or NO_TOPIC_COLOUR),
                 "topic": title}
        for number, colour, title in rows
    }


def now_and_next(event: Event) -> tuple[int | None, int | None]:
    """The round running (or paused) and the one after it, as a phone shows them; None where there is none."""
    total = len(event.rounds)
    current = event.current_round or 0
    now = current if event.status in ("running", "paused") and current else None
    following = current + 1
    return now, following if following <= total and event.status not in ("harvest", "closed") else None


def _seats(event: Event, people: list[int]) -> dict[tuple[int, int], tuple[int, bool]]:
    """(person id, round) → (table number, checked in) for these people, every round."""
    if not people:
        return {}
    rows = db.session.execute(
        db.select(Seat.participant_id, Round.number, CafeTable.number, Seat.checked_in_at)
        .join(Round, Seat.round_id == Round.id)
        .join(CafeTable, Seat.table_id == CafeTable.id)
        .where(Round.event_id == event.id, Seat.participant_id.in_(people))
    )
    return {(pid, number): (table, checked is not None) for pid, number, table, checked in rows}


def _seat(tables: dict[int, dict[str, Any]], seats: dict[tuple[int, int], tuple[int, bool]], pid: int,
          number: int | None) -> dict[str, Any] | None:
    found = seats.get((pid, number)) if number is not None else None
    if found is None:
        return None
    table, checked_in = found
    return {"round": number, "checked_in": checked_in, "table": tables.get(table, {"number": table})}


def find_people(event: Event, query: str) -> dict[str, Any]:
    """People whose name contains every typed word (ignoring case and accents), with their table now and next; no
    links (the desk opens one person to see theirs)."""
    if not search_key(query):
        raise ServiceError("invalid", _("Type part of a name."))
    rows = db.session.execute(
        db.select(Participant.id, Participant.name, Participant.group, Participant.status)
        .where(Participant.event_id == event.id)
    ).all()
    found = sorted((row for row in rows if matches(query, row[1])), key=lambda row: (search_key(row[1]), row[0]))
    shown = found[:MAX_RESULTS]
    now, following = now_and_next(event)
    tables = _tables(event)
    seats = _seats(event, [row[0] for row in shown])
    people = [
        {"id": pid, "name": name, "group": group, "status": status,
         "now": _seat(tables, seats, pid, now), "next": _seat(tables, seats, pid, following)}
        for pid, name, group, status in shown
    ]
    return {"total": len(found), "people": people, "round_now": now, "round_next": following}


def person_view(event: Event, participant_id: int) -> dict[str, Any]:
    """One person for the desk: their table now and next, their whole route (every round) and check-in round."""
    person = find_participant(event, participant_id)
    now, following = now_and_next(event)
    tables = _tables(event)
    seats = _seats(event, [person.id])
    route = [
        {"round": rnd.number, "status": rnd.status, "seat": _seat(tables, seats, person.id, rnd.number)}
        for rnd in event.rounds
    ]
    return {
        "id": person.id,
        "name": person.name,
        "group": person.group,
        "status": person.status,
        "now": _seat(tables, seats, person.id, now),
        "next": _seat(tables, seats, person.id, following),
        "route": route,
        "round_now": now,
        "round_next": following,
        "checkin_round": checkin_round(person),
    }


def check_in_person(event: Event, participant_id: int) -> tuple[dict[str, Any], list[Push]]:
    """Check a person in at their own table for the round people check in for now (the desk saw them sit down, or
    their phone cannot scan)."""
    person = find_participant(event, participant_id)
    if person.status != "active":
        raise ServiceError("wrong_state", _("%(name)s is marked as not here; the moderator can mark them back.",
                                            name=person.name))
    number = checkin_round(person)
    if number is None:
        raise ServiceError("wrong_state", _("There is no round to check in for right now."))
    row = db.session.execute(
        db.select(CafeTable)
        .join(Seat, Seat.table_id == CafeTable.id)
        .join(Round, Seat.round_id == Round.id)
        .where(Round.event_id == event.id, Round.number == number, Seat.participant_id == person.id)
    ).scalar_one_or_none()
    if row is None:
        raise ServiceError("not_found", _("%(name)s has no seat in round %(n)s yet.", name=person.name, n=number))
    return check_in(person, row)


def seating_list(event: Event, number: int) -> dict[str, Any]:
    """Everyone seated in round ``number``, A–Z (ignoring case and accents), with table number, colour and topic."""
    if number < 1 or number > len(event.rounds):
        raise ServiceError("invalid", _("There is no round %(n)s; the event has %(count)s.", n=number,
                                        count=len(event.rounds)))
    rows = db.session.execute(
        db.select(Participant.name, Participant.group, CafeTable.number, Topic.colour, Topic.title)
        .join(Seat, Seat.participant_id == Participant.id)
        .join(Round, Seat.round_id == Round.id)
        .join(CafeTable, Seat.table_id == CafeTable.id)
        .outerjoin(Topic, CafeTable.topic_id == Topic.id)
        .where(Round.event_id == event.id, Round.number == number, Participant.status == "active")
    ).all()
    people = sorted(
        ({"name": name, "group": group, "table": table, "colour": colour or NO_TOPIC_COLOUR, "topic": title,
          "key": search_key(name)} for name, group, table, colour, title in rows),
        key=lambda p: (p["key"], p["name"]),
    )
    for person in people:
        first = person.pop("key")[:1].upper()
        person["letter"] = first if first.isalpha() else "#"
    return {"round": number, "people": people}


def default_round(event: Event) -> int:
    """The round a seating list prints unless asked: the one running, else the next one, else the last."""
    now, following = now_and_next(event)
    return now or following or max(1, len(event.rounds))
