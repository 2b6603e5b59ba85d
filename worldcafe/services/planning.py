"""Planning who sits where: the event as rotation input, the plan stored as seats, re-planning what is not played."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.orm import selectinload

from .. import offload
from ..domain import rotation
from ..extensions import db
from ..models import CafeTable, Event, Participant, Round, Seat, Topic
from ..realtime.rooms import moderators_room, person_room
from .errors import ServiceError
from .live import Push, record, record_many, replan_wanted
from .matchmaking import add_meet_requests
from .participants import attendance_push
from .reading import let_others_run, rows_in_chunks
from .views import table_view

PLAYED = ("running", "paused", "ended")
# A plan computed while the event changed is made again; an event that never holds still gets an answer anyway.
PLAN_ATTEMPTS = 5


def _seats_by_round(event: Event, *, pause: bool = False) -> dict[int, dict[int, int]]:
    """round number → {participant id: table number} for every stored seat.

    ``pause``: fetch a chunk at a time and let the loop serve others in between (3 rounds of 1,000 people, 3,000
    rows, held the loop 16–100 ms in one go during a walk-in burst, profiled; only where nothing is written in this
    transaction).
    """
    query = (
        db.select(Round.number, Seat.participant_id, CafeTable.number)
        .join(Seat, Seat.round_id == Round.id)
        .join(CafeTable, Seat.table_id == CafeTable.id)
        .where(Round.event_id == event.id)
    )
    rows = rows_in_chunks(query) if pause else db.session.execute(query)
    seats: dict[int, dict[int, int]] = defaultdict(dict)
    for number, person, table in rows:
        seats[number][person] = table
    return seats


def _rounds(event: Event) -> list[tuple[int, int, str]]:
    """(id, number, status) of the event's rounds, in order."""
    query = db.select(Round.id, Round.number, Round.status).where(Round.event_id == event.id).order_by(Round.number)
    return [tuple(row) for row in db.session.execute(query)]  # type: ignore[misc]


def rotation_input(
    event: Event, seed: int | None = None, time_limit_s: float = 1.0, *, pause: bool = False
) -> dict[str, Any]:
    """The event in the rotation contract's input format (DESIGN.md §5); ids are participant ids and table numbers.

    ``pause``: let the loop serve others between the reads (only where nothing is written in this transaction).
    """
    return _planning_input(event, seed, time_limit_s, pause=pause)[0]


def _planning_input(
    event: Event, seed: int | None = None, time_limit_s: float = 1.0, *, pause: bool = False
) -> tuple[dict[str, Any], dict[int, dict[int, int]]]:
    """The rotation input and every stored seat it was made from (round number → {participant id: table number})."""
    # Column by column, no ORM objects: at 1,000 people this runs twice per re-plan on the serving loop.
    seats = _seats_by_round(event, pause=pause)
    rounds = _rounds(event)
    played = [number for _id, number, status in rounds if status in PLAYED]
    sat_in_played = {pid for number in played for pid in seats.get(number, {})}
    people = []
    query = (
        db.select(Participant.id, Participant.group, Participant.needs, Participant.status)
        .where(Participant.event_id == event.id)
        .order_by(Participant.id)
    )
    for pid, group, needs, status in db.session.execute(query):
        if status != "active" and pid not in sat_in_played:
            continue
        people.append({"id": str(pid), "group": group, "needs": list(needs), "left": status != "active"})
    # Pairs to seat together (DESIGN.md §8): matched profiles when the moderator asked for it, and their own pairs.
    add_meet_requests(event, people)
    if pause:
        let_others_run()
    tables = [
        {"id": str(number), "topic": title, "capacity": capacity, "tags": list(tags)}
        for number, title, capacity, tags in db.session.execute(
            db.select(CafeTable.number, Topic.title, CafeTable.capacity, CafeTable.tags)
            .outerjoin(Topic, CafeTable.topic_id == Topic.id)
            .where(CafeTable.event_id == event.id)
            .order_by(CafeTable.number)
        )
    ]
    if event.plan_metrics:
        # A first plan with too few seats is the moderator's to fix (a clear error); once a plan is out,
        # newcomers to a full room wait for a seat instead.
        _wait_beyond_capacity(sum(t["capacity"] for t in tables), [n for _i, n, _s in rounds], people, seats, played)
    spec: dict[str, Any] = {
        "rounds": len(rounds),
        "tables": tables,
        "participants": people,
        "played": [{str(p): str(t) for p, t in seats.get(number, {}).items()} for number in played],
        "seed": event.id if seed is None else seed,
        "time_limit_s": time_limit_s,
    }
    if seats:
        known = {p["id"] for p in people}
        spec["previous_plan"] = [
            {str(p): str(t) for p, t in seats.get(number, {}).items() if str(p) in known} for _i, number, _s in rounds
        ]
    return spec, seats


