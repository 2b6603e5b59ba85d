"""Pushes to many clients go out in slices with the loop free in between, in the order they were published (§6a)."""

from __future__ import annotations

import pytest

from tests.conftest import received
from worldcafe.extensions import db
from worldcafe.models import Event
from worldcafe.realtime import publish as publishing
from worldcafe.realtime.rooms import event_room
from worldcafe.services.live import Push

NAMES = ["Ada", "Bo", "Cy"]


@pytest.fixture
def phones(app, sio, event):
    """The three participants' sockets (their snapshots read), and the event's room."""
    sockets = [sio(event.participants[name]) for name in NAMES]
    for sc in sockets:
        sc.get_received()
    with app.app_context():
        room = event_room(db.session.execute(db.select(Event.id).filter_by(public_id=event.code)).scalar_one())
    return sockets, room


@pytest.fixture
def serving(monkeypatch):
    """As in a serving process (turns counted), with slices of two clients; returns the pauses' log."""
    log: list[str] = []
    monkeypatch.setattr(publishing.turns, "counting", lambda: True)
    monkeypatch.setattr(publishing, "SLICE_CLIENTS", 2)
    monkeypatch.setattr(publishing, "let_others_run", lambda: log.append("pause"))
    return log


def test_a_push_to_a_big_room_goes_out_in_slices_with_pauses_between(phones, serving, monkeypatch):
    sockets, room = phones
    real_emit = publishing.socketio.emit

    def emit(name, payload, to):
        serving.append(f"emit {len(to)}")
        return real_emit(name, payload, to=to)

    monkeypatch.setattr(publishing.socketio, "emit", emit)
    publishing.publish([Push("broadcast", (room,), {"text": "Coffee is ready"})])
    assert serving == ["emit 2", "pause", "emit 1"]
    for sc in sockets:
        assert [payload["text"] for _name, payload in received(sc, "broadcast")] == ["Coffee is ready"]


def test_a_push_published_during_a_pause_waits_for_the_one_going_out(phones, serving, monkeypatch):
    """Another request's push, published while the first one pauses between slices, never overtakes it."""
    sockets, room = phones

    def pause_with_a_second_publisher():
        serving.append("pause")
        if serving.count("pause") == 1:
            publishing.publish([Push("broadcast", (room,), {"text": "second"})])
            serving.append("second published")

    monkeypatch.setattr(publishing, "let_others_run", pause_with_a_second_publisher)
    publishing.publish([Push("broadcast", (room,), {"text": "first"})])
    assert serving[:2] == ["pause", "second published"]  # it was queued, not emitted, during the pause
    for sc in sockets:
        assert [payload["text"] for _name, payload in received(sc, "broadcast")] == ["first", "second"]


def test_outside_a_serving_process_pushes_go_out_at_once(phones, monkeypatch):
    sockets, room = phones
    monkeypatch.setattr(publishing, "SLICE_CLIENTS", 1)
    monkeypatch.setattr(publishing, "let_others_run", lambda: pytest.fail("paused outside a serving process"))
    publishing.publish([Push("broadcast", (room,), {"text": "now"})])
    for sc in sockets:
        assert [payload["text"] for _name, payload in received(sc, "broadcast")] == ["now"]
