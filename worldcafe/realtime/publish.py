"""Emitting pushes, only ever after the service's transaction committed.

A push to the whole room is written to every phone's socket in one pass of the loop: 1,000 phones held it ~60 ms
(measured), as long as a round change's 1,000 personal pushes. In a serving process, pushes therefore go out in
slices of ``SLICE_CLIENTS`` recipients with the loop free in between (DESIGN.md §6a), and in the order they were
published: they wait in one queue, which whoever published first drains, so a push published during another's
pause never overtakes it.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterable
from typing import Any

from ..extensions import socketio
from ..services.live import REPLAN, Push
from ..services.reading import let_others_run
from . import replanner, turns
from .cluster import bus

log = logging.getLogger(__name__)

# Recipients per piece of the loop (a slice of a big room's push, or several small pushes).
SLICE_CLIENTS = 200
NAMESPACE = "/"

_pending: deque[tuple[str, dict[str, Any], list[str]]] = deque()
_draining = False


def server_time() -> int:
    """The server clock in milliseconds since the epoch; clients derive their offset from it."""
    return int(time.time() * 1000)


def stamp(payload: dict[str, Any]) -> dict[str, Any]:
    """A payload with the current ``server_time``."""
    return {**payload, "server_time": server_time()}


def publish(pushes: Iterable[Push]) -> None:
    """Emit each push to its rooms (a client in several of them gets it once).

    With several processes, a batch (a round change is one push per person: 4,000 at a large event) travels
    as one message on the control channel, and every process, this one included, emits it to its own
    clients; push by push through Socket.IO's queue it would be 4,000 round trips to Redis in this request
    and 4,000 messages for every other process to decode.
    """
    pushes = list(pushes)
    replans = {push.payload["event_id"] for push in pushes if push.name == REPLAN}
    pushes = [push for push in pushes if push.name != REPLAN]
    _emit(pushes)
    for event_id in sorted(replans):
        replanner.request(event_id)


def _emit(pushes: list[Push]) -> None:
    if bus.clustered and len(pushes) > 1:
        bus.publish("pushes", [[push.name, stamp(push.payload), list(push.rooms)] for push in pushes])
        return
    if bus.clustered or not turns.counting():
        # Through the message queue (every process emits to its own clients), or outside a serving process.
        for push in pushes:
            socketio.emit(push.name, stamp(push.payload), to=list(push.rooms))
        return
    _pending.extend((push.name, push.payload, list(push.rooms)) for push in pushes)
    if not _draining:
        _drain()


def _drain() -> None:
    """Emit the queued pushes in order, a slice of ``SLICE_CLIENTS`` recipients per piece of the loop."""
    global _draining
    _draining = True
    try:
        sent = 0
        while _pending:
            name, payload, rooms = _pending.popleft()
            if not rooms:
                continue
            clients = [sid for sid, _eio_sid in socketio.server.manager.get_participants(NAMESPACE, rooms)]
            for start in range(0, len(clients), SLICE_CLIENTS):
                if sent >= SLICE_CLIENTS:
                    let_others_run()
                    sent = 0
                part = clients[start : start + SLICE_CLIENTS]
                try:
                    socketio.emit(name, stamp(payload), to=part)
                except Exception:  # one push that cannot go out must not hold back the ones behind it
                    log.exception("push %s to %d clients failed", name, len(part))
                sent += len(part)
    finally:
        _draining = False
        if _pending:  # this greenlet was stopped during a pause: the pushes behind go out all the same
            socketio.start_background_task(_drain_if_idle)


def _drain_if_idle() -> None:
    if not _draining:
        _drain()


def deliver_batch(_process: str, batch: Any) -> None:
    """Emit a batch of pushes (from any process, this one included) to this process's own clients."""
    if not isinstance(batch, list):
        return
    for item in batch:
        if isinstance(item, list) and len(item) == 3 and isinstance(item[0], str) and isinstance(item[2], list):
            socketio.emit(item[0], item[1], to=item[2], ignore_queue=True)


bus.on("pushes", deliver_batch, own=True)
