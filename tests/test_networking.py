"""Networking (DESIGN.md §8): profiles, the people I met, the directory, connections by consent, vCards, my data."""

from __future__ import annotations

import json

import pytest
import vobject

from tests.conftest import SPEC, bearer, received
from tests.test_pages import csrf_token
from worldcafe.extensions import db
from worldcafe.models import AccessLink, Connection, Event, LogEntry, Note, Participant

# One table: everyone seated in round 1 meets everyone else.
ONE_TABLE = {
    **SPEC,
    "tables": [{"number": 1, "topic": "Future of work", "capacity": 5, "host": "Hanna"}],
    "participants": [
        {"name": "Ada", "group": "CA", "email": "ada@example.org", "organisation": "Vision Labs", "role": "CTO",
         "offer": "computer vision", "seek": "pilot customers", "interests": ["AI", "robotics"],
         "phone": "+1 555 0100 200", "website": "visionlabs.example"},
        {"name": "Bo", "group": "DE", "email": "bo@example.org", "organisation": "Müller Maschinenbau",
         "offer": "factory floor", "seek": "visual inspection", "phone": "+49 5251 123456"},
        {"name": "Cy", "group": "DE"},
    ],
}


def ctl(client, event, action):
    response = client.post(f"/api/v1/events/{event.code}/control", headers=bearer(event.moderator),
                           json={"action": action})
    assert response.status_code == 200, response.get_json()


def me(client, token, path, **kwargs):
    return client.open(f"/api/v1/me{path}", headers=bearer(token), **kwargs)


def patch(client, token, body):
    return client.patch("/api/v1/me", headers=bearer(token), json=body)


@pytest.fixture
def cafe(make_event):
    return make_event(**ONE_TABLE)


def person(event, name):
    return event.participant_ids[name]


