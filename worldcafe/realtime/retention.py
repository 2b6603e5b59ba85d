"""Retention in a serving process: at start and then every ``WORLDCAFE_RETENTION_CHECK_S`` seconds (an hour), delete
closed events older than ``WORLDCAFE_RETENTION_DAYS`` (a few per pass: bounded work) and cut their links' sockets."""

from __future__ import annotations

from typing import Any

from ..extensions import discard_session, socketio
from .revocation import revoke


def purge_once(app: Any) -> int:
    """One pass; returns how many events were deleted. A failure is logged, the next pass tries again."""
    from ..services.retention import purge

    days = app.config.get("RETENTION_DAYS")
    if not days:
        return 0
    with app.app_context():
        try:
            gone = purge(days, app.instance_path)
        except Exception:
            app.logger.exception("retention pass failed")
            return 0
        finally:
            discard_session()
        for deleted in gone:
            revoke(deleted.tokens)
        if gone:
            app.logger.info("retention: deleted %d closed event(s) older than %d days", len(gone), days)
        return len(gone)


def purge_forever(app: Any) -> None:
    """Run in a background task: a pass at start, then one per interval."""
    while True:
        purge_once(app)
        socketio.sleep(float(app.config["RETENTION_CHECK_S"]))


def start(app: Any) -> None:
    """Start retention for a serving process (``worldcafe run`` and ``wsgi.py``) when a retention period is set."""
    if app.config.get("RETENTION_DAYS"):
        socketio.start_background_task(purge_forever, app)
