"""The organiser's side of networking: matched pairs to seat together, settings, outcomes, deletion and retention."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import bearer
from tests.test_notes import PNG, upload
from worldcafe.cli import cli
from worldcafe.extensions import db
from worldcafe.models import Connection, Event, Participant, Photo, Round, utcnow
from worldcafe.services import planning, retention

CONTACTS = ("ada@example.org", "bo@example.org", "+49 5251 1234", "https://ada.example")


def set_profiles(app, event, profiles):
    """Profile fields straight into the database (the phone side's forms are not this module's)."""
    with app.app_context():
        for name, fields in profiles.items():
            person = db.session.get(Participant, event.participant_ids[name])
            for key, value in fields.items():
                setattr(person, key, value)
        db.session.commit()


def settings(client, event, **body):
    return client.patch(f"/api/v1/events/{event.code}", headers=bearer(event.moderator), json=body)


def meet_pairs(app, event):
    with app.app_context():
        spec = planning.rotation_input(db.session.execute(select(Event).filter_by(public_id=event.code)).scalar_one())
    return {tuple(sorted((int(p["id"]), int(other)))) for p in spec["participants"] for other in p.get("meet", [])}


@pytest.fixture
def profiled(app, make_event):
    event = make_event(participants=[
        {"name": "Ada", "group": "CA", "email": "ada@example.org"},
        {"name": "Bo", "group": "DE", "email": "bo@example.org"},
        {"name": "Cy", "group": "DE"},
        {"name": "Di", "group": "CA"},
    ])
    set_profiles(app, event, {
        "Ada": {"offer": "Computer vision for quality inspection", "phone": "+49 5251 1234",
                "website": "https://ada.example"},
        "Bo": {"seek": "computer vision for our production line, precision machining"},
        "Cy": {"offer": "Precision machining", "interests": ["Robotics"]},  # Bo seeks it too: same group
        "Di": {"seek": "precision machining partners", "interests": ["robotics"], "offer": "Sensor fusion"},
    })
    return event


def test_the_moderator_sets_the_networking_settings_with_validation(client, event):
    response = settings(client, event, seat_complementary=True, summary_shared=True,
                        privacy_notice="Wir (IHK) speichern Ihre Angaben 30 Tage.")
    assert response.status_code == 200, response.get_json()
    view = response.get_json()
    assert view["seat_complementary"] is True and view["summary_shared"] is True
    assert view["privacy_notice"] == "Wir (IHK) speichern Ihre Angaben 30 Tage."
    assert settings(client, event, privacy_notice="").get_json()["privacy_notice"] is None  # the built-in one again
    for bad in ({"privacy_notice": "x" * 2001}, {"seat_complementary": "yes"}, {"summary_shared": 1},
                {"privacy_notice": "a\x00b"}):
        response = settings(client, event, **bad)
        assert response.status_code == 400, bad
        assert response.get_json()["error"]["code"] == "invalid"


def test_matched_pairs_are_shown_with_their_reasons_and_reach_the_rotation_input(app, client, profiled):
    url = f"/api/v1/events/{profiled.code}/matches"
    ids = profiled.participant_ids
    assert client.get(url, headers=bearer(profiled.moderator)).get_json()["pairs"] == []  # the switch is off
    assert meet_pairs(app, profiled) == set()
    settings(client, profiled, seat_complementary=True)
    view = client.get(url, headers=bearer(profiled.moderator)).get_json()
    found = {(p["a"]["name"], p["b"]["name"]): p for p in view["pairs"]}
    # Across groups only: Cy (DE) offers machining to Di (CA); Bo (DE) seeking it would not count.
    assert set(found) == {("Ada", "Bo"), ("Cy", "Di")}
    reason = found[("Ada", "Bo")]["reasons"][0]
    assert reason.startswith("Ada offers “Computer vision for quality inspection”; Bo seeks “computer vision")
    assert "Computer" in reason and "vision" in reason
    assert any("Robotics" in r for r in found[("Cy", "Di")]["reasons"])
    assert view["requested"] == 2 and view["enabled"] is True
    assert meet_pairs(app, profiled) == {tuple(sorted((ids["Ada"], ids["Bo"]))), tuple(sorted((ids["Cy"], ids["Di"])))}
    body = json.dumps(view)
    assert not any(contact in body for contact in CONTACTS)


def test_the_moderator_drops_and_adds_pairs(app, client, profiled):
    ids, headers = profiled.participant_ids, bearer(profiled.moderator)
    url = f"/api/v1/events/{profiled.code}/matches"
    settings(client, profiled, seat_complementary=True)
    ada_bo = tuple(sorted((ids["Ada"], ids["Bo"])))
    assert client.delete(f"{url}/{ids['Bo']}/{ids['Ada']}", headers=headers).status_code == 204
    assert ada_bo not in meet_pairs(app, profiled)
    view = client.get(url, headers=headers).get_json()
    assert [p["dropped"] for p in view["pairs"] if p["a"]["name"] == "Ada"] == [True] and view["requested"] == 1
    # Taking it back, and a pair by hand.
    assert client.post(url, headers=headers, json={"a": ids["Bo"], "b": ids["Ada"]}).status_code == 201
    response = client.post(url, headers=headers, json={"a": ids["Ada"], "b": ids["Cy"]})
    assert response.status_code == 201
    added = [p for p in response.get_json()["pairs"] if p["source"] == "added"]
    assert [(p["a"]["name"], p["b"]["name"]) for p in added] == [("Ada", "Cy")]
    assert meet_pairs(app, profiled) >= {ada_bo, tuple(sorted((ids["Ada"], ids["Cy"])))}
    with app.app_context():
        stored = db.session.execute(select(Event).filter_by(public_id=profiled.code)).scalar_one()
        assert stored.meet_added == [{"a": min(ids["Ada"], ids["Cy"]), "b": max(ids["Ada"], ids["Cy"])}]
        assert stored.meet_dropped == []
    # The moderator's pair counts even with the switch off; dropping it removes it.
    settings(client, profiled, seat_complementary=False)
    assert meet_pairs(app, profiled) == {tuple(sorted((ids["Ada"], ids["Cy"])))}
    assert client.delete(f"{url}/{ids['Cy']}/{ids['Ada']}", headers=headers).status_code == 204
    assert meet_pairs(app, profiled) == set()


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"a": "@Ada", "b": "@Ada"}, 400, "invalid"),
    ({"a": "@Ada", "b": 999999}, 404, "not_found"),
    ({"a": "@Ada"}, 400, "invalid"),
    ({"a": "@Ada", "b": "x"}, 400, "invalid"),
    ({"a": "@Ada", "b": "@Bo", "c": 1}, 400, "invalid"),
])
def test_a_bad_pair_is_refused(client, profiled, body, status, code):
    body = {k: profiled.participant_ids[v[1:]] if str(v).startswith("@") else v for k, v in body.items()}
    response = client.post(f"/api/v1/events/{profiled.code}/matches", headers=bearer(profiled.moderator), json=body)
    assert response.status_code == status and response.get_json()["error"]["code"] == code


def test_a_pair_with_someone_of_another_event_is_not_found(client, profiled, make_event):
    other = make_event(name="Other")
    ids = profiled.participant_ids
    response = client.post(f"/api/v1/events/{profiled.code}/matches", headers=bearer(profiled.moderator),
                           json={"a": ids["Ada"], "b": other.participant_ids["Bo"]})
    assert response.status_code == 404
    response = client.delete(f"/api/v1/events/{profiled.code}/matches/{ids['Ada']}/{ids['Cy']}",
                             headers=bearer(profiled.moderator))
    assert response.status_code == 404  # not requested


REFERENCE_OFFERS = [
    ("Computer Vision", "Bildverarbeitung"), ("Spracherkennung", "Sprachassistenten"), ("Robotik", "Robotersteuerung"),
    ("Predictive Maintenance", "Wartungsprognosen"), ("Lieferkettenoptimierung", "Logistikplanung"),
    ("Medizinbildgebung", "Radiologie"), ("Agrarsensorik", "Landtechnik"), ("Energieprognosen", "Stromnetze"),
    ("Cybersecurity", "Netzwerksicherheit"), ("Chatbots", "Kundenservice"), ("Qualitätsprüfung", "Prüfstände"),
    ("Betrugserkennung", "Zahlungsverkehr"), ("Materialforschung", "Werkstoffe"), ("Drohnenvermessung", "Baustellen"),
    ("Übersetzungssoftware", "Mehrsprachigkeit"),
]


def reference_event(app, make_event):
    """Fifteen Canadian firms each offering what exactly one OWL firm seeks (as at the reference event)."""
    people = [{"name": f"CA {i}", "group": "Kanada"} for i in range(15)]
    people += [{"name": f"OWL {i}", "group": "OWL"} for i in range(15)]
    tables = [{"number": n, "topic": "Future of work" if n % 2 else 2, "capacity": 5} for n in range(1, 7)]
    event = make_event(groups=["Kanada", "OWL"], participants=people, tables=tables, language="de")
    set_profiles(app, event, {
        **{f"CA {i}": {"offer": f"Wir bieten {offer}", "seek": "Pilotkunden"} for i, (offer, _s) in
           enumerate(REFERENCE_OFFERS)},
        **{f"OWL {i}": {"seek": f"Wir suchen {offer} für {field}", "offer": field} for i, (offer, field) in
           enumerate(REFERENCE_OFFERS)},
    })
    return event


def test_the_reference_event_asks_for_its_fifteen_kanada_owl_pairs_and_the_plan_seats_them(app, client, make_event):
    event = reference_event(app, make_event)
    settings(client, event, seat_complementary=True)
    ids = event.participant_ids
    expected = {tuple(sorted((ids[f"CA {i}"], ids[f"OWL {i}"]))) for i in range(15)}
    assert meet_pairs(app, event) == expected
    planned = client.post(f"/api/v1/events/{event.code}/plan", headers=bearer(event.moderator))
    assert planned.status_code == 200, planned.get_json()
    assert planned.get_json()["metrics"]["meet_unmet"] == 0
    view = client.get(f"/api/v1/events/{event.code}/matches", headers=bearer(event.moderator)).get_json()
    assert view["requested"] == 15 and view["planned_together"] == 15 and view["meet_unmet"] == 0


def start_round(client, event):
    response = client.post(f"/api/v1/events/{event.code}/control", headers=bearer(event.moderator),
                           json={"action": "start_round"})
    assert response.status_code == 200, response.get_json()


def test_outcomes_count_meetings_connections_and_requests_by_group_pair_without_contacts(app, client, profiled):
    ids = profiled.participant_ids
    settings(client, profiled, seat_complementary=True)
    start_round(client, profiled)
    with app.app_context():
        event = db.session.execute(select(Event).filter_by(public_id=profiled.code)).scalar_one()
        tables = planning.seats_in_round(event, 1)
        db.session.add_all([
            Connection(event_id=event.id, requester_id=ids["Ada"], addressee_id=ids["Bo"], status="connected"),
            Connection(event_id=event.id, requester_id=ids["Cy"], addressee_id=ids["Ada"], status="requested"),
            Connection(event_id=event.id, requester_id=ids["Bo"], addressee_id=ids["Cy"], status="connected"),
        ])
        db.session.commit()
    groups = {ids["Ada"]: "CA", ids["Bo"]: "DE", ids["Cy"]: "DE", ids["Di"]: "CA"}
    together = [(a, b) for a in tables for b in tables if a < b and tables[a] == tables[b]]
    cross = sum(groups[a] != groups[b] for a, b in together)
    response = client.get(f"/api/v1/events/{profiled.code}/outcomes", headers=bearer(profiled.moderator))
    assert response.status_code == 200
    counts = response.get_json()
    assert counts["people"] == {"total": 4, "by_group": [{"group": "CA", "people": 2}, {"group": "DE", "people": 2}]}
    assert counts["connections"]["requested"] == 3 and counts["connections"]["connected"] == 2
    assert counts["connections"]["by_group_pair"] == [
        {"groups": ["CA", "DE"], "label": "CA–DE", "requested": 2, "connected": 1},
        {"groups": ["DE", "DE"], "label": "DE–DE", "requested": 1, "connected": 1},
    ]
    assert counts["meetings"]["pairs"] == len(together) and counts["meetings"]["cross_group"] == cross
    met = {tuple(sorted(p)) for p in together}
    wanted = {tuple(sorted((ids["Ada"], ids["Bo"]))), tuple(sorted((ids["Cy"], ids["Di"])))}
    assert counts["meet"] == {"requested": 2, "fulfilled": len(wanted & met)}
    body = response.get_data(as_text=True)
    assert not any(contact in body for contact in CONTACTS) and "Ada" not in body
    # Every export of the moderator carries the outcomes, and no contact.
    headings = {"md": "Networking outcomes", "html": "Networking outcomes", "csv?part=outcomes": "Networking outcomes",
                "json": '"outcomes"', "csv": "Topic"}
    for fmt in ("md", "html", "csv?part=outcomes", "json", "docx", "csv"):
        exported = client.get(f"/api/v1/events/{profiled.code}/summary.{fmt}", headers=bearer(profiled.moderator))
        assert exported.status_code == 200
        if fmt == "docx":
            text = zipfile.ZipFile(io.BytesIO(exported.data)).read("word/document.xml").decode()
            assert "Networking outcomes" in text
        else:
            text = exported.get_data(as_text=True)
            assert headings[fmt] in text
        assert not any(contact in text for contact in CONTACTS), fmt
    html = client.get(f"/api/v1/events/{profiled.code}/summary.html", headers=bearer(profiled.moderator)).get_data(True)
    assert 'id="chart-outcomes' in html
    # The notes' CSV stays one row per note; the outcomes come as a CSV of their own.
    notes_csv = client.get(f"/api/v1/events/{profiled.code}/summary.csv", headers=bearer(profiled.moderator))
    assert "Networking outcomes" not in notes_csv.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get(f"/api/v1/events/{profiled.code}/summary.csv?part=outcomes",
                                                  headers=bearer(profiled.moderator)).get_data(as_text=True))))
    assert ["Contact requests", "3"] in rows and ["CA–DE", str(counts["meetings"]["by_group_pair"][0]["pairs"]) if
                                                   counts["meetings"]["by_group_pair"] else "0", "2", "1"] in rows
    # The share link's exports carry no outcomes.
    share = client.post(f"/api/v1/events/{profiled.code}/share", headers=bearer(profiled.moderator),
                        json={"enabled": True}).get_json()["link"].rsplit("/", 1)[1]
    shared = client.get(f"/r/{share}/summary.json").get_json()
    assert "outcomes" not in shared["data"] and shared["summary"]["outcomes"] is None
    assert "chart-outcomes" not in client.get(f"/r/{share}").get_data(as_text=True)
    assert client.get(f"/r/{share}/summary.csv?part=outcomes").status_code == 404


def rows_of_event(app, event_id: int, people: list[int]) -> dict[str, int]:
    """Rows anywhere in the database that belong to the event (by event id, or by one of its people)."""
    counts = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            conditions = []
            if "event_id" in table.c:
                conditions.append(table.c.event_id == event_id)
            for column in ("participant_id", "requester_id", "addressee_id"):
                if column in table.c:
                    conditions.append(table.c[column].in_(people))
            if table.name == "event":
                conditions.append(table.c.id == event_id)
            if table.name == "seat":
                conditions.append(table.c.round_id.in_(select(Round.id).where(Round.event_id == event_id)))
            if conditions:
                query = select(func.count()).select_from(table).where(db.or_(*conditions))
                counts[table.name] = db.session.execute(query).scalar_one()
    return counts


def test_deleting_an_event_leaves_no_trace(app, client, profiled, make_event):
    other = make_event(name="Other café")
    ids = list(profiled.participant_ids.values())
    start_round(client, profiled)
    assert upload(client, profiled, profiled.moderator, PNG, table="1").status_code == 201
    client.post(f"/api/v1/events/{profiled.code}/share", headers=bearer(profiled.moderator), json={"enabled": True})
    with app.app_context():
        event = db.session.execute(select(Event).filter_by(public_id=profiled.code)).scalar_one()
        event_id = event.id
        db.session.add(Connection(event_id=event_id, requester_id=ids[0], addressee_id=ids[1]))
        db.session.commit()
        assert db.session.execute(select(func.count(Photo.id))).scalar_one() == 1
    folder = retention.photos_folder(app.instance_path, profiled.code)
    assert any(folder.iterdir())
    assert sum(rows_of_event(app, event_id, ids).values()) > 0
    response = client.delete(f"/api/v1/events/{profiled.code}", headers=bearer(profiled.moderator))
    assert response.status_code == 204
    assert rows_of_event(app, event_id, ids) == {name: 0 for name in rows_of_event(app, event_id, ids)}
    assert not folder.exists()
    for token in (profiled.moderator, profiled.screen, profiled.hosts[1], profiled.participants["Ada"]):
        assert client.get(f"/api/v1/events/{profiled.code}", headers=bearer(token)).status_code in (401, 404)
        assert client.get(f"/api/v1/events/{profiled.code}/summary.json",
                          headers=bearer(token)).status_code in (401, 404)
    for page in (f"/m/{profiled.moderator}", f"/p/{profiled.participants['Ada']}", f"/h/{profiled.hosts[1]}",
                 f"/m/{profiled.moderator}/summary"):
        assert client.get(page).status_code in (401, 404), page
    assert client.post(f"/api/v1/join/{profiled.code}", json={"name": "Late"}).status_code == 404
    # The other event is untouched.
    assert client.get(f"/api/v1/events/{other.code}", headers=bearer(other.moderator)).status_code == 200


def close_event(app, client, event, days_ago: float):
    for action in ("start_round", "end_round", "start_harvest", "close"):
        response = client.post(f"/api/v1/events/{event.code}/control", headers=bearer(event.moderator),
                               json={"action": action})
        assert response.status_code == 200, (action, response.get_json())
    with app.app_context():
        stored = db.session.execute(select(Event).filter_by(public_id=event.code)).scalar_one()
        stored.closed_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()


def codes(app) -> set[str]:
    with app.app_context():
        return set(db.session.execute(select(Event.public_id)).scalars())


def test_retention_deletes_only_closed_events_older_than_the_period(app, client, make_event, runner):
    old, recent, running = make_event(name="Old"), make_event(name="Recent"), make_event(name="Running")
    close_event(app, client, old, days_ago=31)
    close_event(app, client, recent, days_ago=29)
    start_round(client, running)
    with app.app_context():
        stored = db.session.execute(select(Event).filter_by(public_id=running.code)).scalar_one()
        stored.created_at = utcnow() - timedelta(days=400)
        db.session.commit()
    dry = runner.invoke(cli, ["purge", "--days", "30", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"would delete event {old.code}" in dry.output and recent.code not in dry.output
    assert codes(app) >= {old.code, recent.code, running.code}
    done = runner.invoke(cli, ["purge", "--days", "30"])
    assert done.exit_code == 0, done.output
    assert f"deleted event {old.code}" in done.output
    assert old.code not in codes(app) and {recent.code, running.code} <= codes(app)
    assert client.get(f"/api/v1/events/{old.code}", headers=bearer(old.moderator)).status_code == 401


def test_the_background_pass_follows_the_setting(app, client, make_event):
    from worldcafe.realtime import retention as background

    old = make_event(name="Old")
    close_event(app, client, old, days_ago=3)
    app.config["RETENTION_DAYS"] = None
    assert background.purge_once(app) == 0 and old.code in codes(app)
    app.config["RETENTION_DAYS"] = 2
    assert background.purge_once(app) == 1 and old.code not in codes(app)


def test_purge_without_a_period_is_a_clear_error(runner):
    result = runner.invoke(cli, ["purge"])
    assert result.exit_code == 2 and "WORLDCAFE_RETENTION_DAYS" in result.output


def test_retention_days_come_from_the_environment(tmp_path: Path):
    from worldcafe.config import ConfigError, load_config

    assert load_config(tmp_path, {})["RETENTION_DAYS"] is None
    assert load_config(tmp_path, {"WORLDCAFE_RETENTION_DAYS": "90"})["RETENTION_DAYS"] == 90
    for bad in ("0", "soon"):
        with pytest.raises(ConfigError):
            load_config(tmp_path, {"WORLDCAFE_RETENTION_DAYS": bad})


def test_reasons_come_in_the_readers_language(client, profiled):
    settings(client, profiled, seat_complementary=True)
    view = client.get(f"/api/v1/events/{profiled.code}/matches",
                      headers={**bearer(profiled.moderator), "Accept-Language": "de"}).get_json()
    reasons = [r for p in view["pairs"] for r in p["reasons"]]
    assert any(r.startswith("Ada bietet „Computer vision for quality inspection“; Bo sucht „computer vision") and
               "(gemeinsam: " in r for r in reasons), reasons
    assert any(r.startswith("Beide interessieren sich für Robotics") for r in reasons), reasons
