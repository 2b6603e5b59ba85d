"""Round timer maths: absolute end times, so every device counts down alike and a restart changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

MAX_EXTEND_S = 3600


class TimerError(ValueError):
    """A timer action that does not fit the timer's state."""


@dataclass(frozen=True)
class Clock:
    """A round's timer: ``ends_at`` while running, ``paused_remaining_s`` while paused (and after it ended)."""

    minutes: int
    status: str = "planned"  # planned | running | paused | ended
    started_at: datetime | None = None
    ends_at: datetime | None = None
    paused_remaining_s: float | None = None


def start(clock: Clock, now: datetime) -> Clock:
    """Start a planned round: it ends ``minutes`` from now."""
    if clock.status != "planned":
        raise TimerError(f"cannot start a {clock.status} round")
    return replace(
        clock, status="running", started_at=now, ends_at=now + timedelta(minutes=clock.minutes), paused_remaining_s=None
    )


def remaining(clock: Clock, now: datetime) -> float:
    """Seconds left (0 when over; the stored remainder while paused or ended)."""
    if clock.status == "running" and clock.ends_at is not None:
        return max(0.0, (clock.ends_at - now).total_seconds())
    if clock.status in ("paused", "ended"):
        return max(0.0, clock.paused_remaining_s or 0.0)
    return clock.minutes * 60.0


def pause(clock: Clock, now: datetime) -> Clock:
    """Freeze the remaining time."""
    if clock.status != "running":
        raise TimerError(f"cannot pause a {clock.status} round")
    return replace(clock, status="paused", paused_remaining_s=remaining(clock, now), ends_at=None)


def resume(clock: Clock, now: datetime) -> Clock:
    """Run again with the frozen remaining time."""
    if clock.status != "paused":
        raise TimerError(f"cannot resume a {clock.status} round")
    left = clock.paused_remaining_s or 0.0
    return replace(clock, status="running", ends_at=now + timedelta(seconds=left), paused_remaining_s=None)


def extend(clock: Clock, seconds: int, now: datetime) -> Clock:
    """Add (or, negative, take away) time; never below zero remaining."""
    if not -MAX_EXTEND_S <= seconds <= MAX_EXTEND_S or seconds == 0:
        raise TimerError(f"extend by 1 to {MAX_EXTEND_S} seconds (or as many less)")
    if clock.status == "running" and clock.ends_at is not None:
        # Extending a round whose time already ran out adds the time from now, not from the passed end.
        ends = max(now, max(now, clock.ends_at) + timedelta(seconds=seconds))
        return replace(clock, ends_at=ends)
    if clock.status == "paused":
        return replace(clock, paused_remaining_s=max(0.0, (clock.paused_remaining_s or 0.0) + seconds))
    raise TimerError(f"cannot extend a {clock.status} round")


def end(clock: Clock, now: datetime) -> Clock:
    """Stop the round, keeping what was left so an accidental end can be undone."""
    if clock.status not in ("running", "paused"):
        raise TimerError(f"cannot end a {clock.status} round")
    return replace(clock, status="ended", paused_remaining_s=remaining(clock, now), ends_at=now)


def reopen(clock: Clock, now: datetime, minimum_s: float = 60.0) -> Clock:
    """Undo an end: run again with the time that was left (at least ``minimum_s``)."""
    if clock.status != "ended":
        raise TimerError(f"cannot reopen a {clock.status} round")
    left = max(minimum_s, clock.paused_remaining_s or 0.0)
    return replace(clock, status="running", ends_at=now + timedelta(seconds=left), paused_remaining_s=None)


def cancel(clock: Clock) -> Clock:
    """Undo a start: the round is planned again, its full length ahead."""
    if clock.status not in ("running", "paused"):
        raise TimerError(f"cannot cancel a {clock.status} round")
    return replace(clock, status="planned", started_at=None, ends_at=None, paused_remaining_s=None)


def is_over(clock: Clock, now: datetime) -> bool:
    """A running round whose time is up."""
    return clock.status == "running" and clock.ends_at is not None and clock.ends_at <= now
