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
from ..services.notes import visible_replay
from ..services.views import snapshot
from . import limits, turns
from .packets import REJECTED, Rejected
from .presence import Connection, presence
from .publish import server_time, stamp
from .rooms import event_room, moderators_room, person_room, screen_room, table_room, topic_room

# The roles with a live view; every other link (the summary share link) is refused a socket.
LIVE_ROLES = ("moderator", "screen", "host", "participant")


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
            # The log keeps what was pushed then; a note hidden since must not reach the screen now.
            replay = visible_replay(access, missed)
            for push in replay:
                emit(push.name, stamp(push.payload))
            seq = live.current_seq(access.event.id)
            emit("synced", stamp({"seq": seq, "replayed": len(replay)}))
            return {"mode": "replay", "replayed": len(replay), "seq": seq}
    seq = live.current_seq(access.event.id)
    emit("snapshot", stamp({"seq": seq, **snapshot(access)}))
    return {"mode": "snapshot", "seq": seq}


def sent_as_request() -> bool:
    """Whether this ``connect`` or ``disconnect`` is an ordinary message from a socket that is connected.

    python-socketio hands a client's event named "connect" or "disconnect" to the same handlers as the real
    connection and disconnection; only for such a message is the socket fully connected while the handler runs (a real
    connect is still pending, a real disconnect already under way).
    """
    sid = getattr(request, "sid", None)  # none when called outside a socket's context
    namespace = getattr(request, "namespace", None) or "/"
    return sid is not None and bool(socketio.server.manager.is_connected(sid, namespace))


def not_a_request(name: str) -> dict[str, Any]:
    """The ack for a name that is no request of ours."""
    return refused("unknown_request", f"This server does not handle {name!r}.")


@socketio.on("connect")
def on_connect(auth: Any = None) -> dict[str, Any] | None:
    """Accept a socket only with a valid token; join its rooms and catch it up."""
    if sent_as_request():
        return not_a_request("connect")
    # A rush of phones connecting at once waits while the room's notes go first (worldcafe.realtime.turns).
    turns.wait_turn()
    token = auth.get("token") if isinstance(auth, dict) else None
    access = resolve(token if isinstance(token, str) else None)
    if access is None:
        # First argument becomes connect_error's message, the second its data (what live.js reads).
        raise ConnectionRefusedError(
            "Unknown or replaced link.", {"code": "unauthorized", "message": "Unknown or replaced link."}
        )
    if access.role not in LIVE_ROLES:
        # The read-only summary link shows a finished document; event-wide pushes are not for its readers.
        raise ConnectionRefusedError(
            "This link has no live view.", {"code": "forbidden", "message": "This link has no live view."}
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
    presence.remove(sid)
    return None


def refused(code: str, message: str) -> dict[str, Any]:
    """An error acknowledgement."""
    return {"ok": False, "error": {"code": code, "message": message}}


def over_budget(budget: str) -> dict[str, Any] | None:
    """Spend one request of this socket's link from ``budget``; the ``rate_limited`` ack (with ``retry_after``
    seconds) when the link has none left."""
    wait = limits.spend(budget, connection_tokens.get(request.sid))  # type: ignore[attr-defined]
    if wait is None:
        return None
    ack = refused("rate_limited", _("Too many requests at once; please wait %(seconds)s seconds.", seconds=wait))
    ack["retry_after"] = wait
    return ack


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
    limited = over_budget("sync")
    if limited is not None:
        return limited
    since = data.get("since") if isinstance(data, dict) else None
    return {"ok": True, **catch_up(access, rooms_for(access), since)}


@on_request(REJECTED)
def on_rejected(data: Any = None) -> dict[str, Any]:
    """A request whose payload was refused while decoding (nested too deeply, a NUL, a huge number, no JSON)."""
    if isinstance(data, Rejected):
        return refused("invalid", data.message())
    return refused("unknown_request", f"This server does not handle {REJECTED!r}.")


@socketio.on("*")
def on_unknown(name: str, *_args: Any) -> dict[str, Any]:
    """Every request gets an answer, even one this server does not know."""
    return not_a_request(name)


@on_request("clock")
def on_clock(_data: Any = None) -> dict[str, Any]:
    """The server time, for clients measuring their clock offset."""
    return over_budget("clock") or {"ok": True, "server_time": server_time()}
