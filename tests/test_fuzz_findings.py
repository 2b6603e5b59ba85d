"""Regression tests for what the fuzzers (test_fuzz_api.py, test_fuzz_socket.py) found, one per finding."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import bearer, received
from worldcafe.realtime.presence import presence


def test_a_disconnect_message_is_no_request_and_revoking_the_link_still_cuts_the_socket(client, sio, event):
    """python-socketio hands a client's message named "disconnect" to the disconnect handler: it made the server
    forget a socket that stayed connected, so revoking its link no longer reached it (and presence lost it)."""
    host = sio(event.hosts[1])
    event_id = next(iter(presence.local_events()))
    ack = host.emit("disconnect", callback=True)
    assert ack == {
        "ok": False, "error": {"code": "unknown_request", "message": "This server does not handle 'disconnect'."}
    }
    assert host.is_connected()
    assert presence.share(event_id)["host"] == 1
    assert host.emit("clock", callback=True)["ok"]  # still the host's socket, still authorised

    regenerated = client.post(f"/api/v1/events/{event.code}/links/regenerate", headers=bearer(event.moderator),
                              json={"role": "host", "table": 1})
    assert regenerated.status_code == 200
    assert not host.is_connected()


@pytest.mark.parametrize("token_of", ["moderator", "forged"])
def test_a_connect_message_neither_raises_nor_joins_other_rooms(client, sio, event, token_of):
    """A client's message named "connect" ran the connect handler again: with a forged token it raised out of the
    event handler (no ack), with another link's token it joined that link's rooms on the same socket."""
    host = sio(event.hosts[1])
    token = event.moderator if token_of == "moderator" else "A" * 32
    ack = host.emit("connect", {"token": token}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "unknown_request"
    host.get_received()
    client.post(f"/api/v1/events/{event.code}/participants", headers=bearer(event.moderator),
                json=[{"name": "Newcomer", "group": "CA"}])
    assert received(host, "participants_added") == []  # a moderators' push: the host's socket is not in that room


@pytest.mark.parametrize(
    "name", ["sync", "clock", "add_note", "edit_note", "delete_note", "restore_note", "hide_note", "cast_vote",
             "retract_vote"],
)
def test_a_request_with_more_than_one_argument_is_refused_as_invalid(client, sio, event, name):
    """Two arguments made every handler raise TypeError (acked as ``internal``, logged as a bug)."""
    client.post(f"/api/v1/events/{event.code}/control", headers=bearer(event.moderator), json={"action": "start_round"})
    host = sio(event.hosts[1])
    note = {"id": str(uuid.uuid4()), "text": "Twice"}
    ack = host.emit(name, note, {"extra": True}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid", ack
    assert client.get(f"/api/v1/events/{event.code}/notes", headers=bearer(event.moderator)).get_json()["notes"] == []
