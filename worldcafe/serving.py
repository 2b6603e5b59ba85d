"""The eventlet server of ``worldcafe run``, hardened for an open venue network (docs/deploy.md, "Limits").

Every phone is an open socket, and anyone on the Wi-Fi can open sockets too. What eventlet's own ``wsgi.server``
does not do, this module adds around it:

- **File limit.** The soft ``RLIMIT_NOFILE`` is raised to the hard limit at start, and eventlet's connection cap
  (``max_size``) never exceeds that limit minus ``RESERVED_FILES`` descriptors kept for the database, worker pipes,
  photos and static files.
- **Accept errors.** eventlet's accept loop ends the server on any unexpected ``accept()`` error, such as running out
  of descriptors (EMFILE). Here a connection that failed on its way in is skipped, and a shortage pauses accepting
  briefly (logged once per episode) until descriptors are free again.
- **Timeouts.** A connection that sends nothing for ``IDLE_TIMEOUT_S`` (a new one, or a kept-alive one between
  requests) is closed; from a request's first byte its request line and headers must arrive within
  ``HEADER_TIMEOUT_S`` (slowloris). Inside a request ``SOCKET_TIMEOUT_S`` bounds every wait for the client. A
  Socket.IO connection is inside its request for its whole life (WebSocket, or a long-poll waiting for pushes), so
  the first two never apply to it, and engine.io's pings keep it well inside the third.
- **Pressure.** When the cap is nearly reached, each new connection closes the connection that has been waiting
  longest for a request head (at least ``EVICT_AFTER_S``), so idle sockets opened by someone else cannot lock the
  room's phones out until their timeouts run.
"""

from __future__ import annotations

import errno
import functools
import logging
import resource
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import eventlet
import eventlet.green.socket
import eventlet.wsgi

from .realtime import turns

log = logging.getLogger(__name__)

# Queued connections the kernel holds for us while the loop is busy (capped by net.core.somaxconn); eventlet's default
# of 50 drops a burst of phones' SYNs, and each retries only after a second or more.
LISTEN_BACKLOG = 1024
# Under pressure, a connection still waiting for its request head after this long may be closed for a new one; a real
# client sends its request right after connecting.
EVICT_AFTER_S = 2.0
# A shortage of descriptors or memory pauses accepting this long at first, doubling up to the maximum.
ACCEPT_BACKOFF_S = (0.05, 1.0)
# A long queue of new connections lets the room's requests run after this many accepts (about 5 ms of the loop).
ACCEPTS_PER_YIELD = 100
# The smallest connection cap, whatever the file limit says (below it the server is of no use anyway).
MIN_CONNECTIONS = 16

# accept() failures that concern one connection only (Linux's accept(2): "treat them like EAGAIN").
_CONNECTION_ERRNOS = {
    getattr(errno, name)
    for name in (
        "ECONNABORTED", "ECONNRESET", "EPROTO", "EPERM", "EINTR", "EAGAIN", "ENETDOWN", "ENOPROTOOPT", "EHOSTDOWN",
        "ENONET", "EHOSTUNREACH", "EOPNOTSUPP", "ENETUNREACH", "ETIMEDOUT", "EPIPE",
    )
    if hasattr(errno, name)
}  # fmt: skip
# accept() failures that mean the listening socket itself is gone: the server is shutting down.
_LISTENER_GONE_ERRNOS = {errno.EBADF, errno.EINVAL, errno.ENOTSOCK}


@dataclass(frozen=True)
class ServerLimits:
    """The server's limits, from the app's config (``worldcafe.config``)."""

    max_connections: int
    reserved_files: int
    idle_timeout_s: float
    header_timeout_s: float
    socket_timeout_s: float | None
    access_log: bool

    @classmethod
    def from_config(cls, config: Any) -> ServerLimits:
        return cls(
            max_connections=int(config["MAX_CONNECTIONS"]),
            reserved_files=int(config["RESERVED_FILES"]),
            idle_timeout_s=float(config["IDLE_TIMEOUT_S"]),
            header_timeout_s=float(config["HEADER_TIMEOUT_S"]),
            socket_timeout_s=float(config["SOCKET_TIMEOUT_S"]) or None,
            access_log=bool(config["ACCESS_LOG"]),
        )


