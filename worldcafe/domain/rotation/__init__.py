"""Seat World Café movers round by round: constructions first, then tabu search (see docs/rotation.md)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .advice import repeat_advice
from .bounds import balance_floor, repeat_lower_bound, reported_repeat_bound
from .constructions import Trajectory, assign_trajectories, needs_velocity_trajectories, velocity_trajectories
from .continuation import continued_trajectories
from .deadline import Deadline
from .designs import (
    FREE,
    design_trajectories,
    difference_array_trajectories,
    kirkman_system_trajectories,
    rotational_trajectories,
)
from .meet import seek_meetings
from .metrics import compute_metrics
from .model import Participant, Problem, RotationInputError, Table, parse_problem
from .pairs import PairTabu, greedy_pairs, is_plain
from .repair import Repair, suits
from .search import TabuSearch, restore_published, seat_greedily
from .state import MEET, Instance, State, build_instance

# Moves evaluated per second of time_limit_s; calibrated so the budget ends well before the deadline.
WORK_PER_SECOND = 150_000
# First plans: the work budget is this multiple of the re-planning one (which ends after 50–65 % of the limit and
# leaves the rest to later stages; a first plan has none), so the search ends near time_limit_s on a quiet machine.
FIRST_PLAN_BUDGET_SHARE = 1.6
# The social-golfer search (pairs.py) prices this many swaps (O(1) each) per unit of WORK_PER_SECOND: 5,000,000 per
# second of time_limit_s, about the whole limit on a quiet development machine (the deadline ends it on a busier one).
PAIR_WORK_SHARE = 100 / 3
# Re-planning's first stage (only newcomers move) gives up after this many idle steps per newcomer seat.
STAGE_ONE_PATIENCE = 10
# When the tabu search finds no floor plan in half the work budget, the branch-and-bound tries with this
# share of the budget, within this share of the time left (of the time left, not of the limit: when the tabu
# search's half budget took most of the limit, a share of the limit would already be over, and a repair that
# finds the plan in 20 ms would not run at all — whether it ran then hung on the machine's speed).
FIRST_REPAIR_SHARE = 1 / 4
FIRST_REPAIR_TIME_SHARE = 0.6
# Several arrivals at once: up to this many are also seated one at a time, in this share of the time limit.
MAX_ONE_AT_A_TIME = 6
ONE_AT_A_TIME_SHARE = 1 / 2
# Re-planning: when the clock, not the work budget, ends a tabu search, this share of the time limit is left
# for the walk back to the published plan (without it a plan cut at the deadline keeps every needless change).
WALK_BACK_SHARE = 0.1
# The needs split plans the people with needs on their tables (SPLIT_SHARE of the limit), then the whole event around
# them (SPLIT_REST_SHARE), before the search: only with at least this time limit, below which the search alone does
# better (measured: 400 people at 0.3 s lost 52 topic repeats to the split).
SPLIT_MIN_S = 0.5
SPLIT_SHARE = 0.2
SPLIT_REST_SHARE = 0.5
# After the searches the plan is turned into ids and its metrics are recounted, about 6 µs per seat here (0.12 s for
# 5,000 people × 4 rounds): that much, up to half the limit, is kept back so the call as a whole ends in time.
FINISH_S_PER_SEAT = 6e-6
# Requested meetings: each starting plan may spend this share of the work budget on trading trajectories.
MEET_SHARE = 1 / 4

__all__ = ["Participant", "Problem", "RotationInputError", "Table", "parse_problem", "plan"]


def _seat_where_valid(state: State, r: int, people: list[int], row: list[int]) -> list[int]:
    """Seat each person at ``row[p]`` in round r when it is a compatible table with room; return the others."""
    inst = state.inst
    rest = []
    for p in people:
        t = row[p]
        if t >= 0 and t in inst.compat_set[p] and len(state.members[r][t]) < inst.cap[t]:
            state.add(r, p, t)
        else:
            rest.append(p)
    return rest


def _state_from(inst: Instance, seats: list[list[int]], rng: random.Random, deadline: Deadline) -> State:
    """Load free-round seats (−1 = to seat); whoever is left over is seated greedily."""
    state = State(inst)
    for i, r in enumerate(inst.free_rounds):
        seat_greedily(state, r, _seat_where_valid(state, r, inst.present[r], seats[i]), rng, deadline)
    return state


def _published_start(inst: Instance, seats: list[list[int]], rng: random.Random, deadline: Deadline) -> State:
    """Everyone with a valid published seat in it; the others where `seats` puts them (or greedily)."""
    prev = inst.prev
    assert prev is not None
    state = State(inst)
    for r in inst.free_rounds:
        later = _seat_where_valid(state, r, inst.present[r], prev[r])
        seat_greedily(state, r, _seat_where_valid(state, r, later, seats[r]), rng, deadline)
    return state


def _candidates(
    inst: Instance, rng: random.Random, limit: float, deadline: Deadline, split: bool = True
) -> list[tuple[str, State]]:
    """Starting plans: a continued construction, the previous plan, algebraic constructions (or, when needs rule
    them out, one per part of the tables, ``split``), and a greedy one if nothing else fits."""
    found: list[tuple[str, State]] = []
    free = list(inst.free_rounds)
    movers = [p for p in range(inst.n_people) if any(p in inst.present_set[r] for r in free)]
    # First, while the clock is young: continuing a construction is cheap, and on large events seating the
    # arrivals into the previous plan can take most of a short time limit.
    continued = _continued(inst, movers, rng, 0.1 * limit, deadline)
    if continued is not None:
        found.append(("continued", continued))
    if inst.prev is not None:
        prev = inst.prev
        found.append(("previous_plan", _state_from(inst, [prev[r] for r in free], rng, deadline)))
    # A published plan is the start when there is one: the search then moves a stayer only when a
    # higher level gains, whereas a fresh construction would reseat nearly everyone.
    if inst.prev is None:
        everything = frozenset(t for t in range(inst.n_tables) if inst.cap[t] > 0)
        needy = [p for p in movers if inst.compat_set[p] != everything]
        # (name, maker, trajectories per class: velocities and difference arrays fill every table once per class)
        tables = len(everything)
        makers: tuple[tuple[str, Callable[[], list[Trajectory] | None], int], ...] = (
            ("design", lambda: design_trajectories(inst, len(movers), len(free), deadline), 0),
            ("velocity", lambda: velocity_trajectories(inst, len(movers), rng, 0.2 * limit, deadline), tables),
            ("design", lambda: difference_array_trajectories(inst, len(movers), len(free), deadline), tables),
            ("design", lambda: kirkman_system_trajectories(inst, len(movers), len(free), deadline), 0),
            ("design", lambda: rotational_trajectories(inst, len(movers), len(free), deadline), 0),
            ("needs_velocity", lambda: needs_velocity_trajectories(inst, len(movers), needy), 0),
        )
        for name, make, size in makers:  # the first that fits, tried lazily (a construction's search takes time)
            trajectories = make()
            seats = assign_trajectories(inst, trajectories, movers, deadline, size) if trajectories else None
            if seats is not None:
                found.append((name, _state_from(inst, seats, rng, deadline)))
                break
    if not found and inst.prev is None and not inst.n_played and split and len(movers) <= 400 and limit >= SPLIT_MIN_S:
        state = _split_by_needs(inst, movers, rng, limit, deadline)
        if state is not None:
            found.append(("needs_split", state))
    if not found or inst.prev is None and len(movers) <= 400:
        empty = [[-1] * inst.n_people for _ in free]
        found.append(("greedy", _state_from(inst, empty, rng, deadline)))
    return found


def _continued(
    inst: Instance, movers: list[int], rng: random.Random, budget_s: float, deadline: Deadline
) -> State | None:
    """The free rounds of the construction the played rounds follow (``continuation.py``), or None."""
    found = continued_trajectories(inst, movers, budget_s, deadline)
    if found is None:
        return None
    kept, rest = found
    others = [p for p in movers if p not in kept]
    rest += [(FREE,) * len(inst.free_rounds)] * max(0, len(others) - len(rest))
    seats = assign_trajectories(inst, rest, others, deadline)
    if seats is None:
        return None
    for p, tr in kept.items():
        for i, r in enumerate(inst.free_rounds):
            if p in inst.present_set[r]:
                seats[i][p] = tr[i] if tr[i] in inst.compat_set[p] else -1
    return _state_from(inst, seats, rng, deadline)


def _split_by_needs(
    inst: Instance, movers: list[int], rng: random.Random, limit: float, deadline: Deadline
) -> State | None:
    """Plan the people whose needs rule out some table first, on the tables they may use (A) alone, as evenly as
    those tables allow; then the whole event with that part as a published plan: its people keep their seats unless
    a higher level gains, and everyone else is seated around them by the re-planning search, which sees every pair
    (a person visiting A twice would meet someone there twice). Within the first part nobody meets twice whenever
    its own construction or search reaches zero (30 people at 6 tables of 5 for 5 rounds: a difference array),
    which the whole event's construction cannot promise when few of its trajectories stay inside A. None when
    nobody's needs rule out a table.
    """
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    everything = frozenset(open_tables)
    needy = {p for p in movers if inst.compat_set[p] != everything}
    if not needy or len(needy) == len(movers):
        return None
    part_a = frozenset().union(*(inst.compat_set[p] for p in needy))
    problem = inst.problem
    most = max(sum(1 for p in needy if p in inst.present_set[r]) for r in inst.free_rounds)
    even = -(-most // len(part_a))
    tables = tuple(
        replace(t, capacity=min(t.capacity, even) if i in part_a else 0) for i, t in enumerate(problem.tables)
    )
    if sum(t.capacity for t in tables) < most or deadline.expired():
        return None
    share = SPLIT_SHARE * limit
    first = replace(
        problem,
        tables=tables,
        participants=tuple(p if i in needy else replace(p, left=True) for i, p in enumerate(problem.participants)),
        time_limit_s=share,
    )
    part = _solve(first, deadline.within(share), one_at_a_time=False, split=False).seats
    published = tuple(
        {problem.participants[p].id: problem.tables[part[r][p]].id for p in needy if part[r][p] >= 0}
        for r in range(inst.n_rounds)
    )
    if deadline.expired():
        return None
    rest = SPLIT_REST_SHARE * limit
    whole = replace(problem, previous_plan=published, time_limit_s=rest)
    seats = _solve(whole, deadline.within(rest), one_at_a_time=False, split=False).seats
    return _state_from(inst, [seats[r] for r in inst.free_rounds], rng, deadline)


@dataclass
class _Outcome:
    """One planning run on a parsed problem: the seats and what the metrics need to know about them."""

    inst: Instance
    seats: list[list[int]]
    method: str
    floor: list[int]
    at_floor: bool
    iterations: int
    repair: Repair | None
    work: int


def plan(spec: dict[str, Any]) -> dict[str, Any]:
    """Plan every round from the JSON contract (DESIGN.md §5); raise RotationInputError on bad input."""
    start = time.monotonic()
    problem = parse_problem(spec)
    # The one deadline of this call: every stage below gets it (or a share of it) and checks it in its loops.
    limit = problem.time_limit_s
    finish = min(limit / 2, FINISH_S_PER_SEAT * len(problem.participants) * problem.rounds)
    deadline = Deadline.after(limit - finish, start)
    outcome = _solve(problem, deadline, one_at_a_time=True)
    inst, repair = outcome.inst, outcome.repair
    rounds = _to_ids(problem, inst, outcome.seats)
    metrics: dict[str, Any] = dict(compute_metrics(problem, rounds))
    # A plan without topic repeats proves the optimum has none, which sharpens the repeat bound.
    bound = reported_repeat_bound(inst, topics_clear=metrics["topic_repeats"] == 0)
    metrics["lower_bound_repeat_pairs"] = max(bound, outcome.floor[1])
    if metrics["repeat_pairs"] > 0:
        metrics["repeat_advice"] = repeat_advice(problem)
    repaired = repair is not None and repair.found
    metrics["method"] = outcome.method + ("+tabu" if outcome.iterations else "") + ("+repair" if repaired else "")
    # Fewest changed seats a plan with every higher level at its floor can have, as far as proven; the
    # proof covers such plans only, so it is reported for one.
    metrics["lower_bound_changed"] = repair.proven if repair is not None and outcome.at_floor else 0
    metrics["iterations"] = outcome.iterations
    metrics["elapsed_s"] = round(time.monotonic() - start, 4)
    return {"rounds": rounds, "metrics": metrics}


def _solve(problem: Problem, deadline: Deadline, one_at_a_time: bool, split: bool = True) -> _Outcome:
    """Plan a parsed problem by the deadline (``split``: may plan the tables some needs allow apart)."""
    inst = build_instance(problem)
    rng = random.Random(problem.seed)
    candidates = _candidates(inst, rng, problem.time_limit_s, deadline, split)
    budget = int(WORK_PER_SECOND * problem.time_limit_s)
    # Requested meetings: each start trades trajectories first (constructions keep their zero repeats).
    work = sum(seek_meetings(s, rng, deadline, int(MEET_SHARE * budget)) for _, s in candidates)
    method, state = min(candidates, key=lambda item: item[1].cost())
    bound = repeat_lower_bound(inst, topics_clear=state.levels[0] == 0)
    floor = [0, bound, 0, 0, balance_floor(inst), 0, inst.meet_floor]
    target = sum(w * v for w, v in zip(inst.weights, floor, strict=True))
    search = TabuSearch(state, rng, deadline, target, budget)
    search.work = work
    repair: Repair | None = None
    if inst.prev is not None:
        seats, levels, repair = _replan(problem, inst, search, floor, rng, deadline, one_at_a_time)
    elif is_plain(inst) and state.cost() > target:
        seats, levels, method, iterations = _golfers(inst, state, method, floor, rng, problem.time_limit_s, deadline)
        if levels[1] <= floor[1] and not _at_floor(levels, floor) and not deadline.expired():
            # Repeats at their floor, sizes not (people who left free uneven seats in a continued design): the
            # general search moves single people, which the pair search never does, and keeps the repeats.
            start = _state_from(inst, [seats[r] for r in inst.free_rounds], rng, deadline)
            search = TabuSearch(start, rng, deadline, target, budget)
            seats, levels = _first_plan_search(search, floor, budget)
            iterations += search.iterations
        return _Outcome(inst, seats, method, floor, _at_floor(levels, floor), iterations, None, 0)
    else:
        seats, levels = _first_plan_search(search, floor, budget)
    at_floor = _at_floor(levels, floor)
    return _Outcome(inst, seats, method, floor, at_floor, search.iterations, repair, search.work)


def _first_plan_search(search: TabuSearch, floor: list[int], budget: int) -> tuple[list[list[int]], list[int]]:
    """Run the search of a first plan: it has no later stage, so the whole limit goes to it unless it reaches the
    floor (every level targeted, sizes included). Returns the seats and their levels."""
    search.floor, search.balance_floor = floor, floor[4]
    search.budget = int(FIRST_PLAN_BUDGET_SHARE * budget)
    return search.run(), search.best_levels


def _at_floor(levels: list[int], floor: list[int]) -> bool:
    """Is every level above minimal change at its floor (requested meetings included)?"""
    return levels[:5] == floor[:5] and levels[MEET] <= floor[MEET]


def _golfers(
    inst: Instance, start: State, method: str, floor: list[int], rng: random.Random, limit: float, deadline: Deadline
) -> tuple[list[list[int]], list[int], str, int]:
    """A plain event (pairs.py): the pair search from the better of the best start and the pair-aware greedy."""
    free = list(inst.free_rounds)
    played = State(inst).meet
    greedy = _state_from(inst, greedy_pairs(inst, played, rng, deadline), rng, deadline)
    if greedy.cost() < start.cost():
        start, method = greedy, "greedy_pairs"
    if start.levels[1] <= floor[1] or deadline.expired():
        return start.seat, start.levels, method, 0
    search = PairTabu(inst, played, [start.seat[r] for r in free], rng)
    seats = search.run(floor[1], int(PAIR_WORK_SHARE * WORK_PER_SECOND * limit), deadline)
    state = _state_from(inst, seats, rng, deadline)
    return state.seat, state.levels, method, search.iterations


def _replan(
    problem: Problem,
    inst: Instance,
    search: TabuSearch,
    floor: list[int],
    rng: random.Random,
    deadline: Deadline,
    one_at_a_time: bool,
) -> tuple[list[list[int]], list[int], Repair | None]:
    """Re-planning against a published plan, in stages (docs/rotation.md): the seats, their levels, the repair."""
    assert inst.prev is not None
    target, budget, weights = search.target, search.budget, inst.weights
    search.deadline = deadline.share(1 - WALK_BACK_SHARE)
    # Stage one: only people without a published seat move.
    search.balance_floor = floor[4]
    search.freeze, search.budget = 1, budget // 3
    newcomers = sum(1 for r in inst.free_rounds for p in inst.present[r] if inst.prev[r][p] < 0)
    search.run(patience=STAGE_ONE_PATIENCE * (1 + newcomers))
    if search.best_cost <= target or deadline.expired():
        return search.best_seats, search.best_levels, None  # stayers kept their published seats: no walk back
    # Stage two: tabu search where stayers at defective tables may move. With an exact repair to follow it
    # runs only until every higher level is at its floor (then, or at the end, a walk back to the
    # published plan).
    exact = floor[:4] == [0, 0, 0, 0] and suits(inst) and _published_is_clean(inst)
    search.freeze, search.budget = 2, budget
    if search.best_cost // weights[4] <= target // weights[4]:
        search.budget = search.work  # every level above minimal change is at its floor already
    elif exact:
        search.budget = search.work + budget // 2
        search.target = target + inst.n_rounds * inst.n_people  # any number of changed seats
    search.state = _state_from(inst, [search.best_seats[r] for r in inst.free_rounds], rng, deadline)
    seats = search.run()
    best = _state_from(inst, [seats[r] for r in inst.free_rounds], rng, deadline)
    restore_published(best, deadline)
    if not exact or deadline.expired():
        return best.seat, best.levels, None
    state = _published_start(inst, search.best_seats, rng, deadline)
    repair = Repair(state, floor[4])
    if _at_floor(best.levels, floor):
        # Stage three, several arrivals: also seat them one at a time, each step an ordinary re-plan
        # against the step before; the fewer changes of the two plans bound the exact search.
        if one_at_a_time:
            steps, work = _one_at_a_time(problem, inst, rng, floor, deadline)
            search.work += work
            if steps is not None and steps.levels[MEET] <= best.levels[MEET] and steps.levels[5] < best.levels[5]:
                best = steps
        # Stage four: branch-and-bound for fewer changed seats than that.
        if budget > search.work and repair.solve(budget - search.work, deadline, upper=best.levels[5]):
            best = repair.state
        search.work += repair.work
        return best.seat, best.levels, repair
    # No floor plan yet: the branch-and-bound may still find one, else the tabu search goes on with the
    # rest of the budget.
    left = max(0.0, deadline.at - time.monotonic())
    found = repair.solve(int(FIRST_REPAIR_SHARE * budget), deadline.within(FIRST_REPAIR_TIME_SHARE * left))
    search.work += repair.work
    if found:
        return state.seat, state.levels, repair
    search.target, search.budget = target, budget
    seats = search.run()
    best = _state_from(inst, [seats[r] for r in inst.free_rounds], rng, deadline)
    restore_published(best, deadline)
    return best.seat, best.levels, repair


def _published_is_clean(inst: Instance) -> bool:
    """Do the people keeping published seats meet nobody twice, avoid nobody and revisit no topic there?

    Only then is an exact repair of the published plan promising; otherwise its floor is likely out of
    reach and the budget is better left to the tabu search.
    """
    assert inst.prev is not None
    state = State(inst)
    for r in inst.free_rounds:
        for p in inst.present[r]:
            home = inst.prev[r][p]
            if home >= 0 and home in inst.compat_set[p]:
                state.add(r, p, home)
    return state.levels[0] == state.levels[1] == state.levels[2] == 0


def _one_at_a_time(
    problem: Problem, inst: Instance, rng: random.Random, floor: list[int], deadline: Deadline
) -> tuple[State | None, int]:
    """Arrivals seated one after another (each step re-plans against the step before), if at the floor.

    Returns that plan (None if a step misses the floor) and the work the steps spent.
    """
    assert problem.previous_plan is not None and inst.prev is not None
    prev = inst.prev
    arrivals = [
        problem.participants[p].id
        for p in range(inst.n_people)
        if all(prev[r][p] < 0 for r in inst.free_rounds) and any(p in inst.present_set[r] for r in inst.free_rounds)
    ]
    if not 2 <= len(arrivals) <= MAX_ONE_AT_A_TIME:
        return None, 0
    share = ONE_AT_A_TIME_SHARE * problem.time_limit_s / len(arrivals)
    published = problem.previous_plan
    work = 0
    for k in range(1, len(arrivals) + 1):
        if deadline.expired():
            return None, work
        later = set(arrivals[k:])
        people = tuple(replace(p, left=True) if p.id in later else p for p in problem.participants)
        step = replace(problem, participants=people, previous_plan=published, time_limit_s=share)
        outcome = _solve(step, deadline.within(share), one_at_a_time=False)
        work += outcome.work
        if not outcome.at_floor:
            return None, work
        published = tuple(_to_ids(step, outcome.inst, outcome.seats))
    seats = [[-1] * inst.n_people for _ in inst.free_rounds]
    index = {p.id: i for i, p in enumerate(problem.participants)}
    tables = {t.id: i for i, t in enumerate(problem.tables)}
    for i, r in enumerate(inst.free_rounds):
        for pid, tid in published[r].items():
            seats[i][index[pid]] = tables[tid]
    state = _state_from(inst, seats, rng, deadline)
    if not _at_floor(state.levels, floor):
        return None, work
    restore_published(state, deadline)
    return state, work


def _to_ids(problem: Problem, inst: Instance, seat: list[list[int]]) -> list[dict[str, str]]:
    rounds: list[dict[str, str]] = [dict(seats) for seats in problem.played]
    for r in inst.free_rounds:
        rounds.append({problem.participants[p].id: problem.tables[seat[r][p]].id for p in inst.present[r]})
    return rounds
