"""What the docs promise is what the server does: pads locked with 0 minutes, the threading server, non-ASCII admin
passwords, one charset per summary, stars are the hosts', at most 20 groups however people arrive."""

from __future__ import annotations

import base64
import http.client
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import SPEC, bearer, received
from tests.live_server import LiveServer
from tests.test_control import ctl
from tests.test_pages import csrf_token

# ---- POST …/pads {"minutes": 0} ---------------------------------------------------------------------------------


def _pads(client, event, minutes):
    return client.post(f"/api/v1/events/{event.code}/pads", headers=bearer(event.moderator), json={"minutes": minutes})


def _note(host, text):
    return host.emit("add_note", {"id": str(uuid.uuid4()), "text": text}, callback=True)


def test_pads_zero_ends_a_reopening_and_the_grace_period(client, sio, event):
    host, phone = sio(event.hosts[1]), sio(event.participants["Ada"])
    ctl(client, event.code, event.moderator, "start_round")
    ctl(client, event.code, event.moderator, "end_round")
    assert _note(host, "in the grace period")["ok"]
    assert _pads(client, event, 10).get_json() == {"open": True}
    phone.get_received()
    locked = _pads(client, event, 0)
    assert locked.status_code == 200 and locked.get_json() == {"open": False}
    assert _note(host, "too late")["error"]["code"] == "pad_locked"
    pushes = dict(received(phone))
    assert pushes["pads_changed"]["open"] is False and pushes["pads_changed"]["open_until"] is None
    assert pushes["settings_changed"]["pad_grace_s"] == 0
    view = client.get(f"/api/v1/events/{event.code}", headers=bearer(event.moderator)).get_json()
    assert view["pad_grace_s"] == 0 and view["pad_open"] is False
    ctl(client, event.code, event.moderator, "start_round")
    ctl(client, event.code, event.moderator, "end_round")  # no grace period for the rest of the event
    assert _note(host, "after round 2")["error"]["code"] == "pad_locked"
    assert _pads(client, event, 5).get_json() == {"open": True}  # reopening still works
    assert _note(host, "reopened")["ok"]


def test_pads_zero_does_not_lock_a_running_round(client, sio, event):
    host = sio(event.hosts[1])
    ctl(client, event.code, event.moderator, "start_round")
    assert _pads(client, event, 0).get_json() == {"open": True}
    assert _note(host, "the round goes on")["ok"]


@pytest.mark.parametrize("minutes", [-1, 241, 1.5, True, "5", None])
def test_pads_other_values_are_invalid(client, event, minutes):
    response = _pads(client, event, minutes)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid"


# ---- summary content types ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "content_type"), [
    ("md", "text/markdown; charset=utf-8"), ("csv", "text/csv; charset=utf-8"), ("html", "text/html; charset=utf-8"),
    ("json", "application/json"),
])
def test_summary_says_its_charset_once(client, event, fmt, content_type):
    link = client.post(f"/api/v1/events/{event.code}/share", headers=bearer(event.moderator),
                       json={"enabled": True}).get_json()["link"]
    share = link.rsplit("/", 1)[1]
    for response in (
        client.get(f"/api/v1/events/{event.code}/summary.{fmt}", headers=bearer(event.moderator)),
        client.get(f"/m/{event.moderator}/summary.{fmt}"),
        client.get(f"/r/{share}/summary.{fmt}"),
    ):
        assert response.status_code == 200 and response.headers["Content-Type"] == content_type
    assert client.get(f"/m/{event.moderator}/summary").headers["Content-Type"] == "text/html; charset=utf-8"


# ---- stars -------------------------------------------------------------------------------------------------------


