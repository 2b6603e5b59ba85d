"""Who may do what: every role × every endpoint and socket request → allowed or refused."""

from __future__ import annotations

import pytest

from tests.conftest import bearer, received

ROLES = (
    "moderator", "screen", "host", "participant", "helpdesk", "none", "forged", "other_moderator", "other_helpdesk"
)


def token_of(role, event, other):
    return {
        "moderator": event.moderator,
        "screen": event.screen,
        "host": event.hosts[1],
        "participant": event.participants["Ada"],
        "helpdesk": event.helpdesk,
        "none": None,
        "forged": "A" * 32,
        "other_moderator": other.moderator,
        "other_helpdesk": other.helpdesk,
    }[role]


# endpoint → roles allowed (everyone else refused with 401 / 403)
MATRIX = [
    ("GET", "/api/v1/events/{code}", None, {"moderator", "screen"}),
    ("PUT", "/api/v1/events/{code}", {"name": "Renamed"}, {"moderator"}),
    ("PATCH", "/api/v1/events/{code}", {"joining_open": True}, {"moderator"}),
    ("GET", "/api/v1/events/{code}/links", None, {"moderator"}),
    ("POST", "/api/v1/events/{code}/links/regenerate", {"role": "screen"}, {"moderator"}),
    ("GET", "/api/v1/events/{code}/participants", None, {"moderator"}),
    ("POST", "/api/v1/events/{code}/participants", [{"name": "Zed", "group": "CA"}], {"moderator"}),
    ("POST", "/api/v1/events/{code}/participants/import?dry_run=1", None, {"moderator"}),
    ("DELETE", "/api/v1/events/{code}/participants/{pid}", None, {"moderator"}),
    ("PATCH", "/api/v1/events/{code}/participants/{pid}", {"group": "CA"}, {"moderator"}),
    ("GET", "/api/v1/events/{code}/duplicates", None, {"moderator"}),
    ("POST", "/api/v1/events/{code}/participants/merge", {"keep": "@Ada", "drop": "@Cy"}, {"moderator"}),
    ("POST", "/api/v1/events/{code}/capacity", {"seats_per_table": 1}, {"moderator"}),
    ("GET", "/api/v1/events/{code}/health", None, {"moderator"}),
    ("GET", "/api/v1/me", None, {"participant"}),
    # Networking (DESIGN.md §8): a participant's own calls, nobody else's.
    ("PATCH", "/api/v1/me", {"organisation": "Acme"}, {"participant"}),
    ("GET", "/api/v1/me/met", None, {"participant"}),
    ("GET", "/api/v1/me/directory?q=a", None, {"participant"}),
    ("GET", "/api/v1/me/connections", None, {"participant"}),
    ("DELETE", "/api/v1/me/connections/{pid}", None, {"participant"}),
    ("GET", "/api/v1/me/contacts.vcf", None, {"participant"}),
    ("GET", "/api/v1/me/export", None, {"participant"}),
    ("DELETE", "/api/v1/me", None, {"participant"}),
    ("GET", "/api/v1/events/{code}/notes", None, {"moderator", "screen", "host"}),
    ("GET", "/api/v1/events/{code}/plan", None, {"moderator"}),
    ("POST", "/api/v1/events/{code}/plan", None, {"moderator"}),
    ("POST", "/api/v1/events/{code}/control", {"action": "start_round"}, {"moderator"}),
    ("POST", "/api/v1/events/{code}/broadcast", {"text": "Coffee", "target": "all"}, {"moderator"}),
    ("GET", "/api/v1/events/{code}/occupancy", None, {"moderator"}),
    ("GET", "/api/v1/events/{code}/seating", None, {"moderator", "screen"}),
    ("GET", "/api/v1/events/{code}/themes", None, {"moderator", "screen"}),
    ("GET", "/api/v1/events/{code}/photos", None, {"moderator", "host"}),
    ("GET", "/api/v1/events/{code}/votes", None, {"moderator", "screen", "participant"}),
    ("GET", "/api/v1/events/{code}/summary.json", None, {"moderator"}),
    ("POST", "/api/v1/events/{code}/share", {"enabled": True}, {"moderator"}),
    ("POST", "/api/v1/events/{code}/pads", {"minutes": 0}, {"moderator"}),
    ("POST", "/api/v1/events/{code}/participants/{pid}/status", {"status": "left"}, {"moderator"}),
    # The help desk's own calls: the help desk and the moderator of this event, nobody else.
    ("GET", "/api/v1/events/{code}/helpdesk/people?q=ad", None, {"moderator", "helpdesk"}),
    # The organiser's networking calls (DESIGN.md §8): the moderator of this event only.
    ("PATCH", "/api/v1/events/{code}", {"privacy_notice": "Wir speichern 30 Tage.", "summary_shared": True,
                                        "seat_complementary": True}, {"moderator"}),
    ("GET", "/api/v1/events/{code}/matches", None, {"moderator"}),
    ("POST", "/api/v1/events/{code}/matches", {"a": "@Ada", "b": "@Cy"}, {"moderator"}),
    ("GET", "/api/v1/events/{code}/outcomes", None, {"moderator"}),
    ("DELETE", "/api/v1/events/{code}", None, {"moderator"}),
    ("GET", "/api/v1/events/{code}/helpdesk/people/{pid}", None, {"moderator", "helpdesk"}),
    ("POST", "/api/v1/events/{code}/helpdesk/walk_ins", {"name": "Walk-in Wanda", "group": "CA"},
     {"moderator", "helpdesk"}),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(client, make_event, method, path, body, allowed, role):
    event = make_event()
    other = make_event(name="Other café")
    token = token_of(role, event, other)
    headers = bearer(token) if token else {}
    url = path.format(code=event.code, pid=event.participant_ids["Cy"])
    if isinstance(body, dict):  # "@Name" stands for that person's id in this event
        body = {k: event.participant_ids[v[1:]] if str(v).startswith("@") else v for k, v in body.items()}
    kwargs = {"json": body} if body is not None else {}
    if "import" in path:
        kwargs = {"data": {"csv": "Zed,CA"}}
    response = client.open(url, method=method, headers=headers, **kwargs)
    if role in allowed:
        assert response.status_code < 300, response.get_json()
    else:
        expected = {"none": 401, "forged": 401}.get(role, 403)
        assert response.status_code == expected, response.get_json()
        assert response.get_json()["error"]["code"] in ("unauthorized", "forbidden")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_moderator_drops_a_pair(client, make_event, role):
    event = make_event()
    other = make_event(name="Other café")
    ada, cy = event.participant_ids["Ada"], event.participant_ids["Cy"]
    client.post(f"/api/v1/events/{event.code}/matches", headers=bearer(event.moderator), json={"a": ada, "b": cy})
    token = token_of(role, event, other)
    response = client.delete(f"/api/v1/events/{event.code}/matches/{ada}/{cy}", headers=bearer(token) if token else {})
    expected = 204 if role == "moderator" else {"none": 401, "forged": 401}.get(role, 403)
    assert response.status_code == expected


def test_a_deleted_event_answers_nobody(client, make_event):
    event = make_event()
    assert client.delete(f"/api/v1/events/{event.code}", headers=bearer(event.moderator)).status_code == 204
    for role in ("moderator", "screen", "host", "participant", "helpdesk"):
        token = token_of(role, event, event)
        for path in ("", "/outcomes", "/matches", "/notes"):
            response = client.get(f"/api/v1/events/{event.code}{path}", headers=bearer(token))
            assert response.status_code in (401, 404), (role, path)


PAGES = [
    ("/m/{t}", "moderator"),
    ("/m/{t}/links", "moderator"),
    ("/m/{t}/print/tables", "moderator"),
    ("/m/{t}/print/participants", "moderator"),
    ("/m/{t}/print/seating", "moderator"),
    ("/m/{t}/participants/{pid}/qr.svg", "moderator"),
    ("/s/{t}", "screen"),
    ("/h/{t}", "host"),
    ("/p/{t}", "participant"),
    ("/p/{t}/contacts.vcf", "participant"),
    ("/p/{t}/my-data.json", "participant"),
    ("/d/{t}", "helpdesk"),
    ("/d/{t}/print/seating", "helpdesk"),
    ("/d/{t}/participants/{pid}/qr.svg", "helpdesk"),
    ("/d/{t}/participants/{pid}/card", "helpdesk"),
]


@pytest.mark.parametrize(("path", "owner"), PAGES)
@pytest.mark.parametrize("role", ("moderator", "screen", "host", "participant", "helpdesk", "forged"))
def test_page_links_open_only_their_own_page(client, make_event, path, owner, role):
    event = make_event()
    token = token_of(role, event, event)
    response = client.get(path.format(t=token, pid=event.participant_ids["Cy"]))
    assert response.status_code == (200 if role == owner else 404)


@pytest.mark.parametrize("path", ["/d/{t}/participants/{pid}/qr.svg", "/d/{t}/participants/{pid}/card",
                                  "/m/{t}/participants/{pid}/qr.svg"])
def test_a_desk_or_console_shows_no_person_of_another_event(client, make_event, path):
    event, other = make_event(), make_event(name="Other café")
    token = event.helpdesk if path.startswith("/d/") else event.moderator
    assert client.get(path.format(t=token, pid=other.participant_ids["Ada"])).status_code == 404


def started(client, event):
    """The event with its rounds planned and round 1 running."""
    response = client.post(f"/api/v1/events/{event.code}/control", headers=bearer(event.moderator),
                           json={"action": "start_round"})
    assert response.status_code == 200, response.get_json()
    return event


@pytest.mark.parametrize("role", ROLES)
def test_only_the_desk_and_the_moderator_check_people_in(client, make_event, role):
    event = started(client, make_event())
    other = make_event(name="Other café")
    token = token_of(role, event, other)
    response = client.post(f"/api/v1/events/{event.code}/helpdesk/people/{event.participant_ids['Bo']}/check_in",
                           headers=bearer(token) if token else {})
    if role in ("moderator", "helpdesk"):
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["checked_in"] is True
    else:
        assert response.status_code == {"none": 401, "forged": 401}.get(role, 403), response.get_json()


def test_the_desk_sees_no_link_but_the_one_person_it_opens(client, event):
    tokens = set(event.participants.values()) | {event.moderator, event.screen, *event.hosts.values()}
    found = client.get(f"/api/v1/events/{event.code}/helpdesk/people?q=", headers=bearer(event.helpdesk))
    assert found.status_code == 400  # an empty search lists nobody (no roll call of the room)
    found = client.get(f"/api/v1/events/{event.code}/helpdesk/people?q=o", headers=bearer(event.helpdesk))
    assert [p["name"] for p in found.get_json()["people"]] == ["Bo"]
    assert not any(token in found.get_data(as_text=True) for token in tokens)
    one = client.get(f"/api/v1/events/{event.code}/helpdesk/people/{event.participant_ids['Bo']}",
                     headers=bearer(event.helpdesk))
    text = one.get_data(as_text=True)
    assert one.get_json()["link"].endswith("/p/" + event.participants["Bo"])
    assert [token for token in tokens if token in text] == [event.participants["Bo"]]
    assert "bo@example.org" not in text  # contact data is not the desk's business


def test_a_desk_socket_is_refused(sio, event):
    assert not sio(event.helpdesk).is_connected()  # the desk has no live view: nothing to leak, nothing to cut


def test_a_regenerated_desk_link_dies_everywhere(client, sio, event):
    old = event.helpdesk
    url = f"/api/v1/events/{event.code}/helpdesk/people?q=ada"
    assert client.get(url, headers=bearer(old)).status_code == 200
    screen = sio(event.screen)
    response = client.post(f"/api/v1/events/{event.code}/links/regenerate", headers=bearer(event.moderator),
                           json={"role": "helpdesk"})
    assert response.status_code == 200 and "/d/" in response.get_json()["link"]
    new = response.get_json()["link"].rsplit("/", 1)[1]
    assert client.get(url, headers=bearer(old)).status_code == 401
    assert client.get(f"/d/{old}").status_code == 404
    assert client.get(f"/d/{old}/print/seating").status_code == 404
    assert not sio(old).is_connected()
    assert client.get(url, headers=bearer(new)).status_code == 200
    assert client.get(f"/d/{new}").status_code == 200
    assert screen.is_connected()  # other links live on
    links = client.get(f"/api/v1/events/{event.code}/links", headers=bearer(event.moderator)).get_json()
    assert links["helpdesk"].endswith("/d/" + new)


def test_the_desk_cannot_regenerate_links(client, event):
    for role in ("helpdesk", "screen", "moderator"):
        response = client.post(f"/api/v1/events/{event.code}/links/regenerate", headers=bearer(event.helpdesk),
                               json={"role": role})
        assert response.status_code == 403
    assert client.get(f"/d/{event.helpdesk}").status_code == 200


def test_the_desk_budget_is_its_links_own(app, client, event):
    app.config.update(HELPDESK_LIMIT_PER_LINK="3/minute")
    url = f"/api/v1/events/{event.code}/helpdesk/people?q=ada"
    assert [client.get(url, headers=bearer(event.helpdesk)).status_code for _ in range(3)] == [200] * 3
    refused = client.get(url, headers=bearer(event.helpdesk))
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
    assert client.get(f"/d/{event.helpdesk}/participants/{event.participant_ids['Ada']}/qr.svg").status_code == 429
    assert client.get(url, headers=bearer(event.moderator)).status_code == 200  # the moderator's link has its own


@pytest.mark.parametrize("role", ("moderator", "screen", "host", "participant"))
def test_socket_accepts_each_role_with_its_snapshot(sio, event, role):
    sc = sio(token_of(role, event, event))
    assert sc.is_connected()
    [(name, snap)] = received(sc, "snapshot")
    assert snap["role"] == role
    assert isinstance(snap["seq"], int) and isinstance(snap["server_time"], int)
    assert ("participants" in snap["event"]) == (role == "moderator")
    assert ("me" in snap) == (role == "participant")
    assert ("table" in snap) == (role == "host")


@pytest.mark.parametrize(
    "auth", [None, {}, {"token": ""}, {"token": "A" * 32}, {"token": 42}, {"token": "../../etc"}]
)
def test_socket_refuses_missing_or_forged_tokens(app, client, auth):
    from worldcafe.extensions import socketio

    sc = socketio.test_client(app, flask_test_client=client, auth=auth)
    assert not sc.is_connected()


def test_participant_sees_only_own_pushes(client, sio, event):
    ada = sio(event.participants["Ada"])
    screen = sio(event.screen)
    moderator = sio(event.moderator)
    for sc in (ada, screen, moderator):
        sc.get_received()
    client.post(
        f"/api/v1/events/{event.code}/participants",
        headers=bearer(event.moderator),
        json=[{"name": "Private Person", "group": "CA", "email": "pp@example.org"}],
    )
    assert [n for n, _ in received(ada)] == []
    screen_pushes = received(screen)
    assert [n for n, _ in screen_pushes] == ["attendance_changed"]
    assert "Private Person" not in str(screen_pushes)
    mod_names = [n for n, _ in received(moderator)]
    assert mod_names == ["participants_added", "attendance_changed"]


def test_regenerated_link_cuts_off_its_open_sockets(client, sio, event):
    screen, other = sio(event.screen), sio(event.hosts[1])
    assert screen.emit("sync", {"since": 0}, callback=True)["ok"] is True
    client.post(
        f"/api/v1/events/{event.code}/links/regenerate",
        headers=bearer(event.moderator),
        json={"role": "screen"},
    )
    assert not screen.is_connected() and other.is_connected()
    assert not sio(event.screen).is_connected()


def test_removed_participant_is_cut_off(client, sio, event):
    phone = sio(event.participants["Cy"])
    client.delete(
        f"/api/v1/events/{event.code}/participants/{event.participant_ids['Cy']}",
        headers=bearer(event.moderator),
    )
    assert not phone.is_connected()


def test_unknown_socket_requests_get_an_error_ack(sio, event):
    ack = sio(event.hosts[1]).emit("launch_rockets", {"now": True}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "unknown_request"


# Networking calls a participant may make but that answer 404 here (nobody met, nothing shared): every other role is
# refused before anything is looked up.
REFUSED_FOR_OTHERS = [
    ("POST", "/api/v1/me/connections", {"participant": "@Cy"}),
    ("GET", "/api/v1/me/contacts/{pid}.vcf", None),
    ("GET", "/api/v1/me/summary.json", None),
]


@pytest.mark.parametrize(("method", "path", "body"), REFUSED_FOR_OTHERS, ids=[f"{m} {p}" for m, p, _ in
                                                                              REFUSED_FOR_OTHERS])
@pytest.mark.parametrize("role", ROLES)
def test_networking_calls_only_for_participants(client, make_event, method, path, body, role):
    event = make_event()
    other = make_event(name="Other café")
    token = token_of(role, event, other)
    headers = bearer(token) if token else {}
    url = path.format(pid=event.participant_ids["Cy"])
    if isinstance(body, dict):
        body = {k: event.participant_ids[v[1:]] if str(v).startswith("@") else v for k, v in body.items()}
    response = client.open(url, method=method, headers=headers, **({"json": body} if body else {}))
    if role == "participant":
        # Cy was not met, is not listed, shares nothing, and the summary was not shared: not found.
        assert response.status_code == 404, response.get_json()
    else:
        assert response.status_code == {"none": 401, "forged": 401}.get(role, 403), response.get_json()


@pytest.mark.parametrize("path", ["/p/{t}/contacts/{pid}.vcf", "/p/{t}/summary"])
@pytest.mark.parametrize("role", ("moderator", "screen", "host", "helpdesk", "forged"))
def test_phone_downloads_open_only_with_a_participant_link(client, make_event, path, role):
    event = make_event()
    response = client.get(path.format(t=token_of(role, event, event), pid=event.participant_ids["Cy"]))
    assert response.status_code == 404


def test_an_other_events_participant_finds_nobody_here(client, make_event):
    event, other = make_event(), make_event(name="Other café")
    stranger = other.participants["Ada"]
    client.patch("/api/v1/me", headers=bearer(event.participants["Cy"]), json={"listed": True})
    assert client.get("/api/v1/me/directory", headers=bearer(stranger)).get_json()["total"] == 0
    asked = client.post("/api/v1/me/connections", headers=bearer(stranger),
                        json={"participant": event.participant_ids["Cy"]})
    assert asked.status_code == 404
