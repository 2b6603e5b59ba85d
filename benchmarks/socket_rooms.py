"""Socket.IO room bookkeeping when many phones leave at once (realtime/room_index.py).

Run: ``.venv/bin/python benchmarks/socket_rooms.py`` (a few seconds). ``--clients`` and ``--rooms-per-client`` set
the size; ``--out FILE`` also writes the JSON to a file.

In memory, no server: ``--clients`` connected clients, each in the namespace's room, its own sid room and
``--rooms-per-client`` rooms of the app (its participant, its table, its topic: the rooms the server puts a phone
in), then every client disconnects, one after the other, as when the venue Wi-Fi drops. Each disconnect runs on
the server's event loop, so its time is loop time. Both python-socketio's own ``Manager`` and ours
(``LocalManager``, the index from each client to its rooms) do the same operations; the JSON has, per manager,
the total and per-disconnect milliseconds (p50, p99, max) and whether both ended with the same rooms.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import socketio as python_socketio

from worldcafe.realtime.room_index import LocalManager


def run(manager: Any, clients: int, per_client: int) -> dict[str, Any]:
    """Connect `clients` clients into their rooms, then disconnect every one; times per disconnect."""
    for i in range(clients):
        sid = f"s{i}"
        manager.basic_enter_room(sid, "/", None, eio_sid=f"e{i}")
        manager.basic_enter_room(sid, "/", sid)
        for r in range(per_client):
            manager.basic_enter_room(sid, "/", f"r{r}:{i // (1 + r * 10)}")  # 1, 11, 21 … phones a room
    rooms_before = sum(len(rooms) for rooms in manager.rooms.values())
    times: list[float] = []
    for i in range(clients):
        start = time.perf_counter()
        manager.basic_disconnect(f"s{i}", "/")
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "rooms_at_start": rooms_before,
        "total_ms": round(sum(times), 1),
        "per_disconnect_ms": {
            "p50": round(statistics.median(times), 4),
            "p99": round(times[int(0.99 * (len(times) - 1))], 4),
            "max": round(times[-1], 4),
        },
        "rooms_left": sum(len(rooms) for rooms in manager.rooms.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000, help="connected clients (default 1000)")
    parser.add_argument("--rooms-per-client", type=int, default=3, help="app rooms per client (default 3)")
    parser.add_argument("--out", type=Path, help="also write the JSON to this file")
    args = parser.parse_args()
    results = {
        "upstream_manager": run(python_socketio.Manager(), args.clients, args.rooms_per_client),
        "indexed_manager": run(LocalManager(), args.clients, args.rooms_per_client),
    }
    document = {
        "benchmark": "socket_rooms",
        "python": platform.python_version(),
        "python_socketio": version("python-socketio"),
        "clients": args.clients,
        "rooms_per_client": args.rooms_per_client,
        "results": results,
        "speedup_total": round(
            results["upstream_manager"]["total_ms"] / max(results["indexed_manager"]["total_ms"], 1e-6), 1
        ),
    }
    text = json.dumps(document, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
