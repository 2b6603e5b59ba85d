"""The budgets' memory storage: correct windows, old entries swept, and no sweep every 10 ms on the room's loop."""

from __future__ import annotations

import time

from worldcafe import ratelimit


def test_a_window_counts_only_its_own_entries_between_sweeps() -> None:
    budgets = ratelimit.Budgets()
    assert budgets.spend("clock", "2/second", "link-a") is None
    assert budgets.spend("clock", "2/second", "link-a") is None
    assert budgets.spend("clock", "2/second", "link-a") == 1  # the third within a second waits
    time.sleep(1.1)
    # No sweep has run yet (every 2 s), yet the old entries no longer count.
    assert budgets.spend("clock", "2/second", "link-a") is None


def test_old_entries_are_swept_but_not_after_every_request() -> None:
    storage = ratelimit._QuietMemoryStorage()
    for i in range(200):
        storage.acquire_entry(f"link-{i}", 5, 1)
    sweeps = []
    original = storage._MemoryStorage__expire_events  # type: ignore[attr-defined]

    def counting() -> None:
        sweeps.append(time.monotonic())
        original()

    storage._MemoryStorage__expire_events = counting  # type: ignore[attr-defined]
    storage.timer.cancel()
    storage._MemoryStorage__schedule_expiry()  # type: ignore[attr-defined]
    started = time.monotonic()
    while time.monotonic() - started < 1.0:  # requests keep coming for a second
        storage.acquire_entry("busy-link", 1000, 1)
        time.sleep(0.01)
    assert sweeps == []  # the base class would have swept ~100 times by now
    deadline = time.monotonic() + 5
    while not sweeps and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(sweeps) == 1
    # Their second-long windows are over: no entry of theirs is kept (limits keeps the emptied key itself).
    assert all(not entries for key, entries in storage.events.items() if key.startswith("link-"))
