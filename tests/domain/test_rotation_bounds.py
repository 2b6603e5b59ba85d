"""The reported lower bound of repeated pairs is true (never above a real plan) and tight where it is known, and the
advice names a change that removes the forced repeats."""

from __future__ import annotations

from itertools import combinations
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from worldcafe.domain.rotation import plan
from worldcafe.domain.rotation.advice import repeat_advice
from worldcafe.domain.rotation.bounds import pigeonhole_bound, reported_repeat_bound
from worldcafe.domain.rotation.model import parse_problem
from worldcafe.domain.rotation.state import build_instance


def spec(people: int, caps: list[int], rounds: int, topics: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    tables = [{"id": f"T{i}", "topic": topics[i] if topics else None, "capacity": c} for i, c in enumerate(caps)]
    return {"rounds": rounds, "tables": tables, "participants": [{"id": f"P{i}"} for i in range(people)],
            "seed": 1, "time_limit_s": 1.0, **extra}


def repeats(rounds: list[dict[str, str]]) -> int:
    meets: dict[tuple[str, str], int] = {}
    for seating in rounds:
        tables: dict[str, list[str]] = {}
        for pid, tid in seating.items():
            tables.setdefault(tid, []).append(pid)
        for members in tables.values():
            for pair in combinations(sorted(members), 2):
                meets[pair] = meets.get(pair, 0) + 1
    return sum(m - 1 for m in meets.values() if m > 1)


def test_five_tables_of_six_force_repeats() -> None:
    """The issue's case: 30 people at 5 tables of 6 for 3 rounds. Every table of round 2 takes 6 people from 5
    tables of round 1, so two of them sat together: 5 repeats per pair of rounds, 10 over three rounds."""
    inst = build_instance(parse_problem(spec(30, [6] * 5, 3)))
    assert pigeonhole_bound(inst) == 10
    result = plan(spec(30, [6] * 5, 3))
    assert result["metrics"]["lower_bound_repeat_pairs"] == 10 == result["metrics"]["repeat_pairs"]


def test_topics_sharpen_the_bound() -> None:
    """Five topics: a mover comes from one of the 4 other topics' tables, so every table repeats 2 pairs per round
    pair; over three rounds at least 20 — and the planner reaches it."""
    result = plan(spec(30, [6] * 5, 3, topics=list("ABCDE")))
    metrics = result["metrics"]
    assert metrics["topic_repeats"] == 0
    assert metrics["lower_bound_repeat_pairs"] == 20 == metrics["repeat_pairs"]


def test_no_bound_where_nothing_is_forced() -> None:
    """The reference shape (40 people, 9 tables of 5, 3 rounds) has a perfect plan: the bound must stay 0."""
    inst = build_instance(parse_problem(spec(40, [5] * 9, 3)))
    assert reported_repeat_bound(inst, topics_clear=False) == 0
    assert repeat_advice(parse_problem(spec(40, [5] * 9, 3))) == {"rounds": None, "tables": None, "capacity": None}


def test_advice_names_one_more_table() -> None:
    """With a sixth table of 6 the 30 people sit 5 to a table, coming from 6 tables: nothing is forced."""
    advice = repeat_advice(parse_problem(spec(30, [6] * 5, 3)))
    assert advice["tables"] == 1 and advice["capacity"] == 6
    assert advice["rounds"] == 1  # two rounds still force 5 repeats
    bigger = plan(spec(30, [6] * 6, 3))
    assert bigger["metrics"]["lower_bound_repeat_pairs"] == 0


def test_played_rounds_count_as_they_were() -> None:
    """A played round that sat everyone at one table forces its pairs to meet again at any later table."""
    played = [{f"P{i}": "T0" if i < 4 else "T1" for i in range(8)}]
    problem = spec(8, [4, 4], 2, played=played)
    inst = build_instance(parse_problem(problem))
    result = plan(problem)
    assert 0 < pigeonhole_bound(inst) <= result["metrics"]["repeat_pairs"]


@settings(max_examples=25, deadline=None)
@given(
    people=st.integers(2, 24),
    caps=st.lists(st.integers(1, 7), min_size=1, max_size=6),
    rounds=st.integers(1, 4),
    topics=st.booleans(),
)
def test_bound_never_exceeds_a_real_plan(people: int, caps: list[int], rounds: int, topics: bool) -> None:
    """Whatever the shape, the reported bound is at most the repeats of the plan found (a valid lower bound)."""
    if sum(caps) < people:
        caps = [*caps, people]
    names = [f"Topic {i % 3}" for i in range(len(caps))] if topics else None
    problem = spec(people, caps, rounds, topics=names)
    problem["time_limit_s"] = 0.2
    result = plan(problem)
    assert result["metrics"]["repeat_pairs"] == repeats(result["rounds"])
    assert 0 <= result["metrics"]["lower_bound_repeat_pairs"] <= result["metrics"]["repeat_pairs"]
