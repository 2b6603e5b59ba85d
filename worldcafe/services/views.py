"""What each role sees of an event: the JSON views behind the API, the pages and socket snapshots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.palette import NO_TOPIC_COLOUR, hex_of
from ..extensions import db
from ..models import AccessLink, CafeTable, Event, Participant, Round, Seat, Topic
from .access import Access
from .reading import rows_in_chunks
from .setup import setup_locks


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, or None."""
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def round_view(rnd: Round) -> dict[str, Any]:
    """A round with its state and absolute times."""
    return {
        "number": rnd.number,
        "minutes": rnd.minutes,
        "status": rnd.status,
        "started_at": iso(rnd.started_at),
        "ends_at": iso(rnd.ends_at),
        "paused_remaining_s": rnd.paused_remaining_s,
    }


def table_view(table: CafeTable, *, with_host: bool = True) -> dict[str, Any]:
    """A table with its topic and colour."""
    colour = table.topic.colour if table.topic else NO_TOPIC_COLOUR
    view: dict[str, Any] = {
        "number": table.number,
        "colour": colour,
        "colour_hex": hex_of(colour),
        "capacity": table.capacity,
        "topic": table.topic.title if table.topic else None,
        "question": table.topic.question if table.topic else None,
        "topic_position": table.topic.position + 1 if table.topic else None,
        "topic_id": table.topic_id,
        "tags": list(table.tags),
    }
    if with_host:
        view["host"] = table.host_name
    return view


def topic_view(topic: Topic) -> dict[str, Any]:
    """A topic as every device shows it: its texts and colour."""
    return {
        "id": topic.id,
        "position": topic.position + 1,
        "title": topic.title,
        "question": topic.question,
        "colour": topic.colour,
        "colour_hex": hex_of(topic.colour),
    }


def public_view(event: Event) -> dict[str, Any]:
    """What the screen (and anyone holding a link) may see."""
    # One pass over the tables, not one per topic: 100 topics × 1,000 tables held the loop for 80 ms.
    tables_of: dict[int | None, list[int]] = {}
    for tb in event.tables:
        tables_of.setdefault(tb.topic_id, []).append(tb.number)
    return {
        "id": event.public_id,
        "name": event.name,
        "language": event.language,
        "status": event.status,
        "joining_open": event.joining_open,
        "groups": list(event.groups),
        "current_round": event.current_round,
        "auto_advance": event.auto_advance,
        "participant_notes": event.participant_notes,
        "pad_grace_s": event.pad_grace_s,
        "votes_per_person": event.votes_per_person,
        "timezone": event.timezone,
        "seq": event.last_seq,
        "topics": [{**topic_view(t), "tables": tables_of.get(t.id, [])} for t in event.topics],
        "tables": [table_view(t) for t in event.tables],
        "rounds": [round_view(r) for r in event.rounds],
        "counts": {"joined": joined_count(event)},
    }


def full_view(event: Event) -> dict[str, Any]:
    """The moderator's view: everything, participants and their tokens included."""
    from .notes import is_pad_open

    view = public_view(event)
    view["participants"] = participant_views(event)
    view["pad_open"] = is_pad_open(event)
    # Networking settings (DESIGN.md §8), the moderator's to change.
    view["privacy_notice"] = event.privacy_notice
    view["seat_complementary"] = event.seat_complementary
    view["summary_shared"] = event.summary_shared
    # What started rounds used, with the reason, so the console shows what is locked before anyone presses Save.
    view["locks"] = setup_locks(event)
    from .planning import waiting_people

    waiting = waiting_people(event)
    view["waiting"] = {"count": len(waiting), "people": waiting}
    return view


def participant_views(event: Event) -> list[dict[str, Any]]:
    """Everyone as ``participant_view`` shows them, with their link's token, read column by column in chunks (a
    5,000-person event's ORM objects would hold the loop for a quarter of a second)."""
    tokens = participant_tokens(event)
    query = (
        db.select(Participant.id, Participant.name, Participant.group, Participant.email, Participant.needs,
                  Participant.status, Participant.source)
        .where(Participant.event_id == event.id)
        .order_by(Participant.id)
    )
    views = []
    for person_id, name, group, email, needs, status, source in rows_in_chunks(query):
        token = tokens.get(person_id)
        view = {"id": person_id, "name": name, "group": group, "email": email, "needs": list(needs),
                "status": status, "source": source}
        if token is not None:
            view["token"] = token
        views.append(view)
    return views


def participant_tokens(event: Event) -> dict[int, str]:
    """Participant id → the token of their personal link (read by event: the links have no index by person)."""
    query = db.select(AccessLink.participant_id, AccessLink.token).where(
        AccessLink.event_id == event.id, AccessLink.role == "participant", AccessLink.participant_id.is_not(None)
    )
    return {person_id: token for person_id, token in rows_in_chunks(query)}


def joined_count(event: Event) -> int:
    """People in the event who have not left (counted by the database: 2,000 phones connect at once)."""
    query = db.select(db.func.count(Participant.id)).where(Participant.event_id == event.id,
                                                           Participant.status == "active")
    return int(db.session.execute(query).scalar_one())