def _wait_beyond_capacity(
    capacity: int, numbers: list[int], people: list[dict[str, Any]], seats: dict[int, dict[int, int]], played: list[int]
) -> None:
    """More people than seats in a round to come: the latest arrivals wait that round (absent for the planner).

    Walk-ins to a full room are accepted; they wait at the front until someone leaves or the moderator adds
    seats, and the plan seats them from the first round that has room. Who sat in a round keeps the seat.
    """
    active = [p for p in people if not p["left"]]
    for number in numbers:
        if number in played:
            continue
        over = len(active) - capacity
        if over <= 0:
            continue
        seated = seats.get(number, {})
        # Latest arrivals first (ids grow with arrival); a published seat in this round is kept where possible.
        for person in sorted(active, key=lambda p: (int(p["id"]) in seated, -int(p["id"])))[:over]:
            person.setdefault("absent_rounds", []).append(number)


def seating_round(event: Event) -> int | None:
    """The round whose seat counts now for a planned event: the one running, or between rounds the next one."""
    if not event.plan_metrics or event.status not in ("ready", "running", "paused", "moving"):
        return None
    number = event.current_round if event.status in ("running", "paused") else (event.current_round or 0) + 1
    return number if number and number <= len(event.rounds) else None


def waiting_people(event: Event) -> list[int]:
    """Active people without a seat in the round running now (or, between rounds, the next one)."""
    number = seating_round(event)
    if number is None:
        return []
    # The database finds the few without a seat (a walk-in burst asks this at 1,000 people: no 2,000 rows to Python).
    seated = (
        db.select(Seat.id)
        .join(Round, Seat.round_id == Round.id)
        .where(Seat.participant_id == Participant.id, Round.event_id == event.id, Round.number == number)
    )
    waiting = db.select(Participant.id).where(
        Participant.event_id == event.id, Participant.status == "active", ~seated.exists()
    )
    return list(db.session.execute(waiting.order_by(Participant.id)).scalars())


def seats_of_person(person: Participant) -> dict[int, int]:
    """round number → table number for one person."""
    rows = db.session.execute(
        db.select(Round.number, CafeTable.number)
        .join(Seat, Seat.round_id == Round.id)
        .join(CafeTable, Seat.table_id == CafeTable.id)
        .where(Seat.participant_id == person.id)
    )
    return dict(rows.tuples().all())


def seats_in_round(event: Event, number: int) -> dict[int, int]:
    """participant id → table number in one round."""
    rows = db.session.execute(
        db.select(Seat.participant_id, CafeTable.number)
        .join(Round, Seat.round_id == Round.id)
        .join(CafeTable, Seat.table_id == CafeTable.id)
        .where(Round.event_id == event.id, Round.number == number)
    )
    return dict(rows.tuples().all())


def upcoming_rounds(event: Event) -> list[int]:
    """The rounds whose seats a phone shows: the one running (if any) and the next one."""
    total = len(event.rounds)
    current = event.current_round or 0
    numbers = [current, current + 1] if event.status in ("running", "paused") else [current + 1]
    return [n for n in numbers if 1 <= n <= total]


def seat_map(event: Event, numbers: list[int], people: list[int] | None = None) -> dict[tuple[int, int], int]:
    """(participant id, round number) → table number for the given rounds (and only these people, if given)."""
    if people is not None:
        rows = db.session.execute(
            db.select(Seat.participant_id, Round.number, CafeTable.number)
            .join(Round, Seat.round_id == Round.id)
            .join(CafeTable, Seat.table_id == CafeTable.id)
            .where(Round.event_id == event.id, Round.number.in_(numbers), Seat.participant_id.in_(people))
        )
        return {(pid, number): table for pid, number, table in rows}
    seats = _seats_by_round(event)
    return {(pid, number): table for number in numbers for pid, table in seats.get(number, {}).items()}


