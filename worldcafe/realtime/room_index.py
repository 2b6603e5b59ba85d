"""Socket.IO's room bookkeeping with an index from each client to its rooms.

python-socketio finds a leaving client's rooms by testing every room of the namespace (``basic_disconnect``,
``get_rooms``): with 1,000 phones that is some 3,000 rooms for each disconnect, all on the event loop, and a wave of
phones dropping off the Wi-Fi held it for 100–400 ms (docs/performance.md, "Loop stalls"). The index makes both
cost what the client's own rooms cost. The managers' rooms themselves (``self.rooms``) are unchanged, so every
emit, broadcast and participant list works as upstream.
"""

from __future__ import annotations

from typing import Any

import socketio as python_socketio


class IndexedRooms:
    """Mixin for a python-socketio manager: ``rooms_of[namespace][sid]`` is the set of rooms the client is in
    (its own sid room and the namespace's ``None`` room included), kept by the enter and leave primitives."""

    rooms: dict[str, dict[Any, Any]]
    callbacks: dict[str, Any]
    pending_connect: dict[str, list[str]]
    pending_disconnect: dict[str, list[str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rooms_of: dict[str, dict[str, set[Any]]] = {}

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: str | None = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)  # type: ignore[misc]
        self.rooms_of.setdefault(namespace, {}).setdefault(sid, set()).add(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)  # type: ignore[misc]
        clients = self.rooms_of.get(namespace)
        if clients is None or sid not in clients:
            return
        clients[sid].discard(room)
        if not clients[sid]:
            del clients[sid]
            if not clients:
                del self.rooms_of[namespace]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        """Upstream's ``basic_disconnect`` (python-socketio 5.x), with the client's rooms from the index."""
        if namespace not in self.rooms:
            return
        for room in list(self.rooms_of.get(namespace, {}).get(sid, ())):
            self.basic_leave_room(sid, namespace, room)
        if sid in self.callbacks:
            del self.callbacks[sid]
        if namespace in self.pending_connect and sid in self.pending_connect[namespace]:
            self.pending_connect[namespace].remove(sid)
            if len(self.pending_connect[namespace]) == 0:
                del self.pending_connect[namespace]
        if namespace in self.pending_disconnect and sid in self.pending_disconnect[namespace]:
            self.pending_disconnect[namespace].remove(sid)
            if len(self.pending_disconnect[namespace]) == 0:
                del self.pending_disconnect[namespace]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        """The rooms a client is in (not the namespace's ``None`` room), as upstream."""
        return [room for room in self.rooms_of.get(namespace, {}).get(sid, ()) if room is not None]


class LocalManager(IndexedRooms, python_socketio.Manager):  # type: ignore[misc]
    """The in-memory manager of one process, with the room index."""
