"""Metrics recounted from the finished plan alone (never from the search's bookkeeping)."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

from .model import Problem, meet_pairs
from .state import deviation


def compute_metrics(problem: Problem, rounds: list[dict[str, str]]) -> dict[str, int]:
    """Count every metric of the contract from the seats of all rounds."""
    tables = {t.id: t for t in problem.tables}
    people = {p.id: p for p in problem.participants}
    meetings: Counter[tuple[str, str]] = Counter()
    overflow = needs_unmet = spread = avoid_violations = unmixed = mixing_dev = 0
    visits: dict[str, Counter[str]] = {pid: Counter() for pid in people}
    groups = sorted({p.group for p in people.values() if p.group})
    for seats in rounds:
        by_table: dict[str, list[str]] = {tid: [] for tid in tables}
        for pid, tid in seats.items():
            by_table[tid].append(pid)
            if not people[pid].needs <= tables[tid].tags:
                needs_unmet += 1
            topic = tables[tid].topic
            if topic:
                visits[pid][topic] += 1
        sizes = [len(by_table[tid]) for tid, t in tables.items() if t.capacity > 0]
        if sizes:
            spread = max(spread, max(sizes) - min(sizes))
        shares = [sum(1 for pid in seats if people[pid].group == g) for g in groups]
        for tid, pids in by_table.items():
            overflow += max(0, len(pids) - tables[tid].capacity)
            for a, b in combinations(sorted(pids), 2):
                meetings[(a, b)] += 1
                if a in people[b].avoid or b in people[a].avoid:
                    avoid_violations += 1
            grouped = [people[pid].group for pid in pids if people[pid].group]
            counts = [grouped.count(g) for g in groups]
            dev = deviation(counts, len(grouped), shares)
            mixing_dev += dev
            unmixed += dev > 0
    topic_repeats = unavoidable = 0
    reachable_by: dict[frozenset[str], set[str]] = {}
    for pid, person in people.items():
        if person.needs not in reachable_by:
            reachable_by[person.needs] = {
                t.topic for t in tables.values() if t.topic and t.capacity > 0 and person.needs <= t.tags
            }
        possible = len(reachable_by[person.needs] | set(visits[pid]))
        count = sum(visits[pid].values())
        # A visit to an already-seen topic is unavoidable only once every reachable topic has been seen.
        unavoidable += max(0, count - possible)
        topic_repeats += min(count, possible) - len(visits[pid])
    changed = 0
    if problem.previous_plan is not None:
        for r in range(len(problem.played), min(len(rounds), len(problem.previous_plan))):
            for pid, tid in problem.previous_plan[r].items():
                if pid in rounds[r] and rounds[r][pid] != tid:
                    changed += 1
    # A requested pair is met when it shares a table in any round, played ones included.
    meet_unmet = sum(1 for a, b in meet_pairs(problem.participants) if not meetings[(a, b)])
    return {
        "repeat_pairs": sum(k - 1 for k in meetings.values() if k > 1),
        "max_meetings": max(meetings.values(), default=0),
        "topic_repeats": topic_repeats,
        "topic_repeats_unavoidable": unavoidable,
        "meet_unmet": meet_unmet,
        "capacity_overflow": overflow,
        "needs_unmet": needs_unmet,
        "size_spread": spread,
        "avoid_violations": avoid_violations,
        "group_mixing": unmixed,
        "group_mixing_deviation": mixing_dev,
        "changed": changed,
    }
