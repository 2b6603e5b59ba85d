"""Socket budgets are per link: every socket of one link spends from the same budget, reconnecting buys nothing, and
`sync` and `clock` have budgets too; real hosts and screens never meet them."""

from __future__ import annotations

import uuid

import limits.storage.memory
import pytest

from tests.conftest import received
from tests.test_control import ctl
from tests.test_open_network import FakeClock
from worldcafe.realtime import limits as link_limits


@pytest.fixture
def running(client, event):
    assert ctl(client, event.code, event.moderator, "start_round").status_code == 200
    return event


def add(sc, text="note"):
    return sc.emit("add_note", {"id": str(uuid.uuid4()), "text": text}, callback=True)


def test_the_note_budget_is_one_per_link_across_its_sockets_and_reconnects(app, sio, running):
    app.config.update(NOTE_BURST=5, NOTE_RATE=0.001)
    tablet, laptop = sio(running.hosts[1]), sio(running.hosts[1])
    assert [add(tablet)["ok"] for _ in range(3)] + [add(laptop)["ok"] for _ in range(2)] == [True] * 5
    refused = add(laptop)
    assert refused["ok"] is False and refused["error"]["code"] == "rate_limited"
    assert refused["error"]["message"] and isinstance(refused["retry_after"], int) and refused["retry_after"] >= 1
    laptop.disconnect()
    fresh = sio(running.hosts[1])  # reconnecting starts no new budget
    assert add(fresh)["error"]["code"] == "rate_limited"
    assert add(sio(running.hosts[2]))["ok"] is True  # another table's link has its own


def test_refused_notes_are_not_stored(app, client, sio, running):
    from tests.conftest import bearer

    app.config.update(NOTE_BURST=2, NOTE_RATE=0.001)
    host = sio(running.hosts[1])
    acks = [add(host, f"n{i}") for i in range(4)]
    assert [a["ok"] for a in acks] == [True, True, False, False]
    notes = client.get(f"/api/v1/events/{running.code}/notes", headers=bearer(running.moderator)).get_json()["notes"]
    assert [n["text"] for n in notes] == ["n0", "n1"]


def test_sync_and_clock_have_budgets_per_link(app, sio, running):
    app.config.update(SYNC_LIMIT_PER_LINK="2/minute", CLOCK_LIMIT_PER_LINK="3/minute")
    projector, preview = sio(running.screen), sio(running.screen)
    assert projector.emit("sync", {}, callback=True)["ok"] is True
    assert preview.emit("sync", {}, callback=True)["ok"] is True
    projector.get_received()
    refused = projector.emit("sync", {}, callback=True)
    assert refused["ok"] is False and refused["error"]["code"] == "rate_limited" and refused["retry_after"] >= 1
    assert received(projector, "snapshot") == []  # refused before any work
    assert sio(running.moderator).emit("sync", {}, callback=True)["ok"] is True
    clocks = [projector.emit("clock", callback=True) for _ in range(3)]
    assert all(c["ok"] and isinstance(c["server_time"], int) for c in clocks)
    late = preview.emit("clock", callback=True)
    assert late["ok"] is False and late["error"]["code"] == "rate_limited"


def test_a_screen_reconnecting_again_and_again_always_gets_its_catch_up(app, sio, running):
    """Flaky venue Wi-Fi: connecting is never refused for a budget, and each connect brings the snapshot."""
    app.config.update(SYNC_LIMIT_PER_LINK="1/minute")
    for _ in range(30):
        screen = sio(running.screen)
        assert screen.is_connected() and len(received(screen, "snapshot")) == 1
        screen.disconnect()


def test_the_refusal_is_in_the_links_language(app, sio, running):
    from worldcafe.extensions import socketio

    app.config.update(CLOCK_LIMIT_PER_LINK="1/minute")
    german = socketio.test_client(app, auth={"token": running.screen}, query_string="lang=de")
    german.emit("clock", callback=True)
    assert german.emit("clock", callback=True)["error"]["message"].startswith("Zu viele Anfragen")
    german.disconnect()


def test_note_budget_windows_bound_a_token_bucket():
    assert link_limits.note_limits(30, 2.0) == "50/10 seconds;150/60 seconds"
    assert link_limits.note_limits(5, 0.001) == "5/10 seconds;5/60 seconds"


def test_a_host_typing_a_note_a_second_for_an_hour_after_an_outbox_replay_is_never_limited(app, monkeypatch):
    """The default budget: 30 notes queued while the Wi-Fi was down arrive at once, then one note (or edit) a
    second for an hour, from the tablet and the host's phone on the same link."""
    clock = FakeClock()
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    with app.test_request_context():
        assert all(link_limits.spend("note", "host-token") is None for _ in range(30))
        for _ in range(3600):
            clock.now += 1.0
            assert link_limits.spend("note", "host-token") is None
        # A flood from that link is cut to the budget: 2.5 a second over a minute at most.
        burst = [link_limits.spend("note", "host-token") for _ in range(200)]
        assert 35 <= sum(wait is None for wait in burst) <= 50
