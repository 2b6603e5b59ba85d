"""Issue 12, row 1, against a real `worldcafe run`: anyone on the venue Wi-Fi may open sockets. More connections than
the open-file limit, idle ones and half-sent requests (slowloris) neither end the server nor lock the room out, and
the timeouts that close them never cut a live Socket.IO connection."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import resource
import selectors
import socket
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import socketio

from tests.live_server import LiveServer

pytestmark = pytest.mark.slow

SPEC = {
    "name": "Open Wi-Fi",
    "language": "en",
    "topics": [{"title": "Trust"}],
    "tables": [{"number": 1, "topic": 1, "host": "Hanna"}],
    "participants": [{"name": "Pia"}],
}
PARTIAL_HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def soft_limit(pid: int) -> int:
    """The process's soft open-file limit, from /proc."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    raise AssertionError("no open-file limit in /proc")


def healthz_seconds(server: LiveServer, timeout: float = 30) -> float:
    """How long GET /healthz took on a new connection (fails the test unless it answers 200)."""
    start = time.monotonic()
    with urllib.request.urlopen(server.url + "/healthz", timeout=timeout) as response:
        assert response.status == 200
    return time.monotonic() - start


def open_connections(port: int, count: int, first_bytes: bytes = b"") -> list[socket.socket]:
    """``count`` TCP connections to the server, each having sent ``first_bytes`` (none: idle)."""
    opened = []
    for _ in range(count):
        conn = socket.create_connection(("127.0.0.1", port), timeout=10)
        if first_bytes:
            conn.sendall(first_bytes)
        opened.append(conn)
    return opened


def wait_closed_by_server(conns: list[socket.socket], seconds: float) -> dict[socket.socket, float]:
    """Wait until the server has closed each connection (end of stream or reset); when each was, by monotonic time."""
    closed: dict[socket.socket, float] = {}
    with selectors.DefaultSelector() as sel:
        for conn in conns:
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ)
        deadline = time.monotonic() + seconds
        while len(closed) < len(conns) and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=0.1):
                conn = key.fileobj
                try:
                    data = conn.recv(4096)  # type: ignore[union-attr]
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    closed[conn] = time.monotonic()  # type: ignore[index]
                    sel.unregister(conn)
    return closed


def close_all(conns: list[socket.socket]) -> None:
    for conn in conns:
        with contextlib.suppress(OSError):
            conn.close()


