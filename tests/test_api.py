"""JSON API v1: every endpoint, good and bad input."""

from __future__ import annotations

import pytest

from tests.conftest import SPEC, bearer


def test_create_event_returns_event_and_every_link(client):
    response = client.post("/api/v1/events", json=SPEC)
    assert response.status_code == 201
    body = response.get_json()
    event = body["event"]
    assert event["name"] == "Test Café" and event["language"] == "en"
    assert [t["title"] for t in event["topics"]] == ["Future of work", "Product development"]
    assert event["topics"][1]["colour"] == "green"
    assert [t["number"] for t in event["tables"]] == [1, 2, 3]
    assert event["tables"][2]["topic"] == "Product development" and event["tables"][2]["tags"] == ["en"]
    assert [r["minutes"] for r in event["rounds"]] == [20, 15, 20]
    assert all(r["status"] == "planned" and r["started_at"] is None for r in event["rounds"])
    links = body["links"]
    assert links["moderator"].startswith("http://localhost/m/")
    assert links["screen"].startswith("http://localhost/s/")
    assert links["join"] == f"http://localhost/j/{event['id']}"
    assert set(links["hosts"]) == {"1", "2", "3"}
    assert [p["name"] for p in links["participants"]] == ["Ada", "Bo", "Cy"]
    tokens = [
        links["moderator"],
        links["screen"],
        *links["hosts"].values(),
        *(p["link"] for p in links["participants"]),
    ]
    assert len({t.rsplit("/", 1)[1] for t in tokens}) == len(tokens)
    assert all(len(t.rsplit("/", 1)[1]) >= 22 for t in tokens)  # ≥ 128 bits in URL-safe base64


def test_created_topics_get_distinct_colours(client):
    spec = {"name": "x", "topics": [{"title": f"T{i}"} for i in range(5)]}
    colours = [t["colour"] for t in client.post("/api/v1/events", json=spec).get_json()["event"]["topics"]]
    assert len(set(colours)) == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x", "rounds": [{"minutes": -5}]}, "rounds[0].minutes"),
        ({"name": "x", "rounds": [{"minutes": 0}]}, "rounds[0].minutes"),
        ({"name": "x", "rounds": [{"minutes": "20"}]}, "rounds[0].minutes"),
        ({"name": "x", "rounds": []}, "rounds"),
        ({"name": "x", "language": "fr"}, "language"),
        ({"name": "x", "tables": [{"number": 1, "capacity": 0}]}, "tables[0].capacity"),
        ({"name": "x", "participants": [{"name": "  "}]}, "participants[0].name"),
        ({"name": "x", "participants": [{"name": "A", "email": "nope"}]}, "participants[0].email"),
        ({"name": "x", "topics": [{"title": "A", "colour": "chartreuse"}]}, "topics[0].colour"),
        ({"name": "x", "unknown": 1}, "unknown"),
    ],
)
def test_create_event_rejects_bad_fields_with_their_place(client, body, field):
    response = client.post("/api/v1/events", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert field in [d["field"] for d in error["details"]]
    assert error["message"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"name": "x", "tables": [{"number": 1}, {"number": 1}]}, "Table number 1 appears twice."),
        (
            {"name": "x", "topics": [{"title": "A"}], "tables": [{"number": 1, "topic": "B"}]},
            "unknown topic 'B'",
        ),
        ({"name": "x", "topics": [{"title": "A"}], "tables": [{"number": 1, "topic": 2}]}, "Topic number 2"),
        ({"name": "x", "topics": [{"title": "A"}, {"title": "a"}]}, "appears twice"),
    ],
)
def test_create_event_rejects_inconsistent_specs(client, body, words):
    response = client.post("/api/v1/events", json=body)
    assert response.status_code == 400
    assert words in response.get_json()["error"]["message"]


