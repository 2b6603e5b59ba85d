"""A guard that turns a hang into a test failure (for tests of time limits)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Hung(Exception):
    """The guarded code ran far past its time limit."""


@contextmanager
def hang_guard(seconds: float) -> Iterator[None]:
    """Raise Hung in the test's thread after `seconds` (SIGALRM: Unix, main thread), so a hang fails the test."""

    def alarm(signum: int, frame: FrameType | None) -> None:
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
