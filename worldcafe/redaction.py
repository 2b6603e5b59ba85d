"""No token in a log line: role links (``/m/<token>``, …), bearer headers and ``token`` fields are cut to a short
prefix that identifies nothing (``/m/Abc…``) before any handler sees the record."""

from __future__ import annotations

import logging
import re
from typing import Any

# Path segments that are secrets: moderator, screen, host, participant, read-only summary (/r/) links and a table
# card's check-in code (/t/). Join codes (/j/<code>, the API's <event>) are public and stay readable.
_ROLE_PATH = re.compile(r"(/[mshprtd]/)([A-Za-z0-9_-]{3})[A-Za-z0-9_-]{5,}")
_BEARER = re.compile(r"(\bBearer\s+)([A-Za-z0-9._~+/=-]{3})[A-Za-z0-9._~+/=-]*", re.IGNORECASE)
_TOKEN_FIELD = re.compile(r"""(\btoken["']?\s*[:=]\s*["']?)([A-Za-z0-9_-]{3})[A-Za-z0-9_-]{5,}""", re.IGNORECASE)
_SHORT = r"\1\2…"


def redact(text: str) -> str:
    """``text`` with every token shortened to its first three characters and an ellipsis."""
    text = _ROLE_PATH.sub(_SHORT, text)
    text = _BEARER.sub(_SHORT, text)
    return _TOKEN_FIELD.sub(_SHORT, text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message, traceback and stack with ``redact`` (always lets the record through)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed call; logging reports it when the record is formatted
            return True
        redacted = redact(message)
        if redacted != message or record.args:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # What a handler would print; formatted now so the traceback's messages are redacted too.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactTokens()


def install_token_redaction() -> None:
    """Redact every record of every logger in this process as it is made (idempotent).

    A filter on handlers would miss the ones added later — the migrations' ``fileConfig`` replaces the root
    logger's handlers at start, and libraries add their own — so the filter runs in the record factory instead.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacts_tokens", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _FILTER.filter(record)
        return record

    factory.redacts_tokens = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
