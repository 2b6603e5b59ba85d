"""The social-golfer search (pairs.py) and the first-plan search: counters exact, optimum reached where it exists."""

from __future__ import annotations

import random
import time
from itertools import combinations
from typing import Any

import pytest

from worldcafe.domain.rotation import plan
from worldcafe.domain.rotation.bounds import balance_floor
from worldcafe.domain.rotation.deadline import Deadline
from worldcafe.domain.rotation.model import parse_problem
from worldcafe.domain.rotation.pairs import PairTabu, greedy_pairs, is_plain
from worldcafe.domain.rotation.search import TabuSearch
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


# -- first plans: every level targeted -----------------------------------------------------------------------
# People (x, y) with x in Z5, y in 1..4 at 5 single-topic tables for 4 rounds: in round r, (x, y) sits at table
# x + r·y (mod 5). Two people with y ≠ y' meet only in the round r = (x' − x)/(y − y'), so never twice; each
# person's tables x, x + y, x + 2y, x + 3y are distinct, so nobody revisits a topic; every table holds one
# person of each y. Any split of the people into two groups is a relabelling of the same routes.
PEOPLE = [(x, y) for x in range(5) for y in range(1, 5)]


def z5_search(groups: dict[tuple[int, int], str], capacity: int, seed: int) -> tuple[TabuSearch, list[int]]:
    """The Z5 plan as a first-plan tabu search (floor of every level set, as `plan` does) and that floor."""
    spec = {
        "rounds": 4,
        "tables": [{"id": f"T{t}", "topic": f"Topic {t}", "capacity": capacity} for t in range(5)],
        "participants": [{"id": f"P{x}{y}", "group": groups.get((x, y))} for x, y in PEOPLE],
        "seed": seed,
    }
    inst = build_instance(parse_problem(spec))
    state = State(inst)
    for r in range(4):
        for i, (x, y) in enumerate(PEOPLE):
            state.add(r, i, (x + r * y) % 5)
    floor = [0, 0, 0, 0, balance_floor(inst), 0, inst.meet_floor]
    target = sum(w * v for w, v in zip(inst.weights, floor, strict=True))
    # The work budget ends the search (deterministic); the deadline only guards against a hang.
    search = TabuSearch(state, random.Random(seed), Deadline.after(60), target, 200_000)
    search.floor, search.balance_floor = floor, floor[4]
    return search, floor


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_mixing_is_fixed_on_a_tight_zero_repeat_plan(seed: int) -> None:
    """Groups by x (x in {0, 1} plus two more: 10 A / 10 B) leave round 0's tables all-A or all-B: 32 off the mix.
    Grouping by y (y in {1, 2}) puts 2 A and 2 B at every table in every round, so a zero-repeat, fully mixed plan
    of these routes exists; single swaps cannot reach it without repeats, route exchanges can."""
    a_people = {(x, y) for x, y in PEOPLE if x in (0, 1)} | {(2, 1), (2, 2)}
    search, floor = z5_search({p: "A" if p in a_people else "B" for p in PEOPLE}, 4, seed)
    assert search.state.levels[:4] == [0, 0, 0, 32]
    search.run()
    assert search.best_levels[:5] == floor[:5]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_first_plan_search_reaches_the_evenest_sizes(seed: int) -> None:
    """Two people moved in round 0 to the one table their route misses (x + 4y): no topic repeat, but sizes
    3-5-4-… and a few repeats. The search ends with every round 4-4-4-4-4 and still no repeat, no topic repeat
    and every table mixed."""
    search, floor = z5_search({p: "A" if p[1] <= 2 else "B" for p in PEOPLE}, 6, seed)
    state = search.state
    for x, y in ((0, 1), (1, 2)):
        state.move(0, PEOPLE.index((x, y)), (x + 4 * y) % 5)
    assert state.levels[0] == 0
    search.best_cost = state.cost()
    search.best_seats = [row[:] for row in state.seat]
    search.best_levels = state.levels[:]
    assert state.levels[4] > floor[4]
    search.run()
    assert search.best_levels[:5] == floor[:5]


@pytest.mark.parametrize(("groups", "size", "weeks"), [(20, 10, 10), (40, 5, 6), (13, 4, 12)])
def test_plain_events_keep_the_time_limit(groups: int, size: int, weeks: int) -> None:
    """The largest plain events the pair search takes (and one just beyond) return within the limit plus a little."""
    spec = golfers(groups, size, weeks, limit=0.3)
    start = time.monotonic()
    metrics = plan(spec)["metrics"]
    assert time.monotonic() - start < 0.3 + 1.0
    assert metrics["size_spread"] == 0