@pytest.fixture(autouse=True)
def enough_descriptors_here():
    """This test process holds hundreds of sockets itself."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2048 and hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 1024:
        pytest.skip("this test process may not open 1,024 files")
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_server_raises_its_soft_file_limit_to_the_hard_one(tmp_path):
    hard = min(resource.getrlimit(resource.RLIMIT_NOFILE)[1], 4096)
    if hard <= 256:
        pytest.skip("the hard open-file limit here is too low to raise anything")
    server = LiveServer(tmp_path, nofile=(256, hard))
    try:
        assert soft_limit(server.process.pid) == hard
    finally:
        server.stop()


def test_more_connections_than_open_files_pause_accepting_and_the_server_lives_on(tmp_path):
    # No descriptors reserved: the cap (256) is above what is free, so accept() itself runs out (EMFILE), which used to
    # end eventlet's accept loop for good.
    server = LiveServer(tmp_path, env={"WORLDCAFE_RESERVED_FILES": "0"}, nofile=(256, 256))
    conns: list[socket.socket] = []
    try:
        conns = open_connections(server.port, 400)
        time.sleep(3)
        assert server.process.poll() is None, "the server exited"
        assert len(os.listdir(f"/proc/{server.process.pid}/fd")) <= 256
        close_all(conns)
        deadline = time.monotonic() + 20
        while True:  # the queued connections are taken and found closed; then /healthz gets its turn
            try:
                healthz_seconds(server, timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "no /healthz answer after the connections closed"
        assert server.process.poll() is None
    finally:
        close_all(conns)
        server.stop()
    log = server.log_path.read_text()
    assert "Traceback" not in log and "Too many open files" in log
    # Logged once when it starts and once when it is over, not once per refused attempt.
    assert 1 <= log.count("cannot accept connections") <= 3, log[-3000:]
    assert "accepting connections again" in log


def test_idle_connections_up_to_the_cap_do_not_lock_new_clients_out(tmp_path):
    # 256 files, 128 of them reserved: at most 128 connections. 400 idle sockets (nothing sent) fill the cap; a new
    # client still gets in, because the longest-waiting idle ones make room for it.
    server = LiveServer(tmp_path, nofile=(256, 256))
    conns: list[socket.socket] = []
    try:
        conns = open_connections(server.port, 400)
        time.sleep(3)
        took = [healthz_seconds(server) for _ in range(3)]
        assert max(took) < 5, took
        assert server.process.poll() is None
        assert len(os.listdir(f"/proc/{server.process.pid}/fd")) < 256 - 64  # the reserve stayed free
    finally:
        close_all(conns)
        server.stop()
    log = server.log_path.read_text()
    assert "serving at most 128 connections" in log
    assert "cannot accept" not in log and "Traceback" not in log


def test_half_sent_requests_are_closed_after_the_header_timeout_and_healthz_answers_meanwhile(tmp_path):
    server = LiveServer(tmp_path, env={"WORLDCAFE_HEADER_TIMEOUT_S": "3"})
    conns: list[socket.socket] = []
    try:
        start = time.monotonic()
        conns = open_connections(server.port, 300, PARTIAL_HEAD)
        sent = time.monotonic()
        # Slowloris keeps each request alive with a byte now and then; the deadline counts from the first byte.
        took = []
        while time.monotonic() - sent < 2:
            for conn in conns:
                with contextlib.suppress(OSError):
                    conn.send(b"x")
            took.append(healthz_seconds(server))
            time.sleep(0.3)
        assert max(took) < 1.0, took
        closed = wait_closed_by_server(conns, 10)
        assert len(closed) == len(conns), f"{len(conns) - len(closed)} half-sent requests still open"
        assert min(closed.values()) - start >= 2.5  # the timeout closed them, not something earlier
        assert max(closed.values()) - sent <= 3 + 3
        assert healthz_seconds(server) < 1.0
    finally:
        close_all(conns)
        server.stop()


def test_idle_connections_are_closed_after_the_idle_timeout(tmp_path):
    server = LiveServer(tmp_path, env={"WORLDCAFE_IDLE_TIMEOUT_S": "2"})
    conns: list[socket.socket] = []
    try:
        start = time.monotonic()
        conns = open_connections(server.port, 100)
        # A kept-alive connection between two requests counts as idle too.
        kept = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        conns.append(kept)
        kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert re.match(rb"HTTP/1.1 200", kept.recv(4096))
        closed = wait_closed_by_server(conns, 10)
        assert len(closed) == len(conns)
        assert min(closed.values()) - start >= 1.5
    finally:
        close_all(conns)
        server.stop()


def test_live_socket_connections_outlast_every_timeout(tmp_path):
    """A tablet's WebSocket and a phone on long-polling stay quiet between pushes for longer than the idle, header
    and socket timeouts: both still get the next push."""
    server = LiveServer(
        tmp_path,
        env={"WORLDCAFE_IDLE_TIMEOUT_S": "1", "WORLDCAFE_HEADER_TIMEOUT_S": "1", "WORLDCAFE_SOCKET_TIMEOUT_S": "2"},
    )
    try:
        created = server.api("POST", "/api/v1/events", body=SPEC)
        code = created["event"]["id"]
        moderator = created["links"]["moderator"].rsplit("/", 1)[1]
        tokens = {
            "websocket": created["links"]["hosts"]["1"].rsplit("/", 1)[1],
            "polling": created["links"]["participants"][0]["link"].rsplit("/", 1)[1],
        }

        async def scenario() -> tuple[dict[str, list[str]], list[bool]]:
            received: dict[str, list[str]] = {}
            clients = []
            for transport, token in tokens.items():
                # The async client: its long-polling runs on aiohttp (the sync one needs `requests`).
                client = socketio.AsyncClient(reconnection=False)
                clients.append(client)
                got = received.setdefault(transport, [])
                client.on("message_broadcast", lambda data, got=got: got.append(data["text"]))
                await client.connect(server.url, auth={"token": token}, transports=[transport], wait_timeout=10)
                assert client.transport() == transport
            await asyncio.sleep(5)
            await asyncio.to_thread(
                server.api, "POST", f"/api/v1/events/{code}/broadcast", moderator, {"text": "Still there?"}
            )
            for _ in range(200):
                if all(received.values()):
                    break
                await asyncio.sleep(0.05)
            connected = [client.connected for client in clients]
            for client in clients:
                await client.disconnect()
            return received, connected

        # In a thread of its own: a browser test earlier in the session may leave an event loop running in this one.
        with ThreadPoolExecutor(1) as pool:
            received, connected = pool.submit(lambda: asyncio.run(scenario())).result()
        assert received == {"websocket": ["Still there?"], "polling": ["Still there?"]}
        assert connected == [True, True]
    finally:
        server.stop()
