"""The cluster bus's bookkeeping, in one process: merged presence, forgotten processes, lost publishes, resyncs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.live_server import free_port
from worldcafe.realtime import cluster
from worldcafe.realtime.cluster import PROCESS_ID, Bus, ClusterRedisManager
from worldcafe.realtime.presence import Connection, Presence
from worldcafe.realtime.resync import Resync


def test_presence_adds_other_processes_shares_and_forgets_a_silent_one(app, monkeypatch):
    monkeypatch.setattr(cluster.bus, "app", app)
    presence = Presence()
    presence.connections["s1"] = Connection(event_id=5, role="participant", table_id=None, participant_id=2)
    presence.connections["s2"] = Connection(event_id=5, role="moderator", table_id=None, participant_id=None)
    share = {"people": [1, 2], "host": 1, "screen": 1, "moderator": 0}  # person 2 has a tab on each process
    presence.receive("other", {"full": True, "events": {"5": share}})
    assert presence.counts(5) == {"participants": 2, "hosts": 1, "screens": 1, "moderators": 1}
    presence.receive("other", {"full": False, "events": {"5": {**share, "people": [1, 2, 3]}}})
    assert presence.counts(5)["participants"] == 3
    assert presence.counts(6) == {"participants": 0, "hosts": 0, "screens": 0, "moderators": 0}

    presence.remote["other"].heard_at -= 3 * cluster.heartbeat_interval(app) + 1  # three heartbeats missed
    with app.app_context():
        presence.heartbeat(app)
    assert presence.remote == {}
    assert presence.counts(5) == {"participants": 1, "hosts": 0, "screens": 0, "moderators": 1}


def test_a_full_share_replaces_what_a_process_reported_before(app, monkeypatch):
    monkeypatch.setattr(cluster.bus, "app", app)
    presence = Presence()
    presence.receive("other", {"full": False, "events": {"5": {"people": [1], "host": 0, "screen": 0, "moderator": 0}}})
    presence.receive("other", {"full": True, "events": {}})  # its last phone of event 5 went
    assert presence.counts(5)["participants"] == 0


def test_a_publish_given_up_is_remembered_until_reported():
    manager = ClusterRedisManager(f"redis://127.0.0.1:{free_port()}/0")  # nobody listens there
    assert manager._publish({"method": "emit", "event": "note_added"}) is None
    assert manager.publish_lost is not None
    first, last = manager.publish_lost
    assert first <= last
    assert manager.publish_control("{}") is False


def test_the_bus_ignores_its_own_and_malformed_messages():
    bus = Bus()
    got: list[tuple[str, Any]] = []
    bus.on("kind", lambda process, data: got.append((process, data)))
    bus.receive(json.dumps({"process": PROCESS_ID, "kind": "kind", "data": 1}))
    bus.receive(b"not json")
    bus.receive(json.dumps({"kind": "kind"}))
    bus.receive(json.dumps({"process": "other", "kind": "unknown", "data": 2}))
    bus.receive(json.dumps({"process": "other", "kind": "kind", "data": 3}))
    assert got == [("other", 3)]
    assert bus.publish("kind", {}) is True  # one process, no queue: nobody to tell


@pytest.mark.parametrize(
    ("report", "resyncs"),
    [
        ({"lost_at": 150.0, "until": 190.0}, False),  # inside the last resync: already replayed
        ({"lost_at": 150.0, "until": 210.0}, True),  # a push given up after it
        ({"lost_at": 90.0, "until": 190.0}, True),  # from before it
        ({"lost_at": "soon"}, False),
    ],
)
def test_a_report_of_lost_pushes_already_covered_by_a_resync_is_skipped(report, resyncs, monkeypatch):
    resync = Resync()
    resync._covered = (100.0, 200.0)
    asked: list[float] = []
    monkeypatch.setattr(resync, "request", asked.append)
    resync.requested_elsewhere("other", report)
    assert bool(asked) is resyncs
