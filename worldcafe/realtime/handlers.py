"""Connection, catch-up and clock requests; domain requests (notes, check-in) live in their own modules."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from flask_socketio import ConnectionRefusedError, emit, join_room

from ..extensions import socketio
from ..services import live
from ..services.access import Access, resolve
from ..services.views import snapshot
from .cluster import bus
from .limits import forget
from .presence import Connection, presence
from .publish import server_time, stamp
from .rooms import event_room, moderators_room, person_room, screen_room, table_room, topic_room


def rooms_for(access: Access) -> list[str]:
    """The rooms a role's socket joins."""
    event_id = access.event.id
    rooms = [event_room(event_id)]
    if access.role == "moderator":
        rooms.append(moderators_room(event_id))
    elif access.role == "screen":
        rooms.append(screen_room(event_id))
    elif access.role == "host" and access.table is not None:
        rooms.append(table_room(access.table.id))
        if access.table.topic_id is not None:
            rooms.append(topic_room(access.table.topic_id))
    elif access.role == "participant" and access.participant is not None:
        rooms.append(person_room(access.participant.id))
    return rooms


def current_access() -> Access | None:
    """The access of the socket making this request (re-read, so a replaced link stops working)."""
    return resolve(connection_tokens.get(request.sid))  # type: ignore[attr-defined]


# sid -> token: kept so each request re-checks the link (a regenerated link cuts its sockets off).
connection_tokens: dict[str, str] = {}


def catch_up(access: Access, rooms: list[str], since: Any) -> dict[str, Any]:
    """Replay what the client missed after ``since``, or send a fresh snapshot; returns what was done."""
    # since=0 would replay a log that starts after the event was set up: only a snapshot has the whole state.
    if isinstance(since, int) and not isinstance(since, bool) and since > 0:
        missed = live.missed(access.event.id, since, set(rooms), current_app.config["LOG_REPLAY_LIMIT"])
        if missed is not None:
            for push in missed:
                emit(push.name, stamp(push.payload))
            seq = live.current_seq(access.event.id)
            emit("synced", stamp({"seq": seq, "replayed": len(missed)}))
            return {"mode": "replay", "replayed": len(missed), "seq": seq}
    seq = live.current_seq(access.event.id)
    emit("snapshot", stamp({"seq": seq, **snapshot(access)}))
    return {"mode": "snapshot", "seq": seq}


def sent_as_request() -> bool:
    """Whether this ``connect`` or ``disconnect`` is an ordinary message from a socket that is connected.

    python-socketio hands a client's event named "connect" or "disconnect" to the same handlers as the real
    connection and disconnection; only for such a message is the socket fully connected while the handler runs (a real
    connect is still pending, a real disconnect already under way).
    """
    return bool(socketio.server.manager.is_connected(request.sid, request.namespace or "/"))  # type: ignore[attr-defined]


def not_a_request(name: str) -> dict[str, Any]:
    """The ack for a name that is no request of ours."""
    return refused("unknown_request", f"This server does not handle {name!r}.")


@socketio.on("connect")
def on_connect(auth: Any = None) -> dict[str, Any] | None:
    """Accept a socket only with a valid token; join its rooms and catch it up."""
    if sent_as_request():
        return not_a_request("connect")
    token = auth.get("token") if isinstance(auth, dict) else None
    access = resolve(token if isinstance(token, str) else None)
    if access is None:
        # First argument becomes connect_error's message, the second its data (what live.js reads).
        raise ConnectionRefusedError(
            "Unknown or replaced link.", {"code": "unauthorized", "message": "Unknown or replaced link."}
        )
    rooms = rooms_for(access)
    for room in rooms:
        join_room(room)
    sid = request.sid  # type: ignore[attr-defined]
    connection_tokens[sid] = token
    presence.add(
        sid,
        Connection(
            event_id=access.event.id,
            role=access.role,
            table_id=access.table.id if access.table else None,
            participant_id=access.participant.id if access.participant else None,
            rooms=tuple(rooms),
        ),
    )
    catch_up(access, rooms, auth.get("since"))
    return None


@socketio.on("disconnect")
def on_disconnect(*_args: Any) -> dict[str, Any] | None:
    """Forget the socket."""
    if sent_as_request():  # forgetting it here would hide it from presence and from revoke()
        return not_a_request("disconnect")
    sid = request.sid  # type: ignore[attr-defined]
    connection_tokens.pop(sid, None)
    forget(sid)
    presence.remove(sid)
    return None


def refused(code: str, message: str) -> dict[str, Any]:
    """An error acknowledgement."""
    return {"ok": False, "error": {"code": code, "message": message}}


Handler = Callable[..., dict[str, Any]]


def on_request(name: str) -> Callable[[Handler], Handler]:
    """Register the handler of a client request, which takes one payload or none: more arguments are refused."""

    def register(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def one_payload(*args: Any) -> dict[str, Any]:
            if len(args) > 1:
                return refused("invalid", _("Send one object with the request."))
            return handler(*args)

        socketio.on(name)(one_payload)
        return handler

    return register


@on_request("sync")
def on_sync(data: Any = None) -> dict[str, Any]:
    """Catch up without reconnecting: ``{since}`` → replay or snapshot."""
    access = current_access()
    if access is None:
        return refused("unauthorized", "Unknown or replaced link.")
    since = data.get("since") if isinstance(data, dict) else None
    return {"ok": True, **catch_up(access, rooms_for(access), since)}


def revoke(tokens: list[str]) -> None:
    """Disconnect the sockets that use a replaced or deleted link, on every server process; they cannot reconnect."""
    _disconnect(tokens)
    bus.publish("revoke", {"tokens": tokens})


def _disconnect(tokens: list[str]) -> None:
    for sid, token in list(connection_tokens.items()):
        if token in tokens:
            socketio.server.disconnect(sid, namespace="/")


def _revoked_elsewhere(_process: str, data: Any) -> None:
    tokens = data.get("tokens") if isinstance(data, dict) else None
    if isinstance(tokens, list):
        _disconnect([token for token in tokens if isinstance(token, str)])


bus.on("revoke", _revoked_elsewhere)


@socketio.on("*")
def on_unknown(name: str, *_args: Any) -> dict[str, Any]:
    """Every request gets an answer, even one this server does not know."""
    return not_a_request(name)


@on_request("clock")
def on_clock(_data: Any = None) -> dict[str, Any]:
    """The server time, for clients measuring their clock offset."""
    return {"ok": True, "server_time": server_time()}
