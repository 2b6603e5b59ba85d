"""Pages: security headers, forged links, the join flow with its cookie, CSRF, creating events in the UI."""

from __future__ import annotations

import re

import pytest


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "form has no CSRF token"
    return match.group(1)


def test_security_headers_forbid_inline_scripts_and_referrers(client, event):
    response = client.get(f"/m/{event.moderator}")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/m/{m}",
        "/m/{m}/links",
        "/m/{m}/print/tables",
        "/m/{m}/print/participants",
        "/s/{s}",
        "/h/{h}",
        "/p/{p}",
        "/j/{code}",
    ],
)
def test_pages_have_no_inline_script(client, event, path):
    html = client.get(
        path.format(
            m=event.moderator, s=event.screen, h=event.hosts[1], p=event.participants["Ada"], code=event.code
        )
    ).get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'type="application/json"' in tag or "src=" in tag, tag
    assert "onclick=" not in html and "onload=" not in html


@pytest.mark.parametrize(
    "path",
    [
        "/m/x",
        "/m/" + "A" * 32,
        "/s/" + "b" * 40,
        "/h/../../etc/passwd",
        "/p/%00",
        "/m/" + "A" * 32 + "/links",
        "/j/NOPE99",
    ],
)
def test_forged_links_are_plain_404s(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_moderator_link_does_not_open_other_roles(client, event):
    assert client.get(f"/s/{event.moderator}").status_code == 404
    assert client.get(f"/p/{event.hosts[1]}").status_code == 404


def test_console_shows_event_and_links_page_shows_qr_codes(client, event):
    html = client.get(f"/m/{event.moderator}").get_data(as_text=True)
    assert "Test Café" in html and event.code in html
    links = client.get(f"/m/{event.moderator}/links").get_data(as_text=True)
    assert links.count("<svg") >= 1 + 1 + 1 + 3  # join, screen, moderator, three hosts
    assert f"/j/{event.code}" in links


def test_print_sheets(client, event):
    tables = client.get(f"/m/{event.moderator}/print/tables").get_data(as_text=True)
    assert tables.count('class="sheet table-card"') == 3
    assert "How will AI change our jobs?" in tables and f"/h/{event.hosts[3]}" in tables
    people = client.get(f"/m/{event.moderator}/print/participants").get_data(as_text=True)
    assert people.count('class="person-card"') == 3 and f"/p/{event.participants['Bo']}" in people


def test_join_page_flow_sets_cookie_and_rescan_lands_on_own_page(client, event):
    page = client.get(f"/j/{event.code}")
    html = page.get_data(as_text=True)
    assert 'value="CA"' in html and 'value="DE"' in html
    response = client.post(
        f"/j/{event.code}", data={"name": "Walk-in", "group": "DE", "csrf_token": csrf_token(html)}
    )
    assert response.status_code == 302
    own_page = response.headers["Location"]
    assert own_page.startswith("/p/")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    again = client.get(f"/j/{event.code}")
    assert again.status_code == 302 and again.headers["Location"] == own_page
    assert "Walk-in" in client.get(own_page).get_data(as_text=True)


def test_join_form_errors_are_shown_and_nothing_is_added(client, event):
    html = client.get(f"/j/{event.code}").get_data(as_text=True)
    response = client.post(
        f"/j/{event.code}", data={"name": "  ", "group": "DE", "csrf_token": csrf_token(html)}, follow_redirects=True
    )
    assert [r.status_code for r in response.history] == [303]  # POST-redirect-GET: Back never resubmits
    assert response.status_code == 400
    assert 'class="form-error"' in response.get_data(as_text=True)


def test_join_form_without_csrf_token_is_refused(client, event):
    response = client.post(f"/j/{event.code}", data={"name": "Mallory", "group": "DE"})
    assert response.status_code == 400
    assert "reload" in response.get_data(as_text=True)


def test_closed_joining_shows_a_notice(client, event):
    from tests.conftest import bearer

    client.patch(
        f"/api/v1/events/{event.code}", json={"joining_open": False}, headers={**bearer(event.moderator)}
    )
    html = client.get(f"/j/{event.code}").get_data(as_text=True)
    assert "closed" in html and 'name="name"' not in html


def test_create_event_in_the_ui(client):
    html = client.get("/").get_data(as_text=True)
    response = client.post("/", data={"name": "Workshop", "language": "en", "csrf_token": csrf_token(html)})
    assert response.status_code == 302 and response.headers["Location"].startswith("/m/")
    assert "Workshop" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_create_event_ui_needs_admin_password_when_set(app, client):
    app.config["ADMIN_PASSWORD"] = "pw"
    html = client.get("/").get_data(as_text=True)
    assert 'type="password"' in html
    wrong = client.post("/", data={"name": "W", "password": "no", "csrf_token": csrf_token(html)})
    assert wrong.status_code == 400
    ok = client.post("/", data={"name": "W", "password": "pw", "csrf_token": csrf_token(html)})
    assert ok.status_code == 302


def test_create_event_ui_shows_validation_error(client):
    html = client.get("/").get_data(as_text=True)
    response = client.post("/", data={"name": "", "language": "en", "csrf_token": csrf_token(html)})
    assert response.status_code == 400 and 'class="form-error"' in response.get_data(as_text=True)


def test_oversized_form_is_refused(client):
    response = client.post("/", data={"name": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_language_switch_is_remembered(client):
    response = client.get("/?lang=de")
    assert 'lang="de"' in response.get_data(as_text=True)
    assert "wc_lang=de" in response.headers["Set-Cookie"]
    assert 'lang="de"' in client.get("/").get_data(as_text=True)


def test_static_assets_are_served_with_vendored_socketio(client):
    with client.get("/static/vendor/socket.io-4.8.4/socket.io.esm.min.js") as response:
        assert response.status_code == 200 and b"export" in response.data
    with client.get("/static/js/live.js") as response:
        assert b"/static/vendor/socket.io-4.8.4/socket.io.esm.min.js" in response.data


def test_join_errors_speak_the_participants_language(client, event):
    html = client.get(f"/j/{event.code}?lang=de").get_data(as_text=True)
    response = client.post(f"/j/{event.code}", data={"name": "Jonas", "csrf_token": csrf_token(html)},
                           follow_redirects=True)
    assert response.status_code == 400
    assert "Bitte die Gruppe wählen: CA, DE." in response.get_data(as_text=True)


def test_api_validation_messages_follow_accept_language(client):
    response = client.post("/api/v1/events", json={"name": ""}, headers={"Accept-Language": "de"})
    assert response.get_json()["error"]["message"] == "Name der Veranstaltung ist leer – bitte ausfüllen."


def test_participant_page_weighs_under_150_kb(client, event):
    """The whole phone page, its CSS and every JS module it imports, as served (uncompressed)."""
    token = event.participants["Ada"]
    html = client.get(f"/p/{token}").get_data(as_text=True)
    total = len(html.encode())
    queue = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    seen: set[str] = set()
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        with client.get(url) as response:
            assert response.status_code == 200, url
            body = response.data
        total += len(body)
        if url.endswith(".js"):
            base = url.rsplit("/", 1)[0]
            for target in re.findall(rb'\bfrom\s*"(\.{0,2}/[^"]+)"', body):
                target = target.decode()
                queue.append(target if target.startswith("/") else f"{base}/{target.removeprefix('./')}")
    assert any("socket.io" in u for u in seen) and any(u.endswith("timer.js") for u in seen)
    assert total <= 150 * 1024, f"{total} bytes"