def test_the_whole_flow_two_phones_meet_connect_and_swap_vcards_only_with_consent(client, sio, cafe):
    ada, bo = cafe.participants["Ada"], cafe.participants["Bo"]
    # Before a round has started nobody has met anybody.
    assert me(client, ada, "/met").get_json() == {"people": []}
    ctl(client, cafe, "start_round")
    met = me(client, ada, "/met").get_json()["people"]
    bo_seen = next(p for p in met if p["name"] == "Bo")
    # The name, where and when: nothing else without Bo's consent (the organiser's import gave none).
    assert bo_seen == {"id": person(cafe, "Bo"), "name": "Bo", "rounds": [1], "tables": [1], "connection": "none"}
    assert {p["name"] for p in met} == {"Bo", "Cy"}

    # Bo lists himself and shares his contact data with connections; Ada only lists herself.
    assert patch(client, bo, {"listed": True, "share_contact": True}).status_code == 200
    assert patch(client, ada, {"listed": True}).status_code == 200
    bo_seen = next(p for p in me(client, ada, "/met").get_json()["people"] if p["name"] == "Bo")
    assert bo_seen["organisation"] == "Müller Maschinenbau" and bo_seen["seek"] == "visual inspection"
    assert "contact" not in bo_seen, "contact data only to connections"

    ada_socket, bo_socket = sio(ada), sio(bo)
    received(ada_socket), received(bo_socket)
    asked = me(client, ada, "/connections", method="POST", json={"participant": person(cafe, "Bo")})
    assert asked.status_code == 201 and asked.get_json() == {"connection": "requested"}
    assert received(ada_socket, "connection_changed")[0][1]["connection"] == "requested"
    pushed = received(bo_socket, "connection_changed")
    assert len(pushed) == 1 and pushed[0][1]["participant"] == person(cafe, "Ada")
    assert pushed[0][1]["connection"] == "incoming"
    # Asking again changes nothing and pushes nothing.
    again = me(client, ada, "/connections", method="POST", json={"participant": person(cafe, "Bo")})
    assert again.status_code == 200 and again.get_json() == {"connection": "requested"}
    assert received(bo_socket, "connection_changed") == []

    # Bo accepts by asking back: one connection, pushed once to each side.
    accepted = me(client, bo, "/connections", method="POST", json={"participant": person(cafe, "Ada")})
    assert accepted.status_code == 201 and accepted.get_json() == {"connection": "connected"}
    assert [p["connection"] for _n, p in received(ada_socket, "connection_changed")] == ["connected"]
    assert [p["connection"] for _n, p in received(bo_socket, "connection_changed")] == ["connected"]
    with client.application.app_context():
        assert db.session.scalar(db.select(db.func.count(Connection.id))) == 1

    # Ada sees Bo's contact data (he shares it); Bo sees only Ada's listed profile (she does not share).
    bo_seen = next(p for p in me(client, ada, "/met").get_json()["people"] if p["name"] == "Bo")
    assert bo_seen["connection"] == "connected"
    assert bo_seen["contact"] == {"email": "bo@example.org", "phone": "+49 5251 123456", "website": None}
    ada_seen = next(p for p in me(client, bo, "/met").get_json()["people"] if p["name"] == "Ada")
    assert ada_seen["organisation"] == "Vision Labs" and "contact" not in ada_seen

    cards = me(client, ada, "/contacts.vcf")
    assert cards.status_code == 200 and cards.mimetype == "text/vcard"
    assert "attachment" in cards.headers["Content-Disposition"] and ".vcf" in cards.headers["Content-Disposition"]
    [card] = list(vobject.readComponents(cards.get_data(as_text=True)))
    assert card.fn.value == "Bo" and card.email.value == "bo@example.org" and card.tel.value == "+49 5251 123456"
    assert card.org.value == ["Müller Maschinenbau"]
    assert "Test Café" in card.note.value and "1" in card.note.value
    # The per-person card, and the same from the phone page's link.
    one = me(client, ada, f"/contacts/{person(cafe, 'Bo')}.vcf")
    assert one.status_code == 200 and "BEGIN:VCARD" in one.get_data(as_text=True)
    assert client.get(f"/p/{ada}/contacts/{person(cafe, 'Bo')}.vcf").status_code == 200
    # Ada did not consent to share her contact: Bo's file has no card, her card is a 404, no trace of her email.
    bos = me(client, bo, "/contacts.vcf")
    assert bos.status_code == 200 and "BEGIN:VCARD" not in bos.get_data(as_text=True)
    assert "ada@example.org" not in bos.get_data(as_text=True)
    assert me(client, bo, f"/contacts/{person(cafe, 'Ada')}.vcf").status_code == 404

    # Declining/withdrawing ends it on both sides.
    assert me(client, bo, f"/connections/{person(cafe, 'Ada')}", method="DELETE").status_code == 204
    assert [p["connection"] for _n, p in received(ada_socket, "connection_changed")] == ["none"]
    assert me(client, ada, "/contacts.vcf").get_data(as_text=True) == ""


def test_nobody_beyond_the_met_list_or_directory_can_be_asked(client, make_event, cafe):
    other = make_event(**{**ONE_TABLE, "name": "Other café"})
    ada = cafe.participants["Ada"]
    # Not met yet (no round started) and not listed: 404, not even a hint that the person exists.
    for target in (person(cafe, "Bo"), person(other, "Bo"), person(cafe, "Ada"), 999999):
        response = me(client, ada, "/connections", method="POST", json={"participant": target})
        assert response.status_code == 404, target
    # Listed people can be asked from the directory.
    assert patch(client, cafe.participants["Bo"], {"listed": True}).status_code == 200
    assert me(client, ada, "/connections", method="POST", json={"participant": person(cafe, "Bo")}).status_code == 201
    assert me(client, ada, "/connections", method="POST", json={"participant": "x"}).status_code == 400
    assert me(client, ada, f"/connections/{person(other, 'Bo')}", method="DELETE").status_code == 404


