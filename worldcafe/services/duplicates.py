"""One person, two records (a lost link, a second phone): find the likely pairs and merge them."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update

from .. import offload
from ..domain.names import duplicate_pairs
from ..extensions import db
from ..models import Event, Note, Participant, Seat, Vote
from ..realtime.rooms import moderators_room, person_room
from .errors import ServiceError
from .live import Push, record, record_many
from .participants import attendance_push, find_participant, participant_view
from .spec import MergeSpec, parse


def likely_duplicates(event: Event) -> list[dict[str, Any]]:
    """Pairs of people whose names look alike, most similar first, for the moderator to merge or ignore.
    The names are compared in a worker (5,000 people: about a second of fuzzy matching)."""
    rows = db.session.execute(
        db.select(Participant.id, Participant.name).where(Participant.event_id == event.id).order_by(Participant.id)
    ).all()
    pairs = offload.run(duplicate_pairs, [name for _, name in rows])
    ids = {rows[k][0] for i, j, _score in pairs for k in (i, j)}
    people = {p.id: p for p in db.session.execute(db.select(Participant).where(Participant.id.in_(ids))).scalars()}
    return [
        {"a": participant_view(people[rows[i][0]]), "b": participant_view(people[rows[j][0]]), "similarity": score}
        for i, j, score in pairs
    ]


def _move_seats(event: Event, keep: Participant, drop: Participant) -> None:
    """Played rounds keep what happened (the kept record's seat wins); rounds to come are re-planned anyway."""
    seats: dict[tuple[int, int], Seat] = {
        (seat.round_id, seat.participant_id): seat
        for seat in db.session.execute(
            db.select(Seat).where(Seat.participant_id.in_([keep.id, drop.id]))
        ).scalars()
    }
    for rnd in event.rounds:
        dropped = seats.get((rnd.id, drop.id))
        if dropped is None:
            continue
        kept = seats.get((rnd.id, keep.id))
        if rnd.status == "planned" or kept is not None:
            if kept is not None and kept.table_id == dropped.table_id and kept.checked_in_at is None:
                kept.checked_in_at = dropped.checked_in_at  # checked in at the same table under the other record
            db.session.delete(dropped)
        else:
            dropped.participant_id = keep.id
    db.session.flush()


def _move_votes(event: Event, keep: Participant, drop: Participant) -> None:
    """The dropped record's dots go to the kept one, as far as the kept one still has dots left."""
    used = db.session.execute(
        db.select(db.func.count(Vote.id)).where(Vote.participant_id == keep.id)
    ).scalar_one()
    room = max(0, event.votes_per_person - int(used))
    votes = db.session.execute(
        db.select(Vote).where(Vote.participant_id == drop.id).order_by(Vote.created_at, Vote.id)
    ).scalars().all()
    for vote in votes[:room]:
        vote.participant_id = keep.id
    for vote in votes[room:]:
        db.session.delete(vote)


def merge(event: Event, data: Any) -> tuple[dict[str, Any], list[Push], list[str]]:
    """Merge ``drop`` into ``keep``: seats of played rounds, notes, votes and check-ins move, blanks are filled,
    the dropped record and its link go; returns the kept person, the pushes and the dropped record's tokens."""
    spec = parse(MergeSpec, data)
    if spec.keep == spec.drop:
        raise ServiceError("invalid", _("Choose two different people to merge."))
    keep, drop = find_participant(event, spec.keep), find_participant(event, spec.drop)
    from .planning import assignment_items, seat_map, upcoming_rounds

    before = {k: v for k, v in seat_map(event, upcoming_rounds(event)).items() if k[0] == keep.id}
    _move_seats(event, keep, drop)
    db.session.execute(update(Note).where(Note.participant_id == drop.id).values(participant_id=keep.id))
    _move_votes(event, keep, drop)
    keep.group = keep.group or drop.group
    keep.email = keep.email or drop.email
    if drop.status == "active":
        keep.status = "active"  # one of the two records is here, so the person is
    dead_tokens = [link.token for link in drop.links]
    dropped_id = drop.id
    db.session.delete(drop)
    db.session.flush()
    db.session.expire(event, ["participants"])
    pushes = [
        record(
            event,
            "participant_removed",
            {"participant_id": dropped_id, "merged_into": keep.id},
            [moderators_room(event.id)],
        ),
        record(event, "participant_changed", {"participant": participant_view(keep)}, [moderators_room(event.id)]),
        attendance_push(event),
    ]
    pushes += _replan(event)
    if not any(p.name == "assignment_changed" and person_room(keep.id) in p.rooms for p in pushes):
        after = {k: v for k, v in seat_map(event, upcoming_rounds(event)).items() if k[0] == keep.id}
        pushes += record_many(event, assignment_items(event, before, after))
    db.session.commit()
    return participant_view(keep), pushes, dead_tokens


def _replan(event: Event) -> list[Push]:
    """The rounds to come without the dropped record (this module's one re-plan call)."""
    from .planning import reseat_after_change

    return reseat_after_change(event, [])