def raise_file_limit() -> int:
    """Raise the soft open-file limit as far as the hard limit allows; return the soft limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1 << 20
    # An unlimited hard limit (macOS) still has a real ceiling (kern.maxfilesperproc): try large, then smaller.
    for want in [hard] if hard != resource.RLIM_INFINITY else [1 << 20, 1 << 16, 24576, 10240]:
        if want <= soft:
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            return want
        except (ValueError, OSError):
            continue
    return soft


def connection_cap(max_connections: int, file_limit: int, reserved_files: int) -> int:
    """How many client connections may be open at once: the setting, within the file limit minus the reserve."""
    return max(MIN_CONNECTIONS, min(max_connections, file_limit - reserved_files))


class WaitingConnections:
    """Connections waiting for a request head (idle or half-sent), oldest first, so pressure can close the oldest."""

    def __init__(self) -> None:
        self._waiting: OrderedDict[int, tuple[float, Callable[[], object]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._waiting)

    def add(self, key: int, close: Callable[[], object]) -> None:
        self._waiting[key] = (time.monotonic(), close)

    def discard(self, key: int) -> None:
        self._waiting.pop(key, None)

    def close_oldest(self, waited_s: float) -> bool:
        """Close the connection that has waited longest, if it has waited at least ``waited_s``; True if one was."""
        if not self._waiting:
            return False
        key, (since, close) = next(iter(self._waiting.items()))
        if time.monotonic() - since < waited_s:
            return False
        del self._waiting[key]
        close()
        return True


class Listener:
    """The listening socket as eventlet's accept loop sees it: ``accept()`` rides out failures instead of ending the
    server, and makes room when the connection cap is nearly reached."""

    def __init__(self, sock: Any, pool: Any, waiting: WaitingConnections) -> None:
        self._sock = sock
        self._pool = pool
        self._waiting = waiting
        self._low_water = max(1, pool.size // 20)
        self._short_since: float | None = None
        self._short_count = 0
        self._accepted = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def accept(self) -> tuple[Any, Any]:
        """The next connection, once there is room for it."""
        backoff = ACCEPT_BACKOFF_S[0]
        while True:
            try:
                accepted = self._sock.accept()
            except OSError as exc:
                if exc.errno in _LISTENER_GONE_ERRNOS:
                    raise
                if exc.errno in _CONNECTION_ERRNOS:
                    continue
                self._shortage(exc)
                eventlet.sleep(backoff)
                backoff = min(backoff * 2, ACCEPT_BACKOFF_S[1])
                continue
            if self._short_since is not None:
                log.warning(
                    "accepting connections again after %.1f s (%d attempts refused)",
                    time.monotonic() - self._short_since,
                    self._short_count,
                )
                self._short_since = None
            self._make_room()
            # A queue of connections is taken in one go (a connection accepted is cheap; one left in the kernel's queue
            # waits for the loop's next round, which a busy loop makes long); only a very long queue pauses in between.
            self._accepted += 1
            if self._accepted % ACCEPTS_PER_YIELD == 0:
                eventlet.sleep(0)
            return accepted

    def _shortage(self, exc: OSError) -> None:
        self._short_count += 1
        if self._short_since is None:
            self._short_since = time.monotonic()
            self._short_count = 1
            log.warning(
                "cannot accept connections (%s); %d open, retrying — raise the open-file limit (ulimit -n, "
                "LimitNOFILE) or lower WORLDCAFE_MAX_CONNECTIONS",
                exc.strerror or exc,
                self._pool.running(),
            )

    def _make_room(self) -> None:
        """Near the cap, close the connection that has waited longest for a request head (if long enough); at the
        cap, wait for a free slot, closing such connections as they qualify (eventlet would otherwise stop accepting
        until some connection ends by itself)."""
        if self._pool.free() > self._low_water:
            return
        self._waiting.close_oldest(EVICT_AFTER_S)
        while self._pool.free() <= 0:
            closed = self._waiting.close_oldest(EVICT_AFTER_S)
            eventlet.sleep(0 if closed else 0.1)


class Protocol(eventlet.wsgi.HttpProtocol):  # type: ignore[misc]
    """eventlet's HTTP protocol with an idle timeout before a request and a deadline for its head."""

    def __init__(self, conn_state: Any, server: Any, *, limits: ServerLimits, waiting: WaitingConnections) -> None:
        self.limits = limits
        self.waiting = waiting
        self.head_deadline: Any = None
        super().__init__(conn_state, server)  # serves the connection

    def _read_request_line(self) -> bytes | str:
        if self.rfile.closed:
            return super()._read_request_line()  # type: ignore[no-any-return]
        sock = self.connection
        # Closing it for a new connection ends this greenthread as the idle or header timeout would: the request is
        # never run. (eventlet.kill switches to it at once and comes back, so the slot is free right after.)
        self.waiting.add(id(self), functools.partial(_make_room_of, eventlet.getcurrent()))
        try:
            sock.settimeout(self.limits.idle_timeout_s)
            # The first byte of the next request: socket.timeout after the idle timeout ends the connection.
            if not self.rfile.peek(1):
                self.close_connection = 1
                return ""
        except TimeoutError:
            raise
        except OSError:
            self.close_connection = 1
            return ""
        finally:
            sock.settimeout(self.server.socket_timeout)
        # Request line and headers: however slowly they trickle in, not longer than this in all.
        self.head_deadline = eventlet.Timeout(
            self.limits.header_timeout_s, TimeoutError("request head not complete in time")
        )
        return super()._read_request_line()  # type: ignore[no-any-return]

    def get_environ(self) -> dict[str, Any]:
        # The head is complete: the request runs (as long as it needs, e.g. a WebSocket) without the deadline.
        self._head_done()
        environ: dict[str, Any] = super().get_environ()
        return environ

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        finally:
            self._head_done()

    def _head_done(self) -> None:
        self.waiting.discard(id(self))
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None


