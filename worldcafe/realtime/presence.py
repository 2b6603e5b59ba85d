"""Who is connected, per event and role, and the coalesced ``presence_changed`` pushes to moderators and screens.

Counts are per server process; with several processes each reports its own share (see docs/deploy.md).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from ..extensions import db, socketio
from ..models import Event
from ..services.live import current_seq
from .publish import stamp
from .rooms import moderators_room, screen_room


@dataclass(frozen=True)
class Connection:
    """One socket: whose it is and which rooms it joined."""

    event_id: int
    role: str
    table_id: int | None
    participant_id: int | None
    rooms: tuple[str, ...] = field(default_factory=tuple)


class Presence:
    """Connected sockets, and the events whose counts changed since the last push."""

    def __init__(self) -> None:
        self.connections: dict[str, Connection] = {}
        self._dirty: set[int] = set()
        self._flush_scheduled = False
        self._lock = threading.Lock()

    def add(self, sid: str, connection: Connection) -> None:
        """Remember a new connection."""
        self.connections[sid] = connection
        self.changed(connection.event_id)

    def remove(self, sid: str) -> Connection | None:
        """Forget a closed connection."""
        connection = self.connections.pop(sid, None)
        if connection is not None:
            self.changed(connection.event_id)
        return connection

    def counts(self, event_id: int) -> dict[str, int]:
        """Connected devices per role; participants counted once however many tabs they have open."""
        by_role: dict[str, int] = defaultdict(int)
        people: set[int] = set()
        for connection in self.connections.values():
            if connection.event_id != event_id:
                continue
            if connection.role == "participant" and connection.participant_id is not None:
                people.add(connection.participant_id)
            else:
                by_role[connection.role] += 1
        return {
            "participants": len(people),
            "hosts": by_role["host"],
            "screens": by_role["screen"],
            "moderators": by_role["moderator"],
        }

    def changed(self, event_id: int) -> None:
        """Mark an event's counts as changed; pushes are coalesced over ``PRESENCE_INTERVAL_S``."""
        interval = float(current_app.config["PRESENCE_INTERVAL_S"])
        with self._lock:
            self._dirty.add(event_id)
            if interval > 0 and self._flush_scheduled:
                return
            self._flush_scheduled = interval > 0
        if interval <= 0:
            self.flush()
        else:
            socketio.start_background_task(self._flush_later, current_app._get_current_object(), interval)

    def _flush_later(self, app: Flask, interval: float) -> None:
        socketio.sleep(interval)
        with app.app_context():
            with self._lock:
                self._flush_scheduled = False
            self.flush()

    def flush(self) -> None:
        """Push the counts of every changed event to its moderators and screens."""
        with self._lock:
            dirty, self._dirty = self._dirty, set()
        for event_id in dirty:
            code = db.session.execute(db.select(Event.public_id).where(Event.id == event_id)).scalar()
            if code is None:
                continue
            # Presence is not logged (it is not state to replay), so it carries the event's current seq.
            payload: dict[str, Any] = {
                "seq": current_seq(event_id),
                "event_id": code,
                "connected": self.counts(event_id),
            }
            socketio.emit("presence_changed", stamp(payload), to=[moderators_room(event_id), screen_room(event_id)])


presence = Presence()
