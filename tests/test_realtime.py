"""The live backbone: seq on every push, replay by `since`, snapshots, presence, acks."""

from __future__ import annotations

import time

from tests.conftest import bearer, received


def add_people(client, event, *names):
    response = client.post(
        f"/api/v1/events/{event.code}/participants",
        headers=bearer(event.moderator),
        json=[{"name": n, "group": "CA"} for n in names],
    )
    assert response.status_code == 201


def test_every_push_has_seq_and_server_time_and_seq_increases(client, sio, event):
    moderator = sio(event.moderator)
    moderator.get_received()
    before = int(time.time() * 1000)
    add_people(client, event, "Dee")
    add_people(client, event, "Eve")
    pushes = [p for n, p in received(moderator) if n != "presence_changed"]
    assert [p["seq"] for p in pushes] == sorted(p["seq"] for p in pushes)
    assert len({p["seq"] for p in pushes}) == len(pushes) == 4
    assert all(before - 5 <= p["server_time"] <= int(time.time() * 1000) + 5 for p in pushes)


def test_seq_is_gap_free_per_event(app, client, make_event):
    first, second = make_event(), make_event(name="Second")
    for i in range(3):
        add_people(client, first, f"A{i}")
        add_people(client, second, f"B{i}")
    from worldcafe.extensions import db
    from worldcafe.models import Event, LogEntry

    with app.app_context():
        for handle in (first, second):
            event = db.session.execute(db.select(Event).filter_by(public_id=handle.code)).scalar_one()
            seqs = (
                db.session.execute(
                    db.select(LogEntry.seq).filter_by(event_id=event.id).order_by(LogEntry.seq)
                )
                .scalars()
                .all()
            )
            assert seqs == list(range(1, len(seqs) + 1)) and event.last_seq == len(seqs)


def test_reconnect_with_since_replays_only_what_was_missed(client, sio, event):
    first = sio(event.moderator)
    [(_, snap)] = received(first, "snapshot")
    seen = snap["seq"]
    first.disconnect()
    add_people(client, event, "Missed One")
    add_people(client, event, "Missed Two")
    again = sio(event.moderator, since=seen)
    pushes = received(again)
    names = [n for n, _ in pushes if n != "presence_changed"]
    assert names == [
        "participants_added",
        "attendance_changed",
        "participants_added",
        "attendance_changed",
        "synced",
    ]
    added = [p["participants"][0]["name"] for n, p in pushes if n == "participants_added"]
    assert added == ["Missed One", "Missed Two"]
    synced = [p for n, p in pushes if n == "synced"]
    assert synced[0]["replayed"] == 4
    assert "snapshot" not in names


def test_replay_is_filtered_by_the_clients_rooms(client, sio, event):
    screen = sio(event.screen)
    [(_, snap)] = received(screen, "snapshot")
    screen.disconnect()
    add_people(client, event, "Secret Name")
    again = sio(event.screen, since=snap["seq"])
    pushes = [(n, p) for n, p in received(again) if n != "presence_changed"]
    assert [n for n, _ in pushes] == ["attendance_changed", "synced"]
    assert "Secret Name" not in str(pushes)


def test_since_from_the_future_or_too_far_back_gets_a_snapshot(app, client, sio, event):
    future = sio(event.moderator, since=10_000)
    assert [n for n, _ in received(future) if n != "presence_changed"] == ["snapshot"]
    app.config["LOG_REPLAY_LIMIT"] = 2
    add_people(client, event, "A")
    add_people(client, event, "B")
    old = sio(event.moderator, since=0)
    assert [n for n, _ in received(old) if n != "presence_changed"] == ["snapshot"]


def test_non_integer_since_gets_a_snapshot(sio, event):
    for since in ("3", True, None, [1], 0, -4):
        sc = sio(event.screen, since=since)
        assert [n for n, _ in received(sc) if n != "presence_changed"] == ["snapshot"]


def test_sync_request_catches_up_without_reconnecting(client, sio, event):
    screen = sio(event.screen)
    [(_, snap)] = received(screen, "snapshot")
    ack = screen.emit("sync", {"since": snap["seq"]}, callback=True)
    assert ack == {"ok": True, "mode": "replay", "replayed": 0, "seq": snap["seq"]}
    ack = screen.emit("sync", {}, callback=True)
    assert ack["ok"] is True and ack["mode"] == "snapshot"


def test_clock_request_returns_server_time(sio, event):
    sc = sio(event.hosts[1])
    ack = sc.emit("clock", callback=True)
    assert ack["ok"] is True and abs(ack["server_time"] - time.time() * 1000) < 2000


def test_presence_counts_connected_participants_once_per_person(sio, event):
    moderator = sio(event.moderator)
    moderator.get_received()
    ada_phone = sio(event.participants["Ada"])
    sio(event.participants["Ada"])  # a second tab of the same person
    sio(event.participants["Bo"])
    sio(event.hosts[1])
    latest = [p for n, p in received(moderator, "presence_changed")][-1]
    assert latest["connected"] == {"participants": 2, "hosts": 1, "screens": 0, "moderators": 1}
    assert latest["event_id"] == event.code and isinstance(latest["seq"], int)
    ada_phone.disconnect()
    latest = [p for n, p in received(moderator, "presence_changed")][-1]
    assert latest["connected"]["participants"] == 2  # Ada still has her other tab open


def test_join_updates_screen_joined_count_live(client, sio, event):
    screen = sio(event.screen)
    screen.get_received()
    response = client.post(f"/api/v1/join/{event.code}", json={"name": "Walk-in", "group": "DE"})
    assert response.status_code == 201
    [(_, push)] = received(screen, "attendance_changed")
    assert push["joined"] == 4


def test_joining_toggle_reaches_everyone(client, sio, event):
    phone = sio(event.participants["Ada"])
    phone.get_received()
    client.patch(
        f"/api/v1/events/{event.code}", json={"joining_open": False}, headers=bearer(event.moderator)
    )
    [(_, push)] = received(phone, "joining_changed")
    assert push["joining_open"] is False
