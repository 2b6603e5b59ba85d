"""Anyone on the venue network, without a link: joins within budgets per address and per event, events created from
another machine only with the admin password, and requests of a bounded size."""

from __future__ import annotations

import limits.storage.memory
import pytest

from tests.conftest import SPEC, bearer
from tests.test_pages import csrf_token
from worldcafe import create_app
from worldcafe.services.errors import ServiceError
from worldcafe.web.guards import check_join_budget, generate_admin_password, is_loopback_host

PHONE = {"REMOTE_ADDR": "192.168.1.50"}  # another machine on the venue network
OTHER_PHONE = {"REMOTE_ADDR": "192.168.1.51"}


def join(client, code, name, environ=PHONE, headers=None):
    return client.post(
        f"/api/v1/join/{code}", json={"name": name, "group": "CA"}, headers=headers or {}, environ_base=environ
    )


def people(client, handle):
    return client.get(f"/api/v1/events/{handle.code}", headers=bearer(handle.moderator)).get_json()["participants"]


# ---- joins ------------------------------------------------------------------------------------------------------


def test_joins_beyond_an_address_budget_get_429_with_retry_after_and_add_nobody(app, client, event):
    app.config["JOIN_LIMIT_PER_ADDRESS"] = "3/minute"
    assert [join(client, event.code, f"Guest {i}").status_code for i in range(3)] == [201, 201, 201]
    refused = join(client, event.code, "Guest 4")
    assert refused.status_code == 429
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited" and "try again in" in error["message"]
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 60 and error["details"] == {"retry_after": retry_after}
    assert "Guest 4" not in {p["name"] for p in people(client, event)}
    # Another address has a budget of its own.
    assert join(client, event.code, "Neighbour", environ=OTHER_PHONE).status_code == 201


def test_the_event_budget_holds_whatever_the_address(app, client, event, make_event):
    app.config["JOIN_LIMIT_PER_EVENT"] = "2/minute"
    assert join(client, event.code, "First").status_code == 201
    assert join(client, event.code, "Second", environ=OTHER_PHONE).status_code == 201
    assert join(client, event.code, "Third", environ={"REMOTE_ADDR": "10.0.0.9"}).status_code == 429
    other = make_event(name="Another café")
    assert join(client, other.code, "Elsewhere").status_code == 201


def test_a_browser_that_joined_before_is_never_counted(app, client, event):
    app.config["JOIN_LIMIT_PER_ADDRESS"] = "1/minute"
    html = client.get(f"/j/{event.code}", environ_base=PHONE).get_data(as_text=True)
    form = {"name": "Walk-in", "group": "DE", "csrf_token": csrf_token(html)}
    own_page = client.post(f"/j/{event.code}", data=form, environ_base=PHONE).headers["Location"]
    assert client.post(f"/j/{event.code}", data=form, environ_base=PHONE).headers["Location"] == own_page
    returning = join(client, event.code, "Walk-in")
    assert returning.status_code == 200 and returning.get_json()["returning"] is True


def test_the_join_page_asks_kindly_to_wait_in_the_phones_language(app, client, event):
    app.config["JOIN_LIMIT_PER_ADDRESS"] = "1/minute"
    html = client.get(f"/j/{event.code}?lang=de", environ_base=PHONE).get_data(as_text=True)
    form = {"name": "Erika", "group": "DE", "csrf_token": csrf_token(html)}
    assert client.post(f"/j/{event.code}", data=form, environ_base=PHONE).status_code == 302
    client.delete_cookie(f"wc_p_{event.code}")  # a second phone behind the same address
    refused = client.post(f"/j/{event.code}", data={**form, "name": "Max"}, environ_base=PHONE, follow_redirects=True)
    assert [r.status_code for r in refused.history] == [303]
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    page = refused.get_data(as_text=True)
    assert "Gerade treten sehr viele bei" in page and 'name="name"' in page and 'value="Max"' in page


