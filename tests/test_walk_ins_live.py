"""Issue 11's walk-in scenario against a real server process: the room never freezes, walk-ins to a full room wait,
and adding seats seats them — their phones are told by push.

5 tables × 7 seats, 30 people, round 1 running, one person left, then 8 walk-ins. Joins used to re-plan inside
the request; the 6th never returned and every phone, tablet and projector froze for 10+ minutes.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests.live_server import LiveServer, wait_for
from tests.test_planning import WALK_IN_SPEC as SPEC

pytestmark = pytest.mark.slow

def test_walk_ins_to_a_full_room_wait_and_are_seated_when_seats_are_added(tmp_path: Path):
    server = LiveServer(tmp_path)
    clients: list[socketio.Client] = []
    stop = threading.Event()
    health: list[float] = []

    def probe() -> None:
        # The room's heartbeat: a host's note acks and /healthz must keep answering the whole time.
        while not stop.is_set():
            start = time.monotonic()
            status, _ = server.call("GET", "/healthz", timeout=30)
            health.append(time.monotonic() - start if status == 200 else 99.0)
            time.sleep(0.05)

    try:
        status, created = server.call("POST", "/api/v1/events", body=SPEC)
        assert status == 201, created
        code = created["event"]["id"]
        moderator = created["links"]["moderator"].rsplit("/", 1)[1]
        host_token = created["links"]["hosts"]["1"].rsplit("/", 1)[1]
        server.api("POST", f"/api/v1/events/{code}/plan", moderator)
        server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "start_round"})
        gone = created["links"]["participants"][0]["id"]
        server.api("POST", f"/api/v1/events/{code}/participants/{gone}/status", moderator, {"status": "left"})

        host = socketio.Client(reconnection=False)
        clients.append(host)
        host.connect(server.url, auth={"token": host_token}, transports=["websocket"], wait_timeout=10)
        watcher = threading.Thread(target=probe, daemon=True)
        watcher.start()

        joiners: list[dict[str, Any]] = []
        for i in range(8):
            start = time.monotonic()
            status, joined = server.call(
                "POST", f"/api/v1/join/{code}", body={"name": f"Walk-in {i}", "group": ["OWL", "Kanada"][i % 2]}
            )
            took = time.monotonic() - start
            assert status == 201, joined
            assert took < 2.0, f"join {i + 1} took {took:.2f} s"  # answered at once; the plan follows
            pushes: list[tuple[str, Any]] = []
            phone = socketio.Client(reconnection=False)
            clients.append(phone)
            phone.on("*", lambda name, data=None, pushes=pushes: pushes.append((name, data)))
            phone.connect(server.url, auth={"token": joined["token"]}, transports=["websocket"], wait_timeout=10)
            joiners.append({"token": joined["token"], "pushes": pushes})
            ack = host.call("add_note", {"id": str(uuid.uuid4()), "text": f"While walk-in {i} joins"}, timeout=10)
            assert ack["ok"], ack

        def me(person: dict[str, Any]) -> Any:
            return server.api("GET", "/api/v1/me", person["token"])

        # Five seats were free in round 1; the 6th to 8th wait at the front, and are told so.
        assert [me(p)["current"] is not None for p in joiners] == [True] * 5 + [False] * 3
        waiting = wait_for(
            lambda: (v := server.api("GET", f"/api/v1/events/{code}", moderator))["waiting"]["count"] == 3 and v,
            10,
            "three people waiting",
        )
        assert len(waiting["waiting"]["people"]) == 3
        assert all(me(p)["waiting"] is not None for p in joiners[5:])
        # Rounds 2 and 3 have 35 seats for 29 + 8 people: the background re-plan seats the first six there.
        wait_for(lambda: me(joiners[5])["waiting"] == {"from_round": 2}, 15, "the 6th seated from round 2")

        more = server.api("POST", f"/api/v1/events/{code}/capacity", moderator, {"seats_per_table": 1})
        assert more["waiting"]["count"] == 0
        for person in joiners[5:]:
            wait_for(
                lambda person=person: any(
                    name == "assignment_changed" and data["round"] == 1 for name, data in person["pushes"]
                ),
                10,
                "the waiting phone's push with its round-1 table",
            )
        # Every round to come seats everyone within the new capacity, once the background re-plan is in.
        def planned() -> bool:
            plan = server.api("GET", f"/api/v1/events/{code}/plan", moderator)
            people = {p["id"]: p["tables"] for p in plan["people"]}
            full = all(len(t["people"]) <= 8 for r in plan["rounds"] for t in r["tables"])
            return full and all(None not in people[p["id"]] for p in plan["people"] if p["status"] == "active")

        wait_for(planned, 20, "everyone seated in every round")
        stop.set()
        watcher.join(5)
        assert health and max(health) < 2.0, f"/healthz stalled: {max(health):.2f} s"
    finally:
        stop.set()
        for client in clients:
            client.disconnect()
        server.stop()


def test_a_burst_of_joins_is_admitted_together_and_each_answered(tmp_path: Path):
    """30 phones join at once: every one gets its own link, a look-alike within the burst is caught, and the
    German page gets its refusal in German."""
    from concurrent.futures import ThreadPoolExecutor

    server = LiveServer(tmp_path)
    try:
        spec = {**SPEC, "groups": [], "participants": [{"name": f"Guest {i}"} for i in range(20)]}
        status, created = server.call("POST", "/api/v1/events", body=spec)
        assert status == 201, created
        code = created["event"]["id"]
        moderator = created["links"]["moderator"].rsplit("/", 1)[1]
        server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "start_round"})
        names = [f"Burst {chr(65 + i)}{chr(65 + i)}{i}" for i in range(28)] + ["Anna Müller", "anna mueller"]
        with ThreadPoolExecutor(30) as pool:
            answers = list(pool.map(lambda n: server.call("POST", f"/api/v1/join/{code}", body={"name": n}), names))
        statuses = [status for status, _ in answers]
        assert statuses[:28] == [201] * 28, answers[:28]
        assert sorted(statuses[28:]) == [201, 409], answers[28:]
        refused = next(body for status, body in answers if status == 409)
        assert refused["error"]["code"] == "possible_duplicate"
        assert len({body["token"] for status, body in answers if status == 201}) == 29
        people = server.api("GET", f"/api/v1/events/{code}/participants", moderator)["participants"]
        assert len(people) == 20 + 29
        status, again = server.call("POST", f"/api/v1/join/{code}?lang=de", body={"name": "Anna Mueller"})
        assert status == 409 and again["error"]["message"].startswith("Jemand namens"), again
        # Everyone admitted in the burst has a seat or waits, and the phones' own view says which.
        for status, body in answers:
            if status == 201:
                me = server.api("GET", "/api/v1/me", body["token"])
                assert (me["current"] is not None) != (me["waiting"] is not None), me
    finally:
        server.stop()
