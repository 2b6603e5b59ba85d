"""Broadcasts leave phones and pads: they expire, the moderator withdraws them, a new round clears them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import bearer, received
from tests.test_planning import demo_event
from worldcafe.models import utcnow


@pytest.fixture
def demo(client):
    code, moderator = demo_event(client)
    view = client.get(f"/api/v1/events/{code}", headers=bearer(moderator)).get_json()
    links = client.get(f"/api/v1/events/{code}/links", headers=bearer(moderator)).get_json()
    tokens = {
        "moderator": moderator,
        "screen": links["screen"].rsplit("/", 1)[1],
        "host": links["hosts"]["1"].rsplit("/", 1)[1],
        "participant": view["participants"][0]["token"],
    }
    return code, tokens


def send(client, code, moderator, **body):
    response = client.post(f"/api/v1/events/{code}/broadcast", headers=bearer(moderator), json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["broadcast"]


def snapshot_broadcasts(sio, token):
    sc = sio(token)
    return [p for n, p in received(sc) if n == "snapshot"][0]["broadcasts"]


def test_a_broadcast_lasts_the_chosen_time_and_late_joiners_get_only_those_on_show(client, sio, demo, monkeypatch):
    code, tokens = demo
    coffee = send(client, code, tokens["moderator"], text="Coffee is ready", seconds=60)
    default = send(client, code, tokens["moderator"], text="Five minutes by default")
    screen_only = send(client, code, tokens["moderator"], text="For the screen", target="screen", seconds=600)
    assert coffee["seconds"] == 60 and default["seconds"] == 300
    assert coffee["expires_at"] > coffee["sent_at"] and len(coffee["id"]) == 16
    # A phone and a pad connecting now get what is on show for them (not the screen's message); the screen all.
    assert [b["text"] for b in snapshot_broadcasts(sio, tokens["participant"])] == [coffee["text"], default["text"]]
    assert [b["id"] for b in snapshot_broadcasts(sio, tokens["host"])] == [coffee["id"], default["id"]]
    assert [b["id"] for b in snapshot_broadcasts(sio, tokens["screen"])] == [coffee["id"], default["id"],
                                                                              screen_only["id"]]
    # Two minutes later the coffee message has expired: a phone joining late never sees it.
    later = utcnow() + timedelta(seconds=120)
    monkeypatch.setattr("worldcafe.services.broadcasts.utcnow", lambda: later)
    assert [b["text"] for b in snapshot_broadcasts(sio, tokens["participant"])] == [default["text"]]
    listed = client.get(f"/api/v1/events/{code}/broadcasts", headers=bearer(tokens["moderator"])).get_json()
    assert [b["id"] for b in listed["broadcasts"]] == [default["id"], screen_only["id"]]
    # Withdrawing an expired message: it is no longer on show.
    gone = client.delete(f"/api/v1/events/{code}/broadcasts/{coffee['id']}", headers=bearer(tokens["moderator"]))
    assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("seconds", [0, 4, 14401, "60", 1.5, None])
def test_a_broadcast_duration_out_of_range_is_refused(client, demo, seconds):
    code, tokens = demo
    response = client.post(f"/api/v1/events/{code}/broadcast", headers=bearer(tokens["moderator"]),
                           json={"text": "Hi", "seconds": seconds})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid"


def test_the_moderator_withdraws_a_broadcast_from_every_device(client, sio, demo):
    code, tokens = demo
    phone, pad, screen = sio(tokens["participant"]), sio(tokens["host"]), sio(tokens["screen"])
    message = send(client, code, tokens["moderator"], text="Coffee is ready", seconds=900)
    for sc in (phone, pad, screen):
        assert [p["id"] for n, p in received(sc) if n == "message_broadcast"] == [message["id"]]
    response = client.delete(f"/api/v1/events/{code}/broadcasts/{message['id']}", headers=bearer(tokens["moderator"]))
    assert response.status_code == 204
    for sc in (phone, pad, screen):
        withdrawn = [p for n, p in received(sc) if n == "broadcast_withdrawn"]
        assert [(p["id"], p["reason"]) for p in withdrawn] == [(message["id"], "withdrawn")]
        assert isinstance(withdrawn[0]["seq"], int)
    assert snapshot_broadcasts(sio, tokens["participant"]) == []
    # Gone already: a second withdraw is not_found; a malformed id is invalid.
    again = client.delete(f"/api/v1/events/{code}/broadcasts/{message['id']}", headers=bearer(tokens["moderator"]))
    assert again.status_code == 404
    bad = client.delete(f"/api/v1/events/{code}/broadcasts/NOT-HEX", headers=bearer(tokens["moderator"]))
    assert bad.status_code == 400


def test_only_the_moderator_lists_or_withdraws_broadcasts(client, sio, demo):
    code, tokens = demo
    message = send(client, code, tokens["moderator"], text="Lunch", seconds=900)
    for role in ("screen", "host", "participant"):
        url = f"/api/v1/events/{code}/broadcasts"
        assert client.get(url, headers=bearer(tokens[role])).status_code == 403, role
        assert client.delete(f"{url}/{message['id']}", headers=bearer(tokens[role])).status_code == 403, role
        ack = sio(tokens[role]).emit("withdraw_broadcast", {"id": message["id"]}, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden", role
    assert client.delete(f"/api/v1/events/{code}/broadcasts/{message['id']}").status_code == 401
    # Still on show after all those attempts; the moderator's socket request takes it down.
    phone = sio(tokens["participant"])
    assert [b["id"] for b in [p for n, p in received(phone) if n == "snapshot"][0]["broadcasts"]] == [message["id"]]
    ack = sio(tokens["moderator"]).emit("withdraw_broadcast", {"id": message["id"]}, callback=True)
    assert ack["ok"] is True and ack["broadcast"]["id"] == message["id"]
    assert [p["id"] for n, p in received(phone) if n == "broadcast_withdrawn"] == [message["id"]]
    ack = sio(tokens["moderator"]).emit("withdraw_broadcast", {"id": 7}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid"


def test_a_new_round_clears_the_messages_on_show(client, sio, demo):
    code, tokens = demo
    first = send(client, code, tokens["moderator"], text="Find your table", seconds=3600)
    second = send(client, code, tokens["moderator"], text="Screen: welcome", target="screen", seconds=3600)
    phone, screen = sio(tokens["participant"]), sio(tokens["screen"])
    received(phone), received(screen)
    control = f"/api/v1/events/{code}/control"
    assert client.post(control, headers=bearer(tokens["moderator"]), json={"action": "start_round"}).status_code == 200
    assert [(p["id"], p["reason"]) for n, p in received(phone) if n == "broadcast_withdrawn"] == [
        (first["id"], "start_round")]
    assert {p["id"] for n, p in received(screen) if n == "broadcast_withdrawn"} == {first["id"], second["id"]}
    assert snapshot_broadcasts(sio, tokens["screen"]) == []
    # A message sent during the round stays until the next phase.
    during = send(client, code, tokens["moderator"], text="Five more minutes", seconds=3600)
    assert [b["id"] for b in snapshot_broadcasts(sio, tokens["participant"])] == [during["id"]]
    client.post(control, headers=bearer(tokens["moderator"]), json={"action": "end_round"})
    assert [b["id"] for b in snapshot_broadcasts(sio, tokens["participant"])] == [during["id"]]
    client.post(control, headers=bearer(tokens["moderator"]), json={"action": "start_harvest"})
    assert snapshot_broadcasts(sio, tokens["participant"]) == []


def test_a_reconnecting_phone_replays_the_withdrawal(client, sio, demo):
    code, tokens = demo
    phone = sio(tokens["participant"])
    seq = [p for n, p in received(phone) if n == "snapshot"][0]["seq"]
    phone.disconnect()
    message = send(client, code, tokens["moderator"], text="Coffee", seconds=900)
    client.delete(f"/api/v1/events/{code}/broadcasts/{message['id']}", headers=bearer(tokens["moderator"]))
    back = sio(tokens["participant"], since=seq)
    names = [n for n, _p in received(back) if n in ("message_broadcast", "broadcast_withdrawn")]
    assert names == ["message_broadcast", "broadcast_withdrawn"]  # in order: the phone ends with nothing on show
