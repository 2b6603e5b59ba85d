"""A link that stops working takes its open sockets with it, on every server process.

Every way a link dies (regenerated, sharing turned off, its table removed, its person removed or merged) calls
``revoke`` after the commit: this process disconnects the sockets that connected with it, and the others hear it on
the control channel. A revocation is not lost when Redis is away: one that could not be sent is sent again on the
next heartbeat, and a process whose listener was away checks its sockets' links against the database once it is
back (it may have missed one sent meanwhile).
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask

from ..extensions import db, socketio
from ..models import AccessLink
from .cluster import bus
from .handlers import connection_tokens

# Tokens per query when checking the local sockets' links: an IN list a database takes in one go.
CHECK_CHUNK = 500

_unsent: set[str] = set()
_unsent_lock = threading.Lock()


def revoke(tokens: list[str]) -> None:
    """Disconnect the sockets that use a replaced or deleted link, on every server process; they cannot reconnect."""
    if not tokens:
        return
    disconnect(tokens)
    if not bus.publish("revoke", {"tokens": tokens}):
        with _unsent_lock:
            _unsent.update(tokens)


def disconnect(tokens: list[str] | set[str]) -> int:
    """Disconnect this process's sockets that connected with one of ``tokens``; returns how many."""
    dead = set(tokens)
    sids = [sid for sid, token in list(connection_tokens.items()) if token in dead]
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/")
    return len(sids)


def _revoked_elsewhere(_process: str, data: Any) -> None:
    tokens = data.get("tokens") if isinstance(data, dict) else None
    if isinstance(tokens, list):
        disconnect([token for token in tokens if isinstance(token, str)])


def _send_unsent(_app: Flask) -> None:
    """On the heartbeat: send again the revocations Redis did not take."""
    with _unsent_lock:
        tokens = sorted(_unsent)
        _unsent.clear()
    if tokens and not bus.publish("revoke", {"tokens": tokens}):
        with _unsent_lock:
            _unsent.update(tokens)


def dead_tokens(tokens: set[str]) -> set[str]:
    """Those of ``tokens`` no link has any more (in an app context)."""
    ordered = sorted(tokens)
    alive: set[str] = set()
    for start in range(0, len(ordered), CHECK_CHUNK):
        chunk = ordered[start : start + CHECK_CHUNK]
        alive.update(db.session.execute(db.select(AccessLink.token).where(AccessLink.token.in_(chunk))).scalars())
    return tokens - alive


def check_connections(app: Flask) -> int:
    """Disconnect this process's sockets whose link is gone; returns how many."""
    tokens = set(connection_tokens.values())
    if not tokens:
        return 0
    with app.app_context():
        try:
            dead = dead_tokens(tokens)
        finally:
            db.session.remove()
    return disconnect(dead) if dead else 0


def _after_outage(_lost_at: float) -> None:
    """The listener is back after losing Redis: revocations sent meanwhile never arrived; check every socket."""
    app = bus.app
    if app is not None:
        socketio.start_background_task(_check_safely, app)


def _check_safely(app: Flask) -> None:
    try:
        check_connections(app)
    except Exception:  # the database may be away too; the next outage's check, or each request's own, covers it
        app.logger.exception("checking the sockets' links after a message queue outage failed")


bus.on("revoke", _revoked_elsewhere)
bus.on_heartbeat(_send_unsent)
bus.on_reconnect(_after_outage)
