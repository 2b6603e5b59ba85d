"""The background re-planner plans a burst of changes once, after it has settled (worldcafe.realtime.replanner)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from worldcafe.realtime import replanner


def test_a_burst_of_changes_is_planned_once_after_it_settles(monkeypatch):
    # 10 changes 50 ms apart (a walk-in rush admitted in batches): every plan reads every seat of the event twice,
    # and a plan made while people still arrive is thrown away, so the re-planner waits for the burst to settle.
    runs: list[float] = []
    monkeypatch.setattr(replanner, "_replan_once", lambda app, event_id: runs.append(time.monotonic()))
    monkeypatch.setattr(replanner, "socketio", SimpleNamespace(sleep=time.sleep))
    event_id = 4242
    last_change = [0.0]

    def changes() -> None:
        for _ in range(10):
            replanner._wanted.add(event_id)
            replanner._last_wish[event_id] = last_change[0] = time.monotonic()
            time.sleep(0.05)

    replanner._wanted.add(event_id)
    replanner._last_wish[event_id] = time.monotonic()
    burst = threading.Thread(target=changes)
    burst.start()
    replanner._running.add(event_id)
    replanner._work(None, event_id)
    burst.join()
    assert len(runs) == 1, runs
    assert runs[0] >= last_change[0] + replanner.SETTLE_S - 0.01
    assert event_id not in replanner._running and event_id not in replanner._last_wish


def test_a_change_that_never_settles_is_planned_anyway(monkeypatch):
    runs: list[float] = []
    monkeypatch.setattr(replanner, "_replan_once", lambda app, event_id: runs.append(time.monotonic()))
    monkeypatch.setattr(replanner, "socketio", SimpleNamespace(sleep=time.sleep))
    monkeypatch.setattr(replanner, "SETTLE_MAX_S", 0.3)
    event_id = 4343
    stop = threading.Event()

    def changes() -> None:  # a change every 20 ms, for longer than SETTLE_MAX_S
        while not stop.is_set():
            replanner._last_wish[event_id] = time.monotonic()
            time.sleep(0.02)

    replanner._wanted.add(event_id)
    replanner._last_wish[event_id] = began = time.monotonic()
    burst = threading.Thread(target=changes)
    burst.start()
    try:
        replanner._work(None, event_id)
    finally:
        stop.set()
        burst.join()
    assert len(runs) == 1 and runs[0] - began < 0.3 + 0.2, (runs, began)
