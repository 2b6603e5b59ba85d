"""Issue 12, row 10: a token never appears in a log line — not in the database-outage warning (which names the request
path), not in a bug's traceback, not in the server's access log. A short prefix (``/m/Abc…``) still tells an operator
which kind of link it was."""

from __future__ import annotations

import logging
import re
import urllib.error
import urllib.request

import pytest

from tests.conftest import bearer
from tests.faults.test_outage_answers import database_down
from tests.live_server import LiveServer, wait_for
from worldcafe.redaction import redact


def every_token(client, event) -> dict[str, str]:
    """Each secret link of the test event by its path prefix, the read-only summary link switched on."""
    shared = client.post(f"/api/v1/events/{event.code}/share", json={"enabled": True}, headers=bearer(event.moderator))
    assert shared.status_code == 200
    return {
        "m": event.moderator,
        "s": event.screen,
        "h": event.hosts[1],
        "p": event.participants["Ada"],
        "r": shared.get_json()["link"].rsplit("/", 1)[1],
    }


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        ('GET /m/AbCdEfGhIjKlMnOpQrStUv/summary.md HTTP/1.1" 200', 'GET /m/AbC…/summary.md HTTP/1.1" 200'),
        ("http://192.168.1.20:5000/p/xyz_-12345678 opened", "http://192.168.1.20:5000/p/xyz… opened"),
        ("/r/Zz9-abcdefgh/photos/4f1c-77", "/r/Zz9…/photos/4f1c-77"),
        ('GET /d/Hd7abcdefghij/participants/12/card HTTP/1.1" 200', 'GET /d/Hd7…/participants/12/card HTTP/1.1" 200'),
        ("Authorization: Bearer abcdefghijkl", "Authorization: Bearer abc…"),
        ("auth={'token': 'abcdefghijk'}", "auth={'token': 'abc…'}"),
        ("/summary?token=abcdefgh&lang=de", "/summary?token=abc…&lang=de"),
        # Public: join codes, event ids in API paths, assets.
        ("POST /j/CGWN3Z and /api/v1/events/CGWN3Z/notes", "POST /j/CGWN3Z and /api/v1/events/CGWN3Z/notes"),
        ("GET /static/js/live.js", "GET /static/js/live.js"),
    ],
)
def test_redact_keeps_a_short_prefix_of_every_token_and_nothing_else(line, logged):
    assert redact(line) == logged


def test_the_database_outage_warning_names_the_path_without_its_token(app, client, event, caplog):
    tokens = every_token(client, event)
    with database_down(app), caplog.at_level(logging.WARNING):
        for prefix, token in tokens.items():
            assert client.get(f"/{prefix}/{token}").status_code == 503
        assert client.get(f"/api/v1/events/{event.code}", headers=bearer(event.moderator)).status_code == 503
    lines = [r.getMessage() for r in caplog.records if "database unreachable" in r.getMessage()]
    assert len(lines) == len(tokens) + 1, lines
    for prefix, token in tokens.items():
        assert any(f"GET /{prefix}/{token[:3]}…: " in line for line in lines), (prefix, lines)
    for token in tokens.values():
        assert token not in caplog.text
    assert f"GET /api/v1/events/{event.code}:" in caplog.text  # the public event id stays readable


def test_a_bug_on_a_secret_page_is_logged_with_its_traceback_but_without_the_token(
    app, client, event, caplog, monkeypatch
):
    from flask import request

    from worldcafe.web import moderator

    def broken(_event):
        raise RuntimeError(f"no view for {request.url}")

    monkeypatch.setattr(moderator, "full_view", broken)
    with caplog.at_level(logging.ERROR):
        assert client.get(f"/m/{event.moderator}").status_code == 500
    assert "Traceback" in caplog.text and f"RuntimeError: no view for http://localhost/m/{event.moderator[:3]}…" in (
        caplog.text
    )
    assert event.moderator not in caplog.text


def test_records_of_any_logger_are_redacted_as_they_are_made(app, caplog):
    # A library's logger, a child logger, arguments formatted into the message, and a handler added afterwards.
    token = "Secr3tTokenValue_123456"
    late = logging.getLogger("some.library.added.later")
    with caplog.at_level(logging.INFO):
        late.info("serving %s for %r", f"/h/{token}/photos/1", {"token": token})
        logging.getLogger("worldcafe.anything").warning("Bearer %s refused", token)
    assert token not in caplog.text
    assert re.findall(r"Sec…", caplog.text) == ["Sec…"] * 3


@pytest.mark.slow
def test_the_access_log_and_the_server_output_carry_no_token(tmp_path):
    server = LiveServer(tmp_path, env={"WORLDCAFE_ACCESS_LOG": "1"})
    try:
        from tests.conftest import SPEC

        created = server.api("POST", "/api/v1/events", body=SPEC)
        links = created["links"]
        paths = [
            links["moderator"],
            links["screen"],
            links["hosts"]["1"],
            links["participants"][0]["link"],
            links["moderator"] + "/links",
            links["moderator"] + "/print/tables",
        ]
        tokens = {url.split("/")[4] for url in paths}
        for url in paths:
            with urllib.request.urlopen(url, timeout=30) as page:
                assert page.status == 200
        # An unknown token is cut the same way (someone guessing links leaves no list of guesses to replay).
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(server.url + "/m/" + "x" * 22, timeout=30)
        assert missing.value.code == 404
        missing.value.close()
        # The access line is written just after the answer went out: wait for it before stopping the server.
        wait_for(lambda: 'GET /m/xxx… HTTP/1.1" 404' in server.log_path.read_text(), 10, "the 404's access line")
    finally:
        server.stop()
    log = server.log_path.read_text()
    assert f"GET /m/{created['links']['moderator'].split('/')[4][:3]}…/print/tables HTTP/1.1" in log
    assert "GET /m/xxx… HTTP/1.1\" 404" in log
    for token in tokens:
        assert token not in log