def find_seat(person: Participant, round_number: int | None) -> tuple[Seat, CafeTable] | None:
    """A person's seat and table in a round, or None."""
    if round_number is None:
        return None
    row = db.session.execute(
        db.select(Seat, CafeTable)
        .join(Round, Seat.round_id == Round.id)
        .join(CafeTable, Seat.table_id == CafeTable.id)
        .where(Round.event_id == person.event_id, Round.number == round_number, Seat.participant_id == person.id)
    ).first()
    return (row[0], row[1]) if row else None


def seat_of(person: Participant, round_number: int | None) -> dict[str, Any] | None:
    """The table a person sits at in a round, or None when not seated (yet)."""
    found = find_seat(person, round_number)
    if found is None:
        return None
    seat, table = found
    return {
        "round": round_number,
        "checked_in": seat.checked_in_at is not None,
        "table": table_view(table, with_host=False),
    }


def me_view(person: Participant) -> dict[str, Any]:
    """A participant's own page: who they are, where they sit now and next, the route so far and the timer."""
    from .profile import profile_view

    event = person.event
    going = event.status in ("running", "paused")
    next_number = (event.current_round or 0) + 1
    rnd = next((r for r in event.rounds if r.number == event.current_round), None)
    route = [
        seat
        for r in event.rounds
        if r.status in ("ended", "running", "paused")
        for seat in [seat_of(person, r.number)]
        if seat
    ]
    return {
        "name": person.name,
        "group": person.group,
        "status": person.status,
        "event": {
            "id": event.public_id,
            "name": event.name,
            "status": event.status,
            "rounds": len(event.rounds),
            "language": event.language,
            "current_round": event.current_round,
            "participant_notes": event.participant_notes,
            # The follow-up pack (DESIGN.md §8) offers the summary once the moderator shared it.
            "summary_shared": event.summary_shared,
            "privacy_notice": event.privacy_notice,
        },
        "profile": profile_view(person),
        "current": seat_of(person, event.current_round if going else None),
        "next": seat_of(person, next_number) if next_number <= len(event.rounds) else None,
        "round": round_view(rnd) if rnd else None,
        "route": route,
        "waiting": waiting_view(person),
    }


def waiting_view(person: Participant) -> dict[str, Any] | None:
    """A person the full room has no seat for now: from which round on they have one (None: not yet planned)."""
    from .planning import seating_round, seats_of_person

    # This person's seats only: the phone page and every phone's snapshot ask, so no query over the whole room.
    number = seating_round(person.event)
    if person.status != "active" or number is None:
        return None
    seats = seats_of_person(person)
    if number in seats:
        return None
    later = [n for n in seats if n > number]
    return {"from_round": min(later) if later else None}


def seating_view(event: Event) -> dict[str, Any]:
    """Who sits where in the round running or the next one: the projector's "find your table" list."""
    going = event.status in ("running", "paused")
    number = event.current_round if going else (event.current_round or 0) + 1
    if number is None or number > len(event.rounds):
        return {"round": None, "people": []}
    rows = db.session.execute(
        db.select(Participant.name, CafeTable.number, Topic.colour)
        .join(Seat, Seat.participant_id == Participant.id)
        .join(Round, Seat.round_id == Round.id)
        .join(CafeTable, Seat.table_id == CafeTable.id)
        .outerjoin(Topic, CafeTable.topic_id == Topic.id)
        .where(Round.event_id == event.id, Round.number == number)
    ).all()
    people = sorted(({"name": n, "table": t, "colour": c or NO_TOPIC_COLOUR} for n, t, c in rows),
                    key=lambda p: p["name"].casefold())
    return {"round": number, "people": people}


# The projector's wall shows the newest notes: a snapshot sends it these, not the whole event's.
SCREEN_NOTES = 100


def snapshot(access: Access) -> dict[str, Any]:
    """The whole state a client of this role needs, sent on connect or when replay is not possible."""
    event = access.event
    data: dict[str, Any] = {"role": access.role}
    if access.role == "moderator":
        data["event"] = full_view(event)
    elif access.role == "participant":
        # A phone needs its own view only: the full public view per connect made a room of phones arriving O(N²).
        data["event"] = {"id": event.public_id, "status": event.status, "current_round": event.current_round}
    else:
        data["event"] = public_view(event)
    if access.role == "host" and access.table is not None:
        from .notes import is_pad_open, list_notes

        data["table"] = table_view(access.table)
        data["notes"] = list_notes(access)
        data["pad_open"] = is_pad_open(event)
    if access.role == "screen":
        from .notes import list_notes

        data["notes"] = list_notes(access, newest=SCREEN_NOTES)
    if access.role == "participant" and access.participant is not None:
        data["me"] = me_view(access.participant)
    from .broadcasts import on_show

    data["broadcasts"] = on_show(event, role=access.role)  # only those still on show: a late joiner sees no old news
    return data
