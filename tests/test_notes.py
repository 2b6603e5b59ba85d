"""The pad: idempotent adds, conflicts, tombstones, moderation, locking, limits, rate limiting, photos."""

from __future__ import annotations

import io
import uuid

import pytest

from tests.conftest import bearer, received
from tests.test_control import ctl


@pytest.fixture
def running(client, event):
    """The test event with round 1 running (hosts may write)."""
    assert ctl(client, event.code, event.moderator, "start_round").status_code == 200
    return event


def new_id() -> str:
    return str(uuid.uuid4())


def test_same_note_id_three_times_makes_one_note(client, sio, running):
    host = sio(running.hosts[1])
    note_id = new_id()
    acks = [host.emit("add_note", {"id": note_id, "text": "Trust needs time"}, callback=True) for _ in range(3)]
    assert all(a["ok"] for a in acks)
    assert {a["note"]["id"] for a in acks} == {note_id} and {a["note"]["version"] for a in acks} == {1}
    notes = client.get(f"/api/v1/events/{running.code}/notes", headers=bearer(running.moderator)).get_json()["notes"]
    assert [n["id"] for n in notes] == [note_id]


def test_note_reaches_topic_pads_screen_and_moderators_not_others(client, sio, running):
    host1, host2, host3 = sio(running.hosts[1]), sio(running.hosts[2]), sio(running.hosts[3])
    screen, moderator, phone = sio(running.screen), sio(running.moderator), sio(running.participants["Ada"])
    for sc in (host1, host2, host3, screen, moderator, phone):
        sc.get_received()
    ack = host1.emit("add_note", {"id": new_id(), "text": "Pilot projects first", "kind": "insight"}, callback=True)
    note = ack["note"]
    assert note["table"] == 1 and note["topic"] == "Future of work" and note["round"] == 1 and note["kind"] == "insight"
    for sc in (host2, screen, moderator):  # tables 1 and 2 share the topic
        [(_, push)] = received(sc, "note_added")
        assert push["note"]["text"] == "Pilot projects first" and isinstance(push["seq"], int)
    assert received(host3, "note_added") == []  # another topic
    assert received(phone, "note_added") == []


def test_stale_edit_is_a_conflict_with_the_current_version(sio, running):
    a, b = sio(running.hosts[1]), sio(running.hosts[2])
    note = a.emit("add_note", {"id": new_id(), "text": "first"}, callback=True)["note"]
    ok = b.emit("edit_note", {"id": note["id"], "base_version": 1, "text": "second"}, callback=True)
    assert ok["ok"] and ok["note"]["version"] == 2 and ok["note"]["text"] == "second"
    stale = a.emit("edit_note", {"id": note["id"], "base_version": 1, "text": "mine"}, callback=True)
    assert stale["ok"] is False and stale["error"]["code"] == "conflict"
    assert stale["current"]["text"] == "second" and stale["current"]["version"] == 2
    merged = a.emit("edit_note", {"id": note["id"], "base_version": 2, "text": "second + mine"}, callback=True)
    assert merged["ok"] and merged["note"]["version"] == 3


def test_delete_leaves_a_tombstone_and_can_be_undone(client, sio, running):
    host, screen = sio(running.hosts[1]), sio(running.screen)
    note = host.emit("add_note", {"id": new_id(), "text": "oops"}, callback=True)["note"]
    screen.get_received()
    gone = host.emit("delete_note", {"id": note["id"], "base_version": 1}, callback=True)
    assert gone["ok"] and gone["note"]["deleted"] is True and gone["note"]["version"] == 2
    [(_, push)] = received(screen, "note_deleted")
    assert push["note"]["id"] == note["id"]
    assert (
        client.get(f"/api/v1/events/{running.code}/notes", headers=bearer(running.moderator)).get_json()["notes"] == []
    )
    back = host.emit("restore_note", {"id": note["id"], "base_version": 2}, callback=True)
    assert back["ok"] and back["note"]["deleted"] is False
    assert host.emit("add_note", {"id": note["id"], "text": "oops"}, callback=True)["note"]["version"] == 3


