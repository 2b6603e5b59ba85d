"""Known optima: the reference event, Kirkman's schoolgirls, the topic-forced bound, brute-forced tiny cases."""

from __future__ import annotations

import random
from collections import Counter
from itertools import combinations, product
from typing import Any

import pytest

from worldcafe.domain.rotation import plan


def reference_event() -> dict[str, Any]:
    """Canada meets OWL: 15 Kanada + 25 OWL, 3 topics × 3 tables of 5, 3 rounds."""
    topics = ["KI in der Produktentwicklung", "Zukunft der Arbeit", "Digital in NRW"]
    tables = [{"id": f"T{i + 1}", "topic": topics[i // 3], "capacity": 5} for i in range(9)]
    people = [{"id": f"P{i}", "group": "Kanada" if i < 15 else "OWL"} for i in range(40)]
    return {"rounds": 3, "tables": tables, "participants": people, "seed": 7, "time_limit_s": 1.0}


def test_reference_event_is_perfect() -> None:
    """No repeats, no topic repeats, every table mixed in every round, sizes within one."""
    result = plan(reference_event())
    m = result["metrics"]
    assert (m["repeat_pairs"], m["topic_repeats"], m["group_mixing"], m["capacity_overflow"]) == (0, 0, 0, 0)
    assert m["size_spread"] <= 1
    for seating in result["rounds"]:
        by_table: dict[str, set[str]] = {}
        for pid, tid in seating.items():
            by_table.setdefault(tid, set()).add("Kanada" if int(pid[1:]) < 15 else "OWL")
        assert all(groups == {"Kanada", "OWL"} for groups in by_table.values())


def test_kirkman_schoolgirls() -> None:
    """15 people, 5 tables of 3, 7 rounds: every pair meets exactly once."""
    spec = {
        "rounds": 7,
        "tables": [{"id": f"T{i}", "capacity": 3} for i in range(5)],
        "participants": [{"id": f"G{i}"} for i in range(15)],
    }
    result = plan(spec)
    meetings: Counter[frozenset[str]] = Counter()
    for seating in result["rounds"]:
        at: dict[str, list[str]] = {}
        for pid, tid in seating.items():
            at.setdefault(tid, []).append(pid)
        assert sorted(len(v) for v in at.values()) == [3] * 5
        for members in at.values():
            meetings.update(frozenset(pair) for pair in combinations(members, 2))
    assert len(meetings) == 105 and set(meetings.values()) == {1}
    assert result["metrics"]["repeat_pairs"] == 0


@pytest.mark.parametrize(("people", "tables", "rounds"), [(9, 3, 4), (16, 4, 5), (25, 5, 6)])
def test_affine_planes_are_perfect(people: int, tables: int, rounds: int) -> None:
    """q² people at q tables for q+1 rounds (the affine plane) meet every other person exactly once."""
    spec = {
        "rounds": rounds,
        "tables": [{"id": f"T{i}", "capacity": tables} for i in range(tables)],
        "participants": [{"id": f"P{i}"} for i in range(people)],
    }
    m = plan(spec)["metrics"]
    assert (m["repeat_pairs"], m["size_spread"]) == (0, 0)


def test_topic_forced_repeats_reach_the_bound() -> None:
    """24 movers, 4 single-topic tables of 6, 2 rounds: nobody may stay, so 12 repeats, bound 12."""
    spec = {
        "rounds": 2,
        "tables": [{"id": f"T{i}", "topic": f"Topic {i}", "capacity": 6} for i in range(4)],
        "participants": [{"id": f"P{i}"} for i in range(24)],
        "seed": 1,
    }
    m = plan(spec)["metrics"]
    assert (m["topic_repeats"], m["repeat_pairs"], m["lower_bound_repeat_pairs"]) == (0, 12, 12)


def test_host_style_event_has_no_repeats() -> None:
    """1,000 people, 10 topics × 10 tables of 10, 5 rounds: the construction gives a perfect plan."""
    tables = [{"id": f"T{a}-{b}", "topic": f"Topic {a}", "capacity": 10} for a in range(10) for b in range(10)]
    spec = {"rounds": 5, "tables": tables, "participants": [{"id": f"P{i}"} for i in range(1000)]}
    m = plan(spec)["metrics"]
    assert (m["repeat_pairs"], m["topic_repeats"], m["size_spread"]) == (0, 0, 0)


def _brute_force(spec: dict[str, Any]) -> tuple[int, int]:
    """Lexicographic optimum (topic repeats, repeat pairs) by enumerating every seating."""
    people = [p["id"] for p in spec["participants"]]
    tables = spec["tables"]
    options = [
        seating
        for seating in product(range(len(tables)), repeat=len(people))
        if all(Counter(seating)[t] <= tables[t]["capacity"] for t in range(len(tables)))
    ]
    best = (10**9, 10**9)
    for plan_rounds in product(options, repeat=spec["rounds"]):
        meet: Counter[tuple[int, int]] = Counter()
        topic_repeats = 0
        for i in range(len(people)):
            seen = [tables[seating[i]]["topic"] for seating in plan_rounds]
            topic_repeats += min(len(seen), len({t["topic"] for t in tables})) - len(set(seen))
        for seating in plan_rounds:
            for a, b in combinations(range(len(people)), 2):
                if seating[a] == seating[b]:
                    meet[(a, b)] += 1
        best = min(best, (topic_repeats, sum(k - 1 for k in meet.values() if k > 1)))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_tiny_instances_reach_the_brute_force_optimum(seed: int) -> None:
    """Random tiny tight instances: the plan hits the optimum and the bound never exceeds it."""
    rng = random.Random(seed)
    n_tables = rng.choice([2, 3])
    tables = [
        {"id": f"T{i}", "topic": rng.choice(["A", "B", "C"]), "capacity": rng.randint(2, 3)} for i in range(n_tables)
    ]
    seats = sum(t["capacity"] for t in tables)
    people = [{"id": f"P{i}"} for i in range(rng.randint(3, min(seats, 5)))]
    spec = {"rounds": 2, "tables": tables, "participants": people, "seed": seed, "time_limit_s": 0.5}
    optimum = _brute_force(spec)
    m = plan(spec)["metrics"]
    assert (m["topic_repeats"], m["repeat_pairs"]) == optimum
    assert m["lower_bound_repeat_pairs"] <= optimum[1]


def test_replanning_keeps_stayers_seated() -> None:
    """Late arrivals and leavers after round 1: no repeats, and no stayer moves without need."""
    base = reference_event()
    first = plan(base)
    left = {"P3", "P20"}
    people = [dict(p, left=p["id"] in left) for p in base["participants"]]
    people += [{"id": "N1", "group": "Kanada"}, {"id": "N2", "group": "OWL"}]
    spec = dict(base, participants=people, played=first["rounds"][:1], previous_plan=first["rounds"])
    result = plan(spec)
    m = result["metrics"]
    assert result["rounds"][0] == first["rounds"][0]
    assert (m["repeat_pairs"], m["topic_repeats"], m["changed"]) == (0, 0, 0)
    for r in (1, 2):
        assert not left & set(result["rounds"][r])
        assert {"N1", "N2"} <= set(result["rounds"][r])


def test_needs_can_force_an_unmixed_table() -> None:
    """When needs put every Kanada person at the English table, the mixing metric says so."""
    spec = {
        "rounds": 1,
        "tables": [{"id": "EN", "capacity": 3, "tags": ["en"]}, {"id": "DE", "capacity": 3}],
        "participants": [{"id": f"K{i}", "group": "Kanada", "needs": ["en"]} for i in range(3)]
        + [{"id": f"O{i}", "group": "OWL"} for i in range(3)],
    }
    m = plan(spec)["metrics"]
    assert (m["group_mixing"], m["needs_unmet"], m["size_spread"]) == (2, 0, 0)


@pytest.mark.parametrize(
    ("tables", "topics", "capacity", "rounds"),
    [(8, 8, 7, 4), (9, 9, 8, 5), (16, 16, 15, 6), (25, 25, 24, 5), (27, 27, 26, 5), (12, 4, 9, 3), (20, 4, 15, 4)],
)
def test_field_constructions_with_a_topic_per_coordinate(tables: int, topics: int, capacity: int, rounds: int) -> None:
    """Full tables, each topic a coordinate of GF(m) × GF(k): every round a new topic, nobody meets twice.

    m topics of k tables each, m and k prime powers; movers with a non-zero topic speed number (m − 1)·k per table
    (tables of its own topic: q − 1 per table, 8·7 = 56 people at 8 tables, …, 27·26 = 702 at 27), and two of them
    meet at most once as long as the rounds are at most min(m, k) (or m when k = 1). 0/0 is the optimum.
    """
    spec = {
        "rounds": rounds,
        "tables": [{"id": f"T{i}", "topic": f"Topic {i % topics}", "capacity": capacity} for i in range(tables)],
        "participants": [{"id": f"P{i}"} for i in range(tables * capacity)],
        "seed": 3,
        "time_limit_s": 2.0,
    }
    m = plan(spec)["metrics"]
    assert (m["repeat_pairs"], m["topic_repeats"], m["size_spread"], m["capacity_overflow"]) == (0, 0, 0, 0), m
