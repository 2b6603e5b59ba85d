"""Configuration: the only module that reads the environment (``WORLDCAFE_*`` and ``SECRET_KEY``)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .files import private_dir, write_private

PREFIX = "WORLDCAFE_"


class ConfigError(RuntimeError):
    """A setting in the environment cannot be used."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a whole number, got {raw!r}") from None


def _at_least(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    value = _int(env, name, default)
    if value < minimum:
        raise ConfigError(f"{PREFIX}{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a number, got {raw!r}") from None


def _limits(env: Mapping[str, str], name: str, default: str) -> str:
    """A rate limit in the ``limits`` notation ("50/5 seconds;300/minute"), checked here so a typo stops start-up."""
    from limits import parse_many

    raw = env.get(PREFIX + name) or default
    try:
        parse_many(raw)
    except ValueError:
        raise ConfigError(
            f"{PREFIX}{name} must be rate limits such as '50/5 seconds;300/minute', got {raw!r}"
        ) from None
    return raw


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(PREFIX + name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{PREFIX}{name} must be 1 or 0 (true/false, yes/no, on/off), got {raw!r}")


def _secret_key(env: Mapping[str, str], instance_path: Path) -> str:
    """Use SECRET_KEY if given; else keep one generated key in the instance folder so sessions survive restarts."""
    given = env.get("SECRET_KEY") or env.get(PREFIX + "SECRET_KEY")
    if given:
        return given
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    private_dir(instance_path)
    key = secrets.token_hex(32)
    write_private(key_file, key.encode())
    return key


def _server_limits(env: Mapping[str, str]) -> dict[str, Any]:
    """How the eventlet server guards itself on an open network (``worldcafe.serving``; docs/deploy.md)."""
    limits = {
        "MAX_CONNECTIONS": _int(env, "MAX_CONNECTIONS", 10000),
        # Descriptors kept free for what is not a client: the database, worker pipes, photos, static files, Redis.
        "RESERVED_FILES": _int(env, "RESERVED_FILES", 128),
        # A connection that sends nothing this long (a new one, or a kept-alive one between requests) is closed.
        "IDLE_TIMEOUT_S": _float(env, "IDLE_TIMEOUT_S", 20.0),
        # From a request's first byte, its request line and headers must be in within this (slowloris).
        "HEADER_TIMEOUT_S": _float(env, "HEADER_TIMEOUT_S", 10.0),
        # Inside a request (a body, a response), the longest wait for the client to send or take data. A WebSocket
        # gets engine.io's own (ping interval + timeout); a long-poll waits in the app, not on its socket.
        "SOCKET_TIMEOUT_S": _float(env, "SOCKET_TIMEOUT_S", 60.0),
        "ACCESS_LOG": _bool(env, "ACCESS_LOG", False),
    }
    if limits["MAX_CONNECTIONS"] < 1 or limits["RESERVED_FILES"] < 0:
        raise ConfigError(f"{PREFIX}MAX_CONNECTIONS must be at least 1 and {PREFIX}RESERVED_FILES at least 0")
    if limits["IDLE_TIMEOUT_S"] <= 0 or limits["HEADER_TIMEOUT_S"] <= 0 or limits["SOCKET_TIMEOUT_S"] < 0:
        raise ConfigError(
            f"{PREFIX}IDLE_TIMEOUT_S and {PREFIX}HEADER_TIMEOUT_S must be more than 0 seconds, "
            f"{PREFIX}SOCKET_TIMEOUT_S 0 (off) or more"
        )
    return limits


def _engine_options(env: Mapping[str, str], database_url: str) -> dict[str, Any]:
    """SQLAlchemy engine options: connections checked before use; a sized pool for a server database."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if not database_url.startswith("sqlite"):
        # Per process: at most pool + overflow connections (PostgreSQL's max_connections must cover all processes).
        options["pool_size"] = _int(env, "DB_POOL_SIZE", 5)
        options["max_overflow"] = _int(env, "DB_MAX_OVERFLOW", 10)
        if options["pool_size"] < 1 or options["max_overflow"] < 0:
            raise ConfigError(f"{PREFIX}DB_POOL_SIZE must be at least 1 and {PREFIX}DB_MAX_OVERFLOW at least 0")
    return options


def _channel(env: Mapping[str, str]) -> str:
    """The Redis pub/sub channel name: channels are global to a Redis server, so deployments sharing one differ."""
    channel = env.get(PREFIX + "MESSAGE_QUEUE_CHANNEL") or "worldcafe"
    if not channel.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise ConfigError(f"{PREFIX}MESSAGE_QUEUE_CHANNEL may hold letters, digits, - _ . only, got {channel!r}")
    return channel


def instance_path_from_env(env: Mapping[str, str] | None = None) -> str | None:
    """The instance folder (database, secret key, uploads) if ``WORLDCAFE_INSTANCE_PATH`` sets one."""
    env = os.environ if env is None else env
    return env.get(PREFIX + "INSTANCE_PATH") or None


def load_config(instance_path: Path, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment."""
    env = os.environ if env is None else env
    database_url = env.get(PREFIX + "DATABASE_URL") or f"sqlite:///{instance_path / 'worldcafe.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg2://" + database_url[len("postgres://") :]
    public_url = (env.get(PREFIX + "PUBLIC_URL") or "").rstrip("/")
    if public_url and not public_url.startswith(("http://", "https://")):
        raise ConfigError(f"{PREFIX}PUBLIC_URL must start with http:// or https://, got {public_url!r}")
    async_mode = env.get(PREFIX + "ASYNC_MODE") or None
    if async_mode not in (None, "eventlet", "gevent", "threading"):
        raise ConfigError(f"{PREFIX}ASYNC_MODE must be eventlet, gevent or threading, got {async_mode!r}")
    return {
        "SECRET_KEY": _secret_key(env, instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(env, database_url),
        "MESSAGE_QUEUE": env.get(PREFIX + "MESSAGE_QUEUE") or None,
        "MESSAGE_QUEUE_CHANNEL": _channel(env),
        "PUBLIC_URL": public_url or None,
        "HOST": env.get(PREFIX + "HOST") or "127.0.0.1",
        "PORT": _int(env, "PORT", 5000),
        "ADMIN_PASSWORD": env.get(PREFIX + "ADMIN_PASSWORD") or None,
        "ASYNC_MODE": async_mode,
        # Requests bigger than this are refused with 413 before they are read.
        "MAX_CONTENT_LENGTH": _int(env, "MAX_REQUEST_KB", 1024) * 1024,
        **_server_limits(env),
        # Worker processes for heavy jobs (planning, rendering, exports): two on a small machine, at most four;
        # 0 runs them on the serving loop (only sensible for debugging).
        "WORKERS": _int(env, "WORKERS", max(2, min(4, (os.cpu_count() or 2) - 1))),
        # Presence (joined/connected counts) is coalesced so 2,000 phones arriving make a few pushes, not 2,000.
        "PRESENCE_INTERVAL_S": _float(env, "PRESENCE_INTERVAL_S", 1.0),
        "LOG_REPLAY_LIMIT": _int(env, "LOG_REPLAY_LIMIT", 500),
        # Photo links in summaries people forward (Markdown, JSON, the summary page) stop working after this many days.
        "PHOTO_LINK_DAYS": _int(env, "PHOTO_LINK_DAYS", 30),
        # Closed events are deleted, with everything in them, this many days after closing (None: kept).
        "RETENTION_DAYS": _at_least(env, "RETENTION_DAYS", 0, 1) if env.get(PREFIX + "RETENTION_DAYS") else None,
        # How often a serving process looks for closed events past their retention.
        "RETENTION_CHECK_S": _float(env, "RETENTION_CHECK_S", 3600.0),
        # Several processes: each announces its presence counts this often; one silent for 3 beats is dropped.
        "CLUSTER_HEARTBEAT_S": _float(env, "CLUSTER_HEARTBEAT_S", 2.0),
        # Notes per link (all its sockets, every process): a burst of NOTE_BURST, then NOTE_RATE per second (an
        # outbox replay fits in a burst). Budgets are kept in Redis when MESSAGE_QUEUE is set (worldcafe/ratelimit.py).
        "NOTE_BURST": _int(env, "NOTE_BURST", 30),
        "NOTE_RATE": _float(env, "NOTE_RATE", 2.0),
        # Catch-up (`sync`) and `clock` requests per link.
        "SYNC_LIMIT_PER_LINK": _limits(env, "SYNC_LIMIT_PER_LINK", "20/10 seconds;60/minute"),
        "CLOCK_LIMIT_PER_LINK": _limits(env, "CLOCK_LIMIT_PER_LINK", "60/minute"),
        # Joins. Behind a NAT a whole room shares one address, so the per-address budget is a burst limit above what
        # a room of 400 reaches at its peak (about 25 in 5 s); the per-event rate bounds any flood (docs/api.md).
        "JOIN_LIMIT_PER_ADDRESS": _limits(env, "JOIN_LIMIT_PER_ADDRESS", "50/5 seconds"),
        "JOIN_LIMIT_PER_EVENT": _limits(env, "JOIN_LIMIT_PER_EVENT", "100/10 seconds;300/minute"),
        # Attempts to create an event from another machine (wrong passwords included).
        "CREATE_LIMIT_PER_ADDRESS": _limits(env, "CREATE_LIMIT_PER_ADDRESS", "10/minute"),
        # Work one request may ask for: an event spec's tables and people, a list of people added at once.
        "MAX_TABLES_PER_REQUEST": _at_least(env, "MAX_TABLES_PER_REQUEST", 300, 1),
        "MAX_PEOPLE_PER_REQUEST": _at_least(env, "MAX_PEOPLE_PER_REQUEST", 1500, 1),
        # Photos: uploads per link, and what a table and an event may store.
        "PHOTO_LIMIT_PER_LINK": _limits(env, "PHOTO_LIMIT_PER_LINK", "10/minute"),
        # Help desk requests (searches, a person's card and QR, check-ins, walk-ins) per link: a desk types fast.
        "HELPDESK_LIMIT_PER_LINK": _limits(env, "HELPDESK_LIMIT_PER_LINK", "40/10 seconds;300/minute"),
        "PHOTOS_PER_TABLE": _at_least(env, "PHOTOS_PER_TABLE", 30, 0),
        "PHOTO_MB_PER_EVENT": _at_least(env, "PHOTO_MB_PER_EVENT", 1000, 0),
        # Proxies in front of the app that append the client's address to X-Forwarded-For (nginx: 1). With 0 the
        # header is never trusted: anyone could claim any address in it.
        "TRUSTED_PROXIES": _at_least(env, "TRUSTED_PROXIES", 0, 0),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": public_url.startswith("https://"),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
    }
