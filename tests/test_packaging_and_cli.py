"""A non-editable install finds static/ and templates/; the CLI and config behave as documented."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from worldcafe.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "worldcafe"


def test_wheel_ships_static_and_templates_and_the_app_finds_them(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    [wheel] = tmp_path.glob("worldcafe-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert "worldcafe/templates/base.html" in names
    assert "worldcafe/static/vendor/socket.io-4.8.4/socket.io.esm.min.js" in names
    assert "worldcafe/static/vendor/socket.io-4.8.4/LICENSE" in names
    assert "worldcafe/migrations/versions/0001_initial_schema.py" in names
    assert "worldcafe/translations/de/LC_MESSAGES/messages.mo" in names
    code = (
        "import worldcafe, worldcafe.app as a; app = worldcafe.create_app({'SECRET_KEY': 'x', "
        "'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); print(a.PACKAGE_DIR); print(app.template_folder); "
        "print(app.static_folder)"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path / "site"),
        "WORLDCAFE_INSTANCE_PATH": str(tmp_path / "inst"),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert out.returncode == 0, out.stderr
    package_dir, templates, static = out.stdout.split()
    assert package_dir.startswith(str(tmp_path / "site"))
    assert templates == str(Path(package_dir) / "templates") and static == str(Path(package_dir) / "static")


def test_missing_asset_folder_fails_with_a_clear_message(monkeypatch, tmp_path):
    import worldcafe.app as app_module

    monkeypatch.setattr(app_module, "PACKAGE_DIR", tmp_path / "worldcafe")
    with pytest.raises(RuntimeError, match="cannot find its static/ folder"):
        app_module.asset_dir("static")


def test_config_reads_worldcafe_variables(tmp_path):
    env = {
        "WORLDCAFE_DATABASE_URL": "postgres://u@h/db",
        "WORLDCAFE_PUBLIC_URL": "https://cafe.example.org/",
        "WORLDCAFE_PORT": "8080",
        "WORLDCAFE_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
        "SECRET_KEY": "k",
        "WORLDCAFE_ADMIN_PASSWORD": "pw",
        "WORLDCAFE_DB_POOL_SIZE": "20",
        "WORLDCAFE_MESSAGE_QUEUE_CHANNEL": "cafe-hall-2",
    }
    config = load_config(tmp_path, env)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg2://u@h/db"
    assert config["PUBLIC_URL"] == "https://cafe.example.org" and config["SESSION_COOKIE_SECURE"] is True
    assert config["PORT"] == 8080 and config["MESSAGE_QUEUE"].startswith("redis://")
    assert config["SECRET_KEY"] == "k" and config["ADMIN_PASSWORD"] == "pw"
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True, "pool_size": 20, "max_overflow": 10}
    assert config["MESSAGE_QUEUE_CHANNEL"] == "cafe-hall-2"


def test_config_defaults_and_a_persistent_generated_secret(tmp_path):
    first = load_config(tmp_path, {})
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'worldcafe.db'}"
    assert first["PORT"] == 5000 and first["PUBLIC_URL"] is None and first["MESSAGE_QUEUE"] is None
    assert len(first["SECRET_KEY"]) == 64
    assert first["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
    assert first["MESSAGE_QUEUE_CHANNEL"] == "worldcafe"
    assert load_config(tmp_path, {})["SECRET_KEY"] == first["SECRET_KEY"]


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"WORLDCAFE_PORT": "eighty"}, "WORLDCAFE_PORT must be a whole number"),
        ({"WORLDCAFE_PUBLIC_URL": "cafe.example.org"}, "must start with http"),
        ({"WORLDCAFE_ASYNC_MODE": "asyncio"}, "WORLDCAFE_ASYNC_MODE"),
        ({"WORLDCAFE_DATABASE_URL": "postgresql://h/db", "WORLDCAFE_DB_POOL_SIZE": "0"}, "DB_POOL_SIZE must be at"),
        ({"WORLDCAFE_MESSAGE_QUEUE_CHANNEL": "a b"}, "MESSAGE_QUEUE_CHANNEL may hold"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path, env, words):
    with pytest.raises(ConfigError, match=words):
        load_config(tmp_path, env)


def test_links_use_public_url_then_lan_address(app):
    from worldcafe.web.links import base_url, lan_address

    with app.test_request_context("/", base_url="http://127.0.0.1:5000"):
        assert base_url() == "http://127.0.0.1:5000"
        app.config["HOST"] = "0.0.0.0"
        address = lan_address()
        if address:
            assert base_url() == f"http://{address}:{app.config['PORT']}"
        app.config["PUBLIC_URL"] = "https://cafe.example.org"
        assert base_url() == "https://cafe.example.org"


def run_cli(tmp_path, *args):
    env = {
        **os.environ,
        "WORLDCAFE_INSTANCE_PATH": str(tmp_path),
        "WORLDCAFE_DATABASE_URL": f"sqlite:///{tmp_path}/c.db",
    }
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120)


def test_demo_json_creates_the_reference_event_once(tmp_path):
    first = run_cli(tmp_path, "demo", "--json")
    assert first.returncode == 0, first.stderr
    info = json.loads(first.stdout)
    assert set(info) == {"event", "base_url", "links"}
    links = info["links"]
    assert set(links) == {"moderator", "screen", "helpdesk", "join", "hosts", "participants"}
    assert links["helpdesk"].startswith(f"{info['base_url']}/d/")
    assert list(links["hosts"]) == [str(n) for n in range(1, 10)]
    assert len(links["participants"]) == 40
    assert links["join"] == f"{info['base_url']}/j/{info['event']}"
    again = json.loads(run_cli(tmp_path, "demo", "--json").stdout)
    assert again == info


def test_demo_event_is_the_reference_event(app):
    from worldcafe.extensions import db
    from worldcafe.models import Event
    from worldcafe.services.demo import ensure_demo

    with app.app_context():
        event, created = ensure_demo()
        assert created and ensure_demo() == (db.session.get(Event, event.id), False)
        assert [t.title for t in event.topics] == [
            "KI in der Produktentwicklung",
            "Zukunft der Arbeit",
            "Digital in NRW – Kompetenzzentrum für den Mittelstand",
        ]
        assert [(t.number, t.topic.position, t.capacity) for t in event.tables] == [
            (n, (n - 1) // 3, 5) for n in range(1, 10)
        ]
        assert all(t.host_name for t in event.tables)
        groups = [p.group for p in event.participants]
        assert groups.count("Kanada") == 15 and groups.count("OWL") == 25
        assert [r.minutes for r in event.rounds] == [20, 20, 20]
