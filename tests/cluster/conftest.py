"""Two real `worldcafe run` processes serving one event: one PostgreSQL database, one private Redis."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests.conftest import TEST_DATABASE_URL, PostgresDatabases, _migrate, need
from tests.live_server import LiveServer, free_port

POSTGRES_URL = TEST_DATABASE_URL or "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
NOT_PUSHES = {"snapshot", "synced", "presence_changed", "resync"}  # not logged pushes


class PrivateRedis:
    """A redis-server of our own on a free port, which a test may stop and start again on the same port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start (again) and wait until it answers."""
        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                client.close()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop it; its clients' connections close."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A private Redis (never the shared one: tests restart it)."""
    need(shutil.which("redis-server") is not None, "Redis is not reachable: no redis-server binary to start one")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = PrivateRedis(folder)
    try:
        server.start()
    except RuntimeError as exc:
        need(False, f"Redis is not reachable at {server.url}: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresDatabases]:
    """A migrated template database on the PostgreSQL server; each test clones it."""
    try:
        databases = PostgresDatabases(POSTGRES_URL)
    except Exception as exc:  # psycopg2.OperationalError, or no psycopg2 at all
        need(False, f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}")
    _migrate(databases.url(databases.template), str(tmp_path_factory.mktemp("cluster-template")))
    yield databases
    databases.drop(databases.template)
    databases.admin.close()


@pytest.fixture
def database_url(postgres_databases: PostgresDatabases) -> Iterator[str]:
    """A fresh migrated PostgreSQL database for this test's processes."""
    name = postgres_databases.fresh()
    yield postgres_databases.url(name)
    postgres_databases.drop(name)


class Cluster:
    """Server processes sharing the test's database and Redis."""

    def __init__(self, tmp: Path, database_url: str, redis: PrivateRedis) -> None:
        self.tmp = tmp
        self.env = {"WORLDCAFE_DATABASE_URL": database_url, "WORLDCAFE_MESSAGE_QUEUE": redis.url}
        self.redis = redis
        self.servers: list[LiveServer] = []

    def start(self, name: str) -> LiveServer:
        folder = self.tmp / name
        folder.mkdir(exist_ok=True)
        server = LiveServer(folder, env=self.env)
        self.servers.append(server)
        return server

    def stop(self) -> None:
        for server in self.servers:
            if server.process.poll() is None:
                server.stop()


@pytest.fixture
def cluster(tmp_path: Path, database_url: str, private_redis: PrivateRedis) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Servers A and B: two processes, one database, one Redis."""
    processes = Cluster(tmp_path, database_url, private_redis)
    try:
        started: dict[str, LiveServer] = {}
        threads = [threading.Thread(target=lambda n=n: started.__setitem__(n, processes.start(n))) for n in "ab"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert set(started) == {"a", "b"}, "a server process did not start"
        yield started["a"], started["b"]
    finally:
        processes.stop()


def api(server: LiveServer, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
    """One JSON API call; raises with the body on an HTTP error."""
    return server.api(method, path, token, body, timeout=15)


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


class Event:
    """An event created through the API, with its tokens."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.code: str = body["event"]["id"]
        links = body["links"]
        self.moderator = token_of(links["moderator"])
        self.screen = token_of(links["screen"])
        self.hosts = {int(n): token_of(url) for n, url in links["hosts"].items()}
        self.participants = {p["name"]: token_of(p["link"]) for p in links["participants"]}


SPEC: dict[str, Any] = {
    "name": "Cluster Café",
    "language": "en",
    "groups": ["CA", "DE"],
    "rounds": [{"minutes": 1}, {"minutes": 1}, {"minutes": 1}],
    "topics": [
        {"title": "Future of work", "question": "How will AI change our jobs?"},
        {"title": "Product development", "question": "Where does AI help today?"},
    ],
    "tables": [
        {"number": 1, "topic": 1, "capacity": 4, "host": "Hanna"},
        {"number": 2, "topic": 2, "capacity": 4, "host": "Ben"},
    ],
    "participants": [{"name": name, "group": "CA" if i % 2 else "DE"} for i, name in enumerate("ABCDEF")],
}


def create_event(server: LiveServer, **overrides: Any) -> Event:
    """The cluster test event (2 topics, 2 tables, 6 people, 3 rounds of 1 minute)."""
    return Event(api(server, "POST", "/api/v1/events", body={**SPEC, **overrides}))


def wait_until(condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll until ``condition()`` is truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class LiveClient:
    """A python-socketio client that behaves like static/js/live.js: `since`, dedupe by seq, resync → sync."""

    def __init__(self, server: LiveServer, token: str, name: str = "") -> None:
        self.token = token
        self.name = name or token[:6]
        self.events: list[tuple[str, Any]] = []  # everything received, in arrival order
        self.seq: int | None = None
        self.base = 0  # the seq of the last snapshot
        self.disconnects = 0
        self.refused: list[Any] = []
        self._lock = threading.Lock()
        self.sio = self._client()
        self.connect(server)

    def _client(self) -> socketio.Client:
        sio = socketio.Client(reconnection=False)
        sio.on("*", self._on_any)
        sio.on("disconnect", self._on_disconnect)
        sio.on("connect_error", lambda data=None: self.refused.append(data))
        return sio

    def connect(self, server: LiveServer) -> None:
        """(Re)connect, to this or another server, resuming from the last seq like a browser does."""
        if self.sio.connected:
            self.sio.disconnect()
        self.sio = self._client()
        auth = {"token": self.token} if self.seq is None else {"token": self.token, "since": self.seq}
        seen = len(self.events)
        self.sio.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=10)
        wait_until(lambda: self.caught_up(after=seen), what=f"{self.name}'s snapshot or synced")

    def caught_up(self, after: int = 0) -> str | None:
        """The name of the first ``snapshot`` or ``synced`` received after the first ``after`` messages."""
        with self._lock:
            return next((name for name, _ in self.events[after:] if name in ("snapshot", "synced")), None)

    def _on_disconnect(self, *_args: Any) -> None:
        self.disconnects += 1

    def _on_any(self, name: str, data: Any = None) -> None:
        with self._lock:
            self.events.append((name, data))
            if name == "resync":  # like live.js: from the server's `since`, but not before the last snapshot
                since = None if self.seq is None else min(self.seq, max(data["since"], self.base))
                self.sio.emit("sync", {} if since is None else {"since": since})
                return
            if name == "snapshot":
                self.base = data["seq"]
            if name == "presence_changed" or not isinstance(data, dict) or not isinstance(data.get("seq"), int):
                return
            if self.seq is None or data["seq"] > self.seq:
                self.seq = data["seq"]

    def pushes(self, name: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Logged pushes received (live or replayed), in arrival order, duplicates included."""
        with self._lock:
            return [(n, d) for n, d in self.events if n not in NOT_PUSHES and (name is None or n == name)]

    def seqs(self) -> list[int]:
        return [d["seq"] for _n, d in self.pushes()]

    def named(self, name: str) -> list[Any]:
        with self._lock:
            return [d for n, d in self.events if n == name]

    def call(self, name: str, data: Any = None) -> Any:
        return self.sio.call(name, data, timeout=15)

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


@pytest.fixture
def clients() -> Iterator[Callable[..., LiveClient]]:
    """Open LiveClients (closed at the end of the test)."""
    opened: list[LiveClient] = []

    def open_client(server: LiveServer, token: str, name: str = "") -> LiveClient:
        client = LiveClient(server, token, name)
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        client.close()
