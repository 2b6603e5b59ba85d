"""Checking in: a participant scans the QR on a table card; we confirm the seat or say kindly where to go."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from ..extensions import db
from ..models import CafeTable, Participant, Round, Seat, utcnow
from ..realtime.rooms import moderators_room
from .errors import ServiceError
from .live import Push, record
from .views import find_seat, table_view


def table_by_code(code: str) -> CafeTable:
    """The table whose card carries this check-in code."""
    table = db.session.execute(db.select(CafeTable).filter_by(checkin_code=code)).scalar_one_or_none()
    if table is None:
        raise ServiceError("not_found", _("This table code is unknown."))
    return table


def checkin_round(person: Participant) -> int | None:
    """The round people check in for: the one running, else the next one they are moving to."""
    event = person.event
    if event.status in ("running", "paused"):
        return event.current_round
    if event.status in ("ready", "moving"):
        following = (event.current_round or 0) + 1
        return following if following <= len(event.rounds) else None
    return None


def check_in(person: Participant, table: CafeTable) -> tuple[dict[str, Any], list[Push]]:
    """Confirm the seat when the scanned table is the person's table; otherwise say which table is theirs."""
    if table.event_id != person.event_id:
        raise ServiceError("forbidden", _("This table belongs to another event."))
    number = checkin_round(person)
    if number is None:
        raise ServiceError("wrong_state", _("There is no round to check in for right now."))
    row = find_seat(person, number)
    if row is None:
        raise ServiceError("not_found", _("You have no seat in round %(n)s yet. Please ask the moderator.", n=number))
    seat, own = row
    result: dict[str, Any] = {
        "round": number,
        "scanned": table_view(table, with_host=False),
        "yours": table_view(own, with_host=False),
        "checked_in": own.id == table.id,
    }
    if own.id != table.id:
        return result, []
    pushes = []
    if seat.checked_in_at is None:
        seat.checked_in_at = utcnow()
        count = db.session.execute(
            db.select(db.func.count())
            .select_from(Seat)
            .where(Seat.round_id == seat.round_id, Seat.table_id == own.id, Seat.checked_in_at.is_not(None))
        ).scalar_one()
        pushes.append(
            record(
                person.event,
                "checked_in",
                {"round": number, "table": own.number, "count": count, "participant_id": person.id},
                [moderators_room(person.event_id)],
            )
        )
        db.session.commit()
    return result, pushes


def occupancy(event_id: int, number: int) -> list[dict[str, Any]]:
    """Per table of a round: how many are planned and how many checked in."""
    rows = db.session.execute(
        db.select(CafeTable.number, db.func.count(Seat.id), db.func.count(Seat.checked_in_at))
        .join(Round, Seat.round_id == Round.id)
        .join(CafeTable, Seat.table_id == CafeTable.id)
        .where(Round.event_id == event_id, Round.number == number)
        .group_by(CafeTable.number)
    ).all()
    return [{"table": table, "planned": planned, "checked_in": checked} for table, planned, checked in rows]
