"""Untrusted JSON, decoded the same way for HTTP bodies and Socket.IO packets: bounded nesting, exact numbers, no NUL.

Anyone on the venue network can send a request, so the parser is where hostile input meets the server first. The
standard library's parser recurses once per level of nesting (a body of 1,000 ``[`` raised ``RecursionError``), takes
integers of any size (``2**64`` overflowed SQLite's 64-bit column into a 500) and lets a ``\\u0000`` through (which
PostgreSQL refuses to store, another 500). pydantic-core's parser (jiter, already ours through pydantic) stops at a
fixed nesting depth in native code, refuses lone surrogates, NaN and Infinity; the two checks it lacks run here, and
only on a body that could fail them, so a large harmless body costs no second pass.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from pydantic_core import from_json

# About jiter's own limit (fixed in its native code: 200 objects or 201 arrays deep): deeper nesting is refused before
# it costs anything. Our deepest request nests 4 levels (an event spec's tables, each with a list of tags).
MAX_DEPTH = 200
# Exact in every JSON client (JavaScript's Number.MAX_SAFE_INTEGER), and inside every integer column we have.
MAX_INT = 2**53 - 1
_LONG_NUMBER = re.compile(rb"\d{16}")  # any integer beyond MAX_INT has at least 16 digits
_NUL_ESCAPE = b"\\u0000"  # a NUL can reach JSON text only escaped: the parser refuses a raw control character
_BOM = b"\xef\xbb\xbf"


class RejectedJSON(ValueError):
    """A payload refused before any handler sees it; ``message()`` says why in the request's language."""

    def __init__(self, reason: str, path: tuple[str | int, ...] = (), detail: str = "") -> None:
        self.reason, self.path, self.detail = reason, path, detail
        super().__init__(self.message())

    def message(self, skip: int = 0) -> str:
        """Why, translated now (a socket packet is decoded before its request has a language); ``skip`` leaves out
        the first path elements (a socket event's position among its arguments)."""
        if self.reason == "deep":
            return _("The data is nested too deeply (about %(n)s levels at most).", n=MAX_DEPTH)
        if self.reason == "syntax":
            return _("The data is not valid JSON: %(detail)s.", detail=self.detail)
        where = field_path(self.path[skip:])
        if where:
            return f"{where}: {self.problem()}"
        if self.reason == "nul":
            return _("Text must not contain NUL characters.")
        return _("Whole numbers must be between -%(n)s and %(n)s.", n=MAX_INT)

    def problem(self) -> str:
        """The problem in the words a schema error uses."""
        if self.reason == "nul":
            return _("must not contain NUL characters")
        return _("must be between -%(n)s and %(n)s", n=MAX_INT)

    def details(self, skip: int = 0) -> list[dict[str, str]] | None:
        """``[{field, message}]`` like a schema error, for a problem at one place."""
        if self.reason in ("deep", "syntax"):
            return None
        return [{"field": field_path(self.path[skip:]), "message": self.problem()}]


def field_path(loc: tuple[Any, ...]) -> str:
    """A place in a payload as people write it: ``tables[2].host``."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def loads(data: str | bytes | bytearray) -> Any:
    """Decode untrusted JSON (UTF-8, a leading BOM allowed) or raise ``RejectedJSON``."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        value = from_json(raw, allow_inf_nan=False, cache_strings=False)
    except ValueError as exc:
        detail = str(exc)
        raise RejectedJSON("deep" if detail.startswith("recursion limit") else "syntax", detail=detail) from None
    if _NUL_ESCAPE in raw or _LONG_NUMBER.search(raw):
        _check(value)
    return value


def _check(value: Any) -> None:
    """Walk a decoded value (iteratively: its depth is bounded, but a walk needs no stack either way)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                raise RejectedJSON("nul", path)
        elif isinstance(node, bool):
            continue
        elif isinstance(node, int):
            if not -MAX_INT <= node <= MAX_INT:
                raise RejectedJSON("number", path)
        elif isinstance(node, dict):
            for key, item in node.items():
                if "\x00" in key:
                    raise RejectedJSON("nul", path)
                stack.append((item, (*path, key)))
        elif isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(node))
