"""The social-golfer search (pairs.py) and the first-plan search: counters exact, optimum reached where it exists."""

from __future__ import annotations

import random
from itertools import combinations
from typing import Any

import pytest

from worldcafe.domain.rotation import plan
from worldcafe.domain.rotation.deadline import Deadline
from worldcafe.domain.rotation.model import parse_problem
from worldcafe.domain.rotation.pairs import PairTabu, greedy_pairs, is_plain
from worldcafe.domain.rotation.state import State, build_instance


def golfers(groups: int, size: int, weeks: int, limit: float = 2.0, seed: int = 1) -> dict[str, Any]:
    """Social Golfer instance g-s-w: plain tables (no topics), g·s people."""
    return {
        "rounds": weeks,
        "tables": [{"id": f"T{t}", "capacity": size} for t in range(groups)],
        "participants": [{"id": f"P{p}"} for p in range(groups * size)],
        "seed": seed,
        "time_limit_s": limit,
    }


def recount(seats: list[list[int]], present: list[list[int]], base: bytearray, n: int) -> int:
    """Repeated pairs (Σ (meetings − 1)⁺) of these free-round seats on top of the played meetings."""
    meet = bytearray(base)
    for row, people in zip(seats, present, strict=True):
        for a, b in combinations(people, 2):
            if row[a] == row[b]:
                meet[a * n + b] += 1
    return sum(k - 1 for i, k in enumerate(meet) if k > 1 and i // n < i % n)


@pytest.mark.parametrize(("groups", "size", "weeks"), [(5, 3, 8), (7, 4, 6), (4, 4, 5)])
def test_pair_counters_agree_with_a_recount(groups: int, size: int, weeks: int) -> None:
    """After every stretch of search the incremental counters equal a fresh count, with a played round and absences."""
    spec = golfers(groups, size, weeks)
    first = plan(dict(spec, rounds=1, time_limit_s=0.2))
    spec["participants"][3]["absent_rounds"] = [3]
    spec["played"] = first["rounds"]
    inst = build_instance(parse_problem(spec))
    assert is_plain(inst)
    rng = random.Random(5)
    played = State(inst).meet
    seats = greedy_pairs(inst, played, rng, Deadline.after(5))
    search = PairTabu(inst, played, seats, rng)
    free = list(inst.free_rounds)
    for _ in range(40):
        search.run(0, search.work + 2_000, Deadline.after(5))
        counters = ([c[:] for c in search.cnt], [o[:] for o in search.out], search.repeats)
        current = [row[:] for row in search.seat]
        assert search.repeats == recount(current, [inst.present[r] for r in free], played, inst.n_people)
        search._load(current)
        assert counters == ([c[:] for c in search.cnt], [o[:] for o in search.out], search.repeats)
    assert search.best == recount(search.best_seats, [inst.present[r] for r in free], played, inst.n_people)


def test_greedy_start_is_even_and_valid() -> None:
    """The Triska–Musliu start seats everyone present once per round, at the evenest sizes (23 over 5 tables)."""
    spec = golfers(5, 5, 4)
    spec["participants"] = spec["participants"][:23]
    inst = build_instance(parse_problem(spec))
    seats = greedy_pairs(inst, State(inst).meet, random.Random(1), Deadline.after(5))
    for row in seats:
        sizes = sorted(row.count(t) for t in range(5))
        assert sizes == [4, 4, 5, 5, 5]


def test_social_golfer_6_4_5_reaches_zero_by_search() -> None:
    """24 golfers in 6 groups of 4 for 5 weeks: a schedule without repeats exists; no construction gives it here,
    the pair search finds it, and the bound 0 proves it optimal."""
    metrics = plan(golfers(6, 4, 5))["metrics"]
    assert metrics["repeat_pairs"] == 0 == metrics["lower_bound_repeat_pairs"]
    assert metrics["size_spread"] == 0


def test_kirkman_bound_met_on_5_3_8() -> None:
    """15 golfers, 8 weeks of 5 triples: 7 weeks meet every pair once, the 8th forces 5·3 = 15 repeats."""
    metrics = plan(golfers(5, 3, 8))["metrics"]
    assert metrics["repeat_pairs"] == metrics["lower_bound_repeat_pairs"] == 15


def test_plain_search_stops_at_the_bound() -> None:
    """Proven optimal (repeats at the bound) ends the search early instead of spending the time limit."""
    metrics = plan(golfers(6, 4, 5, limit=5.0))["metrics"]
    assert metrics["repeat_pairs"] == 0
    assert metrics["elapsed_s"] < 2.5
