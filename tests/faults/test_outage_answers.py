"""While the database is unreachable every request gets a clear answer: 503 ``unavailable``, never a 500 or silence.

The outage is real as far as the app can tell: its engine is swapped for one whose PostgreSQL port refuses
connections, so psycopg2 raises exactly what it raises while PostgreSQL restarts. (tests/faults/
test_postgres_restart.py stops and starts a real PostgreSQL around a running server.)
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine

from tests.conftest import bearer
from tests.live_server import free_port
from tests.test_control import ctl

GERMAN = "Die Datenbank ist gerade nicht erreichbar; bitte versuchen Sie es gleich noch einmal."


@contextmanager
def database_down(app) -> Iterator[None]:
    """Point the app at a PostgreSQL port nobody listens on; the real engine comes back afterwards."""
    from worldcafe.extensions import db

    dead = create_engine(f"postgresql+psycopg2://nobody@127.0.0.1:{free_port()}/gone", pool_pre_ping=True)
    with app.app_context():
        engines = db.engines
        real = engines[None]
        db.session.remove()
        engines[None] = dead
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
            engines[None] = real
        dead.dispose()


@pytest.fixture
def running(client, event):
    assert ctl(client, event.code, event.moderator, "start_round").status_code == 200
    return event


def test_api_answers_503_unavailable_in_the_callers_language(app, client, event):
    with database_down(app):
        response = client.get(f"/api/v1/events/{event.code}", headers=bearer(event.moderator))
        german = client.get(f"/api/v1/events/{event.code}?lang=de", headers=bearer(event.moderator))
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json() == {
        "error": {
            "code": "unavailable",
            "message": "The database is not reachable right now; please try again in a moment.",
        }
    }
    assert german.status_code == 503 and german.get_json()["error"]["message"] == GERMAN
    # And the very next request after the outage works, on the same app and pool.
    assert client.get(f"/api/v1/events/{event.code}", headers=bearer(event.moderator)).status_code == 200


def test_html_page_is_a_friendly_503_that_reloads_itself(app, client, event):
    with database_down(app):
        response = client.get(f"/m/{event.moderator}?lang=de")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Refresh"] == "5"
    assert "Einen Moment, bitte" in page and GERMAN in page
    assert "Traceback" not in page and "psycopg2" not in page


def test_healthz_reports_the_database(app, client, monkeypatch):
    from worldcafe.web import home

    monkeypatch.setattr(home, "HEALTH_CHECK_INTERVAL_S", 0.0)
    assert client.get("/healthz").get_json() == {"ok": True, "database": "ok"}
    with database_down(app):
        down = client.get("/healthz")
    assert down.status_code == 503 and down.get_json() == {"ok": False, "database": "unreachable"}
    assert client.get("/healthz").status_code == 200


def test_socket_requests_get_an_unavailable_ack_and_a_resend_makes_one_note(app, client, sio, running, caplog):
    host = sio(running.hosts[1])
    note = {"id": str(uuid.uuid4()), "text": "Written while the database restarts"}
    with database_down(app), caplog.at_level(logging.WARNING):
        for name, data in [("add_note", note), ("sync", {"since": 1}), ("cast_vote", {"note_id": note["id"]})]:
            ack = host.emit(name, data, callback=True)
            assert ack["ok"] is False and ack["error"]["code"] == "unavailable", (name, ack)
            assert ack["error"]["message"].startswith("The database is not reachable")
    assert "Traceback" not in caplog.text and "database unreachable during socket 'add_note'" in caplog.text
    # The outbox sends the same note again once the database is back: it is stored once.
    acks = [host.emit("add_note", note, callback=True) for _ in range(2)]
    assert all(a["ok"] for a in acks) and {a["note"]["version"] for a in acks} == {1}
    notes = client.get(f"/api/v1/events/{running.code}/notes", headers=bearer(running.moderator)).get_json()["notes"]
    assert [n["id"] for n in notes] == [note["id"]]


def test_connecting_during_the_outage_is_refused_not_crashed(app, client, sio, event, caplog):
    with database_down(app), caplog.at_level(logging.WARNING):
        refused = sio(event.hosts[1])
        assert not refused.is_connected()
    assert "database unreachable during socket 'connect'" in caplog.text
    assert sio(event.hosts[1]).is_connected()


def test_a_bug_in_a_socket_request_is_an_internal_ack(app, sio, running, monkeypatch, caplog):
    from worldcafe.realtime import handlers

    host = sio(running.hosts[1])

    def broken():
        raise RuntimeError("a bug")

    monkeypatch.setattr(handlers, "server_time", broken)
    with caplog.at_level(logging.ERROR):
        ack = host.emit("clock", callback=True)
    assert ack == {
        "ok": False,
        "error": {"code": "internal", "message": "Something went wrong on the server. Nothing was changed."},
    }
    assert "a bug" in caplog.text  # a bug keeps its traceback in the log


def test_ticker_logs_an_outage_once_and_resumes(app, client, running, caplog):
    from worldcafe.realtime.ticker import Tick

    tick = Tick(app)
    with caplog.at_level(logging.INFO):
        tick.run()
        assert tick.failing is None
        with database_down(app):
            for _ in range(5):
                tick.run()
        tick.run()
    lines = [r.getMessage() for r in caplog.records if "auto-advance" in r.getMessage()]
    assert len(lines) == 2, lines
    assert lines[0].startswith("auto-advance paused, database unreachable")
    assert lines[1].startswith("auto-advance works again")
    assert tick.failing is None and not any(r.exc_info for r in caplog.records)
