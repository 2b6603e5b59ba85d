"""Dot-voting in the harvest: N dots per person on the insights, live counts on the screen."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import bearer, received
from tests.test_control import ctl


@pytest.fixture
def harvest(client, sio, event):
    """Round 1 with three notes (two insights), then the harvest."""
    ctl(client, event.code, event.moderator, "start_round")
    host = sio(event.hosts[1])
    ids = {}
    for text, kind, starred in (
        ("Trust first", "insight", False),
        ("Pilot small", "idea", True),
        ("Coffee", "idea", False),
    ):
        note = host.emit("add_note", {"id": str(uuid.uuid4()), "text": text, "kind": kind}, callback=True)["note"]
        if starred:
            note = host.emit("edit_note", {"id": note["id"], "base_version": 1, "starred": True}, callback=True)["note"]
        ids[text] = note["id"]
    ctl(client, event.code, event.moderator, "end_round")
    ctl(client, event.code, event.moderator, "start_harvest")
    return event, ids


def test_ballot_lists_insights_and_starred_notes(client, harvest):
    event, ids = harvest
    ballot = client.get(f"/api/v1/events/{event.code}/votes", headers=bearer(event.participants["Ada"])).get_json()
    assert ballot["open"] is True and ballot["per_person"] == 3 and ballot["left"] == 3
    assert {item["text"] for item in ballot["items"]} == {"Trust first", "Pilot small"}


def test_votes_count_live_and_are_limited(client, sio, harvest):
    event, ids = harvest
    phone, screen = sio(event.participants["Ada"]), sio(event.screen)
    screen.get_received()
    for _ in range(3):
        ack = phone.emit("cast_vote", {"note_id": ids["Trust first"]}, callback=True)
        assert ack["ok"]
    assert ack["ballot"]["left"] == 0
    fourth = phone.emit("cast_vote", {"note_id": ids["Pilot small"]}, callback=True)
    assert fourth["ok"] is False and fourth["error"]["code"] == "no_votes_left"
    pushes = received(screen, "votes_changed")
    assert [p["votes"] for _, p in pushes] == [1, 2, 3] and pushes[-1][1]["note_id"] == ids["Trust first"]
    back = phone.emit("retract_vote", {"note_id": ids["Trust first"]}, callback=True)
    assert back["ok"] and back["ballot"]["left"] == 1
    assert phone.emit("cast_vote", {"note_id": ids["Pilot small"]}, callback=True)["ok"]
    tally = {
        i["text"]: i["votes"]
        for i in client.get(f"/api/v1/events/{event.code}/votes", headers=bearer(event.screen)).get_json()["items"]
    }
    assert tally == {"Trust first": 2, "Pilot small": 1}


def test_no_votes_outside_the_harvest_or_on_other_notes(client, sio, harvest):
    event, ids = harvest
    phone = sio(event.participants["Bo"])
    assert phone.emit("cast_vote", {"note_id": ids["Coffee"]}, callback=True)["error"]["code"] == "not_found"
    assert phone.emit("cast_vote", {"note_id": "nope"}, callback=True)["error"]["code"] == "invalid"
    assert phone.emit("retract_vote", {"note_id": ids["Coffee"]}, callback=True)["error"]["code"] == "not_found"
    host = sio(event.hosts[1])
    assert host.emit("cast_vote", {"note_id": ids["Trust first"]}, callback=True)["error"]["code"] == "forbidden"
    ctl(client, event.code, event.moderator, "close")
    assert phone.emit("cast_vote", {"note_id": ids["Trust first"]}, callback=True)["error"]["code"] == "wrong_state"


def test_votes_per_person_is_configurable(client, sio, harvest):
    event, ids = harvest
    client.patch(f"/api/v1/events/{event.code}", headers=bearer(event.moderator), json={"votes_per_person": 1})
    phone = sio(event.participants["Cy"])
    assert phone.emit("cast_vote", {"note_id": ids["Trust first"]}, callback=True)["ok"]
    assert phone.emit("cast_vote", {"note_id": ids["Trust first"]}, callback=True)["error"]["code"] == "no_votes_left"
