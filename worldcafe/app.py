"""The application factory."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine

from .config import ConfigError, instance_path_from_env, load_config
from .extensions import babel, csrf, db, migrate, socketio
from .files import private_dir, secure_instance
from .redaction import install_token_redaction

PACKAGE_DIR = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    """Where ``static``/``templates`` are: inside the package (wheel) or beside it (source checkout)."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(
        f"worldcafe cannot find its {name}/ folder (looked in {PACKAGE_DIR / name} and {PACKAGE_DIR.parent / name}); "
        "install from a wheel built by `pip wheel .` or run from a source checkout."
    )


@sa_event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers go on while one writer commits; a busy timeout waits instead of failing."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def _default_async_mode() -> str:
    """eventlet when the entry point has monkey-patched, threading otherwise (tests, the shell)."""
    if "eventlet" not in sys.modules:  # only the server entry points import (and patch with) eventlet
        return "threading"
    from eventlet import patcher

    return "eventlet" if patcher.is_monkey_patched("socket") else "threading"


def build_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the app; ``test_config`` overrides the environment."""
    app = Flask(
        __name__,
        static_folder=str(asset_dir("static")),
        template_folder=str(asset_dir("templates")),
        instance_path=instance_path_from_env(),
        instance_relative_config=True,
    )
    install_token_redaction()
    private_dir(Path(app.instance_path))
    app.config.update(load_config(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    # Before the first connection creates it: the database holds every link's token.
    secure_instance(Path(app.instance_path), app.config["SQLALCHEMY_DATABASE_URI"])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    from .web.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    # Handlers must be registered before init_app: Flask-SocketIO then keeps them for every app it serves.
    from . import realtime  # noqa: F401
    from .realtime.cluster import client_manager
    from .realtime.packets import PacketJSON, SafePacket

    async_mode = app.config.get("ASYNC_MODE") or _default_async_mode()
    if async_mode == "gevent" and importlib.util.find_spec("gevent") is None:
        raise ConfigError("WORLDCAFE_ASYNC_MODE=gevent needs the gevent package, which is not installed; "
                          "use eventlet (the default) or threading")
    socketio.init_app(
        app,
        async_mode=async_mode,
        # Always given (None: in-memory, one process), so an earlier app's queue never lingers in the shared
        # extension's options; the cluster manager also carries presence, revocations and catch-up requests.
        client_manager=client_manager(
            app.config.get("MESSAGE_QUEUE"), app.config.get("MESSAGE_QUEUE_CHANNEL") or "worldcafe"
        ),
        max_http_buffer_size=app.config["MAX_CONTENT_LENGTH"],
        # Packets are decoded like HTTP bodies; one the server refuses is answered with an error ack.
        serializer=SafePacket,
        json=PacketJSON,
    )

    from . import ratelimit

    ratelimit.init_app(app)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # Only then is X-Forwarded-For believed: its last ``proxies`` entries, the ones our own proxies appended.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]

    from .web import register_web

    register_web(app)
    return app
