"""Checking in: a participant scans the QR on a table card; we confirm the seat or say kindly where to go."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from ..extensions import db
from ..models import CafeTable, Note, Participant, Round, Seat, utcnow
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


# A table whose pad stays empty this long in a running round is flagged on the console (talk may have stalled, or
# the host tablet is not being used).
SILENT_AFTER_S = 5 * 60


def table_health(event_id: int, number: int, hosts_online: set[int]) -> dict[str, Any]:
    """Per table for round ``number``: host tablet online, notes written this round, the last note's time, and
    whether the table has been silent for ``SILENT_AFTER_S`` in a running round."""
    rnd = db.session.execute(
        db.select(Round.status, Round.started_at).where(Round.event_id == event_id, Round.number == number)
    ).first()
    notes = {
        table_id: (count, last)
        for table_id, count, last in db.session.execute(
            db.select(Note.table_id, db.func.count(Note.id), db.func.max(Note.created_at))
            .where(Note.event_id == event_id, Note.round_number == number, Note.deleted_at.is_(None))
            .group_by(Note.table_id)
        )
    }
    seated = {
        table_id
        for (table_id,) in db.session.execute(
            db.select(Seat.table_id).join(Round, Seat.round_id == Round.id)
            .where(Round.event_id == event_id, Round.number == number).distinct()
        )
    }
    running = rnd is not None and rnd.status == "running" and rnd.started_at is not None
    now = utcnow()
    tables = []
    for table_id, table_number in db.session.execute(
        db.select(CafeTable.id, CafeTable.number).where(CafeTable.event_id == event_id).order_by(CafeTable.number)
    ):
        count, last = notes.get(table_id, (0, None))
        quiet_since = max(filter(None, (last, rnd.started_at if rnd is not None else None)), default=None)
        silent = bool(running and table_id in seated and quiet_since is not None
                      and (now - quiet_since).total_seconds() >= SILENT_AFTER_S)
        tables.append({
            "table": table_number,
            "host_online": table_id in hosts_online,
            "notes": count,
            "last_note_at": last.isoformat() if last is not None else None,
            "silent": silent,
        })
    return {"round": number, "running": running, "silent_after_s": SILENT_AFTER_S, "tables": tables}
