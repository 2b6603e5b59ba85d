"""Per-connection write budgets: a client flooding notes is slowed down, everyone else carries on."""

from __future__ import annotations

from flask import current_app

from ..domain.pad import Bucket, take
from ..models import utcnow

_buckets: dict[str, Bucket] = {}


def allow(sid: str) -> bool:
    """Spend one write from this connection's budget (burst ``NOTE_BURST``, refill ``NOTE_RATE`` per second)."""
    config = current_app.config
    allowed, _buckets[sid] = take(_buckets.get(sid), utcnow(), float(config["NOTE_BURST"]), float(config["NOTE_RATE"]))
    return allowed


def forget(sid: str) -> None:
    """Drop a closed connection's budget."""
    _buckets.pop(sid, None)