def test_directory_lists_only_listed_people_and_searches_their_profile(client, cafe):
    ada, bo, cy = (cafe.participants[n] for n in ("Ada", "Bo", "Cy"))
    assert me(client, cy, "/directory").get_json() == {"people": [], "total": 0, "page": 1, "pages": 1}
    patch(client, ada, {"listed": True})
    patch(client, bo, {"listed": True, "interests": ["Bildverarbeitung", "Förderprogramme"]})
    names = [p["name"] for p in me(client, cy, "/directory").get_json()["people"]]
    assert names == ["Ada", "Bo"]
    assert [p["name"] for p in me(client, cy, "/directory?q=VISION").get_json()["people"]] == ["Ada"]
    assert [p["name"] for p in me(client, cy, "/directory?q=muller").get_json()["people"]] == ["Bo"]
    assert [p["name"] for p in me(client, cy, "/directory?q=bildverarbeitung").get_json()["people"]] == ["Bo"]
    assert [p["name"] for p in me(client, cy, "/directory?q=FORDER").get_json()["people"]] == ["Bo"]
    assert me(client, cy, "/directory?q=nothing-like-this").get_json()["total"] == 0
    # I am not in my own directory; the page number must be a number.
    assert [p["name"] for p in me(client, ada, "/directory").get_json()["people"]] == ["Bo"]
    assert me(client, cy, "/directory?page=x").status_code == 400
    assert me(client, cy, "/directory?q=" + "x" * 201).status_code == 400
    assert me(client, cy, "/directory?page=9").get_json()["people"] == []


@pytest.mark.parametrize(("body", "field"), [
    ({"organisation": "x" * 201}, "organisation"),
    ({"role": "x" * 201}, "role"),
    ({"offer": "x" * 501}, "offer"),
    ({"seek": "x" * 501}, "seek"),
    ({"interests": [f"t{i}" for i in range(21)]}, "interests"),
    ({"interests": ["x" * 51]}, "interests[0]"),
    ({"interests": "AI"}, "interests"),
    ({"phone": "call me maybe"}, "phone"),
    ({"phone": "12"}, "phone"),
    ({"website": "not a site"}, "website"),
    ({"email": "nobody"}, "email"),
    ({"listed": "yes"}, "listed"),
    ({"listed": None}, ""),
    ({"name": "New name"}, "name"),
    ({"shoe_size": 44}, "shoe_size"),
])
def test_profile_changes_are_validated_naming_the_field(client, cafe, body, field):
    response = patch(client, cafe.participants["Ada"], body)
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    if field:
        assert field in [d["field"] for d in error["details"]], error


def test_profile_edits_clear_and_normalise(client, cafe):
    ada = cafe.participants["Ada"]
    body = patch(client, ada, {"website": "example.org", "interests": ["AI", "ai", "Robotik"], "role": ""})
    assert body.status_code == 200
    profile = body.get_json()["profile"]
    assert profile["website"] == "https://example.org" and profile["interests"] == ["AI", "Robotik"]
    assert profile["role"] is None and profile["listed"] is False and profile["share_contact"] is False
    assert client.get("/api/v1/me", headers=bearer(ada)).get_json()["profile"]["website"] == "https://example.org"


def test_the_organiser_cannot_give_consent_for_anyone(client, make_event):
    for consent in ("listed", "share_contact"):
        spec = {**ONE_TABLE, "participants": [{"name": "Ada", consent: True}]}
        response = client.post("/api/v1/events", json=spec)
        assert response.status_code == 400
        assert response.get_json()["error"]["details"][0]["field"] == f"participants[0].{consent}"


