"""Jobs for tests/test_offload.py: importable by a worker process, so they live in a module of their own."""

from __future__ import annotations

import time


def burn(n: int) -> int:
    """Pure-Python CPU work: the sum of the first n squares."""
    return sum(i * i for i in range(n))


def fail() -> None:
    """A job that raises."""
    raise ValueError("the job failed")


def sleep_for(seconds: float) -> None:
    """A job that hangs for a while."""
    time.sleep(seconds)
