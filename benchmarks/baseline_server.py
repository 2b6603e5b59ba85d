"""Bare Flask-SocketIO broadcast server: the baseline for ``benchmarks/live_load.py``.

Run: ``.venv/bin/python benchmarks/baseline_server.py --port 5099`` (``benchmarks/live_load.py`` starts it by itself;
without ``--port`` it only prints this note and exits 0, so ``make bench`` passes over it).

- eventlet is monkey-patched first, and its 1,024-connection default (``max_size``) is raised.
- Any client may connect (any ``auth``); it gets a tiny ``snapshot`` first, like the real server sends.
- ``POST /broadcast`` with ``{"round": n}`` emits one ``assignment_changed`` to every client in a single
  ``emit`` (no rooms, no database) and answers ``{"ok": true, "clients": count}``.
- ``GET /healthz`` answers ``{"ok": true}``; ``GET /stats`` answers ``{"clients": count}``.

Nothing here is part of the app: it measures what Flask-SocketIO + eventlet cost on their own.
"""

from __future__ import annotations

import warnings

# eventlet is the product's chosen server; its deprecation notice is known (see worldcafe/launcher.py).
warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import argparse  # noqa: E402
import logging  # noqa: E402
import time  # noqa: E402

from flask import Flask, jsonify, request  # noqa: E402
from flask_socketio import SocketIO, emit  # noqa: E402

app = Flask(__name__)
app.config["SECRET_KEY"] = "bench"
socketio = SocketIO(app, async_mode="eventlet", logger=False, engineio_logger=False)
clients: set[str] = set()
seq = 0


def server_time() -> int:
    return int(time.time() * 1000)


@socketio.on("connect")
def on_connect(auth=None):  # noqa: ANN001, ANN201 - any auth is accepted
    clients.add(request.sid)  # type: ignore[attr-defined]
    emit("snapshot", {"seq": seq, "role": "participant", "server_time": server_time()})


@socketio.on("disconnect")
def on_disconnect(*_args):  # noqa: ANN002, ANN201
    clients.discard(request.sid)  # type: ignore[attr-defined]


@app.get("/healthz")
def healthz():  # noqa: ANN201
    return jsonify(ok=True)


@app.get("/stats")
def stats():  # noqa: ANN201
    return jsonify(clients=len(clients))


@app.post("/broadcast")
def broadcast():  # noqa: ANN201
    global seq
    body = request.get_json(silent=True) or {}
    seq += 1
    payload = {
        "seq": seq,
        "server_time": server_time(),
        "round": body.get("round", 1),
        "table": {
            "number": 7,
            "colour": "green",
            "topic": "Zukunft der Arbeit",
            "question": "Wie nehmen wir die Menschen mit?",
        },
    }
    socketio.emit("assignment_changed", payload)  # one emit, every client of the namespace
    return jsonify(ok=True, clients=len(clients))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, help="port to serve on (without it: print a note and exit)")
    parser.add_argument("--max-connections", type=int, default=10000)
    args = parser.parse_args()
    if args.port is None:
        print("baseline_server.py is the baseline server that benchmarks/live_load.py starts; give --port to serve.")
        return
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    print(f"baseline listening on http://{args.host}:{args.port}/", flush=True)
    socketio.run(app, host=args.host, port=args.port, max_size=args.max_connections, log_output=False)


if __name__ == "__main__":
    main()
