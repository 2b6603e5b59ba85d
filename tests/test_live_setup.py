"""A setup that stays editable while live: what history holds stays, the rest changes and reaches every device."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import bearer, received
from tests.test_control import ctl
from tests.test_planning import demo_event


def setup_body(view: dict[str, Any]) -> dict[str, Any]:
    """The setup as the console sends it back: topics with their ids, tables by number."""
    return {
        "rounds": [{"minutes": r["minutes"]} for r in view["rounds"]],
        "topics": [
            {"id": t["id"], "title": t["title"], "question": t["question"], "colour": t["colour"]}
            for t in view["topics"]
        ],
        "tables": [
            {
                "number": t["number"],
                "topic": t["topic_position"],
                "capacity": t["capacity"],
                "host": t["host"],
                "tags": t["tags"],
            }
            for t in view["tables"]
        ],
    }


@pytest.fixture
def live(client):
    """The reference event with round 1 running: (code, moderator token, full view)."""
    code, moderator = demo_event(client)
    assert ctl(client, code, moderator, "start_round").status_code == 200
    return code, moderator, client.get(f"/api/v1/events/{code}", headers=bearer(moderator)).get_json()


def put(client, code, moderator, body):
    return client.put(f"/api/v1/events/{code}", json=body, headers=bearer(moderator))


def plan(client, code, moderator):
    return client.get(f"/api/v1/events/{code}/plan", headers=bearer(moderator)).get_json()


def seats(rnd: dict[str, Any]) -> dict[int, int]:
    """person id → table number in one round of the plan view."""
    return {person["id"]: table["number"] for table in rnd["tables"] for person in table["people"]}


def test_the_view_says_what_is_locked_and_why(client, live):
    code, moderator, view = live
    locks = view["locks"]
    assert locks["started_rounds"] == [1]
    assert locks["tables"] and all(reason == "played in round 1" for reason in locks["tables"].values())
    assert set(locks["topics"]) == {str(t["id"]) for t in view["topics"]}
    german = client.get(f"/api/v1/events/{code}", headers={**bearer(moderator), "Accept-Language": "de"}).get_json()
    assert set(german["locks"]["tables"].values()) == {"in Runde 1 gespielt"}


def test_live_edits_are_accepted_and_reach_phones_pads_and_moderators(client, sio, live):
    code, moderator, view = live
    before = plan(client, code, moderator)
    person = view["participants"][0]
    phone, pad, console = sio(person["token"]), sio(_host_token(client, code, moderator, 4)), sio(moderator)
    screen_token = client.get(f"/api/v1/events/{code}/links", headers=bearer(moderator)).get_json()["screen"]
    screen = sio(screen_token.rsplit("/", 1)[1])
    for sc in (phone, pad, console, screen):
        sc.get_received()
    body = setup_body(view)
    body["tables"][0]["capacity"] = 2  # fewer seats than people at table 1 right now: they stay for this round
    body["tables"].append({"number": 10, "topic": 1, "capacity": 5, "host": "Nia", "tags": []})
    body["topics"][1]["title"] = "Zukunft der Arbeit (neu)"
    body["topics"][1]["question"] = "Was ändert sich 2030?"
    body["rounds"][1]["minutes"] = 15
    body["rounds"].append({"minutes": 10})
    response = put(client, code, moderator, body)
    assert response.status_code == 200, response.get_json()
    after_view = response.get_json()
    assert [r["minutes"] for r in after_view["rounds"]] == [20, 15, 20, 10]
    assert after_view["topics"][1]["title"] == "Zukunft der Arbeit (neu)"
    assert after_view["tables"][-1]["number"] == 10 and after_view["tables"][-1]["host"] == "Nia"

    after = plan(client, code, moderator)
    assert seats(after["rounds"][0]) == seats(before["rounds"][0])  # the running round keeps every seat
    seated_at_1 = next(t for t in after["rounds"][0]["tables"] if t["number"] == 1)["people"]
    assert len(seated_at_1) > 2
    for rnd in after["rounds"][1:]:
        tables = {t["number"]: t["people"] for t in rnd["tables"]}
        assert len(tables[1]) <= 2
        assert sum(len(p) for p in tables.values()) == 40  # everyone has a seat in every round to come, round 4 too

    pushed = dict(received(phone))
    update = pushed["event_updated"]
    assert [r["minutes"] for r in update["rounds"]] == [20, 15, 20, 10]
    assert update["topics"][1]["title"] == "Zukunft der Arbeit (neu)"
    assert update["tables"]["10"] == view["topics"][0]["id"]
    pad_update = dict(received(pad))["event_updated"]
    assert pad_update["topics"][1]["question"] == "Was ändert sich 2030?"
    assert pad_update["tables"]["4"] == view["topics"][1]["id"]  # table 4's pad shows its renamed topic
    assert "plan_published" in [name for name, _ in received(console)]
    assert "event_updated" in dict(received(screen))
    screen.emit("sync", {})  # what the projector does on event_updated: a fresh snapshot with the new texts
    snapshot = dict(received(screen))["snapshot"]
    assert snapshot["event"]["topics"][1]["title"] == "Zukunft der Arbeit (neu)"
    assert len(snapshot["event"]["rounds"]) == 4

    # The new table works at once: its host link opens the pad, connects live, and it is on the links and cards.
    links = client.get(f"/api/v1/events/{code}/links", headers=bearer(moderator)).get_json()
    new_host = links["hosts"]["10"].rsplit("/", 1)[1]
    assert "Zukunft" not in client.get(f"/h/{new_host}").get_data(as_text=True)  # topic 1, not the renamed one
    assert client.get(f"/h/{new_host}").status_code == 200
    new_pad = sio(new_host)
    assert new_pad.is_connected() and dict(received(new_pad))["snapshot"]["table"]["number"] == 10
    assert f"/h/{new_host}" in client.get(f"/m/{moderator}/links").get_data(as_text=True)
    cards = client.get(f"/m/{moderator}/print/tables").get_data(as_text=True)
    assert cards.count('class="sheet table-card"') == 10 and f"/h/{new_host}" in cards

    me = client.get("/api/v1/me", headers=bearer(person["token"])).get_json()
    assert me["event"]["rounds"] == 4


def _host_token(client, code, moderator, number):
    links = client.get(f"/api/v1/events/{code}/links", headers=bearer(moderator)).get_json()
    return links["hosts"][str(number)].rsplit("/", 1)[1]


def _without_table(body, number):
    body["tables"] = [t for t in body["tables"] if t["number"] != number]
    return body


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda b: _without_table(b, 1), "tables", "table 1 cannot be removed: played in round 1"),
        (lambda b: {**b, "topics": b["topics"][:2], "tables": [t for t in b["tables"] if t["topic"] != 3]},
         "topics", "cannot be removed: played in round 1"),
        (lambda b: {**b, "tables": [{**t, "topic": 2} if t["number"] == 1 else t for t in b["tables"]]},
         "tables", "table 1 cannot move to another topic"),
        (lambda b: {**b, "rounds": [{"minutes": 25}, *b["rounds"][1:]]}, "rounds[0].minutes", "“extend”"),
    ],
    ids=["remove-played-table", "remove-played-topic", "move-played-table", "started-round-minutes"],
)
def test_edits_that_would_rewrite_history_are_refused_with_the_reason(client, live, change, field, words):
    code, moderator, view = live
    response = put(client, code, moderator, change(setup_body(view)))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "wrong_state" and words.lower() in error["message"].lower()
    assert any(d["field"] == field for d in error["details"])
    again = client.get(f"/api/v1/events/{code}", headers=bearer(moderator)).get_json()
    assert (again["tables"], again["topics"], again["rounds"]) == (view["tables"], view["topics"], view["rounds"])


def test_fewer_rounds_than_started_is_refused_and_unplayed_rounds_can_go(client, live):
    code, moderator, view = live
    assert ctl(client, code, moderator, "end_round").status_code == 200
    assert ctl(client, code, moderator, "start_round").status_code == 200
    refused = put(client, code, moderator, {"rounds": [{"minutes": 20}]})
    assert refused.status_code == 409 and "at least 2 rounds" in refused.get_json()["error"]["message"]
    german = client.put(f"/api/v1/events/{code}", json={"rounds": [{"minutes": 20}]},
                        headers={**bearer(moderator), "Accept-Language": "de"})
    assert "mindestens 2 Runden" in german.get_json()["error"]["message"]
    shorter = put(client, code, moderator, {"rounds": [{"minutes": 20}, {"minutes": 20}]})
    assert shorter.status_code == 200 and len(shorter.get_json()["rounds"]) == 2
    assert len(plan(client, code, moderator)["rounds"]) == 2


def test_unplayed_table_and_topic_can_still_go_and_the_host_link_dies(client, sio, live):
    code, moderator, view = live
    body = setup_body(view)
    body["topics"].append({"title": "Neu", "question": "", "colour": "teal"})
    body["tables"].append({"number": 10, "topic": 4, "capacity": 5, "host": "", "tags": []})
    added = put(client, code, moderator, body)
    assert added.status_code == 200, added.get_json()
    token = _host_token(client, code, moderator, 10)
    pad = sio(token)
    assert pad.is_connected()
    new_view = added.get_json()
    assert str(new_view["topics"][3]["id"]) not in new_view["locks"]["topics"]
    assert "10" not in new_view["locks"]["tables"]
    removed = put(client, code, moderator, setup_body(view))
    assert removed.status_code == 200, removed.get_json()
    assert [t["number"] for t in removed.get_json()["tables"]] == list(range(1, 10))
    assert not pad.is_connected()
    assert client.get(f"/h/{token}").status_code == 404


def test_topics_sent_with_ids_follow_their_id_not_their_place(client, live):
    code, moderator, view = live
    body = setup_body(view)
    body["topics"].reverse()
    body["tables"] = [{**t, "topic": 4 - t["topic"]} for t in body["tables"]]
    response = put(client, code, moderator, body)
    assert response.status_code == 200, response.get_json()
    topics = response.get_json()["topics"]
    assert [t["id"] for t in topics] == [t["id"] for t in reversed(view["topics"])]
    assert [t["title"] for t in topics] == [t["title"] for t in reversed(view["topics"])]
    body = setup_body(view)
    body["topics"][0]["id"] = 99999
    foreign = put(client, code, moderator, body)
    assert foreign.status_code == 400 and "not a topic of this event" in foreign.get_json()["error"]["message"]


def test_a_persons_group_and_needs_change_live_and_the_rounds_to_come_follow(client, sio, live):
    code, moderator, view = live
    body = setup_body(view)
    for table in body["tables"]:
        if table["number"] in (3, 6, 9):
            table["tags"] = ["step-free"]
    assert put(client, code, moderator, body).status_code == 200
    person = view["participants"][5]
    before = plan(client, code, moderator)
    console = sio(moderator)
    console.get_received()
    response = client.patch(
        f"/api/v1/events/{code}/participants/{person['id']}",
        json={"group": "owl", "needs": ["step-free"], "name": "  Ada  Byron "},
        headers=bearer(moderator),
    )
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()["participant"]
    assert (changed["group"], changed["needs"], changed["name"]) == ("OWL", ["step-free"], "Ada  Byron")
    after = plan(client, code, moderator)
    assert seats(after["rounds"][0]) == seats(before["rounds"][0])
    route = next(p for p in after["people"] if p["id"] == person["id"])["tables"]
    assert all(table in (3, 6, 9) for table in route[1:])
    names = [name for name, _ in received(console)]
    assert "participant_changed" in names and "plan_published" in names


@pytest.mark.parametrize(
    ("body", "status"),
    [({"name": None}, 400), ({"name": ""}, 400), ({"email": "no"}, 400), ({"status": "left"}, 400),
     ({"needs": "en"}, 400)],
)
def test_participant_corrections_are_validated(client, event, body, status):
    pid = event.participant_ids["Ada"]
    response = client.patch(f"/api/v1/events/{event.code}/participants/{pid}", json=body,
                            headers=bearer(event.moderator))
    assert response.status_code == status and response.get_json()["error"]["code"] == "invalid"


def test_participant_corrections_need_the_moderator_and_a_person_of_the_event(client, event, make_event):
    other = make_event()
    pid = other.participant_ids["Ada"]
    missing = client.patch(f"/api/v1/events/{event.code}/participants/{pid}", json={"group": "CA"},
                           headers=bearer(event.moderator))
    assert missing.status_code == 404
    host = client.patch(f"/api/v1/events/{event.code}/participants/{event.participant_ids['Ada']}",
                        json={"group": "CA"}, headers=bearer(event.hosts[1]))
    assert host.status_code == 403


def test_console_page_offers_the_live_setup_and_the_help_desk(client, event):
    html = client.get(f"/m/{event.moderator}").get_data(as_text=True)
    assert 'id="setup-live-note"' in html and 'id="setup-dirty"' in html
    assert 'id="help-search"' in html and 'id="qr-dialog"' in html
    with client.get("/static/js/setup_form.js") as script:
        assert b"beforeunload" in script.data and b"applyLocks" in script.data


def test_a_text_or_round_length_change_moves_nobody_and_costs_no_replan(client, sio, live):
    code, moderator, view = live
    before = plan(client, code, moderator)
    console = sio(moderator)
    console.get_received()
    body = setup_body(view)
    body["topics"][0]["question"] = "Eine neue Frage?"
    body["rounds"][2]["minutes"] = 25
    assert put(client, code, moderator, body).status_code == 200
    names = [name for name, _ in received(console)]
    assert "event_updated" in names and "plan_published" not in names and "assignment_changed" not in names
    assert plan(client, code, moderator)["rounds"] == before["rounds"]


def test_a_setup_change_answers_in_pieces_with_the_loop_free_between_them(client, sio, live, monkeypatch):
    """Its transaction, then its pushes, then the moderator's view: three pieces, not one (DESIGN.md §6a)."""
    from worldcafe.web import api

    code, moderator, view = live
    console = sio(moderator)
    console.get_received()
    steps: list[str] = []
    monkeypatch.setattr(api, "let_others_run", lambda: steps.append(f"pause, {len(console.get_received())} pushed"))
    response = client.post(f"/api/v1/events/{code}/capacity", json={"seats_per_table": 1}, headers=bearer(moderator))
    assert response.status_code == 200, response.get_json()
    assert steps[0] == "pause, 0 pushed" and steps[1] != "pause, 0 pushed" and len(steps) == 2
    assert {t["capacity"] for t in response.get_json()["tables"]} == {t["capacity"] + 1 for t in view["tables"]}
