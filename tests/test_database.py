"""Schema migrations match the models and run on SQLite and PostgreSQL; models keep UTC and cascades."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import SPEC, need

PG_ADMIN_URL = os.environ.get("WORLDCAFE_TEST_POSTGRES", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def test_migrations_match_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from worldcafe.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_datetimes_come_back_as_aware_utc(app):
    from worldcafe.extensions import db
    from worldcafe.models import Event, Round

    with app.app_context():
        event = Event(public_id="TZTEST", name="tz")
        moment = datetime(2026, 5, 4, 10, 0, tzinfo=UTC) + timedelta(microseconds=5)
        db.session.add(Round(event=event, number=1, started_at=moment))
        db.session.commit()
        db.session.expire_all()
        loaded = db.session.execute(db.select(Round)).scalar_one()
        assert loaded.started_at == moment and loaded.started_at.tzinfo is not None
        assert event.created_at.tzinfo is not None
        with pytest.raises(Exception, match="naive"):
            db.session.add(Round(event=event, number=2, started_at=datetime(2026, 1, 1)))
            db.session.commit()
        db.session.rollback()


def test_deleting_an_event_removes_everything_it_owns(app, client, make_event):
    from worldcafe.extensions import db
    from worldcafe.models import AccessLink, CafeTable, Event, LogEntry, Participant

    handle = make_event()
    with app.app_context():
        event = db.session.execute(db.select(Event).filter_by(public_id=handle.code)).scalar_one()
        db.session.delete(event)
        db.session.commit()
        for model in (AccessLink, CafeTable, Participant, LogEntry):
            assert db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one() == 0


def _postgres_available() -> bool:
    try:
        import psycopg2

        psycopg2.connect(PG_ADMIN_URL.replace("+psycopg2", ""), connect_timeout=3).close()
        return True
    except Exception:
        return False


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    need(_postgres_available(), f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
    import psycopg2

    name = f"wc_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_ADMIN_URL.replace("+psycopg2", ""))
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.postgres
def test_db_upgrade_and_the_api_work_on_postgresql(tmp_path, monkeypatch, postgres_url):
    from flask_migrate import upgrade

    from worldcafe import create_app
    from worldcafe.extensions import db

    monkeypatch.setenv("WORLDCAFE_INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": postgres_url,
            "PRESENCE_INTERVAL_S": 0,
        }
    )
    with app.app_context():
        upgrade()
        client = app.test_client()
        response = client.post("/api/v1/events", json=SPEC)
        assert response.status_code == 201
        code = response.get_json()["event"]["id"]
        for name in ("Dee", "Eve"):
            assert client.post(f"/api/v1/join/{code}", json={"name": name, "group": "CA"}).status_code == 201
        from worldcafe.models import Event, LogEntry

        event = db.session.execute(db.select(Event).filter_by(public_id=code)).scalar_one()
        seqs = db.session.execute(
            db.select(LogEntry.seq).filter_by(event_id=event.id).order_by(LogEntry.seq)
        ).scalars()
        assert list(seqs) == [1, 2, 3, 4, 5]  # event_created, then two joins of two pushes each
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        with db.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []
        db.session.remove()
        db.engine.dispose()


def test_db_upgrade_command_on_a_fresh_sqlite_file(tmp_path, monkeypatch):
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **os.environ,
        "WORLDCAFE_INSTANCE_PATH": str(tmp_path),
        "WORLDCAFE_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
    }
    script = Path(sys.executable).parent / "worldcafe"
    result = subprocess.run(
        [str(script), "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    import sqlite3

    tables = {
        row[0] for row in sqlite3.connect(tmp_path / "fresh.db").execute("select name from sqlite_master")
    }
    assert {
        "event",
        "topic",
        "cafe_table",
        "participant",
        "round",
        "seat",
        "note",
        "access_link",
        "log_entry",
    } <= tables


def test_app_tests_run_on_the_configured_database(app):
    """With WORLDCAFE_TEST_DATABASE_URL set, every app test really runs on PostgreSQL (else on SQLite)."""
    from tests.conftest import TEST_DATABASE_URL
    from worldcafe.extensions import db

    with app.app_context():
        assert db.engine.dialect.name == ("postgresql" if TEST_DATABASE_URL else "sqlite")


def test_events_made_before_the_help_desk_get_its_link_on_upgrade(tmp_path, monkeypatch):
    from flask_migrate import downgrade, upgrade

    from worldcafe import create_app
    from worldcafe.extensions import db
    from worldcafe.models import AccessLink

    monkeypatch.setenv("WORLDCAFE_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "PRESENCE_INTERVAL_S": 0,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}"})
    with app.app_context():
        upgrade()
        client = app.test_client()
        code = client.post("/api/v1/events", json=SPEC).get_json()["event"]["id"]
        downgrade(revision="0005")  # as a database from before the help desk: no help desk links at all
        assert db.session.execute(db.select(AccessLink).filter_by(role="helpdesk")).first() is None
        db.session.remove()
        upgrade()
        [token] = db.session.execute(db.select(AccessLink.token).filter_by(role="helpdesk")).scalars()
        assert len(token) == 32
        found = client.get(f"/api/v1/events/{code}/helpdesk/people?q=ada", headers={"Authorization": f"Bearer {token}"})
        assert found.status_code == 200 and found.get_json()["people"][0]["name"] == "Ada"
        db.session.remove()
        db.engine.dispose()
