"""Several server processes serving one event: a control channel beside Socket.IO's message queue.

python-socketio's Redis manager carries the pushes between processes. What it does not carry lives here: a
control channel on the same Redis (presence shares, link revocations, catch-up requests), a heartbeat, and the
news that pushes were lost (a publish given up while Redis was away, or the listener reconnecting), on which
every client is told to catch up (``resync``). Without a message queue there is one process: the bus reaches
nobody else and none of this runs.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import socketio as python_socketio
from flask import Flask

from ..extensions import discard_session, socketio
from .room_index import IndexedRooms, LocalManager

# Tells this process's control messages from the others'; a restarted process is a new one.
PROCESS_ID = uuid.uuid4().hex
# Redis pub/sub channels are global to a Redis server (not per database number): deployments sharing one Redis
# need different names (WORLDCAFE_MESSAGE_QUEUE_CHANNEL); the control channel is the pushes' name + "-control".
DEFAULT_CHANNEL = "worldcafe"
# Between reconnect attempts of the listener: start quick (a Redis restart takes a second or two), back off to 5 s.
RETRY_MIN_S = 0.25
RETRY_MAX_S = 5.0
DEFAULT_HEARTBEAT_S = 2.0

logger = logging.getLogger(__name__)

Handler = Callable[[str, Any], None]  # (sender process id, data)


class Bus:
    """Control messages between the server processes of one deployment (a no-op with a single process)."""

    def __init__(self) -> None:
        self.app: Flask | None = None
        self.manager: ClusterRedisManager | None = None
        self._handlers: dict[str, Handler] = {}
        self._own: set[str] = set()  # kinds this process also receives from itself (through Redis, in order)
        self._reconnect_hooks: list[Callable[[float], None]] = []
        self._heartbeat_hooks: list[Callable[[Flask], None]] = []

    @property
    def clustered(self) -> bool:
        """Whether other processes may be serving the same events (a message queue is configured)."""
        return self.manager is not None

    def on(self, kind: str, handler: Handler, *, own: bool = False) -> None:
        """Handle the control messages of one kind sent by the other processes (and by this one if ``own``)."""
        self._handlers[kind] = handler
        if own:
            self._own.add(kind)

    def on_reconnect(self, hook: Callable[[float], None]) -> None:
        """Call ``hook(lost_at)`` (in the listener) each time it is back after losing Redis at ``lost_at`` (epoch s)."""
        self._reconnect_hooks.append(hook)

    def on_heartbeat(self, hook: Callable[[Flask], None]) -> None:
        """Call ``hook(app)`` on every heartbeat, in an app context."""
        self._heartbeat_hooks.append(hook)

    def publish(self, kind: str, data: Any) -> bool:
        """Send a control message to the other processes; True when sent (or when there is nobody to send to)."""
        if self.manager is None:
            return True
        attempted_at = time.time()
        sent = self.manager.publish_control(json.dumps({"process": PROCESS_ID, "kind": kind, "data": data}))
        if not sent and kind in self._own:  # it carried pushes: nobody got them, every client must catch up
            self.manager.lost(attempted_at)
        return sent

    def receive(self, raw: bytes | str) -> None:
        """Dispatch one control message from the channel (our own are ignored)."""
        try:
            message = json.loads(raw)
            sender, kind = message["process"], message["kind"]
        except (ValueError, TypeError, KeyError):
            logger.warning("ignoring a malformed control message")
            return
        handler = self._handlers.get(kind)
        if handler is None or (sender == PROCESS_ID and kind not in self._own):
            return
        try:
            handler(sender, message.get("data"))
        except Exception:  # one bad message must not stop the listener
            logger.exception("control message %r failed", kind)

    def reconnected(self, lost_at: float) -> None:
        """The listener is subscribed again after an outage: run the hooks (they schedule, never block)."""
        for hook in self._reconnect_hooks:
            try:
                hook(lost_at)
            except Exception:
                logger.exception("reconnect hook failed")

    def heartbeat(self, app: Flask) -> None:
        """One heartbeat: the hooks, then a cluster-wide catch-up if pushes were lost and Redis is back."""
        for hook in self._heartbeat_hooks:
            hook(app)
        manager = self.manager
        # A publish given up reached none of the other processes' clients: once Redis takes messages
        # again, have every process tell its clients to catch up from before it.
        if manager is None or manager.publish_lost is None or not manager.listening:
            return
        lost = manager.publish_lost
        if self.publish("resync", {"lost_at": lost[0], "until": lost[1]}) and manager.publish_lost == lost:
            manager.publish_lost = None


bus = Bus()


class ClusterRedisManager(IndexedRooms, python_socketio.RedisManager):  # type: ignore[misc]
    """Socket.IO's Redis manager (with the room index) that also listens on the control channel and notices lost
    messages."""

    def __init__(self, url: str, channel: str = DEFAULT_CHANNEL) -> None:
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No silent retries inside redis-py: a subscription it re-made by itself would hide the messages lost
        # meanwhile. The listener reconnects (and says so) below; a publish is tried twice upstream.
        super().__init__(url, channel=channel, redis_options={"retry": Retry(NoBackoff(), 0)})
        self.control_channel = f"{channel}-control"
        self.listening = False  # subscribed right now
        # When (epoch seconds) the first and the last push were given up since the last cluster-wide catch-up.
        self.publish_lost: tuple[float, float] | None = None

    def _publish(self, data: Any) -> Any:
        attempted_at = time.time()
        sent = super()._publish(data)
        if sent is None:  # the upstream manager logged "giving up" and dropped the message
            self.lost(attempted_at)
        return sent

    def lost(self, attempted_at: float) -> None:
        """Pushes first tried at ``attempted_at`` were given up: the next heartbeat with Redis back resyncs."""
        first = self.publish_lost[0] if self.publish_lost else attempted_at
        self.publish_lost = (first, time.time())

    def publish_control(self, message: str) -> bool:
        """Publish on the control channel (two attempts, like Socket.IO's own messages)."""
        for _attempt in range(2):
            try:
                if not self.connected:
                    self._redis_connect()
                self.redis.publish(self.control_channel, message)
                return True
            except Exception as exc:
                self.connected = False
                logger.warning("cannot publish a control message: %s", exc)
        return False

    def _redis_listen_with_retries(self) -> Iterator[dict[str, Any]]:
        """Subscribe to both channels and listen; after losing Redis, reconnect with backoff and say so."""
        delay = RETRY_MIN_S
        lost_at: float | None = None
        while True:
            try:
                self._redis_connect()
                # Our own handle: a publisher reconnecting meanwhile replaces self.pubsub.
                pubsub = self.pubsub
                pubsub.subscribe(self.channel, self.control_channel)
                self.listening = True
                if lost_at is not None:
                    logger.warning("message queue is back; clients will catch up")
                    bus.reconnected(lost_at)
                    lost_at = None
                delay = RETRY_MIN_S
                yield from pubsub.listen()
            except Exception as exc:
                logger.error("lost the message queue (%s); retrying in %.2f s", exc, delay)
            self.listening = False
            lost_at = lost_at or time.time()
            time.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_S)

    def _listen(self) -> Iterator[bytes]:
        channel = self.channel.encode("utf-8")
        control = self.control_channel.encode("utf-8")
        for message in self._redis_listen_with_retries():
            if message.get("type") != "message" or "data" not in message:
                continue
            if message["channel"] == channel:
                yield message["data"]
            elif message["channel"] == control:
                bus.receive(message["data"])


