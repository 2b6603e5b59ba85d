"""The re-plan branch-and-bound against brute force: what it proves about changed seats must be true.

Tiny re-plans (2–3 tables, 6–9 people, 2 free rounds) with many newcomers — people without a published
seat, who cost nothing to move — are searched exhaustively here: every seating of each round with sizes
in the least-squares bands, every table mixed and no avoided pair, then every pair of rounds without a
repeated pair or topic. `Repair.PLACE_FIRST` is 0, so the newcomers stay where the greedy start put them
("loose" seats), the path where the bound once counted conflicts a newcomer could resolve for free.
"""

from __future__ import annotations

import random
from itertools import combinations
from typing import Any
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worldcafe.domain import rotation
from worldcafe.domain.rotation import plan, repair
from worldcafe.domain.rotation.bounds import balance_floor
from worldcafe.domain.rotation.deadline import Deadline
from worldcafe.domain.rotation.model import parse_problem
from worldcafe.domain.rotation.state import MEET, Instance, build_instance, deviation, size_bands

Seating = tuple[int, ...]  # table per person (−1 absent)


def _round_seatings(inst: Instance, r: int) -> list[tuple[Seating, int, int]]:
    """Every valid seating of round r: sizes in the bands, needs kept, tables mixed, no avoided pair.

    Each with its pair mask (bit per pair of people at one table) and its changed published seats.
    """
    people = inst.present[r]
    bands = size_bands(inst, r)
    P = inst.n_people
    found: list[tuple[Seating, int, int]] = []
    seat = [-1] * P
    load = [0] * inst.n_tables

    def place(i: int) -> None:
        if i == len(people):
            if not all(low <= load[t] <= high for t, (low, high) in enumerate(bands) if inst.cap[t] > 0):
                return
            mask = 0
            for t in range(inst.n_tables):
                at = [p for p in people if seat[p] == t]
                counts = [sum(1 for p in at if inst.group[p] == g) for g in range(inst.n_groups)]
                grouped = sum(counts)
                if deviation(counts, grouped, inst.group_counts[r]):
                    return
                for a, b in combinations(at, 2):
                    if b in inst.avoid[a]:
                        return
                    mask |= 1 << (a * P + b)
            assert inst.prev is not None
            changed = sum(1 for p in people if inst.prev[r][p] >= 0 and inst.prev[r][p] != seat[p])
            found.append((tuple(seat), mask, changed))
            return
        p = people[i]
        for t in inst.compat[p]:
            if load[t] < bands[t][1]:
                seat[p], load[t] = t, load[t] + 1
                place(i + 1)
                seat[p], load[t] = -1, load[t] - 1

    place(0)
    return found


def brute_fewest_changes(inst: Instance) -> int | None:
    """Fewest changed published seats of a floor plan over two free rounds (None: no floor plan)."""
    assert inst.n_played == 0 and inst.n_rounds == 2
    first, second = _round_seatings(inst, 0), _round_seatings(inst, 1)
    P = inst.n_people
    wanted = [1 << (a * P + b) for a, b in inst.meet_pairs]
    best: int | None = None
    for s1, m1, c1 in first:
        for s2, m2, c2 in second:
            if m1 & m2 or best is not None and c1 + c2 >= best:
                continue
            if any(
                s1[p] >= 0 and s2[p] >= 0 and inst.topic[s1[p]] >= 0 and inst.topic[s1[p]] == inst.topic[s2[p]]
                for p in range(P)
            ):
                continue
            both = m1 | m2
            if sum(1 for bit in wanted if not both & bit) > inst.meet_floor:
                continue
            best = c1 + c2
    return best


