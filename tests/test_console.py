"""The moderator console's server side: table health, plain error sentences in the request's language, the
warning about 127.0.0.1 links, and the plan's honest repeat bound."""

from __future__ import annotations

import uuid
from datetime import timedelta

from tests.conftest import bearer
from worldcafe.extensions import db
from worldcafe.models import Round


def ctl(client, code, token, action, **extra):
    return client.post(f"/api/v1/events/{code}/control", headers=bearer(token), json={"action": action, **extra})


def health(client, event):
    response = client.get(f"/api/v1/events/{event.code}/health", headers=bearer(event.moderator))
    assert response.status_code == 200
    return response.get_json()


def by_table(data):
    return {row["table"]: row for row in data["tables"]}


def test_health_shows_host_tablets_and_notes_of_this_round(client, sio, event):
    before = health(client, event)
    assert before["round"] == 1 and before["running"] is False
    assert all(not row["host_online"] and row["notes"] == 0 and not row["silent"] for row in before["tables"])
    assert ctl(client, event.code, event.moderator, "start_round").status_code == 200
    host = sio(event.hosts[1])
    for text in ("Pilot projects first", "Trust takes time"):
        assert host.emit("add_note", {"id": str(uuid.uuid4()), "text": text}, callback=True)["ok"]
    rows = by_table(health(client, event))
    assert rows[1]["host_online"] is True and rows[1]["notes"] == 2 and rows[1]["last_note_at"]
    assert rows[2]["host_online"] is False and rows[2]["notes"] == 0
    host.disconnect()
    assert by_table(health(client, event))[1]["host_online"] is False


def test_a_table_without_notes_for_five_minutes_is_silent(app, client, sio, event):
    assert ctl(client, event.code, event.moderator, "start_round").status_code == 200
    assert not any(row["silent"] for row in health(client, event)["tables"]), "a round just started is not silent"
    host = sio(event.hosts[1])
    assert host.emit("add_note", {"id": str(uuid.uuid4()), "text": "Fresh note"}, callback=True)["ok"]
    with app.app_context():
        rnd = db.session.execute(db.select(Round).where(Round.number == 1)).scalars().first()
        rnd.started_at -= timedelta(minutes=6)
        db.session.commit()
    data = health(client, event)
    rows = by_table(data)
    assert data["silent_after_s"] == 300
    assert rows[1]["silent"] is False, "table 1 wrote a note a moment ago"
    seated = {row["table"] for row in client.get(f"/api/v1/events/{event.code}/occupancy",
                                                   headers=bearer(event.moderator)).get_json()["tables"]}
    assert {n for n, row in rows.items() if row["silent"]} == seated - {1}
    assert ctl(client, event.code, event.moderator, "pause").status_code == 200
    assert not any(row["silent"] for row in health(client, event)["tables"]), "a paused round alerts nobody"


def test_health_is_for_the_moderator_only(client, event):
    for token in (event.screen, event.hosts[1], event.participants["Ada"]):
        assert client.get(f"/api/v1/events/{event.code}/health", headers=bearer(token)).status_code in (401, 403)


def test_validation_errors_are_sentences_with_field_labels(client, event):
    de = {"Accept-Language": "de"}
    url = f"/api/v1/events/{event.code}/participants"
    refused = client.post(url, headers=bearer(event.moderator), json=[{"name": "Jens", "email": "jens(at)luebeck"}])
    error = refused.get_json()["error"]
    assert refused.status_code == 400 and error["code"] == "invalid"
    assert error["message"] == "Email — “jens(at)luebeck” is not an email address (it looks like name@example.org)."
    assert error["details"][0]["field"] == "[0].email" and error["details"][0]["label"] == "Email"
    german = client.post(url, headers={**bearer(event.moderator), **de},
                         json=[{"name": "Jens"}, {"name": " "}]).get_json()["error"]
    assert german["message"] == "Person 2: Name ist leer – bitte ausfüllen."
    detail = german["details"][0]
    assert detail["label"] == "Person 2: Name" and detail["message"] == "darf nicht leer sein"
    setup = client.put(f"/api/v1/events/{event.code}", headers={**bearer(event.moderator), **de},
                       json={"rounds": [{"minutes": 0}]}).get_json()["error"]
    assert setup["message"] == "Runde 1: Minuten muss mindestens 1 sein."


def test_a_note_without_text_says_so_plainly(client, sio, event):
    assert ctl(client, event.code, event.moderator, "start_round").status_code == 200
    ack = sio(event.hosts[1]).emit("add_note", {"id": str(uuid.uuid4()), "text": "  "}, callback=True)
    assert ack["ok"] is False and ack["error"]["message"] == "Note is empty: please fill it in."


def test_too_few_seats_in_german_has_no_english_inside(client, make_event):
    event = make_event(language="de", tables=[{"number": 1, "capacity": 2}],
                       participants=[{"name": n, "group": "CA"} for n in ("A", "B", "C")])
    response = client.post(f"/api/v1/events/{event.code}/plan",
                           headers={**bearer(event.moderator), "Accept-Language": "de"})
    message = response.get_json()["error"]["message"]
    assert response.status_code == 422
    assert message.startswith("Nicht genug Plätze für alle") and "In Runde 1 sind 3 Personen da" in message
    assert "people present" not in message and "seats in all tables" not in message


def test_a_need_no_table_has_names_the_person(client, make_event):
    event = make_event(participants=[{"name": "Ada", "group": "CA", "needs": ["step-free"]}])
    response = client.post(f"/api/v1/events/{event.code}/plan", headers=bearer(event.moderator))
    assert response.status_code == 422
    assert response.get_json()["error"]["message"].startswith("Ada needs “step-free”, but no table")


def test_console_warns_that_phones_cannot_open_127_links(app, client, event):
    html = client.get(f"/m/{event.moderator}", base_url="http://127.0.0.1:5000").get_data(as_text=True)
    assert 'id="lan-warning"' in html and "make run HOST=0.0.0.0" in html and "http://127.0.0.1:5000" in html
    assert 'id="lan-warning"' in client.get(f"/m/{event.moderator}", base_url="http://localhost:5000").get_data(
        as_text=True)
    lan = client.get(f"/m/{event.moderator}", base_url="http://192.168.1.20:5000").get_data(as_text=True)
    assert 'id="lan-warning"' not in lan
    app.config["PUBLIC_URL"] = "http://cafe.example.org"
    public = client.get(f"/m/{event.moderator}", base_url="http://127.0.0.1:5000").get_data(as_text=True)
    assert 'id="lan-warning"' not in public


def test_the_plan_reports_forced_repeats_and_advice(client, make_event):
    people = [{"name": f"P{i}", "group": "CA" if i % 2 else "DE"} for i in range(30)]
    tables = [{"number": n, "topic": None, "capacity": 6} for n in range(1, 6)]
    event = make_event(topics=[], tables=tables, participants=people)
    response = client.post(f"/api/v1/events/{event.code}/plan", headers=bearer(event.moderator))
    assert response.status_code == 200, response.get_json()
    metrics = client.get(f"/api/v1/events/{event.code}/plan", headers=bearer(event.moderator)).get_json()["metrics"]
    assert metrics["lower_bound_repeat_pairs"] >= 10 and metrics["repeat_pairs"] >= metrics["lower_bound_repeat_pairs"]
    assert metrics["repeat_advice"]["tables"] == 1 and metrics["repeat_advice"]["capacity"] == 6