def test_star_kind_and_tags(sio, running):
    host = sio(running.hosts[1])
    note = host.emit("add_note", {"id": new_id(), "text": "x", "tags": ["pilot"]}, callback=True)["note"]
    starred = host.emit(
        "edit_note",
        {"id": note["id"], "base_version": 1, "starred": True, "kind": "quote", "tags": ["pilot", "trust"]},
        callback=True,
    )["note"]
    assert starred["starred"] is True and starred["kind"] == "quote" and starred["tags"] == ["pilot", "trust"]


def test_moderator_hides_a_note_from_the_screen_without_deleting_it(client, sio, running):
    host, screen, moderator = sio(running.hosts[1]), sio(running.screen), sio(running.moderator)
    note = host.emit("add_note", {"id": new_id(), "text": "rude remark"}, callback=True)["note"]
    screen.get_received()
    ack = moderator.emit("hide_note", {"id": note["id"], "hidden": True}, callback=True)
    assert ack["ok"] and ack["note"]["hidden"] is True
    pushes = received(screen)
    assert "rude remark" not in str(pushes) and [n for n, _ in pushes] == ["note_deleted"]
    assert client.get(f"/api/v1/events/{running.code}/notes", headers=bearer(running.screen)).get_json()["notes"] == []
    assert (
        len(client.get(f"/api/v1/events/{running.code}/notes", headers=bearer(running.moderator)).get_json()["notes"])
        == 1
    )
    moderator.emit("hide_note", {"id": note["id"], "hidden": False}, callback=True)
    assert [n for n, _ in received(screen)] == ["note_added"]
    assert host.emit("hide_note", {"id": note["id"], "hidden": True}, callback=True)["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        ("host", "add_note", True),
        ("participant", "add_note", False),
        ("screen", "add_note", False),
        ("moderator", "add_note", False),
        ("other_host", "edit_note", False),
        ("cohost", "edit_note", True),
        ("screen", "edit_note", False),
        ("participant", "edit_note", False),
        ("moderator", "edit_note", True),
        ("screen", "delete_note", False),
        ("moderator", "hide_note", True),
        ("cohost", "hide_note", False),
    ],
)
def test_note_authorization(sio, running, role, action, allowed):
    author = sio(running.hosts[1])
    note = author.emit("add_note", {"id": new_id(), "text": "base"}, callback=True)["note"]
    token = {
        "host": running.hosts[1],
        "cohost": running.hosts[2],
        "other_host": running.hosts[3],
        "participant": running.participants["Ada"],
        "screen": running.screen,
        "moderator": running.moderator,
    }[role]
    payload = {
        "add_note": {"id": new_id(), "text": "new"},
        "edit_note": {"id": note["id"], "base_version": 1, "text": "e"},
        "delete_note": {"id": note["id"], "base_version": 1},
        "hide_note": {"id": note["id"], "hidden": True},
    }[action]
    ack = sio(token).emit(action, payload, callback=True)
    assert ack["ok"] is allowed, ack


