"""Admission benchmark (issue 11): loop time of one batch of walk-ins, as the queue at the front grows.

Run: .venv/bin/python benchmarks/admission.py [--people 1000] [--batches 8] [--batch 25]
One process, no server: an event of ``--people`` participants at tables of 10 (full) and one with tables of 11
(``--people``/10 free seats), planned, round 1 running, in a fresh SQLite instance folder. Then ``--batches`` bursts
of ``--batch`` walk-ins each go through ``participants.admit`` — what one admission task runs on the serving loop
for a burst, in one write transaction that cannot pause. Prints JSON: the milliseconds of each batch in each event.
In the full event every walk-in waits at the front, so each batch seats (or keeps waiting) everyone queued before
it; where the event has room the first batches are seated at once. Names are "Walk-in N", which look alike to the
name check as real names rarely do (every batch compares them with the 1,000 names already there).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--batches", type=int, default=8)
    parser.add_argument("--batch", type=int, default=25)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="worldcafe-admission-")
    os.environ["WORLDCAFE_INSTANCE_PATH"] = folder
    os.environ["WORLDCAFE_MAX_PEOPLE_PER_REQUEST"] = str(max(10_000, args.people))

    from flask_migrate import upgrade

    from worldcafe import create_app
    from worldcafe.extensions import db
    from worldcafe.models import Event
    from worldcafe.services import control, events, planning
    from worldcafe.services import participants as people

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db"})
    with app.app_context():
        upgrade()

    def running_event(capacity: int) -> int:
        tables = -(-args.people // 10)
        spec = {
            "name": f"Admission {capacity}",
            "language": "en",
            "groups": ["A", "B"],
            "rounds": [{"minutes": 60}] * 3,
            "topics": [{"title": f"Topic {k}", "question": "What matters?"} for k in range(1, 11)],
            "tables": [
                {"number": t, "topic": (t - 1) % 10 + 1, "capacity": capacity, "host": f"Host {t}"}
                for t in range(1, tables + 1)
            ],
            "participants": [{"name": f"P{i}", "group": "AB"[i % 2]} for i in range(1, args.people + 1)],
        }
        event = events.create_event(spec)
        db.session.commit()
        event_id = event.id
        planning.plan_event(event)
        control.control(db.session.get(Event, event_id), {"action": "start_round"})
        db.session.commit()
        return event_id

    def batch(event_id: int, first: int) -> float:
        event = db.session.get(Event, event_id)
        joiners = [people.check_join(event, {"name": f"Walk-in {first + i}", "group": "A"}) for i in range(args.batch)]
        db.session.rollback()
        event = db.session.get(Event, event_id)
        began = time.perf_counter()
        people.admit(event, joiners)
        seconds = time.perf_counter() - began
        db.session.remove()
        return seconds

    result: dict[str, object] = {
        "benchmark": "admission: one batch of walk-ins as the queue at the front grows",
        "python": platform.python_version(),
        "people": args.people,
        "batch": args.batch,
    }
    with app.test_request_context():
        for name, capacity in (("full", 10), ("room", 11)):
            event_id = running_event(capacity)
            times = [batch(event_id, 1 + k * args.batch) for k in range(args.batches)]
            result[name] = {
                "tables_of": capacity,
                "batch_ms": [round(t * 1000, 1) for t in times],
                "max_ms": round(max(times) * 1000, 1),
            }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
