"""Budgets of socket requests per link: every socket of one link (and, with Redis, every process) spends from the
same budget, so reconnecting or opening more sockets buys no more requests."""

from __future__ import annotations

from flask import current_app

from .. import ratelimit

# Notes are a token bucket in effect: NOTE_BURST at once, then NOTE_RATE per second. Such a bucket lets through at
# most burst + rate × T requests in any T seconds; that bound is checked over these windows.
NOTE_WINDOWS_S = (10, 60)


def note_limits(burst: int, rate: float) -> str:
    """The moving windows of the note budget, e.g. burst 30 and rate 2/s: "50/10 seconds;150/60 seconds"."""
    return ";".join(f"{burst + int(rate * window)}/{window} seconds" for window in NOTE_WINDOWS_S)


def _limits(budget: str) -> str:
    config = current_app.config
    if budget == "note":
        return note_limits(int(config["NOTE_BURST"]), float(config["NOTE_RATE"]))
    return str(config[{"sync": "SYNC_LIMIT_PER_LINK", "clock": "CLOCK_LIMIT_PER_LINK"}[budget]])


def spend(budget: str, token: str | None) -> int | None:
    """Spend one request of the link ``token`` from ``budget`` (note, sync or clock): None, or seconds to wait."""
    return ratelimit.spend(f"link-{budget}", _limits(budget), ratelimit.link_key(token or ""))
