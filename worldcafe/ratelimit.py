"""Request budgets: joins per address and per event, socket requests per link, photo uploads per link.

Built on the ``limits`` library's moving windows ("50/5 seconds;300/minute" in the settings). One process keeps the
budgets in its memory. With several processes (``WORLDCAFE_MESSAGE_QUEUE``) they live in the same Redis, so a link's
budget is one budget whichever process its sockets and requests reach. While that Redis is away each process keeps
budgets of its own (as a single process would) and tries Redis again a few seconds later: a Redis restart never turns
into refused notes, and never into unlimited ones.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Sequence
from functools import lru_cache

from flask import Flask, current_app
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

# Redis must answer a budget check within this long (a request never waits longer for its budget) …
REDIS_TIMEOUT_S = 0.5
# … and after it failed, budgets stay local for this long before Redis is tried again.
REDIS_RETRY_S = 5.0
EXTENSION = "worldcafe.budgets"


class _QuietMemoryStorage(MemoryStorage):
    """``limits``' memory storage, sweeping old entries every few seconds instead of 10 ms after every request.

    The sweep walks every key: with a thousand phones' links in the budgets, sweeping 100 times a second took 15 %
    of a core on the room's loop (measured). A moving window never counts an entry older than its window whether or
    not it was swept, so sweeping less often only keeps a few seconds more of entries in memory.
    """

    SWEEP_EVERY_S = 2.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # the base class's private hook (limits 5.x, see the lock)
        if not self.timer.is_alive():
            self.timer = threading.Timer(self.SWEEP_EVERY_S, self._MemoryStorage__expire_events)  # type: ignore[attr-defined]
            self.timer.daemon = True
            self.timer.start()


@lru_cache(maxsize=64)
def items(limits: str) -> tuple[RateLimitItem, ...]:
    """The windows of a setting such as ``"100/10 seconds;300/minute"`` (checked at start-up in config.py)."""
    return tuple(parse_many(limits))


def _redis_uri(url: str) -> str:
    # The message queue may be a Unix socket given as unix://…; limits spells that redis+unix://….
    return "redis+unix://" + url[len("unix://") :] if url.startswith("unix://") else url


class Budgets:
    """Every budget of one app: spend one request from a budget, or learn how long to wait."""

    def __init__(self, redis_url: str | None = None, namespace: str = "worldcafe") -> None:
        self._local = MovingWindowRateLimiter(_QuietMemoryStorage())
        self._shared: MovingWindowRateLimiter | None = None
        self._shared_down_until = 0.0
        if redis_url:
            storage = RedisStorage(
                _redis_uri(redis_url),
                key_prefix=f"{namespace}-limits",  # deployments sharing one Redis keep apart, like their channels
                wrap_exceptions=True,
                socket_timeout=REDIS_TIMEOUT_S,
                socket_connect_timeout=REDIS_TIMEOUT_S,
            )
            self._shared = MovingWindowRateLimiter(storage)

    @property
    def shared(self) -> bool:
        """Whether the budgets are kept in Redis for every process."""
        return self._shared is not None

    def spend(self, name: str, limits: str, key: str) -> int | None:
        """Spend one request from budget ``name`` of ``key`` under ``limits``: None when allowed, else the whole
        seconds until the next request would be (a refused request spends nothing)."""
        windows = items(limits)
        shared = self._shared
        if shared is not None and time.monotonic() >= self._shared_down_until:
            try:
                return self._spend(shared, windows, name, key)
            except StorageError as exc:
                self._shared_down_until = time.monotonic() + REDIS_RETRY_S
                log.warning("rate limits: Redis unreachable (%s); budgets per process for now", exc.storage_error)
        return self._spend(self._local, windows, name, key)

    @staticmethod
    def _spend(limiter: MovingWindowRateLimiter, windows: Sequence[RateLimitItem], name: str, key: str) -> int | None:
        # Test every window before spending from any, so that a refusal leaves the budget as it was.
        for window in windows:
            if not limiter.test(window, name, key):
                return _wait(limiter, window, name, key)
        for window in windows:
            if not limiter.hit(window, name, key):  # another request took the last one meanwhile
                return _wait(limiter, window, name, key)
        return None


def _wait(limiter: MovingWindowRateLimiter, window: RateLimitItem, name: str, key: str) -> int:
    reset_at = limiter.get_window_stats(window, name, key).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def init_app(app: Flask) -> None:
    """Give the app its budgets: in Redis when a message queue joins several processes, else in memory."""
    app.extensions[EXTENSION] = Budgets(
        app.config.get("MESSAGE_QUEUE"), app.config.get("MESSAGE_QUEUE_CHANNEL") or "worldcafe"
    )


def spend(name: str, limits: str, key: str) -> int | None:
    """Spend one request of ``key`` from the current app's budget ``name`` under ``limits`` (see Budgets.spend)."""
    budgets: Budgets = current_app.extensions[EXTENSION]
    return budgets.spend(name, limits, key)


def link_key(token: str) -> str:
    """A link's budget key: a digest, so that no token is ever written to Redis."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]
