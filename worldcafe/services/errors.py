"""The one error type services raise; adapters turn it into a JSON error, a form message or an ack."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exc as sa_exc

STATUS = {
    "invalid": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "wrong_state": 409,
    "joining_closed": 403,
    "too_large": 413,
    "unprocessable": 422,
    "rate_limited": 429,
    "no_votes_left": 409,
    "possible_duplicate": 409,
    "pad_locked": 409,
    "quota_exceeded": 409,
    "unavailable": 503,
    "storage_full": 507,
}


class ServiceError(Exception):
    """A refused request: a machine-readable ``code``, a human ``message`` and optional ``details``."""

    def __init__(self, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    @property
    def status(self) -> int:
        """The HTTP status that fits the code."""
        return STATUS.get(self.code, 400)

    def to_dict(self) -> dict[str, Any]:
        """The ``{"code", "message"}`` body of the contract, with details when there are any."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


def rate_limited(message: str, retry_after: int) -> ServiceError:
    """A request beyond its budget: ``details.retry_after`` (and HTTP's ``Retry-After``) say when to try again."""
    return ServiceError("rate_limited", message, details={"retry_after": retry_after})


def is_database_outage(exc: BaseException) -> bool:
    """Whether ``exc`` means the database can't be reached right now (down, restarting, busy), not a bug."""
    if isinstance(exc, (sa_exc.DisconnectionError, sa_exc.TimeoutError)):
        return True  # the pool found no live connection, or none was free in time
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if isinstance(exc.orig, sqlite3.Error):
        # SQLite reports a missing table as an OperationalError too: only a busy or unopenable file is an outage.
        text = str(exc.orig).lower()
        return isinstance(exc.orig, sqlite3.OperationalError) and any(
            word in text for word in ("locked", "busy", "unable to open")
        )
    # psycopg2 raises OperationalError for a refused or dropped connection and a server shutting down or
    # starting up, InterfaceError for a connection already closed.
    return isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError))


def database_unavailable() -> ServiceError:
    """The refusal for a request that arrives while the database is down: retrying later will work."""
    return ServiceError("unavailable", _("The database is not reachable right now; please try again in a moment."))


def outage_summary(exc: BaseException) -> str:
    """The first line of a database error, for a one-line log entry instead of a traceback."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
