"""Emitting pushes, only ever after the service's transaction committed."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from ..extensions import socketio
from ..services.live import Push


def server_time() -> int:
    """The server clock in milliseconds since the epoch; clients derive their offset from it."""
    return int(time.time() * 1000)


def stamp(payload: dict[str, Any]) -> dict[str, Any]:
    """A payload with the current ``server_time``."""
    return {**payload, "server_time": server_time()}


def publish(pushes: Iterable[Push]) -> None:
    """Emit each push to its rooms (a client in several of them gets it once)."""
    for push in pushes:
        socketio.emit(push.name, stamp(push.payload), to=list(push.rooms))
