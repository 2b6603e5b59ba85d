"""Telling this process's clients to catch up after pushes between processes may have been lost.

With a message queue, a push reaches the other processes' clients only through Redis. While Redis is away
python-socketio drops what it cannot publish and the listener misses what others published; nothing tells the
clients. Once the listener is subscribed again (or another process reports a publish it gave up), every local
event room gets ``resync {seq}``, and each client answers with ``sync {since}`` (replay deduplicated by seq).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..extensions import db, socketio
from ..services.live import current_seq
from .cluster import bus
from .presence import presence
from .publish import stamp
from .rooms import event_room

# Requests arriving together (reconnect, several processes' lost publishes) become one resync.
COALESCE_S = 0.5


class Resync:
    """One pending resync of every local client at a time."""

    def __init__(self) -> None:
        self._pending = False

    def request(self, *_args: Any) -> None:
        """Schedule a resync (callable as a bus handler or a reconnect hook; never blocks)."""
        app = bus.app
        if app is None or self._pending:
            return
        self._pending = True
        socketio.start_background_task(self._run, app)

    def _run(self, app: Flask) -> None:
        socketio.sleep(COALESCE_S)
        # Only once the listener is subscribed: a push published before that would be missed again.
        while bus.manager is not None and not bus.manager.listening:
            socketio.sleep(0.2)
        self._pending = False
        with app.app_context():
            try:
                for event_id in presence.local_events():
                    socketio.emit(
                        "resync", stamp({"seq": current_seq(event_id)}), to=event_room(event_id), ignore_queue=True
                    )
            except Exception:
                app.logger.exception("resync failed")
            finally:
                db.session.remove()


resync = Resync()
bus.on("resync", resync.request)
bus.on_reconnect(resync.request)
