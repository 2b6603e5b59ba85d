"""A hidden note's text never reaches the screen: not live, not in a replay (connect with ``since``, ``sync``), not in
a snapshot — the replay applies the note's visibility now, not the one it had when it was pushed."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests.conftest import bearer, received
from tests.live_server import LiveServer, wait_for
from tests.test_control import ctl

SECRET = "Salary figures of the Paderborn plant"
PLAIN = "Pilot projects build trust"


def texts(pushes: list[tuple[str, Any]]) -> str:
    return repr(pushes)


def test_a_note_hidden_since_is_left_out_of_every_replay_to_the_screen(client, sio, event):
    ctl(client, event.code, event.moderator, "start_round")
    screen, moderator, host = sio(event.screen), sio(event.moderator), sio(event.hosts[1])
    first = received(screen, "snapshot")[0][1]["seq"]
    secret_id, plain_id = str(uuid.uuid4()), str(uuid.uuid4())
    assert host.emit("add_note", {"id": secret_id, "text": SECRET}, callback=True)["ok"]
    assert host.emit("add_note", {"id": plain_id, "text": PLAIN}, callback=True)["ok"]
    assert host.emit("edit_note", {"id": secret_id, "base_version": 1, "text": SECRET + "!"}, callback=True)["ok"]
    # Hidden, shown again, hidden again: each earlier push carried the text.
    for hidden in (True, False, True):
        assert moderator.emit("hide_note", {"id": secret_id, "hidden": hidden}, callback=True)["ok"]

    late = sio(event.screen, since=first)
    replay = received(late)
    assert SECRET not in texts(replay), "a screen connecting with since"
    assert PLAIN in texts(replay), "visible notes are replayed as ever"
    drops = [p for n, p in replay if n == "note_deleted" and p["note"]["id"] == secret_id]
    assert drops and all("text" not in p["note"] for p in drops), "the text-less drop of the hiding stays"
    logged = [n for n, _ in replay if n not in ("presence_changed", "synced")]
    assert replay[-1][0] == "synced" and replay[-1][1]["replayed"] == len(logged), "counts what it sent"

    received(screen)  # what it got live, while the note was still shown
    ack = screen.emit("sync", {"since": first}, callback=True)
    assert ack["ok"] and ack["mode"] == "replay"
    assert SECRET not in texts(received(screen)), "a sync on an open screen socket"
    assert screen.emit("sync", {}, callback=True)["mode"] == "snapshot"
    assert SECRET not in texts(received(screen)), "a fresh snapshot"

    # Those allowed to see hidden notes still get them: the moderator, and the pads (flagged hidden).
    assert SECRET in texts(received(sio(event.moderator, since=first)))
    assert SECRET in texts(received(sio(event.hosts[1], since=first)))

    # Shown again, the replay has it again.
    assert moderator.emit("hide_note", {"id": secret_id, "hidden": False}, callback=True)["ok"]
    assert SECRET in texts(received(sio(event.screen, since=first)))


def test_a_deleted_note_hidden_afterwards_does_not_come_back_through_its_tombstone(client, sio, event):
    ctl(client, event.code, event.moderator, "start_round")
    screen, moderator, host = sio(event.screen), sio(event.moderator), sio(event.hosts[1])
    first = received(screen, "snapshot")[0][1]["seq"]
    note_id = str(uuid.uuid4())
    assert host.emit("add_note", {"id": note_id, "text": SECRET}, callback=True)["ok"]
    assert host.emit("delete_note", {"id": note_id, "base_version": 1}, callback=True)["ok"]  # tombstone has text
    assert moderator.emit("hide_note", {"id": note_id, "hidden": True}, callback=True)["ok"]
    assert SECRET not in texts(received(sio(event.screen, since=first)))
    notes = client.get(f"/api/v1/events/{event.code}/notes", headers=bearer(event.screen)).get_json()["notes"]
    assert SECRET not in repr(notes)


@pytest.mark.slow
def test_a_real_servers_screen_reconnecting_or_syncing_never_gets_a_hidden_notes_text(tmp_path: Path):
    from tests.conftest import SPEC

    server = LiveServer(tmp_path)
    opened: list[socketio.Client] = []

    def connect(token: str, **auth: Any) -> tuple[socketio.Client, list[tuple[str, Any]]]:
        got: list[tuple[str, Any]] = []
        client = socketio.Client(reconnection=False)
        client.on("*", lambda name, data=None: got.append((name, data)))
        client.connect(server.url, auth={"token": token, **auth}, transports=["websocket"], wait_timeout=10)
        opened.append(client)
        wait_for(lambda: any(n in ("snapshot", "synced") for n, _ in got), 10, "the catch-up")
        return client, got

    try:
        created = server.api("POST", "/api/v1/events", body=SPEC)
        code = created["event"]["id"]
        token = {role: created["links"][role].rsplit("/", 1)[1] for role in ("moderator", "screen")}
        host_token = created["links"]["hosts"]["1"].rsplit("/", 1)[1]
        server.api("POST", f"/api/v1/events/{code}/control", token["moderator"], {"action": "start_round"})
        screen, seen = connect(token["screen"])
        since = next(d["seq"] for n, d in seen if n == "snapshot")
        host, _ = connect(host_token)
        moderator, _ = connect(token["moderator"])
        secret_id = str(uuid.uuid4())
        assert host.call("add_note", {"id": secret_id, "text": SECRET}, timeout=10)["ok"]
        assert host.call("add_note", {"id": str(uuid.uuid4()), "text": PLAIN}, timeout=10)["ok"]
        wait_for(lambda: PLAIN in repr(seen), 10, "the notes on the open screen")
        screen.disconnect()  # the projector's Wi-Fi drops; meanwhile the moderator hides the note
        assert moderator.call("hide_note", {"id": secret_id, "hidden": True}, timeout=10)["ok"]

        again, replay = connect(token["screen"], since=since)
        wait_for(lambda: any(n == "synced" for n, _ in replay), 10, "the replay")
        assert PLAIN in repr(replay) and SECRET not in repr(replay)
        del replay[:]
        ack = again.call("sync", {"since": since}, timeout=10)
        assert ack["ok"] and ack["mode"] == "replay" and ack["replayed"] >= 1
        assert PLAIN in repr(replay) and SECRET not in repr(replay)
    finally:
        for client in opened:
            if client.connected:
                client.disconnect()
        server.stop()