def test_csv_import_reads_profile_columns_in_german_and_ignores_consent_columns(client, make_event, app):
    event = make_event(participants=[])
    csv = ("Name;Gruppe;E-Mail;Firma;Rolle;Wir bieten;Wir suchen;Interessen;Telefon;Webseite;Sichtbar\n"
           "Jonas Weber;DE;jonas@example.org;Weber GmbH;Leitung;Sensorik;Bildverarbeitung;"
           "\"KI, Robotik\";05251 1234;weber.example;ja\n")
    response = client.post(f"/api/v1/events/{event.code}/participants/import", headers=bearer(event.moderator),
                           data=csv.encode(), content_type="text/csv")
    assert response.status_code == 201, response.get_json()
    english = ("Name,Group,Email,Organization,Role,We offer,We seek,Interests,Phone,Website\n"
               "Emily Chen,CA,emily@example.org,Vision Inc,CEO,computer vision,partners,AI; vision,+1 555 0100,"
               "https://vision.example\n")
    response = client.post(f"/api/v1/events/{event.code}/participants/import", headers=bearer(event.moderator),
                           data=english.encode(), content_type="text/csv")
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        jonas = db.session.scalar(db.select(Participant).filter_by(name="Jonas Weber"))
        assert (jonas.organisation, jonas.role, jonas.offer, jonas.seek) == (
            "Weber GmbH", "Leitung", "Sensorik", "Bildverarbeitung")
        assert jonas.interests == ["KI", "Robotik"] and jonas.phone == "05251 1234"
        assert jonas.website == "https://weber.example"
        assert jonas.listed is False and jonas.share_contact is False, "a consent column is never read"
        emily = db.session.scalar(db.select(Participant).filter_by(name="Emily Chen"))
        assert emily.organisation == "Vision Inc" and emily.interests == ["AI", "vision"]
    bad = "Name,Telefon\nXaver,nicht erreichbar\n"
    report = client.post(f"/api/v1/events/{event.code}/participants/import?dry_run=1",
                         headers=bearer(event.moderator), data=bad.encode(), content_type="text/csv").get_json()
    assert report["ok"] is False and "phone" in report["rows"][0]["error"].lower()


def test_joining_with_a_profile_and_consents(client, make_event, app):
    event = make_event(**ONE_TABLE)
    response = client.post(f"/api/v1/join/{event.code}", json={
        "name": "Dana", "group": "CA", "organisation": "North AI", "offer": "NLP", "listed": True,
        "email": "dana@example.org"})
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        dana = db.session.scalar(db.select(Participant).filter_by(name="Dana"))
        assert dana.organisation == "North AI" and dana.listed is True and dana.share_contact is False
        assert dana.email == "dana@example.org"
    # The form: name and group only; the consents stay off unless ticked.
    page = client.get(f"/j/{event.code}").get_data(as_text=True)
    form = client.post(f"/j/{event.code}", data={"name": "Eve", "group": "DE", "csrf_token": csrf_token(page)})
    assert form.status_code == 302
    with app.app_context():
        eve = db.session.scalar(db.select(Participant).filter_by(name="Eve"))
        assert eve.listed is False and eve.share_contact is False


def test_join_page_explains_the_consents_next_to_the_privacy_notice(client, make_event, app):
    event = make_event(**ONE_TABLE)
    page = client.get(f"/j/{event.code}").get_data(as_text=True)
    assert 'name="listed"' in page and 'name="share_contact"' in page and "checked" not in page.split(
        'name="listed"')[1].split(">")[0]
    assert "Privacy" in page
    with app.app_context():
        db.session.execute(db.update(Event).values(privacy_notice="Die IHK speichert Ihre Daten 30 Tage."))
        db.session.commit()
    assert "Die IHK speichert Ihre Daten 30 Tage." in client.get(f"/j/{event.code}").get_data(as_text=True)


def test_export_holds_everything_about_me_and_no_one_elses_unshared_contact(client, sio, cafe):
    ada, bo = cafe.participants["Ada"], cafe.participants["Bo"]
    ctl(client, cafe, "start_round")
    patch(client, ada, {"listed": True})
    me(client, ada, "/connections", method="POST", json={"participant": person(cafe, "Bo")})
    me(client, bo, "/connections", method="POST", json={"participant": person(cafe, "Ada")})
    data = me(client, ada, "/export").get_json()
    assert data["profile"]["email"] == "ada@example.org" and data["profile"]["organisation"] == "Vision Labs"
    assert data["consents"] == {"listed": True, "share_contact": False}
    assert data["seats"][0]["round"] == 1 and data["seats"][0]["table"] == 1
    assert data["connections"][0]["name"] == "Bo" and data["connections"][0]["connection"] == "connected"
    assert "bo@example.org" not in json.dumps(data), "Bo did not share his contact data"
    assert client.get(f"/p/{ada}/my-data.json").get_json()["profile"]["name"] == "Ada"


