"""A live room's socket messages leave (almost) no garbage in reference cycles: the collector's pauses stay short.

Flask-SocketIO handles every message inside a request context made from its connection's environ (path
``/socket.io/``). When that path matched no rule, each context raised and kept a NotFound with its traceback, frames
and the context itself: about 60 objects in cycles per message. At a room's rate (a host's note, a phone's ``clock``:
a hundred messages a second) that was most of the young generation, collected every two seconds in 10–30 ms pauses
of the loop. Counting the collector's catch is exact, so this is not a timing test.
"""

from __future__ import annotations

import gc
import uuid

from tests.conftest import bearer
from worldcafe.extensions import socketio

MESSAGES = 100
# What one message may leave in cycles (8–9 today: a closure or two inside the libraries; 60+ with the NotFound).
MOST_PER_MESSAGE = 20


def _cyclic_garbage_of(send) -> float:
    for _ in range(5):
        send()  # warm caches (compiled queries, translations) so that only the steady state is counted
    gc.collect()
    gc.disable()
    try:
        for _ in range(MESSAGES):
            send()
        found = gc.collect()
    finally:
        gc.enable()
    return found / MESSAGES


def test_a_hosts_note_and_a_phones_clock_leave_little_cyclic_garbage(app, client, event):
    app.config.update(NOTE_BURST=10**9, CLOCK_LIMIT_PER_LINK="1000000/second")  # a room's rate from one link
    client.post(f"/api/v1/events/{event.code}/control", json={"action": "start_round"}, headers=bearer(event.moderator))
    host = socketio.test_client(app, flask_test_client=client, auth={"token": event.hosts[1]})
    phone = socketio.test_client(app, flask_test_client=client, auth={"token": event.participants["Ada"]})
    try:

        def note() -> None:
            ack = host.emit("add_note", {"id": str(uuid.uuid4()), "text": "An idea"}, callback=True)
            assert ack["ok"] is True, ack
            host.get_received()

        def clock() -> None:
            assert "server_time" in phone.emit("clock", {}, callback=True)

        assert _cyclic_garbage_of(note) < MOST_PER_MESSAGE
        assert _cyclic_garbage_of(clock) < MOST_PER_MESSAGE
    finally:
        host.disconnect()
        phone.disconnect()



def test_every_socket_transport_finds_its_route(app):
    # The real server's WebSocket connections carry an upgrade in their environ; the test client's do not.
    from flask import request
    from werkzeug.test import EnvironBuilder

    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade"}
    for path, headers in (("/socket.io/", {}), ("/socket.io", {}), ("/socket.io/", upgrade)):
        with app.request_context(EnvironBuilder(path=path, headers=headers).get_environ()):
            assert request.routing_exception is None, (path, headers, request.routing_exception)
