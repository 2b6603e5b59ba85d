"""Lost links and duplicate names: the same browser gets its own link back, look-alike names are warned about,
the moderator finds and merges duplicates, the help desk finds anyone, and `worldcafe links` prints every link."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.conftest import SPEC, bearer, received
from tests.test_control import ctl
from tests.test_pages import csrf_token
from worldcafe.cli import cli

PEOPLE = [
    {"name": "Anna Müller", "group": "CA"},
    {"name": "Jonas Weber", "group": "DE"},
    {"name": "Zoë Schäfer", "group": "DE"},
    {"name": "Ben Okafor", "group": "CA"},
]


@pytest.fixture
def people_event(make_event):
    return make_event(participants=PEOPLE)


def count(client, handle):
    return len(client.get(f"/api/v1/events/{handle.code}", headers=bearer(handle.moderator)).get_json()["participants"])


def test_the_same_browser_posting_the_join_form_again_gets_its_own_page_not_a_second_record(client, event):
    html = client.get(f"/j/{event.code}").get_data(as_text=True)
    first = client.post(f"/j/{event.code}", data={"name": "Walk-in", "group": "DE", "csrf_token": csrf_token(html)})
    own_page = first.headers["Location"]
    # The person pressed back and sent the form again (or opened an old tab): no second record, same page.
    again = client.post(f"/j/{event.code}", data={"name": "Walk-in", "group": "DE", "csrf_token": csrf_token(html)})
    assert again.status_code == 302 and again.headers["Location"] == own_page
    other_name = client.post(f"/j/{event.code}", data={"name": "Someone", "group": "CA",
                                                        "csrf_token": csrf_token(html)})
    assert other_name.headers["Location"] == own_page
    assert client.get(f"/j/{event.code}").headers["Location"] == own_page
    assert count(client, event) == 4


def test_the_api_join_from_a_browser_that_joined_returns_its_own_link(client, event):
    html = client.get(f"/j/{event.code}").get_data(as_text=True)
    own_page = client.post(f"/j/{event.code}", data={"name": "Walk-in", "group": "DE",
                                                      "csrf_token": csrf_token(html)}).headers["Location"]
    response = client.post(f"/api/v1/join/{event.code}", json={"name": "Walk-in", "group": "DE"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["returning"] is True and body["link"].endswith(own_page) and body["participant"]["name"] == "Walk-in"
    assert count(client, event) == 4


def test_a_revoked_cookie_joins_as_usual(client, event):
    html = client.get(f"/j/{event.code}").get_data(as_text=True)
    client.post(f"/j/{event.code}", data={"name": "Walk-in", "group": "DE", "csrf_token": csrf_token(html)})
    pid = count(client, event)
    view = client.get(f"/api/v1/events/{event.code}", headers=bearer(event.moderator)).get_json()
    person = next(p for p in view["participants"] if p["name"] == "Walk-in")
    client.post(f"/api/v1/events/{event.code}/links/regenerate",
                json={"role": "participant", "participant": person["id"]}, headers=bearer(event.moderator))
    assert client.get(f"/j/{event.code}").status_code == 200  # the old cookie no longer opens anything
    response = client.post(f"/api/v1/join/{event.code}", json={"name": "Dora", "group": "DE"})
    assert response.status_code == 201 and count(client, event) == pid + 1


@pytest.mark.parametrize("typed", ["Anna Müller", "  anna   MÜLLER ", "Anna Mueller", "Müller, Anna", "Ana Müller"])
def test_a_name_that_is_already_there_is_a_409_unless_confirmed(client, people_event, typed):
    response = client.post(f"/api/v1/join/{people_event.code}", json={"name": typed, "group": "CA"})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "possible_duplicate" and "Someone called Anna Müller has already joined" in error["message"]
    assert error["details"][0]["name"] == "Anna Müller" and error["details"][0]["similarity"] >= 88
    assert count(client, people_event) == 4
    confirmed = client.post(f"/api/v1/join/{people_event.code}", json={"name": typed, "group": "CA", "confirm": True})
    assert confirmed.status_code == 201 and count(client, people_event) == 5


@pytest.mark.parametrize("typed", ["Anna Schmidt", "Jon", "Ben", "Zoe"])
def test_different_names_join_without_a_warning(client, people_event, typed):
    assert client.post(f"/api/v1/join/{people_event.code}", json={"name": typed, "group": "CA"}).status_code == 201


def test_the_join_page_warns_about_a_look_alike_and_lets_the_person_continue(client, people_event):
    code = people_event.code
    html = client.get(f"/j/{code}?lang=en").get_data(as_text=True)
    warned = client.post(f"/j/{code}", data={"name": "Zoe Schafer", "group": "DE", "csrf_token": csrf_token(html)},
                         follow_redirects=True)
    page = warned.get_data(as_text=True)
    # POST-redirect-GET: the warning is a page of its own, so Back never asks to send the form again.
    assert [r.status_code for r in warned.history] == [303] and warned.request.method == "GET"
    assert warned.status_code == 409
    assert "Someone called Zoë Schäfer has already joined" in page and "help desk" in page
    assert 'name="confirm"' in page and 'value="Zoe Schafer"' in page
    assert count(client, people_event) == 4
    german = client.post(f"/j/{code}?lang=de", data={"name": "Zoe Schafer", "group": "DE",
                                                     "csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "Jemand namens Zoë Schäfer ist schon dabei" in german.get_data(as_text=True)
    joined = client.post(f"/j/{code}", data={"name": "Zoe Schafer", "group": "DE", "confirm": "1",
                                             "csrf_token": csrf_token(page)})
    assert joined.status_code == 302 and joined.headers["Location"].startswith("/p/")
    assert count(client, people_event) == 5


def test_the_moderator_sees_likely_duplicates(client, make_event):
    handle = make_event(participants=[*PEOPLE, {"name": "anna mueller", "group": "CA"},
                                      {"name": "Jonas  Weber", "group": "DE"}])
    response = client.get(f"/api/v1/events/{handle.code}/duplicates", headers=bearer(handle.moderator))
    assert response.status_code == 200
    pairs = [({p["a"]["name"], p["b"]["name"]}, p["similarity"]) for p in response.get_json()["pairs"]]
    assert pairs == [({"Jonas Weber", "Jonas  Weber"}, 100), ({"Anna Müller", "anna mueller"}, 96)]
    assert client.get(f"/api/v1/events/{handle.code}/duplicates", headers=bearer(handle.screen)).status_code == 403


def _set_up_for_merge(app, client, handle):
    """Round 1 running; the kept record was marked absent so only the second record holds a seat, a check-in,
    a note and a vote."""
    keep, drop = handle.participant_ids["Anna Müller"], handle.participant_ids["anna mueller"]
    client.post(f"/api/v1/events/{handle.code}/participants/{keep}/status", json={"status": "no_show"},
                headers=bearer(handle.moderator))
    assert ctl(client, handle.code, handle.moderator, "start_round").status_code == 200
    from worldcafe.extensions import db
    from worldcafe.models import Event, Note, Round, Seat, Vote

    with app.app_context():
        event = db.session.execute(db.select(Event).filter_by(public_id=handle.code)).scalar_one()
        round_1 = db.session.execute(db.select(Round).filter_by(event_id=event.id, number=1)).scalar_one()
        seat = db.session.execute(db.select(Seat).filter_by(round_id=round_1.id, participant_id=drop)).scalar_one()
        seat.checked_in_at = datetime.now(UTC)
        note = Note(id="8c1f0e4e-8d4b-4f43-9a55-3d0f8f3c1a01", event_id=event.id, participant_id=drop,
                    table_id=seat.table_id, round_number=1, text="From the second phone")
        db.session.add(note)
        db.session.flush()
        db.session.add(Vote(event_id=event.id, note_id=note.id, participant_id=drop))
        db.session.commit()
        return keep, drop, seat.table_id


def test_merging_moves_history_drops_future_seats_and_revokes_the_link(app, client, sio, make_event):
    handle = make_event(participants=[*PEOPLE, {"name": "anna mueller", "group": "CA"}])
    keep, drop, table_id = _set_up_for_merge(app, client, handle)
    drop_token = handle.participants["anna mueller"]
    phone, console = sio(drop_token), sio(handle.moderator)
    assert phone.is_connected()
    console.get_received()
    response = client.post(f"/api/v1/events/{handle.code}/participants/merge", json={"keep": keep, "drop": drop},
                           headers=bearer(handle.moderator))
    assert response.status_code == 200, response.get_json()
    kept = response.get_json()["participant"]
    assert kept["id"] == keep and kept["status"] == "active"
    assert not phone.is_connected()
    assert client.get("/api/v1/me", headers=bearer(drop_token)).status_code == 401
    view = client.get(f"/api/v1/events/{handle.code}", headers=bearer(handle.moderator)).get_json()
    assert drop not in [p["id"] for p in view["participants"]]

    from worldcafe.extensions import db
    from worldcafe.models import Note, Seat, Vote

    with app.app_context():
        seats = db.session.execute(db.select(Seat).filter_by(participant_id=keep)).scalars().all()
        played = [s for s in seats if s.table_id == table_id and s.checked_in_at is not None]
        assert len(played) == 1  # round 1's seat and check-in moved over
        assert db.session.execute(db.select(Note.participant_id)).scalar_one() == keep
        assert db.session.execute(db.select(Vote.participant_id)).scalar_one() == keep
        assert not db.session.execute(db.select(Seat).filter_by(participant_id=drop)).scalars().all()
    me = client.get("/api/v1/me", headers=bearer(handle.participants["Anna Müller"])).get_json()
    assert me["current"]["checked_in"] is True and me["next"] is not None  # seated in round 2 by the re-plan
    pushes = dict(received(console))
    assert pushes["participant_removed"] == {**pushes["participant_removed"], "participant_id": drop,
                                             "merged_into": keep}
    assert "plan_published" in pushes and "attendance_changed" in pushes


@pytest.mark.parametrize(
    ("body", "status"),
    [({"keep": 1, "drop": 1}, 400), ({"keep": 1}, 400), ({"keep": 1, "drop": 99999}, 404), ([], 400)],
)
def test_merge_refuses_bad_requests(client, event, body, status):
    if isinstance(body, dict) and body.get("keep") == 1:
        body = {**body, "keep": event.participant_ids["Ada"]}
        if body.get("drop") == 1:
            body["drop"] = body["keep"]
    response = client.post(f"/api/v1/events/{event.code}/participants/merge", json=body,
                           headers=bearer(event.moderator))
    assert response.status_code == status and response.get_json()["error"]["code"] in ("invalid", "not_found")


def test_help_desk_finds_anyone_ignoring_case_and_accents_and_shows_their_qr(client, make_event):
    crowd = [{"name": f"Person {n:03d}", "group": "CA"} for n in range(396)]
    handle = make_event(participants=[*PEOPLE, *crowd])

    def search(query):
        response = client.get(f"/api/v1/events/{handle.code}/participants", query_string={"q": query},
                              headers=bearer(handle.moderator))
        assert response.status_code == 200
        return [p["name"] for p in response.get_json()["participants"]]

    assert search("müll") == ["Anna Müller"]
    assert search("MULLER") == ["Anna Müller"]
    assert search("zoe") == ["Zoë Schäfer"]
    assert search("schäfer zo") == ["Zoë Schäfer"]
    assert search("person 39") == [f"Person {n:03d}" for n in range(396) if "39" in f"{n:03d}"]
    assert search("nobody") == []
    assert len(search("")) == 400
    person = client.get(f"/api/v1/events/{handle.code}/participants", query_string={"q": "weber"},
                        headers=bearer(handle.moderator)).get_json()["participants"][0]
    assert person["link"].endswith("/p/" + handle.participants["Jonas Weber"])
    qr = client.get(f"/m/{handle.moderator}/participants/{person['id']}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert qr.get_data(as_text=True).startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in qr.get_data(
        as_text=True)
    assert client.get(f"/m/{handle.moderator}/participants/99999/qr.svg").status_code == 404
    assert client.get(f"/m/{handle.screen}/participants/{person['id']}/qr.svg").status_code == 404


def test_cli_prints_every_link_of_an_event(app, runner, event):
    result = runner.invoke(cli, ["links", event.code.lower()])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"/m/{event.moderator}" in out and f"/s/{event.screen}" in out and f"/j/{event.code}" in out
    assert all(f"/h/{token}" in out for token in event.hosts.values())
    for person in SPEC["participants"]:
        assert f"{person['name']}: " in out and f"/p/{event.participants[person['name']]}" in out
    as_json = runner.invoke(cli, ["links", event.code, "--json"])
    info = json.loads(as_json.output)
    assert info["event"] == event.code
    assert info["links"]["participants"]["Bo"].endswith(f"/p/{event.participants['Bo']}")
    assert set(info["links"]["hosts"]) == {"1", "2", "3"}
    unknown = runner.invoke(cli, ["links", "NOPE42"])
    assert unknown.exit_code == 2 and "There is no event with that code" in unknown.output


def test_a_refused_join_redirects_to_the_form_with_the_values_and_the_reason_once(client, people_event):
    code = people_event.code
    html = client.get(f"/j/{code}?lang=en").get_data(as_text=True)
    refused = client.post(f"/j/{code}?lang=en", data={"name": "   ", "group": "CA", "csrf_token": csrf_token(html)})
    # POST-redirect-GET: Back and reload of the answer never send the form again.
    assert refused.status_code == 303 and refused.headers["Location"] == f"/j/{code}?lang=en"
    page = client.get(refused.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and 'class="form-error"' in text and 'value="CA" required checked' in text
    assert page.headers["Cache-Control"] == "no-store"
    again = client.get(f"/j/{code}?lang=en")  # reloading shows the plain form: the reason was for that one answer
    assert again.status_code == 200 and 'class="form-error"' not in again.get_data(as_text=True)
    assert count(client, people_event) == 4
