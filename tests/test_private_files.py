"""Issue 12, row 10: the database (it holds every link's token), the generated secret key and the photos are readable
by the server's user only — created that way, and tightened at start when an older version left them readable."""

from __future__ import annotations

import os
import stat
import urllib.request
from pathlib import Path

import pytest

from tests.live_server import LiveServer
from tests.test_control import ctl
from tests.test_notes import JPEG, multipart, upload


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def fresh_instance(tmp_path, monkeypatch):
    """An instance folder that does not exist yet, with the default SQLite database and a generated key."""
    instance = tmp_path / "new" / "instance"
    monkeypatch.setenv("WORLDCAFE_INSTANCE_PATH", str(instance))
    for name in ("WORLDCAFE_DATABASE_URL", "SECRET_KEY", "WORLDCAFE_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    # Even with a permissive umask nothing secret becomes readable by others.
    old = os.umask(0o000)
    yield instance
    os.umask(old)


def test_a_new_instance_folder_database_and_key_are_private(fresh_instance):
    from flask_migrate import upgrade

    from worldcafe import create_app
    from worldcafe.extensions import db

    app = create_app()
    assert mode(fresh_instance) == 0o700 and mode(fresh_instance.parent) == 0o700
    assert mode(fresh_instance / "secret_key") == 0o600
    database = fresh_instance / "worldcafe.db"
    assert mode(database) == 0o600
    with app.app_context():
        upgrade()
        with db.engine.connect():  # an open connection in WAL mode: -wal and -shm exist now
            for name in ("worldcafe.db", "worldcafe.db-wal", "worldcafe.db-shm"):
                assert mode(fresh_instance / name) == 0o600, name
        db.engine.dispose()


def test_uploaded_photos_are_private(app, client, event):
    assert ctl(client, event.code, event.moderator, "start_round").status_code == 200
    old = os.umask(0o000)
    try:
        assert upload(client, event, event.hosts[1], JPEG).status_code == 201
    finally:
        os.umask(old)
    photos = Path(app.instance_path) / "photos"
    [stored] = list((photos / event.code).iterdir())
    assert (mode(photos), mode(photos / event.code), mode(stored)) == (0o700, 0o700, 0o600)
    assert stored.read_bytes() == JPEG


def test_files_an_older_version_left_readable_are_tightened_at_start(fresh_instance):
    from worldcafe import create_app

    fresh_instance.mkdir(parents=True)
    (fresh_instance / "photos" / "CGWN3Z").mkdir(parents=True)
    legacy = [
        fresh_instance / "worldcafe.db",
        fresh_instance / "worldcafe.db-wal",
        fresh_instance / "secret_key",
        fresh_instance / "photos" / "CGWN3Z" / "a.jpg",
    ]
    for path in legacy:
        path.write_bytes(b"k" if path.name == "secret_key" else b"")
        path.chmod(0o644)
    for folder in (fresh_instance / "photos", fresh_instance / "photos" / "CGWN3Z"):
        folder.chmod(0o755)
    fresh_instance.chmod(0o755)
    create_app()
    assert [mode(p) for p in legacy] == [0o600] * 4
    assert mode(fresh_instance / "photos") == mode(fresh_instance / "photos" / "CGWN3Z") == 0o700
    # The instance folder itself may be the operator's (a shared mount, a deployment's layout): left as it is.
    assert mode(fresh_instance) == 0o755


@pytest.mark.slow
def test_the_database_and_photos_of_a_running_server_are_private(tmp_path):
    # A real `worldcafe run`: eventlet's patched os module and SQLite's own files, as at an event.
    server = LiveServer(tmp_path)
    try:
        created = server.api("POST", "/api/v1/events", body={"name": "Modes", "topics": [{"title": "T"}]})
        code = created["event"]["id"]
        moderator = created["links"]["moderator"].rsplit("/", 1)[1]
        body, content_type = multipart({"photo": ("cloth.jpg", JPEG)}, {})
        request = urllib.request.Request(f"{server.url}/api/v1/events/{code}/photos", data=body, method="POST")
        request.add_header("Content-Type", content_type)
        request.add_header("Authorization", f"Bearer {moderator}")
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201
        modes = {name: mode(tmp_path / name) for name in ("worldcafe.db", "worldcafe.db-wal", "worldcafe.db-shm")}
    finally:
        server.stop()
    assert modes == {"worldcafe.db": 0o600, "worldcafe.db-wal": 0o600, "worldcafe.db-shm": 0o600}
    [stored] = list((tmp_path / "photos" / code).iterdir())
    assert (mode(tmp_path / "photos"), mode(stored.parent), mode(stored)) == (0o700, 0o700, 0o600)
    assert stored.read_bytes() == JPEG
