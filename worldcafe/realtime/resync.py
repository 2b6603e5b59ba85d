"""Telling this process's clients to catch up after pushes between processes may have been lost.

With a message queue, a push reaches the other processes' clients only through Redis. While Redis is away
python-socketio drops what it cannot publish and the listener misses what others published; nothing tells the
clients. Once the listener is subscribed again (or another process reports a push it gave up), every local
event room gets ``resync {seq, since}``: ``since`` is the event's seq from a little before the loss, and each
client answers with ``sync`` from there (or from its snapshot, if newer). A client's own highest seq is no
guide here: pushes from different processes arrive out of order, so it may have seen later ones.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask

from ..extensions import db, socketio
from ..services.live import current_seq, seq_before
from .cluster import bus
from .presence import presence
from .publish import stamp
from .rooms import event_room

# Requests arriving together (reconnect, several processes' lost publishes) become one resync.
COALESCE_S = 0.5
# Replay from this long before the loss: a push is published a moment after its log entry is written (commit,
# then emit), and the processes' clocks may differ a little.
MARGIN_S = 5.0


class Resync:
    """One pending resync of every local client at a time, from the earliest loss reported meanwhile."""

    def __init__(self) -> None:
        self._lost_at: float | None = None
        # The last resync: every push lost between these two moments was replayed (the margin is extra).
        self._covered: tuple[float, float] | None = None

    def request(self, lost_at: float) -> None:
        """Schedule a resync for pushes lost from ``lost_at`` on (epoch seconds); never blocks."""
        app = bus.app
        if app is None:
            return
        pending = self._lost_at is not None
        self._lost_at = lost_at if self._lost_at is None else min(self._lost_at, lost_at)
        if not pending:
            socketio.start_background_task(self._run, app)

    def requested_elsewhere(self, _process: str, data: Any) -> None:
        """Another process gave up publishing pushes between ``data["lost_at"]`` and ``data["until"]``."""
        if not isinstance(data, dict) or not all(isinstance(data.get(k), int | float) for k in ("lost_at", "until")):
            return
        lost_at, until = float(data["lost_at"]), float(data["until"])
        # After a Redis restart every process resyncs on its own reconnect, and the others' reports of what they
        # could not publish meanwhile (sent on their next heartbeat) are already covered: skip them.
        covered = self._covered
        if covered is not None and covered[0] <= lost_at and until <= covered[1]:
            return
        self.request(lost_at)

    def _run(self, app: Flask) -> None:
        socketio.sleep(COALESCE_S)
        # Only once the listener is subscribed: a push published before that would be missed again.
        while bus.manager is not None and not bus.manager.listening:
            socketio.sleep(0.2)
        lost_at, self._lost_at = self._lost_at, None
        if lost_at is None:
            return
        with app.app_context():
            try:
                # Taken before reading the seqs: a push given up before this moment is in what they cover.
                self._covered = (lost_at, time.time())
                for event_id in presence.local_events():
                    payload = {"seq": current_seq(event_id), "since": seq_before(event_id, lost_at - MARGIN_S)}
                    socketio.emit("resync", stamp(payload), to=event_room(event_id), ignore_queue=True)
            except Exception:
                app.logger.exception("resync failed")
            finally:
                db.session.remove()


resync = Resync()
bus.on("resync", resync.requested_elsewhere)
bus.on_reconnect(resync.request)
