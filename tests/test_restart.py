"""A server killed with -9 mid-round comes back with the same countdown, and clients resync without reload."""

from __future__ import annotations

import time

import pytest
import socketio

from tests.live_server import LiveServer

pytestmark = pytest.mark.slow


def test_kill_9_mid_round_resumes_the_same_countdown(tmp_path):
    from worldcafe.services.demo import demo_spec

    server = LiveServer(tmp_path)
    try:
        created = server.api("POST", "/api/v1/events", body=demo_spec())
        code = created["event"]["id"]
        moderator = created["links"]["moderator"].rsplit("/", 1)[1]
        phone_token = created["links"]["participants"][0]["link"].rsplit("/", 1)[1]
        started = server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "start_round"})
        ends_at = started["round"]["ends_at"]

        received: list[tuple[str, dict]] = []
        client = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5)
        client.on("*", lambda name, data=None: received.append((name, data)))
        client.connect(server.url, auth={"token": phone_token}, transports=["websocket"], wait_timeout=10)
        deadline = time.monotonic() + 5
        while not any(n == "snapshot" for n, _ in received) and time.monotonic() < deadline:
            time.sleep(0.05)
        first = next(d for n, d in received if n == "snapshot")
        assert first["me"]["round"]["ends_at"] == ends_at and first["me"]["current"]["round"] == 1

        server.kill()
        time.sleep(0.5)
        received.clear()
        server = LiveServer(tmp_path, port=server.port)  # same instance folder, same address

        deadline = time.monotonic() + 15
        while not any(n == "snapshot" for n, _ in received) and time.monotonic() < deadline:
            time.sleep(0.1)
        again = next((d for n, d in received if n == "snapshot"), None)
        assert again is not None, f"the client did not resync after the restart: {received}"
        assert again["me"]["round"]["ends_at"] == ends_at
        assert again["me"]["round"]["status"] == "running"
        assert again["me"]["current"] == first["me"]["current"]
        view = server.api("GET", f"/api/v1/events/{code}", moderator)
        assert view["status"] == "running" and view["rounds"][0]["ends_at"] == ends_at
        # And the control room works on: pause after the restart.
        paused = server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "pause"})
        assert paused["status"] == "paused"
        client.disconnect()
    finally:
        server.stop()
