"""Joins in bursts: a walk-in rush (a QR code on the projector, 50 phones at once) is one transaction, not 50.

Each join request checks its input itself (cheap, in its own language), then queues here and waits; one task per
event admits everything queued since its last round in one ``admit`` (one name check over the event, one commit,
one seating, one re-plan). The loop is held once per burst instead of once per phone, and other requests — a
host's note — get their turn in between. Outside a serving process (tests, CLI) a join is admitted at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from .. import offload
from ..extensions import db, discard_session, socketio
from ..models import Event
from ..services import participants as participant_service
from ..services.errors import ServiceError
from . import turns
from .publish import publish

# At most this many joins in one transaction, so that one burst never holds the loop for long (at 1,000 people
# a transaction of 25 joins holds it ~50 ms; ten of 5 hold it as long in all but answer the last phone later).
BATCH = 25
# A burst's first join waits this long for the rest of it (a QR code on the projector: 50 phones within a second).
GATHER_S = 0.05
# While joins of the burst are still taking turns on their way in (realtime.turns), a batch waits for them this long
# at most, so that a burst spread over several turns is still admitted in few transactions.
GATHER_MORE_S = 0.2
# A join waits at most this long for its burst (far beyond a normal burst; then it gets a clear error).
WAIT_S = 30.0
# Answers woken per turn of the loop once a batch is admitted: each writes its JSON answer (1–2 ms), and 25 of them at
# once held the loop 40–70 ms in one piece, measured.
ANSWERS_PER_TURN = 10


@dataclass
class Joined:
    """A person admitted: what the join answer shows."""

    id: int
    name: str
    group: str | None
    token: str


@dataclass
class _Request:
    joiner: participant_service.Joiner
    # Green under the server's monkey-patching: waiting for it lets the loop serve others.
    done: threading.Event = field(default_factory=threading.Event)
    outcome: Any = None


_queues: dict[int, list[_Request]] = {}
def join(event: Event, data: Any) -> Joined:
    """Admit one person (raises the ServiceError that refuses them, translated for this request)."""
    if not offload.running():
        joiner = participant_service.check_join(event, data)
        [outcome], pushes = participant_service.admit(event, [joiner])
        publish(pushes)
        return _answer(event, data, _joined(outcome))
    # A burst of joins does not hold the loop here: its requests took turns on the way in (realtime.turns, the joins'
    # lane), so a host's note gets in between them.
    joiner = participant_service.check_join(event, data)
    # Give the database connection back before waiting: a burst larger than the pool would otherwise hold every
    # connection while waiting for the one task that needs a connection to admit them (a deadlock until timeout).
    event_id = event.id
    db.session.rollback()
    request = _Request(joiner)
    queue = _queues.get(event_id)
    if queue is None:
        _queues[event_id] = [request]
        socketio.start_background_task(_admit_queued, current_app._get_current_object(), event_id)  # type: ignore[attr-defined]
    else:
        queue.append(request)
    if not request.done.wait(WAIT_S):
        raise ServiceError("unavailable", _("Joining takes longer than usual; please try again in a moment."))
    return _answer(event, data, request.outcome)


def _answer(event: Event, data: Any, outcome: Any) -> Joined:
    if isinstance(outcome, Exception):
        # Refusals made in the burst's task are re-made here, so their message is in this request's language.
        if outcome.code == "joining_closed":
            participant_service.check_join(event, data)
        raise outcome
    if isinstance(outcome, list):
        raise participant_service.look_alike_error(outcome)
    assert isinstance(outcome, Joined)
    return outcome


def _joined(result: Any) -> Joined | list[tuple[str, int]]:
    """An admitted (person, link) as the answer needs it; look-alike names stay as they are."""
    if isinstance(result, tuple):
        person, link = result
        return Joined(person.id, person.name, person.group, link.token)
    return list(result)


def _admit_queued(app: Any, event_id: int) -> None:
    try:
        socketio.sleep(GATHER_S)
        while _queues.get(event_id):
            _gather(event_id)
            queue = _queues[event_id]
            batch, _queues[event_id] = queue[:BATCH], queue[BATCH:]
            _admit(app, event_id, batch)
            socketio.sleep(0)  # let the room's other requests in between two bursts
    finally:
        _queues.pop(event_id, None)


def _gather(event_id: int) -> None:
    """Wait (briefly) for the joins still taking turns on their way in, up to a full batch."""
    until = time.monotonic() + GATHER_MORE_S
    while turns.JOINS.waiting and len(_queues[event_id]) < BATCH and time.monotonic() < until:
        socketio.sleep(0)


def _admit(app: Any, event_id: int, batch: list[_Request]) -> None:
    with app.app_context():
        try:
            event = db.session.get(Event, event_id)
            if event is None:
                raise ServiceError("not_found", _("There is no event with that code."))
            results, pushes = participant_service.admit(event, [r.joiner for r in batch])
            outcomes: list[Any] = [_joined(result) for result in results]
            publish(pushes)
        except ServiceError as exc:
            outcomes = [exc] * len(batch)
        except Exception as exc:  # a database outage or a bug: every waiting phone hears it, none hangs
            app.logger.exception("admitting %s joins to event %s failed", len(batch), event_id)
            outcomes = [exc] * len(batch)
        finally:
            discard_session()
    for number, (request, outcome) in enumerate(zip(batch, outcomes, strict=True), start=1):
        request.outcome = outcome
        request.done.set()
        if number % ANSWERS_PER_TURN == 0:
            socketio.sleep(0)  # the next few answers after the loop has polled again
