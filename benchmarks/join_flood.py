"""A join flood from one machine (issue 12): does the room carry on while someone hammers the join API?

Run: ``.venv/bin/python benchmarks/join_flood.py`` (1,000 joins in 10 s; about a minute) or ``--quick`` (300 in 8 s,
the audit's flood); ``--requests``/``--seconds`` change the flood, ``--only default|unlimited`` runs one side.

For each side it starts one ``worldcafe run`` (fresh SQLite): ``default`` with the shipped budgets, ``unlimited`` with
the join budgets raised out of reach (what the server did before it had them). Over the JSON API it creates an
event of 12 people at 3 tables, starts round 1, and connects 3 table hosts (one link each) that add a note every
250 ms for the whole run. After 2 quiet seconds, ``--requests`` joins from 127.0.0.1 are sent on an even schedule
over ``--seconds`` (50 client threads, a new connection each). The JSON has, per side: the answers by status, the
people admitted (and in the event afterwards), the hosts' note ack p50/p95/p99/max during the flood and after it
until the admitted joins are digested (5 s), failed acks, ``/healthz`` after, and the server's CPU seconds;
``targets_met`` is the issue's target for the default side: note ack p99 ≤ 100 ms throughout, the server alive.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from _harness import http, log, machine, start_worldcafe, summarize, token_of

UNLIMITED = {"WORLDCAFE_JOIN_LIMIT_PER_ADDRESS": "1000000/second", "WORLDCAFE_JOIN_LIMIT_PER_EVENT": "1000000/second"}
SPEC = {
    "name": "Flood",
    "language": "en",
    "topics": [{"title": "One"}, {"title": "Two"}],
    "tables": [{"number": n, "topic": (n - 1) % 2 + 1, "capacity": 5} for n in (1, 2, 3)],
    "participants": [{"name": f"Guest {i}"} for i in range(12)],
}


def flood_once(side: str, workdir: Path, requests: int, seconds: float) -> dict[str, Any]:
    import socketio

    server = start_worldcafe(workdir, extra_env=UNLIMITED if side == "unlimited" else None)
    hosts: list[Any] = []
    stop = threading.Event()
    acks: list[tuple[float, float, bool]] = []  # (sent at, round trip, ok)
    try:
        status, created = http("POST", f"{server.base}/api/v1/events", SPEC)
        if status != 201:
            raise RuntimeError(f"creating the event failed: {status} {str(created)[:300]}")
        code, moderator = created["event"]["id"], token_of(created["links"]["moderator"])
        http("POST", f"{server.base}/api/v1/events/{code}/control", {"action": "start_round"}, token=moderator)
        for link in created["links"]["hosts"].values():
            host = socketio.Client(reconnection=False)
            host.connect(server.base, auth={"token": token_of(link)}, transports=["websocket"], wait_timeout=10)
            hosts.append(host)

        def write(host: Any) -> None:
            while not stop.is_set():
                sent = time.time()
                try:
                    ack = host.call("add_note", {"id": str(uuid.uuid4()), "text": "still here"}, timeout=30)
                    acks.append((sent, time.time() - sent, bool(ack.get("ok"))))
                except Exception:  # noqa: BLE001 - a timeout counts as a failed ack
                    acks.append((sent, time.time() - sent, False))
                time.sleep(0.25)

        writers = [threading.Thread(target=write, args=(h,), daemon=True) for h in hosts]
        for writer in writers:
            writer.start()
        time.sleep(2)
        cpu0, begin = server.cpu_seconds(), time.time()

        def join(i: int) -> int:
            time.sleep(max(0.0, begin + i * seconds / requests - time.time()))
            status, _ = http("POST", f"{server.base}/api/v1/join/{code}", {"name": f"Bot {i} {uuid.uuid4().hex[:6]}"})
            return status

        with ThreadPoolExecutor(50) as pool:
            statuses = list(pool.map(join, range(requests)))
        flood_end = time.time()
        time.sleep(5)
        stop.set()
        for writer in writers:
            writer.join(35)
        healthz, _ = http("GET", f"{server.base}/healthz", timeout=10)
        status, listed = http("GET", f"{server.base}/api/v1/events/{code}/participants", token=moderator)
        during = [took for sent, took, _ in acks if begin <= sent <= flood_end]
        after = [took for sent, took, _ in acks if sent > flood_end]
        return {
            "side": side,
            "answers": {str(s): statuses.count(s) for s in sorted(set(statuses))},
            "admitted": statuses.count(201),
            "people_in_event": len(listed["participants"]) if status == 200 else None,
            "flood_s": round(flood_end - begin, 2),
            "note_acks_during": summarize(during),
            "note_acks_after": summarize(after),
            "note_acks_failed": sum(1 for _, _, ok in acks if not ok),
            "healthz_after": healthz,
            "server_cpu_s": round(server.cpu_seconds() - cpu0, 2),
        }
    finally:
        stop.set()
        for host in hosts:
            host.disconnect()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="joins in the flood (default 1000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="over how long (default 10)")
    parser.add_argument("--quick", action="store_true", help="the audit's flood: 300 joins in 8 s")
    parser.add_argument("--only", choices=("default", "unlimited"), help="run one side only")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.seconds = 300, 8.0
    doc: dict[str, Any] = {"benchmark": "join_flood", "machine": machine(),
                           "flood": {"requests": args.requests, "seconds": args.seconds, "from": "127.0.0.1"}}
    sides = [args.only] if args.only else ["default", "unlimited"]
    with tempfile.TemporaryDirectory(prefix="join-flood-") as tmp:
        for side in sides:
            log(f"{side}: {args.requests} joins in {args.seconds:g} s")
            (Path(tmp) / side).mkdir()
            doc[side] = flood_once(side, Path(tmp) / side, args.requests, args.seconds)
    if "default" in doc:
        during = doc["default"]["note_acks_during"]["p99_ms"]
        doc["targets_met"] = bool(during is not None and during <= 100 and doc["default"]["healthz_after"] == 200
                                  and doc["default"]["note_acks_failed"] == 0)
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
