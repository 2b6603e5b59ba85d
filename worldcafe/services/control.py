"""Running the event: start, pause, resume, extend, end (and undo) rounds, harvest, close — each exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from ..domain import flow, timer
from ..extensions import db
from ..models import Event, Round, Seat, utcnow
from ..realtime.rooms import event_room, moderators_room, person_room
from . import broadcasts
from .errors import ServiceError
from .live import Push, record_many
from .planning import replan
from .spec import ControlSpec, parse
from .views import round_view, table_view


def clock_of(rnd: Round) -> timer.Clock:
    """The round's timer as the pure timer maths sees it."""
    return timer.Clock(
        minutes=rnd.minutes,
        status=rnd.status,
        started_at=rnd.started_at,
        ends_at=rnd.ends_at,
        paused_remaining_s=rnd.paused_remaining_s,
    )


def _store(rnd: Round, clock: timer.Clock) -> None:
    rnd.status, rnd.started_at, rnd.ends_at = clock.status, clock.started_at, clock.ends_at
    rnd.paused_remaining_s = clock.paused_remaining_s


def _lock(event: Event) -> None:
    """Serialise control actions on one event (row lock on PostgreSQL; SQLite has one writer anyway)."""
    db.session.refresh(event, with_for_update=True)
    for rnd in event.rounds:
        db.session.refresh(rnd)


def control(event: Event, data: Any, now: datetime | None = None) -> tuple[dict[str, Any], list[Push]]:
    """Apply one control action; refused with a clear 409 when it does not fit the event's state."""
    spec = parse(ControlSpec, data)
    now = now or utcnow()
    _lock(event)
    items: list[tuple[str, dict[str, Any], list[str]]] = []
    if spec.action == "start_round" and not event.plan_metrics:
        metrics = replan(event)  # "start_round plans first if there is no plan yet"
        items.append(("plan_published", {"metrics": metrics}, [moderators_room(event.id)]))
    last_ended = event.current_round if event.status == "moving" else None
    try:
        step = flow.step(event.status, spec.action, event.current_round, len(event.rounds), last_ended)
        items += _apply(event, step, spec.seconds, now)
        if step.action in ("start_round", "start_harvest", "close"):
            # A new phase starts clean: the last round's messages ("coffee is ready") leave every device.
            items += broadcasts.clear_items(event, step.action)
    except flow.FlowError as exc:
        db.session.rollback()
        raise ServiceError(exc.code, flow_message(exc)) from None
    except timer.TimerError as exc:
        db.session.rollback()
        raise ServiceError("wrong_state", _("The timer cannot do that now (%(reason)s).", reason=str(exc))) from None
    pushes = record_many(event, items)
    db.session.commit()
    result = {"action": spec.action, "status": event.status, "current_round": event.current_round}
    if step.round_number is not None:
        result["round"] = round_view(_round(event, step.round_number))
    return result, pushes


def flow_message(exc: flow.FlowError) -> str:
    """The state machine's refusal in the reader's language."""
    p = exc.params
    messages = {
        "unknown_action": lambda: _("Unknown action %(action)s.", action=p.get("action")),
        "closed": lambda: _("The event is closed."),
        "round_going": lambda: _("Round %(n)s is still going; end it first.", n=p.get("round")),
        "harvest_started": lambda: _("The harvest has started; there are no more rounds."),
        "all_played": lambda: _("All %(n)s rounds have been played.", n=p.get("total")),
        "already_paused": lambda: _("Round %(n)s is already paused.", n=p.get("round")),
        "none_paused": lambda: _("No round is paused."),
        "none_running": lambda: _("No round is running."),
        "nothing_to_reopen": lambda: _("There is no just-ended round to reopen."),
        "harvest_already": lambda: _("The harvest has already started."),
    }
    make = messages.get(exc.reason)
    return make() if make else _("That does not fit the event's state right now.")


def _round(event: Event, number: int) -> Round:
    return next(r for r in event.rounds if r.number == number)