def test_malformed_and_non_json_bodies_are_clear_400s(client):
    response = client.post("/api/v1/events", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid"
    response = client.post("/api/v1/events", data="name=x")
    assert response.status_code == 400 and "application/json" in response.get_json()["error"]["message"]
    response = client.post("/api/v1/events", json=["a list"])
    assert response.status_code == 400


def test_five_megabyte_body_is_refused_with_413(client):
    response = client.post("/api/v1/events", data=b"x" * (5 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_admin_password_guards_event_creation(app, client):
    app.config["ADMIN_PASSWORD"] = "s3cret"
    assert client.post("/api/v1/events", json={"name": "x"}).status_code == 401
    wrong = client.post("/api/v1/events", json={"name": "x"}, headers={"X-Admin-Password": "nope"})
    assert wrong.status_code == 401
    ok = client.post("/api/v1/events", json={"name": "x"}, headers={"X-Admin-Password": "s3cret"})
    assert ok.status_code == 201


def test_get_event_full_for_moderator_public_for_screen(client, event):
    full = client.get(f"/api/v1/events/{event.code}", headers=bearer(event.moderator)).get_json()
    assert [p["name"] for p in full["participants"]] == ["Ada", "Bo", "Cy"]
    assert full["participants"][1]["email"] == "bo@example.org"
    public = client.get(f"/api/v1/events/{event.code}", headers=bearer(event.screen)).get_json()
    assert "participants" not in public
    assert public["counts"]["joined"] == 3
    assert public["tables"][0]["colour"] == public["topics"][0]["colour"]


def test_event_code_is_case_insensitive_and_unknown_codes_are_refused(client, event):
    assert (
        client.get(f"/api/v1/events/{event.code.lower()}", headers=bearer(event.moderator)).status_code == 200
    )
    other = client.get("/api/v1/events/ZZZZZZ", headers=bearer(event.moderator))
    assert other.status_code == 403


def test_update_setup_keeps_host_links_of_kept_tables(client, event):
    spec = {k: SPEC[k] for k in ("name", "language", "groups", "rounds", "topics")}
    spec["tables"] = [{"number": 1, "topic": 1, "capacity": 6, "host": "Hanna B."}, {"number": 4, "topic": 2}]
    response = client.put(f"/api/v1/events/{event.code}", json=spec, headers=bearer(event.moderator))
    assert response.status_code == 200, response.get_json()
    tables = response.get_json()["tables"]
    assert [(t["number"], t["capacity"], t["host"]) for t in tables] == [(1, 6, "Hanna B."), (4, 5, "")]
    links = client.get(f"/api/v1/events/{event.code}/links", headers=bearer(event.moderator)).get_json()
    assert links["hosts"]["1"].endswith(event.hosts[1])
    assert set(links["hosts"]) == {"1", "4"}
    assert client.get(f"/h/{event.hosts[2]}").status_code == 404  # the removed table's link is gone


def test_update_setup_changes_only_the_given_fields(client, sio, event):
    moderator = sio(event.moderator)
    moderator.get_received()
    response = client.put(
        f"/api/v1/events/{event.code}",
        json={"name": "Renamed", "joining_open": False},
        headers=bearer(event.moderator),
    )
    view = response.get_json()
    assert view["name"] == "Renamed" and view["groups"] == ["CA", "DE"] and len(view["tables"]) == 3
    assert [r["minutes"] for r in view["rounds"]] == [20, 15, 20]
    assert "joining_changed" in [m["name"] for m in moderator.get_received()]


def test_update_setup_rejects_bad_input_and_changes_nothing(client, event):
    bad = {"name": "Renamed", "rounds": [{"minutes": -1}]}
    response = client.put(f"/api/v1/events/{event.code}", json=bad, headers=bearer(event.moderator))
    assert response.status_code == 400
    after = client.get(f"/api/v1/events/{event.code}", headers=bearer(event.moderator)).get_json()
    assert after["name"] == "Test Café" and len(after["rounds"]) == 3


def test_patch_toggles_joining(client, event):
    response = client.patch(
        f"/api/v1/events/{event.code}", json={"joining_open": False}, headers=bearer(event.moderator)
    )
    assert response.get_json()["joining_open"] is False
    refused = client.post(f"/api/v1/join/{event.code}", json={"name": "Late", "group": "CA"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "joining_closed"
    bad = client.patch(
        f"/api/v1/events/{event.code}", json={"joining_open": "yes"}, headers=bearer(event.moderator)
    )
    assert bad.status_code == 400


def test_add_participants_returns_their_links(client, event):
    response = client.post(
        f"/api/v1/events/{event.code}/participants",
        headers=bearer(event.moderator),
        json=[{"name": "Dee", "group": "CA"}, {"name": "Eli", "group": "New group"}],
    )
    assert response.status_code == 201
    added = response.get_json()["participants"]
    assert [p["name"] for p in added] == ["Dee", "Eli"]
    assert all(p["link"].startswith("http://localhost/p/") for p in added)
    event_view = client.get(f"/api/v1/events/{event.code}", headers=bearer(event.moderator)).get_json()
    assert event_view["groups"] == ["CA", "DE", "New group"]
    assert event_view["counts"]["joined"] == 5


@pytest.mark.parametrize("body", [[], {}, [{"name": ""}], [{"name": "ok"}, {"nome": "typo"}], "x"])
def test_add_participants_bad_input_adds_nobody(client, event, body):
    response = client.post(
        f"/api/v1/events/{event.code}/participants", headers=bearer(event.moderator), json=body
    )
    assert response.status_code == 400
    view = client.get(f"/api/v1/events/{event.code}", headers=bearer(event.moderator)).get_json()
    assert len(view["participants"]) == 3


def test_csv_import_dry_run_reports_every_line(client, event):
    csv_text = "name;group;email\nDora;DE;dora@example.org\n;DE;\nEmil;CA;not-an-email\nAda;CA;\n"
    response = client.post(
        f"/api/v1/events/{event.code}/participants/import?dry_run=1",
        headers=bearer(event.moderator),
        data={"csv": csv_text},
    )
    body = response.get_json()
    assert response.status_code == 200 and body["ok"] is False
    errors = {row["line"]: row["error"] for row in body["rows"]}
    assert errors[2] is None
    assert "name" in errors[3].lower()
    assert "email" in errors[4]
    assert "already on the list" in errors[5]


def test_csv_import_is_all_or_nothing(client, event):
    bad = "Dora,DE\n,CA\n"
    response = client.post(
        f"/api/v1/events/{event.code}/participants/import", headers=bearer(event.moderator), data={"csv": bad}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][1]["error"]
    view = client.get(f"/api/v1/events/{event.code}", headers=bearer(event.moderator)).get_json()
    assert [p["name"] for p in view["participants"]] == ["Ada", "Bo", "Cy"]


def test_csv_import_from_uploaded_windows_file(client, event):
    content = "Name;Gruppe;E-Mail\r\nJürgen Müller;OWL;jm@example.org\r\nZoë;Kanada;\r\n".encode("cp1252")
    from io import BytesIO

    response = client.post(
        f"/api/v1/events/{event.code}/participants/import",
        headers=bearer(event.moderator),
        data={"file": (BytesIO(content), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201 and response.get_json()["imported"] == 2
    view = client.get(f"/api/v1/events/{event.code}", headers=bearer(event.moderator)).get_json()
    assert view["participants"][-2]["name"] == "Jürgen Müller" and view["participants"][-2]["group"] == "OWL"


def test_csv_import_from_a_text_csv_body_with_a_numbered_header(client, event):
    body = "Nr,Name,Gruppe\n1,Dora,DE\n2,Emil,CA\n"
    response = client.post(
        f"/api/v1/events/{event.code}/participants/import",
        headers=bearer(event.moderator),
        data=body.encode(),
        content_type="text/csv",
    )
    assert response.status_code == 201 and response.get_json()["imported"] == 2
    view = client.get(f"/api/v1/events/{event.code}", headers=bearer(event.moderator)).get_json()
    assert [(p["name"], p["group"]) for p in view["participants"][-2:]] == [("Dora", "DE"), ("Emil", "CA")]


def test_csv_in_an_unexpected_form_gets_a_clear_error(client, event):
    response = client.post(
        f"/api/v1/events/{event.code}/participants/import",
        headers=bearer(event.moderator),
        data="Dora;DE",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400 and "text/csv" in response.get_json()["error"]["message"]


def test_empty_csv_is_refused(client, event):
    response = client.post(
        f"/api/v1/events/{event.code}/participants/import",
        headers=bearer(event.moderator),
        data={"csv": "  \n"},
    )
    assert response.status_code == 400


def test_remove_participant(client, event):
    pid = event.participant_ids["Cy"]
    assert (
        client.delete(
            f"/api/v1/events/{event.code}/participants/{pid}", headers=bearer(event.moderator)
        ).status_code
        == 204
    )
    assert client.get(f"/p/{event.participants['Cy']}").status_code == 404
    missing = client.delete(
        f"/api/v1/events/{event.code}/participants/99999", headers=bearer(event.moderator)
    )
    assert missing.status_code == 404


def test_join_needs_name_and_known_group(client, event):
    assert client.post(f"/api/v1/join/{event.code}", json={"name": "Fay"}).status_code == 400
    assert client.post(f"/api/v1/join/{event.code}", json={"name": "Fay", "group": "XX"}).status_code == 400
    assert client.post(f"/api/v1/join/{event.code}", json={"name": "", "group": "CA"}).status_code == 400
    response = client.post(f"/api/v1/join/{event.code}", json={"name": "Fay", "group": "ca"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["participant"]["group"] == "CA"
    me = client.get("/api/v1/me", headers=bearer(body["token"])).get_json()
    assert me["name"] == "Fay"
    assert client.post("/api/v1/join/NOPE42", json={"name": "x"}).status_code == 404


def test_join_without_groups(client, make_event):
    event = make_event(groups=[], participants=[])
    assert client.post(f"/api/v1/join/{event.code}", json={"name": "Gil"}).status_code == 201
    assert client.post(f"/api/v1/join/{event.code}", json={"name": "Gil", "group": "X"}).status_code == 400


def test_me_shows_event_and_no_seat_before_planning(client, event):
    me = client.get("/api/v1/me", headers=bearer(event.participants["Ada"])).get_json()
    assert me["name"] == "Ada" and me["group"] == "CA"
    assert me["event"]["rounds"] == 3
    assert me["current"] is None and me["next"] is None


def test_regenerate_link_replaces_the_old_one(client, event):
    old = event.hosts[2]
    response = client.post(
        f"/api/v1/events/{event.code}/links/regenerate",
        headers=bearer(event.moderator),
        json={"role": "host", "table": 2},
    )
    new = response.get_json()["link"].rsplit("/", 1)[1]
    assert new != old
    assert client.get(f"/h/{old}").status_code == 404
    assert client.get(f"/h/{new}").status_code == 200
    for body in (
        {"role": "host", "table": 99},
        {"role": "boss"},
        {"role": "participant", "participant": 12345},
        {"role": "host", "table": "2"},
        {},
    ):
        assert client.post(
            f"/api/v1/events/{event.code}/links/regenerate", headers=bearer(event.moderator), json=body
        ).status_code in (400, 404)


def test_regenerated_moderator_link_locks_out_the_old_one(client, event):
    response = client.post(
        f"/api/v1/events/{event.code}/links/regenerate",
        headers=bearer(event.moderator),
        json={"role": "moderator"},
    )
    new = response.get_json()["link"].rsplit("/", 1)[1]
    assert client.get(f"/api/v1/events/{event.code}", headers=bearer(event.moderator)).status_code == 401
    assert client.get(f"/api/v1/events/{event.code}", headers=bearer(new)).status_code == 200


def test_notes_endpoint_lists_notes_by_role(client, event):
    response = client.get(f"/api/v1/events/{event.code}/notes", headers=bearer(event.moderator))
    assert response.status_code == 200 and response.get_json() == {"notes": []}


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
