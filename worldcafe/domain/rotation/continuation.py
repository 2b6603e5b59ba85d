"""Continuing played rounds: when they follow a construction, the free rounds follow it too.

A velocity construction seats a person at ``start + λ_r · speed`` in round r. After two played rounds each person's
start and speed can be read back in each group the tables can be laid out as (``structures_for``); the later played
rounds confirm it. The trajectories of those (start, speed) pairs, extended into the free rounds, meet nobody twice
over the whole event; people who left free their trajectories, and arrivals (or people whose played seats fit no
pattern) get free trajectories of the same speeds, or of further speeds separated from all of them. Designs (affine
geometries, Kirkman and nearly-Kirkman triple systems, 1-rotational designs, line spreads and their doubles) are
matched the same way, by their played prefix.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from .constructions import (
    KIRKMAN_15,
    MAX_SPREAD,
    Trajectory,
    _helpers,
    spread_classes,
    structures_for,
    velocity_trajectories,
)
from .deadline import Deadline
from .designs import (
    DOUBLED_SPREAD,
    KTS_TIME_SHARE,
    ROTATIONAL_TIME_SHARE,
    _affine_shape,
    affine_classes,
    as_trajectories,
    doubled_spread_classes,
    kirkman_classes,
    nearly_kirkman_classes,
    rotational_classes,
)
from .state import Instance

# A pattern is used only if it explains at least this share of the people seated in every played round.
MIN_SHARE = 0.5


def _continuing(inst: Instance) -> list[int]:
    """People seated in every played round who are present in some free round."""
    return [
        p
        for p in range(inst.n_people)
        if all(row[p] >= 0 for row in inst.played_seat) and any(p in inst.present_set[r] for r in inst.free_rounds)
    ]


Pool = tuple[list[Trajectory], dict[int, int]]  # trajectories over all rounds; person → the one they follow


def _evidence(inst: Instance, p: int) -> list[int]:
    """A person's seats as far as known: played rounds, then the published plan's free rounds (−1 unknown)."""
    seats = [row[p] for row in inst.played_seat]
    if inst.prev is not None:
        seats += [inst.prev[r][p] for r in inst.free_rounds]
    return seats


def _velocity_pools(inst: Instance, people: list[int], movers: int, deadline: Deadline) -> list[Pool]:
    """Per group the tables can be laid out as: every (start, speed) trajectory over all rounds for the speeds read
    back from each person's first two known rounds (played, then published) and confirmed by the others (most
    common first, kept while pairwise separated), plus further separated speeds until there is a trajectory for
    every mover; with the trajectory each such person follows."""
    R = inst.n_rounds
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    T = len(open_tables)
    if T < 2 or inst.n_played + (inst.prev is not None) < 2:
        return []
    m, structures, _ = structures_for(inst, open_tables, R, 0)
    pools: list[Pool] = []
    evidence = {p: _evidence(inst, p) for p in people}
    for structure in structures:
        if structure is None or deadline.expired():
            continue
        layout, add, scale, topic_of = structure
        topic_ok, sub = _helpers(T, add, scale, topic_of, min(R, m))
        pos = {t: x for x, t in enumerate(layout)}
        follows: dict[int, tuple[int, int]] = {}
        for p in people:
            seats = evidence[p]
            if len(seats) < 2 or seats[1] not in pos or any(t >= 0 and t not in pos for t in seats):
                continue
            s = pos[seats[0]]
            v = sub(pos[seats[1]], s)
            if all(t < 0 or pos[t] == add(s, scale(r, v)) for r, t in enumerate(seats)):
                follows[p] = s, v
        votes = Counter(v for _, v in follows.values())
        if len(follows) < MIN_SHARE * len(people):
            continue

        def separated(delta: int, scale: Callable[[int, int], int] = scale) -> bool:
            return len({scale(lam, delta) for lam in range(R)}) == R

        speeds: list[int] = []
        for v, _count in sorted(votes.items(), key=lambda item: (-item[1], item[0])):
            if len(speeds) * T >= 2 * movers:
                break  # enough room; speeds few people follow (a pattern by chance) would only cost time
            if all(separated(sub(v, u)) for u in speeds):
                speeds.append(v)
        for v in range(T):
            if len(speeds) * T >= movers:
                break
            if v not in speeds and topic_ok(v) and all(separated(sub(v, u)) for u in speeds):
                speeds.append(v)
        index = {v: i for i, v in enumerate(speeds)}
        pool = [tuple(layout[add(s, scale(lam, v))] for lam in range(R)) for v in speeds for s in range(T)]
        chosen = {p: index[v] * T + s for p, (s, v) in follows.items() if v in index}
        pools.append((pool, chosen))
    return pools


def _design_pools(inst: Instance, deadline: Deadline) -> list[Pool]:
    """The designs of ``designs.py`` over all rounds, as trajectories (``FREE`` past their last class). The searched
    ones (Kirkman, nearly-Kirkman, 1-rotational) are deterministic and kept once found, so a re-plan gets the same
    classes as the first plan. They seat k at each table (3 for the triple systems); the first played round tells k."""
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    T, R = len(open_tables), inst.n_rounds
    if not T or any(inst.topic[t] >= 0 for t in open_tables):
        return []
    pools: list[Pool] = []
    smallest = min(inst.cap[t] for t in open_tables)
    if T == 5 and len(KIRKMAN_15) >= R and smallest >= 3:
        seat = [[0] * R for _ in range(15)]
        for r in range(R):
            for i, block in enumerate(KIRKMAN_15[r]):
                for girl in block:
                    seat[girl][r] = open_tables[i]
        pools.append(([tuple(row) for row in seat], {}))
    # The searched designs seat k at each table: k is read from the first played round (a no-show leaves a gap).
    k = -(-sum(1 for t in inst.played_seat[0] if t >= 0) // T) if inst.played_seat else 0
    if k == 3 and T >= 6:
        systems = kirkman_classes(T, deadline.share(KTS_TIME_SHARE)) if T >= 7 else None
        if systems is None and T % 2 == 0:
            systems = nearly_kirkman_classes(3 * T, deadline.share(ROTATIONAL_TIME_SHARE))
        if systems is not None:
            pools.append((as_trajectories(open_tables, systems, 3 * T, R), {}))
    if 4 <= k <= smallest:
        rotational = rotational_classes(k * T, k, deadline.share(ROTATIONAL_TIME_SHARE))
        if rotational is not None:
            pools.append((as_trajectories(open_tables, rotational, k * T, R), {}))
    if k == 4 and smallest >= 4 and T & (T - 1) == 0:
        n = T.bit_length() + 1  # 4T = 2^n people: a line spread of GF(2)^n, or a doubled one of GF(2)^(n−1)
        found = []
        if n in MAX_SPREAD:
            found.append(spread_classes(n, min(R, MAX_SPREAD[n]), deadline))
        if n - 1 in DOUBLED_SPREAD:
            found.append(doubled_spread_classes(n - 1, min(R, DOUBLED_SPREAD[n - 1]), deadline))
        pools += [(as_trajectories(open_tables, classes, 4 * T, R), {}) for classes in found if classes is not None]
    for q in range(2, 65):
        shape = _affine_shape(q * T, T)
        if shape is None or smallest < q:
            continue
        most = (q ** shape[1] - 1) // (q - 1)
        classes = affine_classes(q, shape[1], min(R, most), deadline)
        if classes is not None:
            pools.append((as_trajectories(open_tables, classes, q * T, R), {}))
    return pools


def _fresh_pools(inst: Instance, movers: int, budget_s: float, deadline: Deadline) -> list[Pool]:
    """After one played round: a velocity construction over all rounds, its first round matched by table (people
    who sat together then get different speeds, so they never meet again)."""
    whole = replace(inst, n_played=0)
    found = velocity_trajectories(whole, movers, random.Random(inst.problem.seed), budget_s, deadline)
    return [(found, {})] if found else []


def continued_trajectories(
    inst: Instance, movers: list[int], budget_s: float, deadline: Deadline
) -> tuple[dict[int, Trajectory], list[Trajectory]] | None:
    """The free-round part of a construction that the played rounds follow, or None.

    Returns the trajectories of the people whose played seats it explains (person → tables in the free rounds) and
    the unused trajectories for everyone else; the pattern explaining the most people wins. ``budget_s`` bounds the
    speed search of a fresh construction (one played round only).
    """
    if inst.n_played < 1 or inst.n_played >= inst.n_rounds:
        return None
    people = _continuing(inst)
    if not people:
        return None
    pools = _design_pools(inst, deadline) + _velocity_pools(inst, people, len(movers), deadline)
    if inst.n_played == 1:
        pools += _fresh_pools(inst, len(movers), budget_s, deadline)
    best: tuple[dict[int, Trajectory], list[Trajectory]] | None = None
    P = inst.n_played
    for pool, chosen in pools:
        if deadline.expired():
            break
        used = [False] * len(pool)
        kept: dict[int, Trajectory] = {}
        for p, i in chosen.items():  # people following the pattern keep their trajectory (and published seats)
            if not used[i]:
                used[i] = True
                kept[p] = pool[i][P:]
        by_prefix: dict[Trajectory, list[int]] = {}
        for i, tr in enumerate(pool):
            if not used[i]:
                by_prefix.setdefault(tr[:P], []).append(i)
        for p in people:
            if p in kept:
                continue
            options = by_prefix.get(tuple(row[p] for row in inst.played_seat), [])
            while options and used[options[-1]]:
                options.pop()
            if options:
                i = options.pop()
                used[i] = True
                kept[p] = pool[i][P:]
        if len(kept) >= MIN_SHARE * len(people) and (best is None or len(kept) > len(best[0])):
            best = kept, [tr[P:] for i, tr in enumerate(pool) if not used[i]]
    return best