def assignment_items(
    event: Event, before: dict[tuple[int, int], int], after: dict[tuple[int, int], int]
) -> list[tuple[str, dict[str, Any], list[str]]]:
    """An ``assignment_changed`` for every person whose seat in the current or next round changed."""
    changed = [(pid, n, table) for (pid, n), table in sorted(after.items()) if before.get((pid, n)) != table]
    if not changed:
        return []
    # Each table (with its topic, in one query) is drawn once, however many people it receives.
    query = (
        db.select(CafeTable)
        .options(selectinload(CafeTable.topic))
        .where(CafeTable.event_id == event.id, CafeTable.number.in_({table for _p, _n, table in changed}))
    )
    views = {t.number: table_view(t, with_host=False) for t in db.session.execute(query).scalars()}
    return [
        ("assignment_changed", {"round": number, "table": views[table]}, [person_room(pid)])
        for pid, number, table in changed
    ]


def check_plannable(event: Event) -> None:
    """Refuse planning an event that has nothing (left) to plan."""
    if event.status in ("harvest", "closed"):
        raise ServiceError("wrong_state", _("The rounds are over; there is nothing left to plan."))
    if db.session.execute(db.select(CafeTable.id).where(CafeTable.event_id == event.id).limit(1)).first() is None:
        raise ServiceError("wrong_state", _("Add tables before planning."))
    active = db.select(Participant.id).where(Participant.event_id == event.id, Participant.status == "active")
    if db.session.execute(active.limit(1)).first() is None:
        raise ServiceError("wrong_state", _("Add participants before planning."))


def infeasible_message(exc: rotation.RotationInputError) -> str:
    """Why the rounds can't be planned, in the request's language (the engine words it in English only)."""
    facts: dict[str, Any] = dict(exc.facts)
    if exc.reason == "seats":
        return _(
            "Not enough seats for everyone in the rounds to come: in round %(round)s, %(people)s people are here but "
            "all tables together have only %(seats)s seats. Add tables or seats, or mark absent people.",
            **facts,
        )
    if exc.reason == "needs_seats":
        return _(
            "In round %(round)s, %(people)s people need “%(needs)s”, but the tables with these tags have only "
            "%(seats)s seats. Add the tags to another table or give those tables more seats.",
            **facts,
        )
    if exc.reason == "needs_tables":
        person = db.session.get(Participant, int(facts["participant"])) if str(facts["participant"]).isdigit() else None
        return _(
            "%(name)s needs “%(needs)s”, but no table with seats has all of these tags. Add the tags to a table, or "
            "change what %(name)s needs.",
            name=person.name if person is not None else facts["participant"],
            needs=facts["needs"],
        )
    if exc.reason == "needs_mix":
        return _(
            "In round %(round)s, the tables cannot seat everyone where their needs are met. Add the tags to more "
            "tables or give those tables more seats.",
            **facts,
        )
    return str(exc)


