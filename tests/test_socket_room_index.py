"""The room index (realtime/room_index.py): the same rooms as python-socketio's own manager after any sequence of
joins, leaves, closes and disconnects, and a client's rooms found without testing every room."""

from __future__ import annotations

import random
from typing import Any

import socketio as python_socketio

from worldcafe.app import build_app
from worldcafe.extensions import socketio
from worldcafe.realtime.room_index import LocalManager


def snapshot(manager: Any) -> dict[str, dict[Any, dict[str, str]]]:
    return {ns: {room: dict(members) for room, members in rooms.items()} for ns, rooms in manager.rooms.items()}


def test_the_index_keeps_the_same_rooms_as_upstream() -> None:
    """2,000 random operations on 60 clients in 2 namespaces: rooms, each client's rooms and the pending lists
    agree with python-socketio's Manager after every step."""
    ours, theirs = LocalManager(), python_socketio.Manager()
    rng = random.Random(7)
    connected: dict[str, set[str]] = {"/": set(), "/x": set()}
    for step in range(2000):
        ns = rng.choice(["/", "/x"])
        sid = f"s{rng.randrange(60)}"
        op = rng.random()
        room = f"room{rng.randrange(8)}"
        for manager in (ours, theirs):
            if op < 0.3 and sid not in connected[ns]:
                manager.basic_enter_room(sid, ns, None, eio_sid=f"e{sid}")
                manager.basic_enter_room(sid, ns, sid)
                manager.pending_connect.setdefault(ns, []).append(sid)
            elif op < 0.6 and sid in connected[ns]:
                manager.basic_enter_room(sid, ns, room)
            elif op < 0.7 and sid in connected[ns]:
                manager.basic_leave_room(sid, ns, room)
            elif op < 0.75:
                if room in manager.rooms.get(ns, {}):
                    manager.basic_close_room(room, ns)
            elif sid in connected[ns]:
                manager.pending_disconnect.setdefault(ns, []).append(sid)
                manager.basic_disconnect(sid, ns)
        if op < 0.3:
            connected[ns].add(sid)
        elif op >= 0.75:
            connected[ns].discard(sid)
        assert snapshot(ours) == snapshot(theirs), step
        for client in connected[ns]:
            assert sorted(ours.get_rooms(client, ns)) == sorted(theirs.get_rooms(client, ns)), step
        assert ours.pending_connect == theirs.pending_connect and ours.pending_disconnect == theirs.pending_disconnect
    for ns in ("/", "/x"):
        for client in list(connected[ns]):
            ours.basic_disconnect(client, ns)
    assert ours.rooms == {} and ours.rooms_of == {}  # nothing left behind


def test_a_disconnect_looks_only_at_the_clients_own_rooms() -> None:
    """With 3,000 clients in their own rooms, one disconnect never asks another room whether the client is in it."""
    manager = LocalManager()
    for i in range(3000):
        manager.basic_enter_room(f"s{i}", "/", None, eio_sid=f"e{i}")
        manager.basic_enter_room(f"s{i}", "/", f"s{i}")
        manager.basic_enter_room(f"s{i}", "/", f"participant:{i}")
    asked: list[Any] = []

    class Watched(dict):  # type: ignore[type-arg]
        def __contains__(self, key: object) -> bool:
            asked.append(key)
            return super().__contains__(key)

    for room in list(manager.rooms["/"]):
        if room not in (None, "s5", "participant:5"):
            manager.rooms["/"][room] = Watched(manager.rooms["/"][room])
    manager.basic_disconnect("s5", "/")
    assert asked == []
    assert "s5" not in manager.rooms["/"] and "participant:5" not in manager.rooms["/"]
    assert "s5" not in manager.rooms["/"][None] and len(manager.rooms["/"][None]) == 2999


def test_the_app_uses_the_indexed_manager() -> None:
    """Without a message queue the server's manager is the indexed one (with one, ClusterRedisManager, also indexed:
    tests/cluster)."""
    build_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "t"})
    assert isinstance(socketio.server.manager, LocalManager)
