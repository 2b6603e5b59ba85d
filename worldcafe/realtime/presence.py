"""Who is connected, per event and role, and the coalesced ``presence_changed`` pushes to moderators and screens.

Each process counts its own sockets and shares them with the others over the cluster bus (on every change and
on every heartbeat); the counts pushed are the event's total over every process heard from in the last three
heartbeats, so a killed process's sockets drop out. Each process pushes only to its own moderators and screens.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, has_app_context

from ..extensions import db, socketio
from ..models import Event
from ..services.live import current_seq
from .cluster import bus, heartbeat_interval
from .publish import stamp
from .rooms import moderators_room, screen_room

ROLES = ("host", "screen", "moderator")


@dataclass(frozen=True)
class Connection:
    """One socket: whose it is and which rooms it joined."""

    event_id: int
    role: str
    table_id: int | None
    participant_id: int | None
    rooms: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class Remote:
    """What another process last reported: per event, its people and its host/screen/moderator sockets."""

    heard_at: float
    shares: dict[int, dict[str, Any]]


class Presence:
    """Connected sockets, the other processes' shares, and the events whose counts changed since the last push."""

    def __init__(self) -> None:
        self.connections: dict[str, Connection] = {}
        self.remote: dict[str, Remote] = {}
        # event id -> True when a local socket came or went (push even if the totals look the same: the newcomer
        # has no counts yet), False when only another process's share changed (push only a difference).
        self._dirty: dict[int, bool] = {}
        self._sent: dict[int, dict[str, int]] = {}
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

    def local_events(self) -> set[int]:
        """The events with a socket on this process."""
        return {connection.event_id for connection in self.connections.values()}

    def share(self, event_id: int) -> dict[str, Any]:
        """This process's part of an event: its participants (ids) and its other sockets per role."""
        by_role: dict[str, int] = defaultdict(int)
        people: set[int] = set()
        tables: set[int] = set()
        for connection in self.connections.values():
            if connection.event_id != event_id:
                continue
            if connection.role == "participant" and connection.participant_id is not None:
                people.add(connection.participant_id)
            else:
                by_role[connection.role] += 1
                if connection.role == "host" and connection.table_id is not None:
                    tables.add(connection.table_id)
        return {"people": sorted(people), "host_tables": sorted(tables), **{role: by_role[role] for role in ROLES}}

    def host_tables(self, event_id: int) -> set[int]:
        """The tables (ids) with a host tablet connected, over every process."""
        shares = [self.share(event_id)]
        shares += [remote.shares[event_id] for remote in self.remote.values() if event_id in remote.shares]
        # A process of an older version shares no table ids: its tablets count in "hosts" only.
        return {table for share in shares for table in share.get("host_tables", ())}

    def counts(self, event_id: int) -> dict[str, int]:
        """Connected devices per role over every process; participants counted once however many tabs they have."""
        shares = [self.share(event_id)]
        shares += [remote.shares[event_id] for remote in self.remote.values() if event_id in remote.shares]
        people: set[int] = set()
        for share in shares:
            people.update(share["people"])
        return {
            "participants": len(people),
            "hosts": sum(share["host"] for share in shares),
            "screens": sum(share["screen"] for share in shares),
            "moderators": sum(share["moderator"] for share in shares),
        }

    def changed(self, event_id: int) -> None:
        """Mark an event's counts as changed by a local socket; pushes are coalesced over ``PRESENCE_INTERVAL_S``."""
        self._mark(current_app._get_current_object(), {event_id: True})  # type: ignore[attr-defined]

    def _mark(self, app: Flask, events: dict[int, bool]) -> None:
        interval = float(app.config["PRESENCE_INTERVAL_S"])
        with self._lock:
            for event_id, local in events.items():
                self._dirty[event_id] = self._dirty.get(event_id, False) or local
            if interval > 0 and self._flush_scheduled:
                return
            self._flush_scheduled = interval > 0
        if interval <= 0 and has_app_context():
            self.flush()
        elif interval <= 0:
            with app.app_context():
                try:
                    self.flush()
                finally:
                    db.session.remove()
        else:
            socketio.start_background_task(self._flush_later, app, interval)

    def _flush_later(self, app: Flask, interval: float) -> None:
        socketio.sleep(interval)
        with app.app_context():
            with self._lock:
                self._flush_scheduled = False
            try:
                self.flush()
            finally:
                db.session.remove()

    def flush(self) -> None:
        """Share the changed local counts with the other processes, then push each changed event's totals."""
        with self._lock:
            dirty, self._dirty = self._dirty, {}
        local_changes = [event_id for event_id, local in dirty.items() if local]
        if local_changes and bus.clustered:
            bus.publish("presence", {"full": False, "events": {str(e): self.share(e) for e in local_changes}})
        for event_id, local in dirty.items():
            if not self._has_audience(event_id):
                self._sent.pop(event_id, None)
                continue
            counts = self.counts(event_id)
            if not local and self._sent.get(event_id) == counts:
                continue
            code = db.session.execute(db.select(Event.public_id).where(Event.id == event_id)).scalar()
            if code is None:
                continue
            self._sent[event_id] = counts
            # Presence is not logged (it is not state to replay), so it carries the event's current seq.
            payload: dict[str, Any] = {"seq": current_seq(event_id), "event_id": code, "connected": counts}
            # Every process pushes to its own moderators and screens only: through the queue each would get
            # one push per process.
            socketio.emit(
                "presence_changed",
                stamp(payload),
                to=[moderators_room(event_id), screen_room(event_id)],
                ignore_queue=True,
            )

    def _has_audience(self, event_id: int) -> bool:
        return any(
            c.event_id == event_id and c.role in ("moderator", "screen") for c in self.connections.values()
        )

    def receive(self, process: str, data: Any) -> None:
        """Another process's shares (``full``: all its events, on its heartbeat; else only the changed ones)."""
        app = bus.app
        if app is None or not isinstance(data, dict):
            return
        shares = {int(event_id): share for event_id, share in data.get("events", {}).items()}
        with self._lock:
            remote = self.remote.get(process)
            before = dict(remote.shares) if remote is not None else {}
            if remote is None or data.get("full"):
                remote = self.remote[process] = Remote(heard_at=time.monotonic(), shares={})
            remote.heard_at = time.monotonic()
            if data.get("full"):
                remote.shares = shares
            else:
                remote.shares.update(shares)
            changed = {e for e in set(before) | set(remote.shares) if before.get(e) != remote.shares.get(e)}
        if changed:
            self._mark(app, dict.fromkeys(changed, False))

    def heartbeat(self, app: Flask) -> None:
        """Tell the others everything this process holds, and forget processes not heard from for 3 heartbeats."""
        events = self.local_events()
        bus.publish("presence", {"full": True, "events": {str(e): self.share(e) for e in events}})
        horizon = time.monotonic() - 3 * heartbeat_interval(app)
        gone: set[int] = set()
        with self._lock:
            for process, remote in list(self.remote.items()):
                if remote.heard_at < horizon:
                    gone.update(remote.shares)
                    del self.remote[process]
        if gone:
            self._mark(app, dict.fromkeys(gone, False))


presence = Presence()
bus.on("presence", presence.receive)
bus.on_heartbeat(presence.heartbeat)
