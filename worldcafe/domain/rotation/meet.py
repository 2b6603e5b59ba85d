"""Requested meetings (`meet`): trade whole trajectories between people so requested pairs share a table.

A trajectory is the sequence of tables one person takes through the free rounds. In a plan without repeated
pairs, handing b the trajectory of someone c who sits with a in some round makes a and b meet there, and
since the trajectories themselves stay, everyone meets as many people as before: repeats, topics (without
played rounds) and table sizes stay, and with b and c in the same group so does the mix. The trade is
scored by the full lexicographic cost, so it is taken only when the plan gets better as a whole.
"""

from __future__ import annotations

import random

from .deadline import Deadline
from .state import MEET, State

# Rounds over every unmet pair without a better trade before the search gives up.
PATIENCE = 3


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

    Descent on the plan's cost: a trade is kept only when the cost falls, so every higher level holds.
    """
    inst = state.inst
    P, meet = inst.n_people, state.meet
    work = idle = 0
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
                        work += 2 * len(free)
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
    rng.shuffle(unmet)
    for a, b in unmet[:8]:
        rounds = [r for r in inst.free_rounds if state.seat[r][a] >= 0 and state.seat[r][b] >= 0]
        if rounds and inst.compat_set[a] & inst.compat_set[b]:
            return rng.choice(rounds), [a, b]
    return None