class FakeClock:
    """The clock of the limits library's memory storage, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(limits.storage.memory, "time", fake)
    return fake


def joins_allowed(app, clock, code, arrivals, address="203.0.113.7"):
    """Spend a join at each arrival time (seconds from now) from one address; how many were let through."""
    start, allowed = clock.now, 0
    for at in arrivals:
        clock.now = start + at
        with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
            try:
                check_join_budget(code)
            except ServiceError as exc:
                assert exc.code == "rate_limited"
            else:
                allowed += 1
    return allowed


def test_a_room_of_400_behind_one_nat_address_joins_within_the_default_budgets(app, clock):
    """The venue Wi-Fi NATs every phone to one address: 400 people joining within two minutes (half of them in the
    first 40 s, one in ten sending the form twice after a look-alike warning) are never refused."""
    arrivals = [i * 40 / 200 for i in range(200)] + [40 + i * 80 / 200 for i in range(200)]
    arrivals += arrivals[::10]  # confirmations after "someone with that name has joined"
    assert joins_allowed(app, clock, "ROOM42", sorted(arrivals)) == 440


def test_a_flood_from_one_address_is_cut_to_the_burst(app, clock):
    """300 bot joins in 8 s (the audit's flood): at most one burst of the per-address budget per 5 s gets through."""
    allowed = joins_allowed(app, clock, "FLOOD2", [i * 8 / 300 for i in range(300)])
    assert allowed <= 100
    assert allowed >= 50  # a burst as big as a crowded room's is still let through


# ---- creating events --------------------------------------------------------------------------------------------


def test_creating_events_from_another_machine_needs_the_admin_password(app, client):
    refused = client.post("/api/v1/events", json=SPEC, environ_base=PHONE)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert "WORLDCAFE_ADMIN_PASSWORD" in refused.get_json()["error"]["message"]
    page = client.get("/", environ_base=PHONE).get_data(as_text=True)
    assert "WORLDCAFE_ADMIN_PASSWORD" in page and 'name="name"' not in page
    token = csrf_token(client.get("/").get_data(as_text=True))
    form = client.post("/", data={"name": "W", "csrf_token": token}, environ_base=PHONE)
    assert form.status_code == 403 and "WORLDCAFE_ADMIN_PASSWORD" in form.get_data(as_text=True)
    # The server's own machine creates as before.
    assert client.post("/api/v1/events", json=SPEC).status_code == 201
    app.config["ADMIN_PASSWORD"] = "s3cret"
    assert client.post("/api/v1/events", json=SPEC, environ_base=PHONE).status_code == 401
    wrong = client.post("/api/v1/events", json=SPEC, headers={"X-Admin-Password": "no"}, environ_base=PHONE)
    assert wrong.status_code == 401
    ok = client.post("/api/v1/events", json=SPEC, headers={"X-Admin-Password": "s3cret"}, environ_base=PHONE)
    assert ok.status_code == 201
    html = client.get("/", environ_base=PHONE).get_data(as_text=True)
    assert 'type="password"' in html
    created = client.post(
        "/", data={"name": "W", "password": "s3cret", "csrf_token": csrf_token(html)}, environ_base=PHONE
    )
    assert created.status_code == 302 and created.headers["Location"].startswith("/m/")


def test_a_generated_password_is_for_other_machines_only(app, client):
    app.config.update(ADMIN_PASSWORD="ABCD-EFGH-JKMN", ADMIN_PASSWORD_GENERATED=True)
    assert client.post("/api/v1/events", json=SPEC).status_code == 201  # at the server's own keyboard
    assert 'type="password"' not in client.get("/").get_data(as_text=True)
    assert client.post("/api/v1/events", json=SPEC, environ_base=PHONE).status_code == 401
    ok = client.post("/api/v1/events", json=SPEC, headers={"X-Admin-Password": "ABCD-EFGH-JKMN"}, environ_base=PHONE)
    assert ok.status_code == 201


def test_guessing_the_password_is_slowed_down(app, client):
    app.config.update(ADMIN_PASSWORD="s3cret", CREATE_LIMIT_PER_ADDRESS="3/minute")
    tries = [
        client.post("/api/v1/events", json=SPEC, headers={"X-Admin-Password": f"guess{i}"}, environ_base=PHONE)
        for i in range(4)
    ]
    assert [t.status_code for t in tries] == [401, 401, 401, 429]
    assert int(tries[-1].headers["Retry-After"]) >= 1
    # Even the right one waits now; the operator's own machine never does.
    right = client.post("/api/v1/events", json=SPEC, headers={"X-Admin-Password": "s3cret"}, environ_base=PHONE)
    assert right.status_code == 429
    assert client.post("/api/v1/events", json=SPEC, headers={"X-Admin-Password": "s3cret"}).status_code == 201


def test_a_proxy_on_this_machine_is_not_the_servers_own_user(client):
    """nginx connects from 127.0.0.1 for every phone: a forwarded request is somebody else's."""
    forwarded = client.post("/api/v1/events", json=SPEC, headers={"X-Forwarded-For": "127.0.0.1"})
    assert forwarded.status_code == 403


@pytest.fixture
def proxied_app(app):
    """The same database behind one trusted proxy (WORLDCAFE_TRUSTED_PROXIES=1)."""
    from worldcafe.extensions import db

    behind = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "TRUSTED_PROXIES": 1,
        }
    )
    yield behind
    with behind.app_context():
        db.session.remove()
        db.engine.dispose()