def _make_room_of(greenthread: Any) -> None:
    """End a connection's greenthread with the timeout exception eventlet's server expects (it closes the socket)."""
    eventlet.kill(greenthread, TimeoutError("closed to make room for a new connection"))


def serve(app: Any, host: str, port: int, limits: ServerLimits) -> None:
    """Serve ``app`` (the Flask app with Flask-SocketIO's middleware) on host:port until the process ends."""
    log.disabled = False  # the migrations' logging.config.fileConfig at start disables loggers made before it
    file_limit = raise_file_limit()
    cap = connection_cap(limits.max_connections, file_limit, limits.reserved_files)
    if cap < limits.max_connections:
        log.warning(
            "open-file limit %d: serving at most %d connections (WORLDCAFE_MAX_CONNECTIONS=%d, %d descriptors "
            "reserved); raise the hard limit (ulimit -Hn, systemd LimitNOFILE) for more",
            file_limit,
            cap,
            limits.max_connections,
            limits.reserved_files,
        )
    family, _type, _proto, _name, address = eventlet.green.socket.getaddrinfo(host, port)[0]
    sock = eventlet.listen(address, family, backlog=LISTEN_BACKLOG)
    pool = eventlet.GreenPool(cap)
    waiting = WaitingConnections()
    access = logging.getLogger("worldcafe.access")
    if limits.access_log:
        access.setLevel(logging.INFO)
    # Page loads take their turn behind the room's live messages (worldcafe.realtime.turns).
    turns.start()
    eventlet.wsgi.server(
        Listener(sock, pool, waiting),
        turns.TakingTurns(app),
        custom_pool=pool,
        protocol=functools.partial(Protocol, limits=limits, waiting=waiting),
        # Access lines go through logging, so tokens in paths are redacted (worldcafe.redaction).
        log=access,
        log_output=limits.access_log,
        # The idle timeout is ours (above); eventlet's numeric keepalive would only apply per read.
        keepalive=True,
        socket_timeout=limits.socket_timeout_s,
        # Never a traceback in a response.
        debug=False,
    )
