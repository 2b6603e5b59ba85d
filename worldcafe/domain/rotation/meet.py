"""Requested meetings (`meet`): trade whole trajectories between people so requested pairs share a table.

A trajectory is the sequence of tables one person takes through the free rounds. In a plan without repeated
pairs, handing b the trajectory of someone c who sits with a in some round makes a and b meet there, and
since the trajectories themselves stay, everyone meets as many people as before: repeats, topics (without
played rounds) and table sizes stay, and with b and c in the same group so does the mix. First a maximum
bipartite matching hands trajectories round anew for many pairs at once (`match_trajectories`), then single
trades follow. Every change is scored by the full lexicographic cost, so it is kept only when the plan gets
better as a whole.
"""

from __future__ import annotations

import random

from .deadline import Deadline
from .state import MEET, State

# Rounds over every unmet pair without a better trade before the search gives up.
PATIENCE = 3
# Reassignments by matching in a row (roles are drawn anew from the pairs still unmet), while each helps.
MATCH_ROUNDS = 3
# Work units (the tabu search's, ≈ 3 µs) of one tried trade per free round: two seat swaps each way
# (≈ 45 µs a trade over 4 rounds at tables of 10, measured).
TRADE_WORK = 15
# Set and matching steps (≈ 1 µs each, measured) per work unit.
SET_OPS_PER_WORK = 3


def trade(state: State, b: int, c: int) -> list[int]:
    """Give b and c each other's seats in every free round both attend (where both may sit there).

    Returns the rounds swapped (swap them again to undo)."""
    inst = state.inst
    done = []
    for r in inst.free_rounds:
        tb, tc = state.seat[r][b], state.seat[r][c]
        if tb < 0 or tc < 0 or tb == tc:
            continue
        if tc in inst.compat_set[b] and tb in inst.compat_set[c]:
            state.swap(r, b, c)
            done.append(r)
    return done


def untrade(state: State, b: int, c: int, rounds: list[int]) -> None:
    """Undo `trade`."""
    for r in rounds:
        state.swap(r, b, c)