def test_behind_a_trusted_proxy_the_forwarded_address_counts(proxied_app):
    client = proxied_app.test_client()
    via = {"REMOTE_ADDR": "127.0.0.1"}
    # The proxy appends the real client: a phone on the LAN is not the server's own user …
    phone = client.post("/api/v1/events", json=SPEC, headers={"X-Forwarded-For": "192.168.1.50"}, environ_base=via)
    assert phone.status_code == 403
    # … while the operator's browser on the proxy's machine is; a forged first entry changes nothing.
    local = client.post("/api/v1/events", json=SPEC, headers={"X-Forwarded-For": "127.0.0.1"}, environ_base=via)
    assert local.status_code == 201
    code = local.get_json()["event"]["id"]
    proxied_app.config["JOIN_LIMIT_PER_ADDRESS"] = "1/minute"

    def join_as(address, name, forged=""):
        header = f"{forged}, {address}" if forged else address
        return client.post(
            f"/api/v1/join/{code}", json={"name": name, "group": "CA"}, headers={"X-Forwarded-For": header},
            environ_base=via,
        ).status_code

    assert join_as("192.168.1.50", "Ada Lovelace") == 201
    assert join_as("192.168.1.50", "Grace Hopper", forged="10.9.9.9") == 429  # still the same phone
    assert join_as("192.168.1.77", "Alan Turing") == 201  # each phone its own budget


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(app, client, event):
    app.config["JOIN_LIMIT_PER_ADDRESS"] = "1/minute"
    assert join(client, event.code, "One", headers={"X-Forwarded-For": "10.0.0.1"}).status_code == 201
    assert join(client, event.code, "Two", headers={"X-Forwarded-For": "10.0.0.2"}).status_code == 429


def test_generated_passwords_and_loopback_hosts():
    password = generate_admin_password()
    assert len(password) == 14 and password.count("-") == 2 and password != generate_admin_password()
    assert all(c not in password for c in "01OIL")
    assert is_loopback_host("127.0.0.1") and is_loopback_host("::1") and is_loopback_host("localhost")
    assert not any(is_loopback_host(h) for h in ("0.0.0.0", "::", "192.168.1.20", "cafe.local"))


# ---- bounded work per request -----------------------------------------------------------------------------------


def test_a_spec_beyond_the_request_limits_is_refused_before_any_work(app, client, event):
    app.config.update(MAX_TABLES_PER_REQUEST=3, MAX_PEOPLE_PER_REQUEST=3)
    tables = [{"number": n, "topic": 1} for n in range(1, 5)]
    too_many_tables = client.post("/api/v1/events", json={**SPEC, "tables": tables})
    assert too_many_tables.status_code == 413
    assert too_many_tables.get_json()["error"] == {"code": "too_large", "message": "At most 3 tables in one request."}
    crowd = [{"name": f"P{i}"} for i in range(4)]
    assert client.post("/api/v1/events", json={**SPEC, "groups": [], "participants": crowd}).status_code == 413
    assert client.post("/api/v1/events", json=SPEC).status_code == 201  # 3 tables, 3 people: fine
    put = client.put(f"/api/v1/events/{event.code}", json={"tables": tables}, headers=bearer(event.moderator))
    assert put.status_code == 413
    added = client.post(f"/api/v1/events/{event.code}/participants", json=crowd, headers=bearer(event.moderator))
    assert added.status_code == 413 and "further requests" in added.get_json()["error"]["message"]
    assert len(people(client, event)) == 3  # nothing was added


def test_the_default_request_limits_hold_the_largest_event(app, client):
    """1,200 people at 240 tables (DESIGN.md's largest event) go in one request."""
    spec = {
        "name": "Big",
        "topics": [{"title": f"T{k}"} for k in range(1, 7)],
        "tables": [{"number": n, "topic": (n - 1) % 6 + 1} for n in range(1, 241)],
        "participants": [{"name": f"Person {i}"} for i in range(1, 1201)],
    }
    assert client.post("/api/v1/events", json=spec).status_code == 201
    spec["participants"].extend({"name": f"Extra {i}"} for i in range(app.config["MAX_PEOPLE_PER_REQUEST"]))
    assert client.post("/api/v1/events", json=spec).status_code == 413


def test_limits_in_the_environment_are_checked_at_start(tmp_path):
    from worldcafe.config import ConfigError, load_config

    config = load_config(tmp_path, {"WORLDCAFE_JOIN_LIMIT_PER_EVENT": "10/second;100/minute"})
    assert config["JOIN_LIMIT_PER_EVENT"] == "10/second;100/minute"
    for name, value in [("JOIN_LIMIT_PER_ADDRESS", "lots"), ("SYNC_LIMIT_PER_LINK", "5 a minute"),
                        ("TRUSTED_PROXIES", "-1"), ("MAX_PEOPLE_PER_REQUEST", "0")]:
        with pytest.raises(ConfigError, match=f"WORLDCAFE_{name}"):
            load_config(tmp_path, {f"WORLDCAFE_{name}": value})
