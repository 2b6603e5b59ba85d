"""Running the event live: control actions, their pushes, refusals, late arrivals, check-in, auto-advance."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import bearer, received
from tests.test_planning import demo_event


def ctl(client, code, token, action, **extra):
    return client.post(f"/api/v1/events/{code}/control", headers=bearer(token), json={"action": action, **extra})


@pytest.fixture
def demo(client):
    code, moderator = demo_event(client)
    view = client.get(f"/api/v1/events/{code}", headers=bearer(moderator)).get_json()
    return code, moderator, view


def test_start_round_plans_first_and_tells_every_phone_its_table(client, sio, demo):
    code, moderator, view = demo
    phones = {p["name"]: sio(p["token"]) for p in view["participants"][:3]}
    screen = sio(
        client.get(f"/api/v1/events/{code}/links", headers=bearer(moderator)).get_json()["screen"].rsplit("/", 1)[1]
    )
    for sc in [*phones.values(), screen]:
        sc.get_received()
    response = ctl(client, code, moderator, "start_round")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "running" and body["current_round"] == 1
    assert body["round"]["started_at"] and body["round"]["ends_at"]
    for name, phone in phones.items():
        pushes = dict(received(phone))
        assert pushes["round_started"]["round"]["number"] == 1
        change = pushes["assignment_changed"]
        assert change["round"] == 1 and set(change["table"]) >= {"number", "colour", "topic", "question"}
        me = client.get(
            "/api/v1/me", headers=bearer(next(p["token"] for p in view["participants"] if p["name"] == name))
        ).get_json()
        assert me["current"]["table"]["number"] == change["table"]["number"]
    screen_names = [n for n, _ in received(screen)]
    assert "round_started" in screen_names and "assignment_changed" not in screen_names


def test_a_second_start_while_running_is_a_409_and_no_second_round(client, demo):
    code, moderator, _ = demo
    assert ctl(client, code, moderator, "start_round").status_code == 200
    again = ctl(client, code, moderator, "start_round")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "wrong_state"
    assert "Round 1 is still going" in again.get_json()["error"]["message"]
    rounds = client.get(f"/api/v1/events/{code}", headers=bearer(moderator)).get_json()["rounds"]
    assert [r["status"] for r in rounds] == ["running", "planned", "planned"]


def test_pause_resume_extend_end_and_undo(client, sio, demo):
    code, moderator, view = demo
    phone = sio(view["participants"][0]["token"])
    ctl(client, code, moderator, "start_round")
    paused = ctl(client, code, moderator, "pause").get_json()
    assert paused["status"] == "paused" and paused["round"]["paused_remaining_s"] > 1190
    assert ctl(client, code, moderator, "pause").status_code == 409
    assert ctl(client, code, moderator, "extend", seconds=300).get_json()["round"]["paused_remaining_s"] > 1490
    resumed = ctl(client, code, moderator, "resume").get_json()
    assert resumed["status"] == "running" and resumed["round"]["ends_at"]
    ended = ctl(client, code, moderator, "end_round").get_json()
    assert ended["status"] == "moving"
    reopened = ctl(client, code, moderator, "reopen_round").get_json()
    assert reopened["status"] == "running" and reopened["current_round"] == 1
    names = [n for n, _ in received(phone)]
    for push in ("round_started", "round_paused", "round_extended", "round_resumed", "round_ended", "round_reopened"):
        assert push in names


def test_end_round_announces_the_next_seat(client, sio, demo):
    code, moderator, view = demo
    phone = sio(view["participants"][0]["token"])
    ctl(client, code, moderator, "start_round")
    phone.get_received()
    ctl(client, code, moderator, "end_round")
    pushes = received(phone)
    ended = dict(pushes)["round_ended"]
    assert ended["next_round"] == 2
    assert [p["round"] for n, p in pushes if n == "assignment_changed"] == [2]


def test_cancel_round_goes_back(client, demo):
    code, moderator, _ = demo
    ctl(client, code, moderator, "start_round")
    cancelled = ctl(client, code, moderator, "cancel_round").get_json()
    assert cancelled["status"] == "ready" and cancelled["current_round"] is None
    assert ctl(client, code, moderator, "start_round").get_json()["current_round"] == 1


def test_whole_event_to_close(client, demo):
    code, moderator, _ = demo
    for _ in range(3):
        assert ctl(client, code, moderator, "start_round").status_code == 200
        assert ctl(client, code, moderator, "end_round").status_code == 200
    last = ctl(client, code, moderator, "start_round")
    assert last.status_code == 409 and "All 3 rounds" in last.get_json()["error"]["message"]
    assert ctl(client, code, moderator, "start_harvest").get_json()["status"] == "harvest"
    assert ctl(client, code, moderator, "close").get_json()["status"] == "closed"
    assert ctl(client, code, moderator, "start_round").status_code == 409
    assert client.post(f"/api/v1/join/{code}", json={"name": "Too late", "group": "OWL"}).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"action": "fly"},
        {"action": "extend", "seconds": "60"},
        {"action": "extend", "seconds": 99999},
        {"action": "pause", "extra": 1},
    ],
)
def test_bad_control_payloads_are_400(client, demo, body):
    code, moderator, _ = demo
    response = client.post(f"/api/v1/events/{code}/control", headers=bearer(moderator), json=body)
    assert response.status_code == 400


def test_extend_needs_seconds(client, demo):
    code, moderator, _ = demo
    ctl(client, code, moderator, "start_round")
    for extra in ({}, {"seconds": 0}):
        response = ctl(client, code, moderator, "extend", **extra)
        assert response.status_code == 400 and "seconds" in response.get_json()["error"]["message"]


def test_only_the_moderator_controls(client, demo):
    code, moderator, view = demo
    links = client.get(f"/api/v1/events/{code}/links", headers=bearer(moderator)).get_json()
    for token in (
        links["screen"].rsplit("/", 1)[1],
        links["hosts"]["1"].rsplit("/", 1)[1],
        view["participants"][0]["token"],
    ):
        assert ctl(client, code, token, "start_round").status_code == 403


def test_late_arrival_is_seated_in_the_running_round(client, sio, demo):
    code, moderator, view = demo
    ctl(client, code, moderator, "start_round")
    added = client.post(
        f"/api/v1/events/{code}/participants", headers=bearer(moderator), json=[{"name": "Late Lena", "group": "OWL"}]
    ).get_json()["participants"][0]
    token = added["link"].rsplit("/", 1)[1]
    me = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert me["current"]["round"] == 1 and me["next"]["round"] == 2
    plan = client.get(f"/api/v1/events/{code}/plan", headers=bearer(moderator)).get_json()
    assert plan["metrics"]["repeat_pairs"] == 0
    assert all(len(t["people"]) <= 6 for t in plan["rounds"][0]["tables"])


def test_left_and_no_show_free_their_future_seats(client, demo):
    code, moderator, view = demo
    ctl(client, code, moderator, "start_round")
    leaver, absent = view["participants"][0], view["participants"][1]
    url = f"/api/v1/events/{code}/participants/{{}}/status"
    assert client.post(url.format(leaver["id"]), headers=bearer(moderator), json={"status": "left"}).status_code == 200
    client.post(url.format(absent["id"]), headers=bearer(moderator), json={"status": "no_show"})
    plan = client.get(f"/api/v1/events/{code}/plan", headers=bearer(moderator)).get_json()
    routes = {p["id"]: p["tables"] for p in plan["people"]}
    assert routes[leaver["id"]][0] is not None and routes[leaver["id"]][1:] == [None, None]
    assert routes[absent["id"]] == [None, None, None]
    bad = client.post(url.format(leaver["id"]), headers=bearer(moderator), json={"status": "gone"})
    assert bad.status_code == 400


def test_broadcast_reaches_everyone_or_only_the_screen(client, sio, demo):
    code, moderator, view = demo
    links = client.get(f"/api/v1/events/{code}/links", headers=bearer(moderator)).get_json()
    phone, screen = sio(view["participants"][0]["token"]), sio(links["screen"].rsplit("/", 1)[1])
    for sc in (phone, screen):
        sc.get_received()
    url = f"/api/v1/events/{code}/broadcast"
    assert client.post(url, headers=bearer(moderator), json={"text": "Coffee is ready"}).status_code == 201
    client.post(url, headers=bearer(moderator), json={"text": "Screen only", "target": "screen"})
    assert [p["text"] for n, p in received(phone) if n == "message_broadcast"] == ["Coffee is ready"]
    assert [p["text"] for n, p in received(screen) if n == "message_broadcast"] == ["Coffee is ready", "Screen only"]
    assert client.post(url, headers=bearer(moderator), json={"text": ""}).status_code == 400
    assert client.post(url, headers=bearer(moderator), json={"text": "x" * 281}).status_code == 400


def test_auto_advance_ends_a_round_exactly_once(app, client, demo):
    from worldcafe.extensions import db
    from worldcafe.models import Event, utcnow
    from worldcafe.services.control import advance_due

    code, moderator, _ = demo
    client.patch(f"/api/v1/events/{code}", headers=bearer(moderator), json={"auto_advance": True})
    ctl(client, code, moderator, "start_round")
    with app.app_context():
        assert advance_due(utcnow()) == []
        later = utcnow() + timedelta(minutes=21)
        first = advance_due(later)
        assert [p.name for p in first][0] == "round_ended"
        assert advance_due(later) == []
        event = db.session.execute(db.select(Event).filter_by(public_id=code)).scalar_one()
        assert event.status == "moving" and [r.status for r in event.rounds] == ["ended", "planned", "planned"]


def test_without_auto_advance_time_up_leaves_the_round_running(app, client, demo):
    from worldcafe.models import utcnow
    from worldcafe.services.control import advance_due

    code, moderator, _ = demo
    ctl(client, code, moderator, "start_round")
    with app.app_context():
        assert advance_due(utcnow() + timedelta(hours=1)) == []


def table_codes(app, code):
    from worldcafe.extensions import db
    from worldcafe.models import CafeTable, Event

    with app.app_context():
        event = db.session.execute(db.select(Event).filter_by(public_id=code)).scalar_one()
        return {
            t.number: t.checkin_code
            for t in db.session.execute(db.select(CafeTable).filter_by(event_id=event.id)).scalars()
        }


def test_check_in_by_scanning_the_table_card(app, client, sio, demo):
    code, moderator, view = demo
    moderator_socket = sio(moderator)
    ctl(client, code, moderator, "start_round")
    person = view["participants"][0]
    client.get(f"/p/{person['token']}")  # opening the personal page remembers the person in this browser
    mine = client.get("/api/v1/me", headers=bearer(person["token"])).get_json()["current"]["table"]["number"]
    codes = table_codes(app, code)
    other = next(n for n in codes if n != mine)
    english = {"Accept-Language": "en"}  # a phone set to English (the demo event is German)
    wrong = client.get(f"/t/{codes[other]}", headers=english).get_data(as_text=True)
    assert f"You are at table {other} — your table is {mine}." in wrong
    moderator_socket.get_received()
    right = client.get(f"/t/{codes[mine]}", headers=english).get_data(as_text=True)
    assert f"Welcome to table {mine}!" in right
    [(_, push)] = received(moderator_socket, "checked_in")
    assert push["table"] == mine and push["count"] == 1
    occupancy = client.get(f"/api/v1/events/{code}/occupancy", headers=bearer(moderator)).get_json()
    row = next(t for t in occupancy["tables"] if t["table"] == mine)
    assert row["checked_in"] == 1 and row["planned"] >= 4
    client.get(f"/t/{codes[mine]}")  # scanning twice counts once
    assert (
        next(
            t
            for t in client.get(f"/api/v1/events/{code}/occupancy", headers=bearer(moderator)).get_json()["tables"]
            if t["table"] == mine
        )["checked_in"]
        == 1
    )


def test_check_in_without_a_personal_page_asks_who_you_are(app, client, demo):
    code, _, _ = demo
    html = client.get(f"/t/{table_codes(app, code)[1]}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Who are you?" in html
    assert client.get("/t/not-a-real-code").status_code == 404


def test_check_in_at_another_events_table_is_refused(app, client, demo, make_event):
    code, _, view = demo
    other = make_event()
    client.get(f"/p/{view['participants'][0]['token']}")
    foreign = table_codes(app, other.code)[1]
    html = client.get(f"/t/{foreign}").get_data(as_text=True)
    assert "Who are you?" in html  # this browser holds no link for the other event


def test_check_in_service_refuses_foreign_tables(app, client, demo, make_event):
    from worldcafe.extensions import db
    from worldcafe.models import CafeTable, Participant
    from worldcafe.services.checkin import check_in
    from worldcafe.services.errors import ServiceError

    code, moderator, view = demo
    other = make_event()
    ctl(client, code, moderator, "start_round")
    with app.app_context():
        person = db.session.get(Participant, view["participants"][0]["id"])
        foreign = db.session.execute(
            db.select(CafeTable).filter_by(checkin_code=table_codes(app, other.code)[1])
        ).scalar_one()
        with pytest.raises(ServiceError) as info:
            check_in(person, foreign)
        assert info.value.code == "forbidden"


def test_left_and_back_in_the_same_round_keeps_one_seat(client, demo):
    code, moderator, view = demo
    ctl(client, code, moderator, "start_round")
    person = view["participants"][5]
    url = f"/api/v1/events/{code}/participants/{person['id']}/status"
    assert client.post(url, headers=bearer(moderator), json={"status": "left"}).status_code == 200
    assert client.post(url, headers=bearer(moderator), json={"status": "active"}).status_code == 200
    me = client.get("/api/v1/me", headers=bearer(person["token"])).get_json()
    assert me["current"]["round"] == 1 and me["next"]["round"] == 2


def test_joining_during_the_harvest_works_without_a_seat(client, demo):
    code, moderator, _ = demo
    for _ in range(3):
        ctl(client, code, moderator, "start_round")
        ctl(client, code, moderator, "end_round")
    ctl(client, code, moderator, "start_harvest")
    assert client.post(f"/api/v1/join/{code}", json={"name": "Harvest guest", "group": "OWL"}).status_code == 201


def test_close_also_closes_joining_and_tells_everyone(client, sio, demo):
    code, moderator, view = demo
    phone = sio(view["participants"][0]["token"])
    phone.get_received()
    ctl(client, code, moderator, "close")
    names = [n for n, _ in received(phone)]
    assert "event_closed" in names and "joining_changed" in names
    reopen = client.patch(f"/api/v1/events/{code}", headers=bearer(moderator), json={"joining_open": True})
    assert reopen.status_code == 409


def test_auto_planned_start_tells_the_moderator(client, sio, demo):
    code, moderator, _ = demo
    watcher = sio(moderator)
    watcher.get_received()
    ctl(client, code, moderator, "start_round")
    assert "plan_published" in [n for n, _ in received(watcher)]


def test_setup_change_after_planning_re_plans(client, demo):
    code, moderator, _ = demo
    client.post(f"/api/v1/events/{code}/plan", headers=bearer(moderator))
    response = client.put(f"/api/v1/events/{code}", headers=bearer(moderator),
                          json={"rounds": [{"minutes": 20}, {"minutes": 20}, {"minutes": 20}, {"minutes": 15}]})
    assert response.status_code == 200
    plan = client.get(f"/api/v1/events/{code}/plan", headers=bearer(moderator)).get_json()
    assert len(plan["rounds"]) == 4 and all(None not in p["tables"] for p in plan["people"])
