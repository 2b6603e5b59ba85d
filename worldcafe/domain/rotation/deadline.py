"""One deadline per `plan` call: an absolute point on the monotonic clock, checked in every loop that can run long."""

from __future__ import annotations

import time


class Deadline:
    """When a plan call must stop searching; sub-deadlines for stages never end later than their parent.

    The monotonic clock cannot jump with the wall clock (NTP, daylight saving), so a deadline computed once at
    the start holds for the whole call, however deep the search that checks it.
    """

    __slots__ = ("at", "start")

    def __init__(self, start: float, at: float) -> None:
        self.start = start
        self.at = at

    @classmethod
    def after(cls, seconds: float, start: float | None = None) -> Deadline:
        """A deadline `seconds` after `start` (default: now)."""
        begin = time.monotonic() if start is None else start
        return cls(begin, begin + seconds)

    def expired(self) -> bool:
        """Is the time up?"""
        return time.monotonic() >= self.at

    def within(self, seconds: float) -> Deadline:
        """A stage's deadline: `seconds` from now, but never later than this one."""
        now = time.monotonic()
        return Deadline(now, min(self.at, now + seconds))

    def share(self, fraction: float) -> Deadline:
        """A stage's deadline at `fraction` of this one's span, counted from its start."""
        return Deadline(self.start, min(self.at, self.start + fraction * (self.at - self.start)))
