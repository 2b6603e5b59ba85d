"""What would make repeated pairs avoidable: fewer rounds or more tables, judged by the lower bounds alone."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from .bounds import counting_bound, pigeonhole_bound, played_bound
from .model import Problem, Table
from .state import build_instance

# Advice looks this far: more tables than this is a different event, not a tweak.
MAX_EXTRA_TABLES = 10


def _forced(problem: Problem) -> int:
    """Repeats no plan of ``problem`` avoids, whatever the topics (so the advice holds with or without them)."""
    inst = build_instance(problem)
    return max(counting_bound(inst), pigeonhole_bound(inst), played_bound(inst))


def _with_rounds(problem: Problem, rounds: int) -> Problem:
    people = tuple(
        replace(p, absent_rounds=frozenset(r for r in p.absent_rounds if r <= rounds)) for p in problem.participants
    )
    previous = problem.previous_plan[:rounds] if problem.previous_plan is not None else None
    return replace(problem, rounds=rounds, participants=people, previous_plan=previous)


def _with_tables(problem: Problem, extra: int) -> Problem:
    open_caps = [t.capacity for t in problem.tables if t.capacity > 0]
    capacity = Counter(open_caps).most_common(1)[0][0]
    ids = {t.id for t in problem.tables}
    added: list[Table] = []
    n = 0
    while len(added) < extra:
        n += 1
        if f"advice-{n}" not in ids:
            added.append(Table(id=f"advice-{n}", topic=None, capacity=capacity, tags=frozenset()))
    return replace(problem, tables=problem.tables + tuple(added))


def repeat_advice(problem: Problem) -> dict[str, Any]:
    """``{"rounds": k, "tables": m, "capacity": c}``: the most rounds (below the planned count) and the fewest added
    tables of the usual size ``c`` with which no repeat is forced any more; ``None`` where no such change exists
    (or nothing is forced in the first place)."""
    advice: dict[str, Any] = {"rounds": None, "tables": None, "capacity": None}
    if not problem.participants or not any(t.capacity > 0 for t in problem.tables) or _forced(problem) == 0:
        return advice
    for rounds in range(problem.rounds - 1, max(len(problem.played), 1) - 1, -1):
        if rounds >= 1 and _forced(_with_rounds(problem, rounds)) == 0:
            advice["rounds"] = rounds
            break
    for extra in range(1, MAX_EXTRA_TABLES + 1):
        bigger = _with_tables(problem, extra)
        if _forced(bigger) == 0:
            advice["tables"] = extra
            advice["capacity"] = bigger.tables[-1].capacity
            break
    return advice
