"""The scale-out recipe of docs/deploy.md, run for real: nginx with docs/deploy/nginx.conf in front of two
`worldcafe run` processes that share a fresh PostgreSQL database and Redis."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.conftest import PrivateRedis
from tests.conftest import need
from tests.live_server import LiveServer, free_port

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = ROOT / "docs" / "deploy" / "nginx.conf"
POSTGRES_URL = os.environ.get("WORLDCAFE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")

# Messages that are not logged pushes: they repeat the current seq instead of carrying a new one.
NOT_PUSHES = {"snapshot", "synced", "presence_changed", "resync"}

pytestmark = pytest.mark.slow

SPEC: dict[str, Any] = {
    "name": "Recipe Café",
    "language": "en",
    "groups": ["CA", "DE"],
    "rounds": [{"minutes": 20}, {"minutes": 20}],
    "topics": [{"title": "Future of work", "question": "How will AI change our jobs?"}],
    "tables": [{"number": 1, "topic": 1, "capacity": 4, "host": "Hanna"}],
    "participants": [{"name": "Ada", "group": "CA"}, {"name": "Bo", "group": "DE"}],
}


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def render(conf: str, upstreams: list[int], listen: int, logs: Path) -> str:
    """The committed config with this test's process ports, listen address and access log path."""
    servers = re.findall(r"^\s*server 127\.0\.0\.1:\d+ .*;$", conf, flags=re.M)
    assert len(servers) == len(upstreams), "docs/deploy/nginx.conf should list one upstream server per process"
    for line, port in zip(servers, upstreams, strict=True):
        conf = conf.replace(line, re.sub(r"127\.0\.0\.1:\d+", f"127.0.0.1:{port}", line), 1)
    conf, n = re.subn(r"^(\s*)listen 80;$", rf"\g<1>listen 127.0.0.1:{listen};", conf, flags=re.M)
    assert n == 1
    conf, n = re.subn(r"access_log \S+ worldcafe;", f"access_log {logs / 'access.log'} worldcafe;", conf)
    assert n == 1
    return conf


# What Debian's /etc/nginx/nginx.conf provides around conf.d/*.conf, with every path in the test's folder.
MAIN_CONF = """
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    access_log off;
    include {tmp}/worldcafe.conf;
}}
"""