def test_participant_notes_when_enabled(client, sio, running):
    phone = sio(running.participants["Ada"])
    assert (
        phone.emit("add_note", {"id": new_id(), "text": "from my phone"}, callback=True)["error"]["code"] == "forbidden"
    )
    client.patch(f"/api/v1/events/{running.code}", headers=bearer(running.moderator), json={"participant_notes": True})
    ack = phone.emit("add_note", {"id": new_id(), "text": "from my phone"}, callback=True)
    assert ack["ok"] and ack["note"]["by_participant"] is True and ack["note"]["table"] in (1, 2, 3)


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "text",
        {},
        {"id": "not-a-uuid", "text": "x"},
        {"text": "no id"},
        {"id": str(uuid.uuid4())},
        {"id": str(uuid.uuid4()), "text": ""},
        {"id": str(uuid.uuid4()), "text": "x" * 2001},
        {"id": str(uuid.uuid4()), "text": "x", "kind": "rant"},
        {"id": str(uuid.uuid4()), "text": 5},
        {"id": str(uuid.uuid4()), "text": "x", "tags": ["t"] * 11},
    ],
)
def test_malformed_notes_get_error_acks(sio, running, payload):
    ack = sio(running.hosts[1]).emit("add_note", payload, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid" and ack["error"]["message"]


def test_2000_characters_are_fine(sio, running):
    assert sio(running.hosts[1]).emit("add_note", {"id": new_id(), "text": "é" * 2000}, callback=True)["ok"]


def test_flooding_client_is_rate_limited_others_carry_on(app, sio, running):
    app.config.update(NOTE_BURST=5, NOTE_RATE=0.001)
    flooder, other = sio(running.hosts[1]), sio(running.hosts[2])
    acks = [flooder.emit("add_note", {"id": new_id(), "text": f"spam {i}"}, callback=True) for i in range(8)]
    assert [a["ok"] for a in acks] == [True] * 5 + [False] * 3
    assert acks[-1]["error"]["code"] == "rate_limited"
    assert other.emit("add_note", {"id": new_id(), "text": "real note"}, callback=True)["ok"] is True


def test_pad_is_locked_after_the_grace_period_until_reopened(app, client, sio, running):
    from worldcafe.extensions import db
    from worldcafe.models import Event

    host = sio(running.hosts[1])
    ctl(client, running.code, running.moderator, "end_round")
    assert host.emit("add_note", {"id": new_id(), "text": "in the grace period"}, callback=True)["ok"]
    with app.app_context():
        event = db.session.execute(db.select(Event).filter_by(public_id=running.code)).scalar_one()
        event.pad_grace_s = 0
        db.session.commit()
    locked = host.emit("add_note", {"id": new_id(), "text": "too late"}, callback=True)
    assert locked["error"]["code"] == "pad_locked"
    reopened = client.post(
        f"/api/v1/events/{running.code}/pads", headers=bearer(running.moderator), json={"minutes": 5}
    )
    assert reopened.get_json() == {"open": True}
    assert host.emit("add_note", {"id": new_id(), "text": "reopened"}, callback=True)["ok"]
    refused = client.post(f"/api/v1/events/{running.code}/pads", headers=bearer(running.hosts[1]), json={"minutes": 5})
    assert refused.status_code == 403


def test_host_snapshot_carries_the_topic_pad(sio, running):
    sio(running.hosts[1]).emit("add_note", {"id": new_id(), "text": "shared"}, callback=True)
    cohost = sio(running.hosts[2])
    [(_, snap)] = received(cohost, "snapshot")
    assert [n["text"] for n in snap["notes"]] == ["shared"] and snap["pad_open"] is True


JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def multipart(files: dict[str, tuple[str, bytes]], fields: dict[str, str]) -> tuple[bytes, str]:
    """A multipart body built in memory (Werkzeug's test client would spool big ones to a file it never closes)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(client, event, token, data, name="photo.jpg", **form):
    body, content_type = multipart({"photo": (name, data)}, form)
    with client.post(
        f"/api/v1/events/{event.code}/photos", headers=bearer(token), data=io.BytesIO(body), content_type=content_type
    ) as response:
        response.get_data()
        return response


def test_photo_upload_checks_type_and_size_and_is_shown_to_the_moderator(app, client, running):
    ok = upload(client, running, running.hosts[2], JPEG, caption="Tablecloth")
    assert ok.status_code == 201
    photo = ok.get_json()["photo"]
    assert photo["table"] == 2 and photo["round"] == 1 and photo["content_type"] == "image/jpeg"
    assert upload(client, running, running.moderator, PNG, table="3").status_code == 201
    assert upload(client, running, running.hosts[1], b"GIF89a" + b"\x00" * 50).status_code == 400
    assert upload(client, running, running.hosts[1], b"<svg onload=alert(1)>", name="x.png").status_code == 400
    big = upload(client, running, running.hosts[1], b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024 + 1))
    assert big.status_code == 413
    assert upload(client, running, running.screen, JPEG).status_code == 403
    assert upload(client, running, running.participants["Ada"], JPEG).status_code == 403
    listed = client.get(f"/api/v1/events/{running.code}/photos", headers=bearer(running.moderator)).get_json()["photos"]
    assert [(p["table"], p["caption"]) for p in listed] == [(2, "Tablecloth"), (3, "")]
    own = client.get(f"/api/v1/events/{running.code}/photos", headers=bearer(running.hosts[2])).get_json()["photos"]
    assert [p["table"] for p in own] == [2]
    with client.get(f"/m/{running.moderator}/photos/{photo['id']}") as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg" and response.data == JPEG
    assert client.get(f"/h/{running.hosts[1]}/photos/{photo['id']}").status_code == 404
    with client.get(f"/h/{running.hosts[2]}/photos/{photo['id']}") as response:
        assert response.status_code == 200