def compute_plan(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the rotation engine on a rotation input, in a worker process (it takes up to its time limit)."""
    try:
        return offload.run(rotation.plan, spec)
    except rotation.RotationInputError as exc:
        raise ServiceError("unprocessable", infeasible_message(exc)) from None
    except offload.WorkerUnavailable:
        raise ServiceError("unavailable", _("The planner is busy; please try again in a moment.")) from None


def store_plan(
    event: Event, result: dict[str, Any], stored: dict[int, dict[int, int]] | None = None
) -> dict[str, Any]:
    """Write a computed plan's unplayed rounds into the seat table (in the caller's transaction).

    ``stored``: the seats as they are in the database (round number → {participant id: table number}), when the
    caller has just read them under the event's lock; otherwise they are read here.
    """
    tables = {
        str(number): table_id
        for table_id, number in db.session.execute(
            db.select(CafeTable.id, CafeTable.number).where(CafeTable.event_id == event.id)
        )
    }
    for (round_id, number, status), assignment in zip(_rounds(event), result["rounds"], strict=True):
        if status in PLAYED:
            continue
        if stored is None:
            existing = dict(
                db.session.execute(db.select(Seat.participant_id, Seat.table_id).where(Seat.round_id == round_id))
                .tuples()
                .all()
            )
        else:
            existing = {pid: tables[str(table)] for pid, table in stored.get(number, {}).items()}
        added, moved = [], []
        for pid_text, tid in assignment.items():
            old = existing.pop(int(pid_text), None)
            if old is None:
                added.append({"round_id": round_id, "participant_id": int(pid_text), "table_id": tables[tid]})
            elif old != tables[tid]:
                # A new table voids a check-in made for the old one; an unchanged seat keeps it.
                moved.append({"r": round_id, "p": int(pid_text), "table_id": tables[tid]})
        # Core statements on the table: a thousand seats in three round trips, no ORM objects on the loop. A seat is
        # found by (round, person), which is unique.
        seat = Seat.__table__
        if added:
            db.session.execute(insert(seat), added)
        if moved:
            db.session.execute(
                update(seat)
                .where(seat.c.round_id == bindparam("r"), seat.c.participant_id == bindparam("p"))
                .values(table_id=bindparam("table_id"), checked_in_at=None),
                moved,
            )
        if existing:
            db.session.execute(delete(seat).where(seat.c.round_id == round_id, seat.c.participant_id.in_(existing)))
    db.session.expire_all()  # seats loaded before (e.g. a person's) must not hide what was written here
    event.plan_metrics = result["metrics"]
    if event.status == "setup":
        event.status = "ready"
    return dict(result["metrics"])


def replan(event: Event) -> dict[str, Any]:
    """Plan the unplayed rounds into the seat table (in the caller's transaction); returns the metrics."""
    check_plannable(event)
    return store_plan(event, compute_plan(rotation_input(event)))


def plan_event(event: Event) -> tuple[dict[str, Any], list[Push]]:
    """(Re)plan every round not yet played, keeping played rounds and changing as few seats as possible."""
    event_id = event.id
    for _attempt in range(PLAN_ATTEMPTS):
        check_plannable(event)
        # Nothing is written before the rollback below (it would be lost), so the reads may let others in between.
        spec = rotation_input(event, pause=True)
        # The engine runs in a worker; nothing of this request's transaction is held open meanwhile.
        db.session.rollback()
        result = compute_plan(spec)
        event = db.session.get(Event, event_id, with_for_update=True) or event
        # Under the lock, the loop is held from here to the commit: what this read brings is all that is read.
        now, seats = _planning_input(event)
        if now == spec:
            return publish_plan(event, result, spec, seats)
        # Someone joined, left or changed the setup while the engine ran: plan again with the new facts.
    raise ServiceError("unavailable", _("The planner is busy; please try again in a moment."))


def publish_plan(
    event: Event, result: dict[str, Any], spec: dict[str, Any], seats: dict[int, dict[int, int]]
) -> tuple[dict[str, Any], list[Push]]:
    """Store a plan computed from ``spec`` and commit; ``seats`` are the stored seats that spec was read from (under
    the event's lock, so nothing is read again). Returns the metrics and the pushes (a seat changed: that person)."""
    numbers = upcoming_rounds(event)
    before = {(pid, n): table for n in numbers for pid, table in seats.get(n, {}).items()}
    played = {number for _id, number, status in _rounds(event) if status in PLAYED}
    metrics = store_plan(event, result, seats)
    planned = {
        n: seats.get(n, {}) if n in played else {int(pid): int(table) for pid, table in result["rounds"][n - 1].items()}
        for n in numbers
    }
    after = {(pid, n): table for n in numbers for pid, table in planned[n].items()}
    seating = seating_round(event)
    seated = planned.get(seating, {}) if seating else {}
    waiting = sum(1 for p in spec["participants"] if seating and not p["left"] and int(p["id"]) not in seated)
    items = [("plan_published", {"metrics": metrics, "waiting": waiting}, [moderators_room(event.id)])]
    pushes = record_many(event, items + assignment_items(event, before, after))
    db.session.commit()
    return metrics, pushes


def seat_now(event: Event, people: list[Participant]) -> None:
    """Seat people in the running round at once: the emptiest tables that their needs allow."""
    if event.status not in ("running", "paused") or event.current_round is None:
        return
    round_id = db.session.execute(
        db.select(Round.id).where(Round.event_id == event.id, Round.number == event.current_round)
    ).scalar_one()
    # Counted by the database, and only these people looked up: a burst of walk-ins at 1,000 people reads 100 rows.
    counts: dict[int, int] = defaultdict(int)
    counted = db.select(Seat.table_id, db.func.count()).where(Seat.round_id == round_id).group_by(Seat.table_id)
    for table_id, count in db.session.execute(counted):
        counts[table_id] = count
    ids = [person.id for person in people]
    seated = set(
        db.session.execute(
            db.select(Seat.participant_id).where(Seat.round_id == round_id, Seat.participant_id.in_(ids))
        ).scalars()
    )
    # Read each table once, as plain rows (a burst of 25 walk-ins at 100 tables would otherwise touch 2,500 ORM
    # attributes; loading them as objects was 8 ms of a 236 ms stretch in a profile of a 50-join burst).
    tables = [
        (table_id, frozenset(tags), capacity, number)
        for table_id, tags, capacity, number in db.session.execute(
            db.select(CafeTable.id, CafeTable.tags, CafeTable.capacity, CafeTable.number).where(
                CafeTable.event_id == event.id
            )
        )
    ]
    for person in people:
        if person.id in seated:  # e.g. marked as left and back within the same round
            continue
        needs = frozenset(person.needs)
        fitting = [t for t in tables if needs <= t[1] and counts[t[0]] < t[2]]
        if not fitting:
            continue  # the room is full: they wait at the front until a seat is free or added
        table_id, _tags, _capacity, _number = min(fitting, key=lambda t: (counts[t[0]] / max(t[2], 1), t[3]))
        db.session.add(Seat(round_id=round_id, participant_id=person.id, table_id=table_id))
        counts[table_id] += 1
    db.session.flush()


def reseat_after_change(event: Event, newcomers: list[Participant]) -> list[Push]:
    """After people arrived, left or did not show, or the tables changed: seat newcomers in the running round
    now where there is room, and have the rounds to come re-planned in the background (``replan_wanted``)."""
    if not event.plan_metrics or event.status in ("harvest", "closed"):
        return []  # nothing planned yet, or no rounds left: people join for the harvest only
    # Whoever waits at the front (a full room) takes a seat freed or added now, in order of arrival. Only they
    # and the newcomers can get a seat here (the re-plan of the rest comes later), so only their seats are read.
    waiting = sorted(set(waiting_people(event)) - {p.id for p in newcomers})
    # One query for the whole queue (one lookup each took 0.5 ms: 25 ms a batch of walk-ins to a full room).
    found = {p.id: p for p in db.session.execute(db.select(Participant).where(Participant.id.in_(waiting))).scalars()}
    queue = [found[pid] for pid in waiting if pid in found]
    affected = waiting + [p.id for p in newcomers]
    before = seat_map(event, upcoming_rounds(event), affected)
    seat_now(event, queue + newcomers)
    after = seat_map(event, upcoming_rounds(event), affected)
    return record_many(event, assignment_items(event, before, after)) + [replan_wanted(event)]


def set_status(event: Event, participant_id: int, status: str) -> list[Push]:
    """Mark someone as left, absent (no-show) or back; their future seats go to others."""
    if status not in ("active", "left", "no_show"):
        raise ServiceError("invalid", _("Status must be active, left or no_show."))
    person = db.session.get(Participant, participant_id)
    if person is None or person.event_id != event.id:
        raise ServiceError("not_found", _("There is no such participant in this event."))
    if person.status == status:
        return []
    person.status = status
    current = event.current_round if event.status in ("running", "paused") else None
    if status != "active":
        # Free their seats from now on; a no-show also frees the round that is running.
        keep_until = current if status == "left" else (current or 0) - 1
        for rnd in event.rounds:
            if rnd.number > (keep_until or 0) and rnd.status != "ended":
                db.session.execute(db.delete(Seat).where(Seat.round_id == rnd.id, Seat.participant_id == person.id))
    db.session.flush()
    pushes = [
        record(
            event,
            "participant_changed",
            {"participant": {"id": person.id, "status": status}},
            [moderators_room(event.id)],
        ),
        attendance_push(event),
    ]
    pushes += reseat_after_change(event, [person] if status == "active" else [])
    db.session.commit()
    return pushes


def plan_view(event: Event) -> dict[str, Any]:
    """The stored plan for the moderator: per round the tables with their people, per person the route."""
    seats = _seats_by_round(event)
    names = {p.id: p for p in event.participants}
    rounds = []
    for rnd in event.rounds:
        by_table: dict[int, list[int]] = defaultdict(list)
        for pid, table in seats.get(rnd.number, {}).items():
            by_table[table].append(pid)
        rounds.append(
            {
                "number": rnd.number,
                "status": rnd.status,
                "tables": [
                    {
                        "number": t.number,
                        "people": [
                            {"id": pid, "name": names[pid].name, "group": names[pid].group}
                            for pid in sorted(by_table.get(t.number, []), key=lambda i: names[i].name.casefold())
                        ],
                    }
                    for t in event.tables
                ],
            }
        )
    people = [
        {
            "id": p.id,
            "name": p.name,
            "group": p.group,
            "status": p.status,
            "tables": [seats.get(r.number, {}).get(p.id) for r in event.rounds],
        }
        for p in event.participants
    ]
    return {"planned": bool(seats), "metrics": event.plan_metrics, "rounds": rounds, "people": people}