def test_erasure_leaves_no_trace_of_profile_or_contact_and_ends_the_links(client, sio, cafe, app):
    ada, bo = cafe.participants["Ada"], cafe.participants["Bo"]
    ctl(client, cafe, "start_round")
    moderator = sio(cafe.moderator)
    patch(client, ada, {"listed": True, "share_contact": True})
    me(client, bo, "/connections", method="POST", json={"participant": person(cafe, "Ada")})
    ada_socket = sio(ada)
    note = ada_socket.emit("add_note", {"id": "8d7f3a52-3c1b-4c8e-9a43-1d2b3c4d5e6f", "text": "Pilot first"},
                           callback=True)
    bo_socket = sio(bo)
    received(bo_socket), received(moderator)
    assert me(client, ada, "", method="DELETE").status_code == 204
    assert client.get("/api/v1/me", headers=bearer(ada)).status_code == 401
    assert client.get(f"/p/{ada}").status_code == 404
    pushed = received(bo_socket)
    assert [p["connection"] for n, p in pushed if n == "connection_changed"] == ["none"], pushed
    assert any(p["participant"].get("erased") for _n, p in received(moderator, "participant_changed"))
    with app.app_context():
        row = db.session.get(Participant, person(cafe, "Ada"))
        assert row.name == "Erased participant" and row.erased_at is not None
        assert all(getattr(row, key) in (None, [], False) for key in (
            "email", "organisation", "role", "offer", "seek", "interests", "phone", "website", "listed",
            "share_contact", "needs"))
        assert db.session.scalar(db.select(db.func.count(Connection.id))) == 0
        assert db.session.scalar(db.select(db.func.count(AccessLink.id)).filter_by(participant_id=row.id)) == 0
        if note.get("ok"):
            assert db.session.get(Note, "8d7f3a52-3c1b-4c8e-9a43-1d2b3c4d5e6f") is not None, "notes stay"
        # Nothing of the profile or contact anywhere in the database's text: the log included.
        logs = json.dumps([entry.payload for entry in db.session.scalars(db.select(LogEntry))])
        for secret in ("ada@example.org", "Vision Labs", "+1 555 0100 200", "visionlabs", "computer vision"):
            assert secret not in logs
        assert '"Ada"' not in logs
    # Erased people leave the others' lists.
    assert all(p["name"] != "Erased participant" for p in me(client, bo, "/met").get_json()["people"])


def test_erasure_pushes_the_end_of_a_connection_once(client, sio, cafe):
    ada, bo = cafe.participants["Ada"], cafe.participants["Bo"]
    patch(client, ada, {"listed": True})
    me(client, bo, "/connections", method="POST", json={"participant": person(cafe, "Ada")})
    bo_socket = sio(bo)
    received(bo_socket)
    assert me(client, ada, "", method="DELETE").status_code == 204
    pushed = received(bo_socket, "connection_changed")
    assert [(p["participant"], p["connection"]) for _n, p in pushed] == [(person(cafe, "Ada"), "none")]


def test_connection_pushes_replay_after_a_reconnect(client, sio, cafe):
    ada, bo = cafe.participants["Ada"], cafe.participants["Bo"]
    patch(client, ada, {"listed": True})
    bo_socket = sio(bo)
    seq = bo_socket.get_received()[0]["args"][0]["seq"]
    bo_socket.disconnect()
    me(client, ada, "/connections", method="POST", json={"participant": person(cafe, "Bo")}).status_code  # noqa: B018
    patch(client, bo, {"listed": True})
    assert me(client, ada, "/connections", method="POST", json={"participant": person(cafe, "Bo")}).status_code \
        in (200, 201)
    back = sio(bo, since=seq)
    pushed = received(back, "connection_changed")
    assert [p["connection"] for _n, p in pushed] == ["incoming"]


