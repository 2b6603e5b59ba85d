"""The one error type services raise; adapters turn it into a JSON error, a form message or an ack."""

from __future__ import annotations

from typing import Any

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
    "pad_locked": 409,
    "unavailable": 503,
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
