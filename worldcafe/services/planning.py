"""Planning who sits where: the event as rotation input, the plan stored as seats, re-planning what is not played."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask_babel import gettext as _

from ..domain import rotation
from ..extensions import db
from ..models import CafeTable, Event, Round, Seat
from ..realtime.rooms import moderators_room
from .errors import ServiceError
from .live import Push, record

PLAYED = ("running", "paused", "ended")


def _seats_by_round(event: Event) -> dict[int, dict[int, int]]:
    """round number → {participant id: table number} for every stored seat."""
    rows = db.session.execute(
        db.select(Round.number, Seat.participant_id, CafeTable.number)
        .join(Seat, Seat.round_id == Round.id)
        .join(CafeTable, Seat.table_id == CafeTable.id)
        .where(Round.event_id == event.id)
    )
    seats: dict[int, dict[int, int]] = defaultdict(dict)
    for number, person, table in rows:
        seats[number][person] = table
    return seats


def rotation_input(event: Event, seed: int | None = None, time_limit_s: float = 1.0) -> dict[str, Any]:
    """The event in the rotation contract's input format (DESIGN.md §5); ids are participant ids and table numbers."""
    seats = _seats_by_round(event)
    played = [r.number for r in event.rounds if r.status in PLAYED]
    sat_in_played = {pid for number in played for pid in seats.get(number, {})}
    people = []
    for person in event.participants:
        if person.status != "active" and person.id not in sat_in_played:
            continue
        people.append(
            {
                "id": str(person.id),
                "group": person.group,
                "needs": list(person.needs),
                "left": person.status != "active",
            }
        )
    spec: dict[str, Any] = {
        "rounds": len(event.rounds),
        "tables": [
            {
                "id": str(t.number),
                "topic": t.topic.title if t.topic else None,
                "capacity": t.capacity,
                "tags": list(t.tags),
            }
            for t in event.tables
        ],
        "participants": people,
        "played": [{str(p): str(t) for p, t in seats.get(number, {}).items()} for number in played],
        "seed": event.id if seed is None else seed,
        "time_limit_s": time_limit_s,
    }
    if seats:
        known = {p["id"] for p in people}
        spec["previous_plan"] = [
            {str(p): str(t) for p, t in seats.get(r.number, {}).items() if str(p) in known} for r in event.rounds
        ]
    return spec


def plan_event(event: Event) -> tuple[dict[str, Any], list[Push]]:
    """(Re)plan every round not yet played, keeping played rounds and changing as few seats as possible."""
    if event.status in ("harvest", "closed"):
        raise ServiceError("wrong_state", _("The rounds are over; there is nothing left to plan."))
    if not event.tables:
        raise ServiceError("wrong_state", _("Add tables before planning."))
    if not any(p.status == "active" for p in event.participants):
        raise ServiceError("wrong_state", _("Add participants before planning."))
    try:
        result = rotation.plan(rotation_input(event))
    except rotation.RotationInputError as exc:
        raise ServiceError("unprocessable", str(exc)) from None
    tables = {str(t.number): t.id for t in event.tables}
    for rnd, assignment in zip(event.rounds, result["rounds"], strict=True):
        if rnd.status in PLAYED:
            continue
        db.session.execute(db.delete(Seat).where(Seat.round_id == rnd.id))
        db.session.add_all(
            Seat(round_id=rnd.id, participant_id=int(pid), table_id=tables[tid]) for pid, tid in assignment.items()
        )
    event.plan_metrics = result["metrics"]
    if event.status == "setup":
        event.status = "ready"
    push = record(event, "plan_published", {"metrics": result["metrics"]}, [moderators_room(event.id)])
    db.session.commit()
    return result["metrics"], [push]


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
