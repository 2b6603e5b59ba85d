"""Emitting pushes, only ever after the service's transaction committed."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from ..extensions import socketio
from ..services.live import REPLAN, Push
from . import replanner
from .cluster import bus


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
    for push in pushes:
        socketio.emit(push.name, stamp(push.payload), to=list(push.rooms))


def deliver_batch(_process: str, batch: Any) -> None:
    """Emit a batch of pushes (from any process, this one included) to this process's own clients."""
    if not isinstance(batch, list):
        return
    for item in batch:
        if isinstance(item, list) and len(item) == 3 and isinstance(item[0], str) and isinstance(item[2], list):
            socketio.emit(item[0], item[1], to=item[2], ignore_queue=True)


bus.on("pushes", deliver_batch, own=True)