def client_manager(url: str | None, channel: str = DEFAULT_CHANNEL) -> ClusterRedisManager | LocalManager:
    """The Socket.IO client manager for ``WORLDCAFE_MESSAGE_QUEUE`` (none: in memory, one process)."""
    if not url:
        bus.manager = None
        return LocalManager()
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise RuntimeError(f"WORLDCAFE_MESSAGE_QUEUE must be a redis:// URL, not {url!r}")
    bus.manager = ClusterRedisManager(url, channel=channel)
    return bus.manager


def _heartbeat_forever(app: Flask, interval: float) -> None:
    while True:
        socketio.sleep(interval)
        with app.app_context():
            try:
                bus.heartbeat(app)
            except Exception:  # a hiccup must not stop the heartbeat; the next one tries again
                app.logger.exception("cluster heartbeat failed")
            finally:
                discard_session()


def heartbeat_interval(app: Flask) -> float:
    """Seconds between heartbeats; a process not heard from for three of them is gone."""
    return float(app.config.get("CLUSTER_HEARTBEAT_S") or DEFAULT_HEARTBEAT_S)


def start(app: Flask) -> None:
    """Join the cluster (``worldcafe run`` and ``wsgi.py``): listen at once, and beat."""
    bus.app = app
    if bus.manager is None:
        return
    # The migrations' logging.config.fileConfig (``upgrade()`` at start) disables loggers created before it; an
    # operator should see the queue go and come back.
    logger.disabled = False
    server = socketio.server
    # The manager starts its listener on the first connection; start it now, so this process hears the
    # others' presence and revocations before its first client arrives.
    if not server.manager_initialized:
        server.manager_initialized = True
        server.manager.initialize()
    socketio.start_background_task(_heartbeat_forever, app, heartbeat_interval(app))
