"""The last word on a socket request that failed: a clear ``error`` ack (or ``connect_error``), never silence."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_socketio import ConnectionRefusedError

from ..extensions import discard_session, socketio
from ..services.errors import database_unavailable, is_database_outage, outage_summary
from . import handlers


def _forget_refused_socket() -> None:
    """A refused connect never gets a ``disconnect``: undo whatever the connect handler recorded before failing."""
    try:
        handlers.on_disconnect()
    except Exception:  # best effort: the refusal must still reach the client
        current_app.logger.exception("cleanup after a refused connect failed")


@socketio.on_error_default
def on_request_failed(exc: Exception) -> dict[str, Any]:
    """Answer any failed request: ``unavailable`` while the database is down, ``internal`` for a bug.

    Flask-SocketIO sends the return value as the request's ack; for ``connect`` a ``ConnectionRefusedError``
    raised here reaches the client as ``connect_error`` with ``{code, message}`` as its data.
    """
    discard_session()
    name = getattr(request, "event", {}).get("message")
    if is_database_outage(exc):
        current_app.logger.warning("database unreachable during socket %r: %s", name, outage_summary(exc))
        error = database_unavailable()
        code, message = error.code, error.message
    else:
        current_app.logger.exception("socket request %r failed", name, exc_info=exc)
        code, message = "internal", "Something went wrong on the server. Nothing was changed."
    if name == "connect":
        _forget_refused_socket()
        raise ConnectionRefusedError(message, {"code": code, "message": message})
    return handlers.refused(code, message)
