"""Re-planning in the background: a join or a setup change answers at once, the new seats follow as pushes.

A change that needs the rounds to come planned again returns ``replan_wanted`` among its pushes; ``publish``
hands it here after the commit. The engine runs in a worker process (``offload``) while the loop serves the
room; a burst of 50 joins is planned once it has settled, and 50 joins during one run become one more run, not 50.
With several processes each may plan, and ``plan_event`` stores a result only if the event did not change while it
was computed.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app

from .. import offload
from ..extensions import db, discard_session, socketio
from ..models import Event
from ..realtime.rooms import moderators_room
from ..services.errors import ServiceError
from ..services.live import record

# A burst of changes (50 walk-ins admitted in batches over a second) is planned once, after it has settled: each
# plan reads every seat of the event twice, and a plan computed while people still arrive is thrown away and made
# again (in a 50-join burst at 1,000 people, those reads were the largest single share of the loop's busy time,
# measured with py-spy). A change that never settles is planned after SETTLE_MAX_S anyway.
SETTLE_S = 0.25
SETTLE_MAX_S = 2.0

_wanted: set[int] = set()  # events whose rounds to come need planning again
_running: set[int] = set()  # events with a re-planner task at work in this process
_last_wish: dict[int, float] = {}  # when each event's latest re-plan was requested (monotonic)


def request(event_id: int) -> None:
    """Re-plan an event's rounds to come: in the background when serving, right here otherwise (tests, CLI)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not offload.running():
        _replan_once(app, event_id)
        return
    _wanted.add(event_id)
    _last_wish[event_id] = time.monotonic()
    if event_id not in _running:
        _running.add(event_id)
        socketio.start_background_task(_work, app, event_id)


def pending(event_id: int) -> bool:
    """Whether a re-plan for the event is wanted or under way in this process."""
    return event_id in _wanted or event_id in _running


def _work(app: Any, event_id: int) -> None:
    try:
        while event_id in _wanted:
            _settle(event_id)
            _wanted.discard(event_id)
            _replan_once(app, event_id)
    finally:
        _running.discard(event_id)
        _last_wish.pop(event_id, None)


def _settle(event_id: int) -> None:
    """Wait until no re-plan of the event was requested for ``SETTLE_S`` (at most ``SETTLE_MAX_S``)."""
    began = time.monotonic()
    while True:
        now = time.monotonic()
        calm = now - _last_wish.get(event_id, 0.0)
        if calm >= SETTLE_S or now - began >= SETTLE_MAX_S:
            return
        socketio.sleep(min(SETTLE_S - calm, SETTLE_MAX_S - (now - began)))


def _replan_once(app: Any, event_id: int) -> None:
    """Plan and publish; a plan that cannot be made is told to the moderators, never lost in a log."""
    from ..services.planning import plan_event
    from .publish import publish

    with app.app_context():
        try:
            event = db.session.get(Event, event_id)
            if event is None or not event.plan_metrics or event.status in ("harvest", "closed"):
                return
            _metrics, pushes = plan_event(event)
            publish(pushes)
        except ServiceError as exc:
            discard_session()
            _tell_moderators(app, event_id, exc)
        except Exception:
            app.logger.exception("background re-plan of event %s failed", event_id)
        finally:
            discard_session()


def _tell_moderators(app: Any, event_id: int, exc: ServiceError) -> None:
    from .publish import publish

    try:
        event = db.session.get(Event, event_id)
        if event is None:
            return
        push = record(event, "plan_failed", {"code": exc.code, "message": exc.message}, [moderators_room(event.id)])
        db.session.commit()
        publish([push])
    except Exception:
        app.logger.exception("could not report a failed re-plan of event %s", event_id)