class Nginx:
    """nginx in the foreground with the rendered recipe."""

    def __init__(self, tmp: Path, upstreams: list[int]) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (tmp / "worldcafe.conf").write_text(render(NGINX_CONF.read_text(), upstreams, self.port, tmp))
        main = tmp / "nginx.conf"
        main.write_text(MAIN_CONF.format(tmp=tmp))
        # As root nginx would hand its workers to `nobody`, who cannot enter pytest's private temp folder.
        globals_ = "daemon off; master_process on;" + (" user root;" if os.geteuid() == 0 else "")
        argv = ["nginx", "-c", str(main), "-p", str(tmp), "-g", globals_]
        check = subprocess.run([*argv, "-t"], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not reachable("127.0.0.1", self.port):
            assert self.process.poll() is None, (tmp / "error.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "nginx did not listen"
            time.sleep(0.05)

    def upstreams_of(self, pattern: str) -> list[str]:
        """The process that finally answered each access-log line whose request contains ``pattern``."""
        path = self.tmp / "access.log"
        lines = path.read_text().splitlines() if path.exists() else []
        # $upstream_addr lists every process tried, comma-separated: "127.0.0.1:5001, 127.0.0.1:5002".
        found = (re.search(r"upstream=(.*?) upstream_status=", line) for line in lines if pattern in line)
        return [m.group(1).split(", ")[-1] for m in found if m]

    def tried_for(self, pattern: str) -> list[str]:
        """Every process nginx tried for the last request containing ``pattern``."""
        path = self.tmp / "access.log"
        lines = [line for line in path.read_text().splitlines() if pattern in line]
        match = re.search(r"upstream=(.*?) upstream_status=", lines[-1])
        return match.group(1).split(", ") if match else []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def request(
    url: str,
    method: str,
    path: str,
    token: str | None = None,
    body: Any = None,
    source: str | None = None,
    files: dict[str, bytes] | None = None,
) -> tuple[int, Any]:
    """One HTTP call (JSON, or multipart with ``files``), optionally from another loopback address (nginx hashes
    on it)."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=15, source_address=(source, 0) if source else None)
    headers = {"Content-Type": "application/json"}
    payload = json.dumps(body).encode() if body is not None else None
    if files:
        boundary = uuid.uuid4().hex
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        payload = (
            b"".join(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n\r\n'.encode()
                + data
                + b"\r\n"
                for name, data in files.items()
            )
            + f"--{boundary}--\r\n".encode()
        )
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    return response.status, json.loads(raw) if raw and raw[:1] in b"{[" else raw


class Phone:
    """A python-socketio AsyncClient on its own event loop thread; records every push by name and seq and
    reconnects with ``since`` = the last seq it saw, as live.js does."""

    def __init__(self, url: str, token: str, transport: str) -> None:
        import socketio

        self.pushes: list[tuple[str, int | None]] = []
        self.seq = 0
        self.connects = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        # Our own HTTP session, closed in close(): the client leaves its own ones unclosed across reconnects.
        self.session = self.run(self._session())
        self.client = socketio.AsyncClient(
            reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5, http_session=self.session
        )

        @self.client.event
        async def connect() -> None:
            self.connects += 1

        @self.client.on("*")
        async def any_event(name: str, data: Any = None) -> None:
            seq = data.get("seq") if isinstance(data, dict) else None
            self.pushes.append((name, seq))
            if isinstance(seq, int):
                self.seq = max(self.seq, seq)

        self.run(
            self.client.connect(
                url,
                auth=lambda: {"token": token, "since": self.seq},
                transports=[transport],
                # A browser sends its page's origin; the processes accept it only if nginx passed Host through.
                headers={"Origin": url},
                wait_timeout=10,
            )
        )
        self.transport = self.client.transport()

    @staticmethod
    async def _session() -> Any:
        import aiohttp

        return aiohttp.ClientSession()

    def run(self, coroutine: Any, timeout: float = 20) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def got(self, name: str) -> set[int | None]:
        """The seqs of the pushes called ``name``: a replay may overlap live pushes, so clients count each seq once."""
        return {seq for n, seq in self.pushes if n == name}

    def close(self) -> None:
        try:
            self.run(self.client.disconnect(), timeout=10)
            self.run(self.session.close(), timeout=10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
            self.loop.close()


def wait_until(condition: Callable[[], Any], what: str, timeout: float = 15, state: Callable[[], Any] = str) -> Any:
    """Poll ``condition`` until it is truthy; fail with ``what`` and ``state()`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {state()}"
        time.sleep(0.05)
    return value


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (the recipe migrates it)."""
    try:
        import psycopg2

        admin = psycopg2.connect(POSTGRES_URL.replace("+psycopg2", ""), connect_timeout=3)
    except Exception as exc:  # psycopg2.OperationalError, or no driver
        need(False, f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}")
    admin.autocommit = True
    name = f"wc_recipe_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A Redis of this test's own: deployments sharing one Redis would see each other's pushes (docs/deploy.md)."""
    need(shutil.which("redis-server") is not None, "Redis is not installed (no redis-server binary)")
    (tmp_path / "redis").mkdir()
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def test_nginx_recipe_two_processes(tmp_path: Path, database: str, redis: PrivateRedis) -> None:
    """Through nginx: the API, WebSocket and polling pushes, stickiness, and failover when a process dies."""
    need(shutil.which("nginx") is not None, "nginx is not installed (apt-get install nginx-light)")
    # One environment for every process: database, queue, secret key and the (shared) instance folder for photos.
    env = {
        "WORLDCAFE_DATABASE_URL": database,
        "WORLDCAFE_MESSAGE_QUEUE": redis.url,
        "SECRET_KEY": "one-for-all",
        "WORLDCAFE_INSTANCE_PATH": str(tmp_path / "instance"),
        # nginx appends each client's address to X-Forwarded-For: believe that one entry (per-address budgets,
        # and the operator on this machine creating events without the admin password).
        "WORLDCAFE_TRUSTED_PROXIES": "1",
    }

    # The recipe: migrate once, then start the processes together.
    migrate = subprocess.run(
        [str(Path(sys.executable).parent / "worldcafe"), "db", "upgrade"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    servers: dict[str, LiveServer] = {}
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    starters = [
        threading.Thread(target=lambda n=n: servers.__setitem__(n, LiveServer(tmp_path / n, env=env))) for n in "ab"
    ]
    phones: list[Phone] = []
    proxy: Nginx | None = None
    try:
        for thread in starters:
            thread.start()
        for thread in starters:
            thread.join()
        assert set(servers) == {"a", "b"}, "a server process did not start"
        by_port = {str(s.port): s for s in servers.values()}
        (tmp_path / "nginx").mkdir()
        proxy = Nginx(tmp_path / "nginx", [servers["a"].port, servers["b"].port])

        # The JSON API through nginx; links carry the address the client used, port included.
        status, body = request(proxy.url, "POST", "/api/v1/events", body=SPEC)
        assert status == 201, body
        assert body["links"]["moderator"].startswith(proxy.url + "/m/")
        code = body["event"]["id"]
        moderator = body["links"]["moderator"].rsplit("/", 1)[1]
        screen = body["links"]["screen"].rsplit("/", 1)[1]
        ada = next(p["link"] for p in body["links"]["participants"] if p["name"] == "Ada").rsplit("/", 1)[1]
        status, _ = request(proxy.url, "POST", f"/api/v1/events/{code}/plan", moderator, {})
        assert status == 200

        # Sticky: one client address always reaches the same process; many addresses reach both.
        chosen = {}
        for k in range(2, 22):
            source = f"127.0.0.{k}"
            for _ in range(2):
                status, _ = request(proxy.url, "GET", f"/healthz?from={source}", source=source)
                assert status == 200
            picked = set(proxy.upstreams_of(f"/healthz?from={source} "))
            assert len(picked) == 1, f"{source} was served by {picked}"
            chosen[source] = picked.pop()
        assert set(chosen.values()) == {f"127.0.0.1:{s.port}" for s in servers.values()}

        # Phones from 127.0.0.1 through nginx, over WebSocket and over long-polling; a screen straight on the
        # other process, to see pushes cross between the processes over Redis.
        home = wait_until(lambda: proxy.upstreams_of(f"/api/v1/events/{code}/plan "), "the access log")[0]
        hashed = by_port[home.rsplit(":", 1)[1]]
        other = next(s for s in servers.values() if s is not hashed)
        phones.append(Phone(proxy.url, ada, "websocket"))
        phones.append(Phone(proxy.url, ada, "polling"))
        direct = Phone(other.url, screen, "websocket")
        phones.append(direct)
        assert [p.transport for p in phones] == ["websocket", "polling", "websocket"]

        def pushes() -> list[Any]:
            return [(p.transport, p.connects, p.pushes) for p in phones]

        wait_until(lambda: all(p.got("snapshot") for p in phones), "every snapshot", state=pushes)
        assert set(proxy.upstreams_of("/socket.io/")) == {home}

        status, _ = request(proxy.url, "POST", f"/api/v1/events/{code}/control", moderator, {"action": "start_round"})
        assert status == 200
        photo = b"\x89PNG\r\n\x1a\n" + bytes(64)
        status, body = request(proxy.url, "POST", f"/api/v1/events/{code}/photos", moderator, files={"photo": photo})
        assert status == 201, body
        photo_path = f"/m/{moderator}/photos/{body['photo']['id']}"
        wait_until(
            lambda: all(len(p.got("round_started")) == 1 for p in phones), "round_started everywhere", state=pushes
        )

        # The process the phones were hashed to dies; nginx passes them, and the next request, to the other one.
        hashed.kill()
        status, body = request(proxy.url, "POST", f"/api/v1/events/{code}/control", moderator, {"action": "pause"})
        assert status == 200, body
        via_nginx = phones[:2]
        wait_until(lambda: all(p.connects >= 2 for p in via_nginx), "the phones reconnecting through nginx", 30, pushes)
        wait_until(
            lambda: all(len(p.got("round_paused")) == 1 for p in phones), "round_paused everywhere", state=pushes
        )
        assert proxy.tried_for("/control ")[-1] == f"127.0.0.1:{other.port}"
        # The photo was stored by the dead process; the other one serves it from the shared instance folder.
        status, served = request(proxy.url, "GET", photo_path)
        assert (status, served) == (200, photo)
        status, _ = request(proxy.url, "POST", f"/api/v1/events/{code}/control", moderator, {"action": "resume"})
        assert status == 200
        wait_until(
            lambda: all(len(p.got("round_resumed")) == 1 for p in phones), "round_resumed everywhere", state=pushes
        )
        for phone in phones:
            logged = {(name, seq) for name, seq in phone.pushes if name not in NOT_PUSHES}
            assert len({seq for _, seq in logged}) == len(logged), f"one seq, two pushes: {phone.pushes}"
        status, state = request(proxy.url, "GET", f"/api/v1/events/{code}", moderator)
        assert status == 200
        assert state.get("event", state)["status"] == "running"
    finally:
        for phone in phones:
            phone.close()
        if proxy is not None:
            proxy.stop()
        for server in servers.values():
            if server.process.poll() is None:
                server.stop()
