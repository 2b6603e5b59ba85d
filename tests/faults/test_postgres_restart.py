"""PostgreSQL restarted under a running server: clear errors during the outage, nothing lost or doubled after it.

A private PostgreSQL cluster, a real ``worldcafe run`` process and a real Socket.IO host client: the database is
stopped (``pg_ctl stop -m fast``) in the middle of a round and started again, while the server keeps running.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests.conftest import SPEC, _migrate
from tests.faults.private_postgres import PrivatePostgres
from tests.live_server import LiveServer, wait_for

pytestmark = pytest.mark.slow


def send_until_accepted(client: socketio.Client, name: str, data: dict[str, Any]) -> dict[str, Any]:
    """What the host pad's outbox does: resend while the answer is `unavailable` (backoff shortened for the test)."""
    delay = 0.2
    deadline = time.monotonic() + 30
    while True:
        ack = client.call(name, data, timeout=10)
        if ack["ok"] or ack["error"]["code"] != "unavailable" or time.monotonic() > deadline:
            return ack
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres()
    try:
        yield cluster
    finally:
        cluster.destroy()


def test_postgres_restart_mid_round(tmp_path: Path, postgres: PrivatePostgres) -> None:
    _migrate(postgres.url, str(tmp_path))
    server = LiveServer(tmp_path, env={"WORLDCAFE_DATABASE_URL": postgres.url})
    clients: list[socketio.Client] = []
    try:
        status, created = server.call("POST", "/api/v1/events", body=SPEC)
        assert status == 201, created
        code = created["event"]["id"]
        moderator = created["links"]["moderator"].rsplit("/", 1)[1]
        host_token = created["links"]["hosts"]["1"].rsplit("/", 1)[1]
        assert server.call("POST", f"/api/v1/events/{code}/control", moderator, {"action": "start_round"})[0] == 200
        assert server.call("PATCH", f"/api/v1/events/{code}", moderator, {"auto_advance": True})[0] == 200

        pushes: list[tuple[str, Any]] = []
        host = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5)
        clients.append(host)
        host.on("*", lambda name, data=None: pushes.append((name, data)))
        host.connect(server.url, auth={"token": host_token}, transports=["websocket"], wait_timeout=10)
        wait_for(lambda: any(name == "snapshot" for name, _ in pushes), 10, "the host's snapshot")

        before = {"id": str(uuid.uuid4()), "text": "Written before the restart"}
        assert host.call("add_note", before, timeout=10)["ok"]

        # ---- PostgreSQL goes down; the server process keeps running.
        postgres.stop()
        outage_started = time.monotonic()

        status, body = server.call("GET", f"/api/v1/events/{code}", moderator)
        assert status == 503 and body["error"]["code"] == "unavailable", body
        assert body["error"]["message"] == "The database is not reachable right now; please try again in a moment."
        status, body = server.call("GET", f"/api/v1/events/{code}?lang=de", moderator)
        assert status == 503 and body["error"]["message"].startswith("Die Datenbank ist gerade nicht erreichbar")
        time.sleep(1.1)  # /healthz asks the database at most once a second
        assert server.call("GET", "/healthz") == (503, {"ok": False, "database": "unreachable"})

        during = [{"id": str(uuid.uuid4()), "text": f"Written during the outage {n}"} for n in range(3)]
        for note in during:
            ack = host.call("add_note", note, timeout=10)
            assert ack["ok"] is False and ack["error"]["code"] == "unavailable", ack
        ack = host.call("edit_note", {"id": before["id"], "base_version": 1, "starred": True}, timeout=10)
        assert ack["ok"] is False and ack["error"]["code"] == "unavailable", ack

        # A socket connecting now is refused with a reason it can show, not an error 500.
        refusals: list[Any] = []
        late = socketio.Client(reconnection=False)
        late.on("connect_error", lambda data=None: refusals.append(data))
        with pytest.raises(socketio.exceptions.ConnectionError):
            late.connect(server.url, auth={"token": host_token}, transports=["websocket"], wait_timeout=10)
        assert refusals and refusals[0]["data"]["code"] == "unavailable", refusals
        assert host.connected  # the connected host is not thrown out

        time.sleep(max(0.0, 3.0 - (time.monotonic() - outage_started)))  # let the ticker meet the outage a few times
        # ---- PostgreSQL is back.
        postgres.start()

        # The outbox replays: the notes refused during the outage, the one accepted before, and a new one.
        after = {"id": str(uuid.uuid4()), "text": "Written after the restart"}
        for note in [*during, before, after]:
            ack = send_until_accepted(host, "add_note", note)
            assert ack["ok"] and ack["note"]["id"] == note["id"] and ack["note"]["version"] == 1, ack
        for note in during:  # sent twice more: each resend is harmless
            assert host.call("add_note", note, timeout=10)["note"]["version"] == 1
        starred = send_until_accepted(host, "edit_note", {"id": before["id"], "base_version": 1, "starred": True})
        assert starred["ok"] and starred["note"]["version"] == 2

        # Every note exactly once, over the API and in the database; one note_added each in a gap-free log.
        status, listed = server.call("GET", f"/api/v1/events/{code}/notes", moderator)
        assert status == 200
        expected = {note["id"]: note["text"] for note in [before, *during, after]}
        assert sorted(n["id"] for n in listed["notes"]) == sorted(expected)
        assert {n["id"]: n["text"] for n in listed["notes"]} == expected
        [(event_id, last_seq)] = postgres.query("SELECT id, last_seq FROM event WHERE public_id = %s", code)
        log_seqs = postgres.query("SELECT seq FROM log_entry WHERE event_id = %s ORDER BY seq", event_id)
        seqs = [seq for (seq,) in log_seqs]
        assert seqs == list(range(1, last_seq + 1))
        added = postgres.query(
            "SELECT payload FROM log_entry WHERE event_id = %s AND name = 'note_added'", event_id
        )
        assert sorted(row[0]["note"]["id"] for row in added) == sorted(expected)
        assert postgres.query("SELECT count(*) FROM note WHERE event_id = %s", event_id) == [(len(expected),)]

        # The server serves on without a restart: a new socket connects, /healthz is fine again.
        wait_for(lambda: server.call("GET", "/healthz")[0] == 200, 5, "/healthz to recover")
        again = socketio.Client(reconnection=False)
        clients.append(again)
        snapshots: list[Any] = []
        again.on("snapshot", lambda data: snapshots.append(data))
        again.connect(server.url, auth={"token": host_token}, transports=["websocket"], wait_timeout=10)
        snapshot = wait_for(lambda: snapshots and snapshots[0], 10, "a snapshot after the restart")
        assert sorted(n["id"] for n in snapshot["notes"]) == sorted(expected)

        # And the ticker resumed: a round shortened to end in 2 s ends by itself.
        ends_at = server.call("GET", f"/api/v1/events/{code}", moderator)[1]["rounds"][0]["ends_at"]
        remaining = datetime.fromisoformat(ends_at.replace("Z", "+00:00")) - datetime.now(UTC)
        shorten = {"action": "extend", "seconds": -int(remaining.total_seconds() - 2)}
        assert server.call("POST", f"/api/v1/events/{code}/control", moderator, shorten)[0] == 200
        wait_for(lambda: any(name == "round_ended" for name, _ in pushes), 10, "the ticker to end the round")
        assert server.call("GET", f"/api/v1/events/{code}", moderator)[1]["status"] == "moving"

        log = server.log_path.read_text()
        assert log.count("auto-advance paused, database unreachable") == 1, log[-3000:]
        assert log.count("auto-advance works again") == 1, log[-3000:]
        assert "Traceback" not in log, log[-3000:]
    finally:
        for client in clients:
            if client.connected:
                client.disconnect()
        server.stop()
