"""Who may do what: every role × every endpoint and socket request → allowed or refused."""

from __future__ import annotations

import pytest

from tests.conftest import bearer, received

ROLES = ("moderator", "screen", "host", "participant", "none", "forged", "other_moderator")


def token_of(role, event, other):
    return {
        "moderator": event.moderator,
        "screen": event.screen,
        "host": event.hosts[1],
        "participant": event.participants["Ada"],
        "none": None,
        "forged": "A" * 32,
        "other_moderator": other.moderator,
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
    ("GET", "/api/v1/events/{code}/notes", None, {"moderator", "screen", "host"}),
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


PAGES = [
    ("/m/{t}", "moderator"),
    ("/m/{t}/links", "moderator"),
    ("/m/{t}/print/tables", "moderator"),
    ("/m/{t}/print/participants", "moderator"),
    ("/s/{t}", "screen"),
    ("/h/{t}", "host"),
    ("/p/{t}", "participant"),
]


@pytest.mark.parametrize(("path", "owner"), PAGES)
@pytest.mark.parametrize("role", ("moderator", "screen", "host", "participant", "forged"))
def test_page_links_open_only_their_own_page(client, make_event, path, owner, role):
    event = make_event()
    token = token_of(role, event, event)
    response = client.get(path.format(t=token))
    assert response.status_code == (200 if role == owner else 404)


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
