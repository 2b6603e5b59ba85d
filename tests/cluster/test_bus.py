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


def test_a_batch_of_pushes_is_one_message_and_every_process_delivers_it_to_its_own_clients(monkeypatch):
    from worldcafe.realtime import publish as publish_module
    from worldcafe.services.live import Push

    sent: list[str] = []
    emitted: list[tuple[str, Any, Any, bool]] = []

    class Recorder(ClusterRedisManager):  # type: ignore[misc]
        def publish_control(self, message: str) -> bool:
            sent.append(message)
            return True

    monkeypatch.setattr(cluster.bus, "manager", Recorder(f"redis://127.0.0.1:{free_port()}/0"))
    monkeypatch.setattr(
        publish_module.socketio,
        "emit",
        lambda name, payload, to=None, ignore_queue=False: emitted.append((name, payload, to, ignore_queue)),
    )
    pushes = [Push("assignment_changed", (f"person:{i}",), {"seq": 7 + i, "table": i}) for i in range(3)]
    publish_module.publish(pushes)
    assert len(sent) == 1 and emitted == []  # nothing emitted before it comes back through Redis, in order
    cluster.bus.receive(sent[0])  # this process's own batch is delivered too
    assert [(e[0], e[1]["seq"], e[2], e[3]) for e in emitted] == [
        ("assignment_changed", 7, ["person:0"], True),
        ("assignment_changed", 8, ["person:1"], True),
        ("assignment_changed", 9, ["person:2"], True),
    ]
    assert all("server_time" in e[1] for e in emitted)


def test_a_batch_that_cannot_be_published_counts_as_lost():
    from worldcafe.realtime.publish import deliver_batch

    bus = Bus()
    bus.on("pushes", deliver_batch, own=True)
    bus.manager = ClusterRedisManager(f"redis://127.0.0.1:{free_port()}/0")  # nobody listens there
    assert bus.publish("pushes", [["note_added", {"seq": 1}, ["topic:1"]]]) is False
    assert bus.manager.publish_lost is not None


def test_the_channel_names_come_from_the_configuration():
    from worldcafe import create_app

    create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "MESSAGE_QUEUE": f"redis://127.0.0.1:{free_port()}/0",
            "MESSAGE_QUEUE_CHANNEL": "hall-2",
        }
    )
    try:
        manager = cluster.bus.manager
        assert manager is not None and (manager.channel, manager.control_channel) == ("hall-2", "hall-2-control")
    finally:
        create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert cluster.bus.manager is None