def seek_meetings(state: State, rng: random.Random, deadline: Deadline, budget: int) -> int:
    """Improve the plan by trading trajectories for unmet requested pairs; return the work spent.

    First one exact reassignment (`match_trajectories`), then single trades. Descent on the plan's cost: a
    change is kept only when the cost falls, so every higher level holds.
    """
    inst = state.inst
    if state.levels[MEET] <= inst.meet_floor:
        return 0
    work = 0
    for k in range(MATCH_ROUNDS):
        before = state.levels[MEET]
        work += match_trajectories(state, deadline, budget // 2 - work, flip=k % 2 == 1)
        if k and state.levels[MEET] >= before or state.levels[MEET] <= inst.meet_floor:
            break
    P, meet = inst.n_people, state.meet
    idle = 0
    free = list(inst.free_rounds)
    while state.levels[MEET] > inst.meet_floor and work < budget and idle < PATIENCE and not deadline.expired():
        unmet = [pair for pair in inst.meet_pairs if not meet[pair[0] * P + pair[1]]]
        rng.shuffle(unmet)
        improved = False
        for pair in unmet:
            if deadline.expired() or work >= budget:
                break
            if meet[pair[0] * P + pair[1]]:
                continue  # met by an earlier trade of this sweep
            current = state.cost()
            best: tuple[int, int, int] | None = None
            for a, b in (pair, pair[::-1]):
                for r in free:
                    t = state.seat[r][a]
                    if t < 0 or state.seat[r][b] < 0:
                        continue
                    for c in list(state.members[r][t]):
                        if c == a:
                            continue
                        work += TRADE_WORK * len(free)
                        rounds = trade(state, b, c)
                        if rounds:
                            delta = state.cost() - current
                            untrade(state, b, c, rounds)
                            if delta < 0 and (best is None or delta < best[0]):
                                best = (delta, b, c)
            if best is not None:
                trade(state, best[1], best[2])
                improved = True
        idle = 0 if improved else idle + 1
    return work


def unmet_pick(state: State, rng: random.Random) -> tuple[int, list[int]] | None:
    """For the tabu search: a free round and both people of a random unmet requested pair (None if none)."""
    inst = state.inst
    P, meet = inst.n_people, state.meet
    unmet = [pair for pair in inst.meet_pairs if not meet[pair[0] * P + pair[1]]]
    for a, b in rng.sample(unmet, min(8, len(unmet))):
        rounds = [r for r in inst.free_rounds if state.seat[r][a] >= 0 and state.seat[r][b] >= 0]
        if rounds and inst.compat_set[a] & inst.compat_set[b]:
            return rng.choice(rounds), [a, b]
    return None


def match_trajectories(state: State, deadline: Deadline, budget: int, flip: bool = False) -> int:
    """Hand trajectories round anew so that as many unmet pairs as possible meet; return the work spent.

    Of each unmet pair one person moves (the mover), the other stays (the anchor). Movers and people in no
    request trade trajectories only within their kind (group, needs, attendance, played topics), so sizes,
    mix, needs and everyone's set of fellow trajectories stay. A maximum bipartite matching gives each mover
    a trajectory that meets all its anchors where possible; the others get what is left of their kind. The
    result is kept only when the plan's cost falls. `flip` makes the other person of each pair the mover.
    """
    inst = state.inst
    free = list(inst.free_rounds)
    P, meet = inst.n_people, state.meet
    role: dict[int, str] = {}
    for a, b in inst.meet_pairs:
        if meet[a * P + b]:
            continue
        if flip:
            a, b = b, a
        ra, rb = role.get(a), role.get(b)
        if ra is None and rb is None:
            role[a], role[b] = "anchor", "mover"
        elif ra == "anchor" and rb is None:
            role[b] = "mover"
        elif rb == "anchor" and ra is None:
            role[a] = "mover"
        elif ra == "mover" and rb is None:
            role[b] = "anchor"
        elif rb == "mover" and ra is None:
            role[a] = "anchor"
    movers = [p for p, r in role.items() if r == "mover"]
    if not movers:
        return 0
    asked = {p for pair in inst.meet_pairs for p in pair}
    present = [p for p in range(P) if any(state.seat[r][p] >= 0 for r in free)]
    pool = [p for p in present if role.get(p) == "mover" or p not in asked and not inst.avoid[p]]

    def kind(p: int) -> tuple[object, ...]:
        # Played rounds: the same topics seen (who was met there the cost check weighs).
        played = tuple(sorted(inst.topic[row[p]] if row[p] >= 0 else -2 for row in inst.played_seat))
        attends = tuple(state.seat[r][p] >= 0 for r in free)
        return inst.group[p], inst.compat_set[p], attends, played

    by_kind: dict[tuple[object, ...], list[int]] = {}
    for p in pool:
        by_kind.setdefault(kind(p), []).append(p)
    traj = {p: [state.seat[r][p] for r in free] for p in pool}
    work = 0
    owner: dict[int, int] = {}  # trajectory (by its old owner) → mover given it
    given: dict[int, int] = {}
    for people in by_kind.values():
        movers_here = [p for p in people if role.get(p) == "mover"]
        if not movers_here or len(people) < 2:
            continue
        options: dict[int, list[int]] = {}
        kin = set(people)
        for p in movers_here:
            if work > budget or deadline.expired():
                break  # the movers with options so far are matched
            # Trajectories that sit with every partner staying put (an anchor, or someone already met).
            fits = kin
            for x in inst.meet_want[p]:
                if role.get(x) == "mover":
                    continue
                beside = {q for r in free if state.seat[r][x] >= 0 for q in state.members[r][state.seat[r][x]]}
                work += 1 + len(beside) // SET_OPS_PER_WORK
                fits = fits & beside
            options[p] = sorted(fits)
        for p in movers_here:
            if work > budget or deadline.expired():
                break
            if p in options:
                work += 1 + _augment(p, options, owner, given) // SET_OPS_PER_WORK
    if not given:
        return work
    # Everyone else of the pool keeps their trajectory if still free, else takes one left over of their kind.
    assigned = dict(given)  # person → trajectory (old owner)
    for people in by_kind.values():
        taken = {assigned[p] for p in people if p in assigned}
        rest = [p for p in people if p not in assigned]
        keep = {p for p in rest if p not in taken}
        for p in keep:
            assigned[p] = p
        spare = [q for q in people if q not in taken and q not in keep]
        for p, q in zip([p for p in rest if p not in assigned], spare, strict=True):
            assigned[p] = q
    before = state.cost()
    moved = [p for p, q in assigned.items() if p != q]
    _reseat(state, free, {p: traj[assigned[p]] for p in moved})
    if state.cost() >= before:
        _reseat(state, free, {p: traj[p] for p in moved})
    return work + len(moved) * len(free)


def _augment(root: int, options: dict[int, list[int]], owner: dict[int, int], given: dict[int, int]) -> int:
    """Kuhn's augmenting path from mover `root` (iterative); returns the work (edges looked at)."""
    seen: set[int] = set()
    work = 0
    # Stack of (mover, index of the next option to try); `via` records which option led to each mover.
    stack = [(root, 0)]
    via: list[int] = []
    while stack:
        p, i = stack.pop()
        fits = options[p]
        while i < len(fits) and fits[i] in seen:
            i += 1
        work += 1
        if i == len(fits):
            if via:
                via.pop()
            continue
        q = fits[i]
        seen.add(q)
        stack.append((p, i + 1))
        holder = owner.get(q)
        if holder is None:
            # Free trajectory: flip the path from the root.
            path = [p for p, _ in stack]
            chosen = [*via, q]
            for mover, option in zip(path, chosen, strict=True):
                owner[option], given[mover] = mover, option
            return work
        via.append(q)
        stack.append((holder, 0))
    return work


def _reseat(state: State, free: list[int], seats: dict[int, list[int]]) -> None:
    """Put these people at these tables in the free rounds (everyone unseated first, so seats are free)."""
    for i, r in enumerate(free):
        for p, row in seats.items():
            if row[i] >= 0 and state.seat[r][p] >= 0:
                state.remove(r, p)
        for p, row in seats.items():
            if row[i] >= 0:
                state.add(r, p, row[i])
