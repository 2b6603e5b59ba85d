"""Time limits hold: `plan` returns within `time_limit_s` plus a little on every input, with a valid plan."""

from __future__ import annotations

import json
import time
from pathlib import Path

from worldcafe.domain.rotation import plan
from worldcafe.domain.rotation.model import parse_problem
from worldcafe.domain.rotation.state import build_instance, size_bands

# The walk-in scenario of issue 11, exactly as the app sent it: 5 tables × 7 seats, 30 people imported
# (12 Kanada, 18 OWL), round 1 played with one person since marked "left" still in it, and the 6th
# walk-in seated at once in the full running round (36 people at 35 seats). It never returned before.
WALK_IN = Path(__file__).parent / "data" / "walk_in_sixth_join.json"


def test_the_sixth_walk_in_returns_within_its_time_limit() -> None:
    """Issue 11: the re-plan for the 6th walk-in searched for ever; now it returns in time."""
    spec = json.loads(WALK_IN.read_text())
    start = time.monotonic()
    result = plan(spec)
    assert time.monotonic() - start < 5.0
    assert all("36" in rounds for rounds in result["rounds"])


def test_size_bands_of_an_over_full_played_round_end_at_capacity() -> None:
    """A played round with more people than seats (a walk-in seated at once) has bands up to capacity, no hang."""
    spec = {
        "rounds": 2,
        "tables": [{"id": "A", "capacity": 2}, {"id": "B", "capacity": 3}],
        "participants": [{"id": f"P{i}", "left": i == 0} for i in range(6)],
        "played": [{"P0": "A", "P1": "A", "P2": "A", "P3": "B", "P4": "B", "P5": "B"}],
    }
    inst = build_instance(parse_problem(spec))
    assert size_bands(inst, 0) == size_bands(inst, 1) == [(2, 2), (2, 3)]
