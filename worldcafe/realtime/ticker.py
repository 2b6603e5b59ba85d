"""The server's clock hand: once a second, end auto-advancing rounds whose time is up."""

from __future__ import annotations

from typing import Any

from ..extensions import discard_session, socketio
from ..services.errors import is_database_outage, outage_summary
from .publish import publish


class Tick:
    """One tick at a time, logging a failure once when it starts and once when it is over, not every second."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.failing: str | None = None  # what has been failing since the last good tick

    def run(self) -> None:
        """Advance due rounds; a database outage or a bug is logged and the next tick tries again."""
        from ..services.control import advance_due

        with self.app.app_context():
            try:
                publish(advance_due())
            except Exception as exc:
                self.failed(exc)
            else:
                if self.failing is not None:
                    self.app.logger.warning("auto-advance works again (after: %s)", self.failing)
                    self.failing = None
            finally:
                discard_session()

    def failed(self, exc: Exception) -> None:
        """Log the first failure of a kind (an outage in one line, a bug with its traceback), then stay quiet."""
        kind = "database unreachable" if is_database_outage(exc) else f"{type(exc).__name__}: {exc}"
        if kind == self.failing:
            return
        if kind == "database unreachable":
            self.app.logger.warning("auto-advance paused, database unreachable: %s", outage_summary(exc))
        else:
            self.app.logger.exception("auto-advance tick failed", exc_info=exc)
        self.failing = kind


def tick_forever(app: Any) -> None:
    """Run forever in a background task; exactly-once is ensured by the row lock in ``advance_due``."""
    tick = Tick(app)
    while True:
        socketio.sleep(1.0)
        try:
            tick.run()
        except Exception:  # even a failing cleanup must not stop the clock; the next tick starts afresh
            app.logger.exception("auto-advance cleanup failed")


def start(app: Any) -> None:
    """Start the ticker for a serving process (``worldcafe run`` and ``wsgi.py``)."""
    socketio.start_background_task(tick_forever, app)