def test_follow_up_pack_shows_the_summary_only_when_shared(client, cafe, app):
    ada = cafe.participants["Ada"]
    ctl(client, cafe, "start_round")
    assert me(client, ada, "/summary.json").status_code == 404
    assert client.get(f"/p/{ada}/summary").status_code == 404
    with app.app_context():
        db.session.execute(db.update(Event).values(summary_shared=True))
        db.session.commit()
    assert me(client, ada, "/summary.json").status_code == 200
    page = client.get(f"/p/{ada}/summary")
    assert page.status_code == 200 and "Test Café" in page.get_data(as_text=True)
    assert client.get("/api/v1/me", headers=bearer(ada)).get_json()["event"]["summary_shared"] is True


def test_the_help_desk_cannot_give_consent_for_a_walk_in(client, make_event):
    event = make_event(**ONE_TABLE)
    url = f"/api/v1/events/{event.code}/helpdesk/walk_ins"
    refused = client.post(url, headers=bearer(event.helpdesk), json={"name": "Walk-in Wanda", "group": "CA",
                                                                     "listed": True})
    assert refused.status_code == 400 and refused.get_json()["error"]["details"][0]["field"] == "listed"
    added = client.post(url, headers=bearer(event.helpdesk), json={"name": "Walk-in Wanda", "group": "CA",
                                                                   "organisation": "Acme"})
    assert added.status_code == 201, added.get_json()


def test_erasure_leaves_no_profile_or_contact_in_any_table(client, cafe, app):
    ada = cafe.participants["Ada"]
    patch(client, ada, {"listed": True, "share_contact": True, "interests": ["Quantenoptik"]})
    me(client, cafe.participants["Bo"], "/connections", method="POST", json={"participant": person(cafe, "Ada")})
    assert me(client, ada, "", method="DELETE").status_code == 204
    with app.app_context():
        dump = []
        for table in db.metadata.sorted_tables:
            dump += [repr(tuple(row)) for row in db.session.execute(db.select(table)).all()]
        text = "\n".join(dump)
    for secret in ("ada@example.org", "Vision Labs", "0100 200", "visionlabs", "computer vision", "pilot customers",
                   "Quantenoptik", "CTO"):
        assert secret not in text, secret


def test_the_phone_page_carries_every_string_its_scripts_use():
    """The phone page gets only PHONE_KEYS: every key its modules name must be among them."""
    import re
    from pathlib import Path

    from worldcafe.web.i18n import JS_STRINGS
    from worldcafe.web.i18n_harvest import HARVEST_STRINGS
    from worldcafe.web.i18n_networking import NETWORKING_STRINGS, PHONE_KEYS

    known = {*JS_STRINGS, *HARVEST_STRINGS, *NETWORKING_STRINGS}
    js = Path(__file__).resolve().parent.parent / "static" / "js"
    modules, queue = set(), ["participant.js"]
    while queue:
        name = queue.pop()
        if name in modules:
            continue
        modules.add(name)
        queue += re.findall(r'from\s*"\./([a-z_]+\.js)"', (js / name).read_text())
    assert {"participant.js", "people.js", "live.js", "common.js", "timer.js"} <= modules
    used = set()
    for name in modules:
        source = (js / name).read_text()
        used |= {word for word in re.findall(r'["\'`]([a-z_]+)["\'`]', source) if word in known}
        used |= {key for prefix in re.findall(r"`([a-z_]+)\$\{", source) for key in known if key.startswith(prefix)}
    assert used - set(PHONE_KEYS) == set()
    assert set(PHONE_KEYS) <= known
