"""Fixtures: an app on a fresh migrated SQLite database per test, HTTP and Socket.IO test clients, events."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from worldcafe import create_app
from worldcafe.extensions import socketio

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# A PostgreSQL URL (e.g. postgresql+psycopg2://postgres@127.0.0.1:5432/test) runs every app test on PostgreSQL.
TEST_DATABASE_URL = os.environ.get("WORLDCAFE_TEST_DATABASE_URL", "")


def need(condition: bool, reason: str) -> None:
    """Skip on a developer laptop when a service is missing; under CI the same gap is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must run this test, but: {reason}")
    pytest.skip(reason)


class PostgresDatabases:
    """A migrated template database, and a fresh copy of it per test (CREATE DATABASE … TEMPLATE is fast)."""

    def __init__(self, url: str) -> None:
        import psycopg2

        self.base = url.rsplit("/", 1)[0]
        self.admin = psycopg2.connect(url.replace("+psycopg2", ""))
        self.admin.autocommit = True
        self.template = f"wc_tpl_{uuid.uuid4().hex[:10]}"
        self.sql(f'CREATE DATABASE "{self.template}"')

    def sql(self, statement: str) -> None:
        """Run one administrative statement."""
        with self.admin.cursor() as cursor:
            cursor.execute(statement)

    def url(self, name: str) -> str:
        """The SQLAlchemy URL of a database."""
        return f"{self.base}/{name}"

    def fresh(self) -> str:
        """A new database cloned from the migrated template."""
        name = f"wc_t_{uuid.uuid4().hex[:12]}"
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def drop(self, name: str) -> None:
        """Remove a test's database."""
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrate(url: str, instance: str) -> None:
    """Bring a database up to date with the real migrations."""
    from flask_migrate import upgrade

    from worldcafe.extensions import db

    os.environ["WORLDCAFE_INSTANCE_PATH"] = instance
    try:
        app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            db.engine.dispose()
    finally:
        del os.environ["WORLDCAFE_INSTANCE_PATH"]


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path | PostgresDatabases]:
    """The migrated template: a SQLite file each test copies, or PostgreSQL databases when
    WORLDCAFE_TEST_DATABASE_URL is set (then every app test runs on PostgreSQL)."""
    folder = tmp_path_factory.mktemp("template-db")
    if TEST_DATABASE_URL:
        databases = PostgresDatabases(TEST_DATABASE_URL)
        _migrate(databases.url(databases.template), str(folder))
        yield databases
        databases.drop(databases.template)
        databases.admin.close()
        return
    path = folder / "template.db"
    _migrate(f"sqlite:///{path}", str(folder))
    yield path


@pytest.fixture
def app(tmp_path: Path, migrated_db: Path | PostgresDatabases, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The app on its own copy of the migrated database."""
    pg_name = None
    if isinstance(migrated_db, PostgresDatabases):
        pg_name = migrated_db.fresh()
        database_url = migrated_db.url(pg_name)
    else:
        db_path = tmp_path / "worldcafe.db"
        shutil.copy(migrated_db, db_path)
        database_url = f"sqlite:///{db_path}"
    monkeypatch.setenv("WORLDCAFE_INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PRESENCE_INTERVAL_S": 0,
            "WTF_CSRF_ENABLED": True,
        }
    )
    yield app
    from worldcafe.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if pg_name is not None and isinstance(migrated_db, PostgresDatabases):
        migrated_db.drop(pg_name)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """HTTP test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    """CLI test runner."""
    return app.test_cli_runner()


SPEC: dict[str, Any] = {
    "name": "Test Café",
    "language": "en",
    "groups": ["CA", "DE"],
    "rounds": [{"minutes": 20}, {"minutes": 15}, {"minutes": 20}],
    "topics": [
        {"title": "Future of work", "question": "How will AI change our jobs?"},
        {"title": "Product development", "question": "Where does AI help today?", "colour": "green"},
    ],
    "tables": [
        {"number": 1, "topic": "Future of work", "capacity": 5, "host": "Hanna"},
        {"number": 2, "topic": "Future of work", "capacity": 5, "host": "Ben"},
        {"number": 3, "topic": 2, "capacity": 4, "host": "Chris", "tags": ["en"]},
    ],
    "participants": [
        {"name": "Ada", "group": "CA"},
        {"name": "Bo", "group": "DE", "email": "bo@example.org"},
        {"name": "Cy", "group": "DE"},
    ],
}


class EventHandle:
    """A created event with its tokens, for tests."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.code: str = body["event"]["id"]
        links = body["links"]
        self.moderator = links["moderator"].rsplit("/", 1)[1]
        self.screen = links["screen"].rsplit("/", 1)[1]
        self.helpdesk = links["helpdesk"].rsplit("/", 1)[1]
        self.hosts = {int(n): url.rsplit("/", 1)[1] for n, url in links["hosts"].items()}
        self.participants = {p["name"]: p["link"].rsplit("/", 1)[1] for p in links["participants"]}
        self.participant_ids = {p["name"]: p["id"] for p in links["participants"]}


@pytest.fixture
def make_event(client: FlaskClient) -> Callable[..., EventHandle]:
    """Create an event through the API (default: the test spec) and return its handle."""

    def make(**overrides: Any) -> EventHandle:
        response = client.post("/api/v1/events", json={**SPEC, **overrides})
        assert response.status_code == 201, response.get_json()
        return EventHandle(response.get_json())

    return make


@pytest.fixture
def event(make_event: Callable[..., EventHandle]) -> EventHandle:
    """The standard test event."""
    return make_event()


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def sio(app: Flask, client: FlaskClient) -> Callable[..., Any]:
    """Open Socket.IO test clients (closed at the end of the test)."""
    opened: list[Any] = []

    def connect(token: str | None, **auth: Any) -> Any:
        payload = {"token": token, **auth} if token is not None else auth
        sc = socketio.test_client(app, flask_test_client=client, auth=payload)
        opened.append(sc)
        return sc

    yield connect
    for sc in opened:
        if sc.is_connected():
            sc.disconnect()


def received(sc: Any, name: str | None = None) -> list[Any]:
    """The pushes a socket test client got since last asked (only those named ``name`` if given)."""
    return [
        (m["name"], m["args"][0] if m["args"] else None)
        for m in sc.get_received()
        if name is None or m["name"] == name
    ]