def _apply(
    event: Event, step: flow.Step, seconds: int | None, now: datetime
) -> list[tuple[str, dict[str, Any], list[str]]]:
    """Change rounds and the event's state; return the pushes to log (name, payload, rooms)."""
    everyone = [event_room(event.id)]
    action = step.action
    if action == "close":
        for rnd in event.rounds:
            if rnd.status in ("running", "paused"):
                _store(rnd, timer.end(clock_of(rnd), now))
        items = [("event_closed", {"status": "closed"}, everyone)]
        if event.joining_open:
            event.joining_open = False
            items.append(("joining_changed", {"joining_open": False}, [*everyone, moderators_room(event.id)]))
        event.status = "closed"
        event.closed_at = now
        return items
    if action == "start_harvest":
        event.status = "harvest"
        return [("harvest_started", {"status": "harvest"}, everyone)]
    assert step.round_number is not None
    rnd = _round(event, step.round_number)
    clock = clock_of(rnd)
    if action == "start_round":
        _store(rnd, timer.start(clock, now))
        event.status, event.current_round = "running", rnd.number
        return [
            ("round_started", {"round": round_view(rnd), "status": event.status}, everyone),
            *_seat_items(event, rnd),
        ]
    if action == "pause":
        _store(rnd, timer.pause(clock, now))
        event.status = "paused"
        return [("round_paused", {"round": round_view(rnd), "status": event.status}, everyone)]
    if action == "resume":
        _store(rnd, timer.resume(clock, now))
        event.status = "running"
        return [("round_resumed", {"round": round_view(rnd), "status": event.status}, everyone)]
    if action == "extend":
        if seconds is None:
            raise timer.TimerError("say by how many seconds")
        _store(rnd, timer.extend(clock, seconds, now))
        return [("round_extended", {"round": round_view(rnd), "seconds": seconds, "status": event.status}, everyone)]
    if action == "end_round":
        _store(rnd, timer.end(clock, now))
        event.status = step.state
        following = rnd.number + 1 if rnd.number < len(event.rounds) else None
        items = [("round_ended", {"round": round_view(rnd), "status": event.status, "next_round": following}, everyone)]
        if following is not None:
            items += _seat_items(event, _round(event, following))
        return items
    if action == "reopen_round":
        _store(rnd, timer.reopen(clock, now))
        event.status = "running"
        return [
            ("round_reopened", {"round": round_view(rnd), "status": event.status}, everyone),
            *_seat_items(event, rnd),
        ]
    if action == "cancel_round":
        _store(rnd, timer.cancel(clock))
        db.session.execute(db.update(Seat).where(Seat.round_id == rnd.id).values(checked_in_at=None))
        event.status = step.state
        event.current_round = rnd.number - 1 or None
        return [
            ("round_cancelled", {"round": round_view(rnd), "status": event.status}, everyone),
            *_seat_items(event, rnd),
        ]
    raise timer.TimerError(f"unknown action {action}")


def _seat_items(event: Event, rnd: Round) -> list[tuple[str, dict[str, Any], list[str]]]:
    """Tell every person seated in ``rnd`` where to go."""
    tables = {t.id: table_view(t, with_host=False) for t in event.tables}
    seats = db.session.execute(db.select(Seat.participant_id, Seat.table_id).where(Seat.round_id == rnd.id)).all()
    return [
        ("assignment_changed", {"round": rnd.number, "table": tables[table_id]}, [person_room(pid)])
        for pid, table_id in seats
    ]


def due_rounds(now: datetime) -> list[int]:
    """Events with auto-advance whose running round's time is up."""
    query = (
        db.select(Event.id)
        .join(Round, Round.event_id == Event.id)
        .where(
            Event.auto_advance.is_(True),
            Event.status == "running",
            Round.status == "running",
            Round.number == Event.current_round,
            Round.ends_at <= now,
        )
    )
    return list(db.session.execute(query).scalars())


def advance_due(now: datetime | None = None) -> list[Push]:
    """End every auto-advancing round whose time is up — once, however many processes tick."""
    now = now or utcnow()
    pushes: list[Push] = []
    for event_id in due_rounds(now):
        event = db.session.get(Event, event_id)
        if event is None:
            continue
        _lock(event)
        rnd = _round(event, event.current_round or 0)
        if not (event.auto_advance and event.status == "running" and timer.is_over(clock_of(rnd), now)):
            db.session.rollback()  # another process got there first
            continue
        _result, done = control(event, {"action": "end_round"}, now)
        pushes += done
    return pushes


__all__ = ["advance_due", "clock_of", "control", "moderators_room"]