def replan_spec(rng: random.Random, n_tables: int, n_people: int, stayers: int, topics: bool, meets: int) -> dict:
    """Two rounds, the first `stayers` people published at random seats, everyone else a newcomer."""
    cap = -(-n_people // n_tables) + rng.randrange(2)
    tables = [{"id": f"T{i}", "topic": f"topic {i}" if topics else None, "capacity": cap} for i in range(n_tables)]
    people: list[dict[str, Any]] = [
        {"id": f"P{i}", "group": rng.choice(["a", "b", None]) if rng.random() < 0.5 else None} for i in range(n_people)
    ]
    for _ in range(meets):
        a, b = rng.sample(range(n_people), 2)
        people[a].setdefault("meet", []).append(f"P{b}")
    previous = []
    for _ in range(2):
        load = dict.fromkeys(range(n_tables), 0)
        seats = {}
        for i in range(stayers):
            t = rng.choice([t for t in range(n_tables) if load[t] < cap])
            load[t] += 1
            seats[f"P{i}"] = f"T{t}"
        previous.append(seats)
    return {"rounds": 2, "tables": tables, "participants": people, "previous_plan": previous, "seed": rng.randrange(9)}


def repair_claims(spec: dict, work: int = 100_000) -> tuple[Instance, repair.Repair]:
    """Run the branch-and-bound's exhaustive passes (no dives) from the published plan, newcomers loose."""
    problem = parse_problem(spec)
    inst = build_instance(problem)
    deadline = Deadline.after(60.0)
    rng = random.Random(problem.seed)
    empty = [[-1] * inst.n_people for _ in inst.free_rounds]
    with patch.object(repair, "PLACE_FIRST", 0):
        state = rotation._published_start(inst, empty, rng, deadline)
        search = repair.Repair(state, balance_floor(inst))
        assert not search.unseated  # every newcomer seat is loose: the path under test
        search.solve(work, deadline, dives=False)
    return inst, search


def check_against_brute_force(spec: dict) -> None:
    """Whatever the search claims (a plan, its optimality, a count ruled out, no plan at all) is true."""
    inst, search = repair_claims(spec)
    fewest = brute_fewest_changes(inst)
    if fewest is None:
        assert not search.found
    else:
        # Every pass that ended proved "no floor plan with fewer than `proven` changes": never above the truth.
        assert search.proven <= fewest
        assert not search.impossible
        if search.found:
            levels = search.state.levels
            assert levels[0] == levels[1] == levels[2] == levels[3] == 0
            assert levels[4] == balance_floor(inst) and levels[MEET] == inst.meet_floor
            assert search.optimal and levels[5] == fewest
        else:
            assert search.stopped  # only a pass cut short by the work budget may miss the plan


def test_a_pair_published_twice_needs_one_change() -> None:
    """A hand-made case: 6 people at 3 tables, 4 of them newcomers; the published pair must part once."""
    spec = {
        "rounds": 2,
        "tables": [{"id": f"T{i}", "topic": None, "capacity": 2} for i in range(3)],
        "participants": [{"id": f"P{i}"} for i in range(6)],
        # P0 and P1 meet in both published rounds: a conflict, which the newcomers resolve by moving.
        "previous_plan": [{"P0": "T0", "P1": "T0"}, {"P0": "T1", "P1": "T1"}],
    }
    inst, search = repair_claims(spec)
    assert brute_fewest_changes(inst) == 1  # the pair must part once: one published seat changes
    check_against_brute_force(spec)


def test_branch_and_bound_agrees_with_brute_force_on_many_newcomers() -> None:
    """Seeded tiny re-plans with more loose newcomer seats than published ones."""
    rng = random.Random(14)
    cases = 0
    for n_tables, n_people in ((2, 6), (2, 8), (3, 6), (3, 7), (3, 8), (3, 9)):
        for _ in range(6):
            stayers = rng.randrange(1, n_people // 2 + 1)
            spec = replan_spec(rng, n_tables, n_people, stayers, topics=rng.random() < 0.5, meets=rng.randrange(3))
            check_against_brute_force(spec)
            cases += 1
    assert cases == 36


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 10**6),
    st.sampled_from([(2, 6), (3, 6), (2, 7), (3, 7), (3, 8)]),
    st.booleans(),
    st.integers(0, 3),
)
def test_branch_and_bound_proofs_hold_on_random_replans(
    seed: int, shape: tuple[int, int], topics: bool, meets: int
) -> None:
    rng = random.Random(seed)
    n_tables, n_people = shape
    spec = replan_spec(rng, n_tables, n_people, rng.randrange(1, n_people), topics, meets)
    check_against_brute_force(spec)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.sampled_from([(2, 6), (3, 7), (3, 9), (4, 12)]), st.booleans())
def test_lower_bound_changed_never_exceeds_changed(seed: int, shape: tuple[int, int], topics: bool) -> None:
    """The whole engine, newcomer seats loose: the reported lower bound stays below the changed seats."""
    rng = random.Random(seed)
    n_tables, n_people = shape
    spec = replan_spec(rng, n_tables, n_people, rng.randrange(1, n_people), topics, rng.randrange(3))
    spec["rounds"] = 2
    spec["time_limit_s"] = 10.0
    with patch.object(repair, "PLACE_FIRST", 0), patch.object(rotation, "WORK_PER_SECOND", 3_000):
        metrics = plan(spec)["metrics"]
    assert 0 <= metrics["lower_bound_changed"] <= metrics["changed"]