def test_participants_cannot_star_their_own_notes_hosts_can(client, sio, event):
    client.patch(f"/api/v1/events/{event.code}", headers=bearer(event.moderator), json={"participant_notes": True})
    ctl(client, event.code, event.moderator, "start_round")
    phone = sio(event.participants["Ada"])
    note = _note(phone, "vote for me")["note"]
    for starred in (True, False):
        ack = phone.emit("edit_note", {"id": note["id"], "base_version": 1, "starred": starred}, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden" and "star" in ack["error"]["message"]
    edited = phone.emit("edit_note", {"id": note["id"], "base_version": 1, "text": "typo fixed"}, callback=True)
    assert edited["ok"] and edited["note"]["version"] == 2 and edited["note"]["starred"] is False
    host = sio(event.hosts[edited["note"]["table"]])
    starred = host.emit("edit_note", {"id": note["id"], "base_version": 2, "starred": True}, callback=True)
    assert starred["ok"] and starred["note"]["starred"] is True


# ---- at most 20 groups -----------------------------------------------------------------------------------------


GROUPS = [f"G{i}" for i in range(20)]


def _refused(response, status=400, code="invalid"):
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code
    return response.get_json()["error"]


def test_a_new_event_cannot_bring_a_21st_group_through_its_people(client):
    spec = {**SPEC, "groups": GROUPS, "participants": [{"name": "Ann", "group": "g3"}, {"name": "Bo", "group": "X"}]}
    assert "at most 20 groups" in _refused(client.post("/api/v1/events", json=spec))["message"]
    spec["participants"] = [{"name": "Ann", "group": "g3"}]  # one of the 20, spelt differently: fine
    assert client.post("/api/v1/events", json=spec).status_code == 201
    spec = {**SPEC, "groups": [], "participants": [{"name": f"P{i}", "group": f"N{i}"} for i in range(21)]}
    _refused(client.post("/api/v1/events", json=spec))


def test_adding_importing_correcting_or_joining_cannot_make_a_21st_group(client, make_event):
    event = make_event(groups=GROUPS[:19], participants=[{"name": "Ann", "group": "G0"}])
    auth, code = bearer(event.moderator), event.code
    assert client.post(f"/api/v1/events/{code}/participants", json=[{"name": "Bo", "group": "New"}],
                       headers=auth).status_code == 201  # the 20th
    _refused(client.post(f"/api/v1/events/{code}/participants", json=[{"name": "Cy", "group": "Newer"}], headers=auth))
    report = client.post(f"/api/v1/events/{code}/participants/import", data=b"name,group\nDee,G1\nEve,Newest\n",
                         headers=auth, content_type="text/csv")
    error = _refused(report, 422, "unprocessable")
    assert [row["error"] is None for row in error["details"]] == [True, False]
    assert "at most 20 groups" in error["details"][1]["error"]
    ann = event.participant_ids["Ann"]
    _refused(client.patch(f"/api/v1/events/{code}/participants/{ann}", json={"group": "Other"}, headers=auth))
    assert client.patch(f"/api/v1/events/{code}/participants/{ann}", json={"group": "new"}, headers=auth).get_json()[
        "participant"]["group"] == "New"
    _refused(client.post(f"/api/v1/join/{code}", json={"name": "Fay", "group": "Walk-in"}))
    view = client.get(f"/api/v1/events/{code}", headers=auth).get_json()
    assert len(view["groups"]) == 20 and "Other" not in view["groups"]
    assert [p["name"] for p in view["participants"]] == ["Ann", "Bo"]


# ---- admin password beyond ASCII -----------------------------------------------------------------------------------


PASSWORD = "Pässwört–✓"


def _basic(password: str, user: str = "admin") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_a_non_ascii_admin_password_works_over_the_api(app, client):
    app.config["ADMIN_PASSWORD"] = PASSWORD
    as_sent = PASSWORD.encode().decode("latin-1")  # what a WSGI server hands over for the UTF-8 bytes on the wire
    assert client.post("/api/v1/events", json={"name": "x"}, headers={"X-Admin-Password": as_sent}).status_code == 201
    assert client.post("/api/v1/events", json={"name": "x"}, headers=_basic(PASSWORD)).status_code == 201
    assert client.post("/api/v1/events", json={"name": "x"}, headers=_basic(PASSWORD, user="")).status_code == 201
    for headers in ({"X-Admin-Password": "Pässwört–✓".encode().decode("latin-1")[:-1]}, _basic("Passwort"),
                    {"X-Admin-Password": PASSWORD.encode("cp1252", "replace").decode("latin-1")}, {}):
        _refused(client.post("/api/v1/events", json={"name": "x"}, headers=headers), 401, "unauthorized")


def test_a_non_ascii_admin_password_works_in_the_form(app, client):
    app.config["ADMIN_PASSWORD"] = PASSWORD
    html = client.get("/").get_data(as_text=True)
    response = client.post("/", data={"name": "W", "password": PASSWORD, "csrf_token": csrf_token(html)})
    assert response.status_code == 302


@pytest.mark.slow
def test_a_non_ascii_admin_password_over_the_wire_to_the_real_server(tmp_path):
    server = LiveServer(tmp_path, env={"WORLDCAFE_ADMIN_PASSWORD": PASSWORD})
    try:
        def create(headers: dict[str, bytes | str]) -> int:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.putrequest("POST", "/api/v1/events")
            body = json.dumps({"name": "Wire"}).encode()
            for name, value in {"Content-Type": "application/json", "Content-Length": str(len(body)),
                                **headers}.items():
                connection.putheader(name, value)
            connection.endheaders(body)
            status = connection.getresponse().status
            connection.close()
            return status

        assert create({"X-Admin-Password": PASSWORD.encode()}) == 201  # raw UTF-8 bytes, as curl sends them
        assert create(_basic(PASSWORD)) == 201
        assert create({"X-Admin-Password": b"P\xe4sswort"}) == 401
    finally:
        server.stop()


# ---- WORLDCAFE_ASYNC_MODE ----------------------------------------------------------------------------------------


def _worldcafe(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "WORLDCAFE_INSTANCE_PATH": str(tmp_path), **env}
    environment.pop("WORLDCAFE_DATABASE_URL", None)
    return subprocess.run([str(Path(sys.executable).parent / "worldcafe"), *args], env=environment, text=True,
                          capture_output=True, timeout=60)


@pytest.mark.parametrize(("env", "words"), [
    ({"WORLDCAFE_ASYNC_MODE": "gevent"}, "WORLDCAFE_ASYNC_MODE=gevent"),
    ({"WORLDCAFE_ASYNC_MODE": "asyncio"}, "WORLDCAFE_ASYNC_MODE must be eventlet, gevent or threading"),
    ({"WORLDCAFE_PORT": "eighty"}, "WORLDCAFE_PORT must be a whole number"),
])
def test_run_refuses_settings_it_cannot_serve_with_one_line_and_exit_code_2(tmp_path, env, words):
    result = _worldcafe(tmp_path, "run", "--port", "1", **env)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and words in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_run_serves_with_the_threading_mode(tmp_path):
    import socketio as socketio_client

    server = LiveServer(tmp_path, env={"WORLDCAFE_ASYNC_MODE": "threading"})
    try:
        assert server.process.poll() is None
        created = server.api("POST", "/api/v1/events", body={**SPEC, "participants": []})
        host = created["links"]["hosts"]["1"].rsplit("/", 1)[1]
        joined = server.api("POST", f"/api/v1/join/{created['event']['id']}", body={"name": "Dee", "group": "CA"})
        assert joined["participant"]["name"] == "Dee"
        phone = socketio_client.Client()
        snapshots: list[dict] = []
        phone.on("snapshot", snapshots.append)
        phone.connect(server.url, auth={"token": host}, transports=["websocket"], wait_timeout=10)
        try:
            assert phone.call("clock", timeout=10)["ok"] is True and snapshots and snapshots[0]["role"] == "host"
        finally:
            phone.disconnect()
    finally:
        server.stop()
