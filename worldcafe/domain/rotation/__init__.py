"""Seat World Café movers round by round: constructions first, then tabu search (see docs/rotation.md)."""

from __future__ import annotations

import random
import time
from typing import Any

from .bounds import balance_floor, repeat_lower_bound
from .constructions import assign_trajectories, kirkman_trajectories, velocity_trajectories
from .metrics import compute_metrics
from .model import Participant, Problem, RotationInputError, Table, parse_problem
from .search import TabuSearch, restore_published, seat_greedily
from .state import Instance, State, build_instance

# Moves evaluated per second of time_limit_s; calibrated so the budget ends well before the deadline.
WORK_PER_SECOND = 150_000

__all__ = ["Participant", "Problem", "RotationInputError", "Table", "parse_problem", "plan"]


def _state_from(inst: Instance, seats: list[list[int]], rng: random.Random) -> State:
    """Load free-round seats (−1 = to seat); whoever is left over is seated greedily."""
    state = State(inst)
    for i, r in enumerate(inst.free_rounds):
        waiting = []
        for p in inst.present[r]:
            t = seats[i][p]
            if t >= 0 and t in inst.compat_set[p] and len(state.members[r][t]) < inst.cap[t]:
                state.add(r, p, t)
            else:
                waiting.append(p)
        seat_greedily(state, r, waiting, rng)
    return state


def _candidates(inst: Instance, rng: random.Random, limit: float) -> list[tuple[str, State]]:
    """Starting plans: the previous plan, algebraic constructions, and a greedy one if nothing else fits."""
    found: list[tuple[str, State]] = []
    free = list(inst.free_rounds)
    if inst.prev is not None:
        prev = inst.prev
        found.append(("previous_plan", _state_from(inst, [prev[r] for r in free], rng)))
    movers = [p for p in range(inst.n_people) if any(p in inst.present_set[r] for r in free)]
    # A published plan is the start when there is one: the search then moves a stayer only when a
    # higher level gains, whereas a fresh construction would reseat nearly everyone.
    if inst.prev is None:
        for name, trajectories in (
            ("kirkman", kirkman_trajectories(inst, len(movers))),
            ("velocity", velocity_trajectories(inst, len(movers), rng, budget_s=0.2 * limit)),
        ):
            seats = assign_trajectories(inst, trajectories, movers) if trajectories else None
            if seats is not None:
                found.append((name, _state_from(inst, seats, rng)))
                break
    if not found or inst.prev is None and len(movers) <= 400:
        empty = [[-1] * inst.n_people for _ in free]
        found.append(("greedy", _state_from(inst, empty, rng)))
    return found


def plan(spec: dict[str, Any]) -> dict[str, Any]:
    """Plan every round from the JSON contract (DESIGN.md §5); raise RotationInputError on bad input."""
    start = time.perf_counter()
    problem = parse_problem(spec)
    inst = build_instance(problem)
    rng = random.Random(problem.seed)
    candidates = _candidates(inst, rng, problem.time_limit_s)
    method, state = min(candidates, key=lambda item: item[1].cost())
    bound = repeat_lower_bound(inst, topics_clear=state.levels[0] == 0)
    floor = [0, bound, 0, 0, balance_floor(inst), 0]
    target = sum(w * v for w, v in zip(inst.weights, floor, strict=True))
    budget = int(WORK_PER_SECOND * problem.time_limit_s)
    search = TabuSearch(state, rng, start + problem.time_limit_s, target, budget)
    if inst.prev is not None:
        # Stage one moves only people without a published seat; stayers move only if that falls short.
        search.freeze, search.budget = 1, budget // 3
        search.run()
        search.freeze, search.budget = 2, budget
        if search.best_cost // inst.weights[3] <= target // inst.weights[3]:
            search.budget = search.work  # topics, repeats, avoid and mixing are at their floor already
        state = _state_from(inst, [search.best_seats[r] for r in inst.free_rounds], rng)
        search.state = state
    seats = search.run()
    if inst.prev is not None:
        best = _state_from(inst, [seats[r] for r in inst.free_rounds], rng)
        restore_published(best)
        seats = best.seat
    rounds = _to_ids(problem, inst, seats)
    metrics: dict[str, Any] = dict(compute_metrics(problem, rounds))
    if metrics["topic_repeats"] == 0:
        # A plan without topic repeats proves the optimum has none, which sharpens the repeat bound.
        bound = repeat_lower_bound(inst, topics_clear=True)
    metrics["lower_bound_repeat_pairs"] = bound
    metrics["method"] = method + ("+tabu" if search.iterations else "")
    metrics["iterations"] = search.iterations
    metrics["elapsed_s"] = round(time.perf_counter() - start, 4)
    return {"rounds": rounds, "metrics": metrics}


def _to_ids(problem: Problem, inst: Instance, seat: list[list[int]]) -> list[dict[str, str]]:
    rounds: list[dict[str, str]] = [dict(seats) for seats in problem.played]
    for r in inst.free_rounds:
        rounds.append({problem.participants[p].id: problem.tables[seat[r][p]].id for p in inst.present[r]})
    return rounds
