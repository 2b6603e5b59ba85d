"""The server's clock hand: once a second, end auto-advancing rounds whose time is up."""

from __future__ import annotations

from typing import Any

from ..extensions import db, socketio
from .publish import publish


def tick_forever(app: Any) -> None:
    """Run forever in a background task; exactly-once is ensured by the row lock in ``advance_due``."""
    from ..services.control import advance_due

    while True:
        socketio.sleep(1.0)
        with app.app_context():
            try:
                publish(advance_due())
            except Exception:  # a database hiccup must not stop the ticker; the next tick tries again
                app.logger.exception("auto-advance tick failed")
                db.session.rollback()
            finally:
                db.session.remove()


def start(app: Any) -> None:
    """Start the ticker for a serving process (``worldcafe run`` and ``wsgi.py``)."""
    socketio.start_background_task(tick_forever, app)
