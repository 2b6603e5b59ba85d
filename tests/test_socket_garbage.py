"""A live room's socket messages leave (almost) no garbage in reference cycles: the collector's pauses stay short.

Flask-SocketIO handles every message inside a request context made from its connection's environ (path
``/socket.io/``). When that path matched no rule, each context raised and kept a NotFound (a WebsocketMismatch for a
WebSocket) with its traceback, frames and the context itself: about 60 objects in cycles per message. At a room's
rate (hosts' notes, phones' ``clock``: a hundred messages a second) that was most of the young generation, collected
every two seconds in 10–30 ms pauses of the loop. Counting the collector's catch is exact, so this is not a timing
test; it runs in a process of its own, where no other test's threads make garbage meanwhile.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from flask import request
from werkzeug.test import EnvironBuilder

# What one message may leave in cycles (8–9 today: a closure or two inside the libraries; 60+ with the NotFound).
MOST_PER_MESSAGE = 20

SCENARIO = textwrap.dedent(
    """
    import gc, json, os, sys, tempfile, uuid
    tmp = tempfile.mkdtemp()
    os.environ["WORLDCAFE_INSTANCE_PATH"] = tmp
    from flask_migrate import upgrade
    from tests.conftest import SPEC
    from worldcafe import create_app
    from worldcafe.extensions import socketio

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "PRESENCE_INTERVAL_S": 0,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/g.db",
                      # a room's rate from one link
                      "NOTE_BURST": 10**9, "CLOCK_LIMIT_PER_LINK": "1000000/second"})
    with app.app_context():
        upgrade()
    client = app.test_client()
    body = client.post("/api/v1/events", json=SPEC).get_json()
    moderator = body["links"]["moderator"].rsplit("/", 1)[1]
    client.post(f"/api/v1/events/{body['event']['id']}/control", json={"action": "start_round"},
                headers={"Authorization": f"Bearer {moderator}"})
    host = socketio.test_client(app, flask_test_client=client,
                                auth={"token": body["links"]["hosts"]["1"].rsplit("/", 1)[1]})
    phone = socketio.test_client(app, flask_test_client=client,
                                 auth={"token": body["links"]["participants"][0]["link"].rsplit("/", 1)[1]})

    def note():
        ack = host.emit("add_note", {"id": str(uuid.uuid4()), "text": "An idea"}, callback=True)
        assert ack["ok"] is True, ack
        host.get_received()

    def clock():
        assert "server_time" in phone.emit("clock", {}, callback=True)

    def per_message(send, messages=100):
        for _ in range(5):
            send()  # warm caches (compiled queries, translations): only the steady state is counted
        gc.collect()
        gc.disable()
        try:
            for _ in range(messages):
                send()
            return gc.collect() / messages
        finally:
            gc.enable()

    print(json.dumps({"note": per_message(note), "clock": per_message(clock)}))
    """
)


def test_a_hosts_note_and_a_phones_clock_leave_little_cyclic_garbage():
    done = subprocess.run(
        [sys.executable, "-c", SCENARIO], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["note"] < MOST_PER_MESSAGE, found
    assert found["clock"] < MOST_PER_MESSAGE, found


def test_every_socket_transport_finds_its_route(app):
    # The real server's WebSocket connections carry an upgrade in their environ; the test client's do not.
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade"}
    for path, headers in (("/socket.io/", {}), ("/socket.io", {}), ("/socket.io/", upgrade)):
        with app.request_context(EnvironBuilder(path=path, headers=headers).get_environ()):
            assert request.routing_exception is None, (path, headers, request.routing_exception)
