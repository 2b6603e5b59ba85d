"""Algebraic seatings: movers travel table = start + λ_round · speed in a group or a finite field."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from .state import Instance

# Kirkman's schoolgirls (15 people, 5 tables of 3, 7 rounds, every pair meets exactly once): a packing
# of PG(3,2) into 7 spreads, computed once by exact cover and kept as data.
KIRKMAN_15 = (
    ((0, 1, 2), (3, 7, 11), (4, 9, 14), (5, 10, 12), (6, 8, 13)),
    ((0, 3, 4), (1, 8, 10), (2, 12, 13), (5, 9, 11), (6, 7, 14)),
    ((0, 5, 6), (1, 12, 14), (2, 7, 10), (3, 9, 13), (4, 8, 11)),
    ((0, 7, 8), (1, 3, 5), (2, 11, 14), (4, 10, 13), (6, 9, 12)),
    ((0, 9, 10), (1, 11, 13), (2, 3, 6), (4, 7, 12), (5, 8, 14)),
    ((0, 11, 12), (1, 4, 6), (2, 8, 9), (3, 10, 14), (5, 7, 13)),
    ((0, 13, 14), (1, 7, 9), (2, 4, 5), (3, 8, 12), (6, 10, 11)),
)

Trajectory = tuple[int, ...]


def _prime_power(q: int) -> tuple[int, int] | None:
    for p in range(2, q + 1):
        if q % p == 0:
            e, rest = 0, q
            while rest % p == 0:
                rest //= p
                e += 1
            return (p, e) if rest == 1 else None
    return None


def galois_field(q: int) -> tuple[list[list[int]], list[list[int]]] | None:
    """Addition and multiplication tables of GF(q) (elements 0..q-1 as base-p digits), or None."""
    pe = _prime_power(q) if 2 <= q <= 64 else None
    if pe is None:
        return None
    p, e = pe

    def digits(x: int) -> list[int]:
        return [(x // p**i) % p for i in range(e)]

    def number(ds: list[int]) -> int:
        return sum(d * p**i for i, d in enumerate(ds))

    add = [
        [number([(a + b) % p for a, b in zip(digits(x), digits(y), strict=True)]) for y in range(q)]
        for x in range(q)
    ]
    for low in range(q):  # monic x^e + low(x); the first one that makes every non-zero element invertible
        modulus = digits(low)
        mul = [[0] * q for _ in range(q)]
        for x in range(q):
            for y in range(q):
                prod = [0] * (2 * e)
                for i, a in enumerate(digits(x)):
                    for j, b in enumerate(digits(y)):
                        prod[i + j] = (prod[i + j] + a * b) % p
                for k in range(2 * e - 1, e - 1, -1):
                    c, prod[k] = prod[k], 0
                    for i in range(e):
                        prod[k - e + i] = (prod[k - e + i] - c * modulus[i]) % p
                mul[x][y] = number(prod[:e])
        if all(any(mul[x][y] == 1 for y in range(q)) for x in range(1, q)):
            return add, mul
    return None


def _cyclic(m: int, k: int) -> tuple[Callable[[int, int], int], Callable[[int, int], int]]:
    """Z_m × Z_k with element a·k + b; the round multiplier is the integer round index."""

    def add(x: int, y: int) -> int:
        return ((x // k + y // k) % m) * k + (x % k + y % k) % k

    def scale(lam: int, x: int) -> int:
        return ((lam * (x // k)) % m) * k + (lam * (x % k)) % k

    return add, scale


def _speeds(
    size: int,
    rounds: int,
    needed: int,
    scale: Callable[[int, int], int],
    sub: Callable[[int, int], int],
    topic_ok: Callable[[int], bool],
    rng: random.Random,
    deadline: float,
) -> list[int] | None:
    """Find `needed` speeds whose pairwise differences never meet twice (a clique, by backtracking)."""
    lams = range(rounds)

    def separates(delta: int) -> bool:
        return len({scale(lam, delta) for lam in lams}) == rounds

    good_delta = [separates(d) for d in range(size)]
    candidates = [v for v in range(size) if topic_ok(v)]
    rng.shuffle(candidates)
    chosen: list[int] = []
    nodes = 0

    def extend(start: int) -> bool:
        nonlocal nodes
        if len(chosen) == needed:
            return True
        nodes += 1
        if nodes % 256 == 0 and time.perf_counter() > deadline:
            return False
        for i in range(start, len(candidates)):
            if len(candidates) - i < needed - len(chosen):
                return False
            v = candidates[i]
            if all(good_delta[sub(v, u)] for u in chosen):
                chosen.append(v)
                if extend(i + 1):
                    return True
                chosen.pop()
        return False

    return chosen if extend(0) else None


def velocity_trajectories(
    inst: Instance, movers: int, rng: random.Random, budget_s: float
) -> list[Trajectory] | None:
    """Trajectories (table per free round) for `movers` people with no pair meeting twice, or None."""
    rounds = inst.n_rounds - inst.n_played
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    T = len(open_tables)
    needed = -(-movers // T)
    if inst.n_played or rounds < 1 or needed < 1 or min(inst.cap[t] for t in open_tables) < needed:
        return None
    by_topic: dict[int, list[int]] = {}
    for t in open_tables:
        by_topic.setdefault(inst.topic[t], []).append(t)
    sizes = {len(ts) for ts in by_topic.values()}
    deadline = time.perf_counter() + budget_s
    topical = -1 not in by_topic and len(sizes) == 1 and len(by_topic) > 1
    if topical:
        # Lay tables out as Z_m × Z_k (topic, table within topic): a speed whose topic part has large
        # enough order sends everyone to a new topic every round.
        m, k = len(by_topic), sizes.pop()
        layout = [t for topic in sorted(by_topic) for t in by_topic[topic]]
        add, scale = _cyclic(m, k)
        span = min(rounds, m)
        topic_ok: Callable[[int], bool] = lambda v: len({scale(lam, v) // k for lam in range(span)}) == span  # noqa: E731
    else:
        layout = open_tables
        field = galois_field(T) if _prime_power(T) and rounds <= T else None
        if field is not None:
            fadd, fmul = field
            add = lambda x, y: fadd[x][y]  # noqa: E731
            scale = lambda lam, x: fmul[lam][x]  # noqa: E731
        else:
            add, scale = _cyclic(1, T)
        topic_ok = lambda v: True  # noqa: E731
    neg = [next(y for y in range(T) if add(x, y) == 0) for x in range(T)]
    sub = lambda x, y: add(x, neg[y])  # noqa: E731
    lams = list(range(rounds))
    infinity = False
    if not topical and rounds == T + 1 and movers == T * T and galois_field(T) is not None:
        # The affine plane's last parallel class: everyone sits with their own speed class.
        lams, infinity = lams[:-1], True
    speeds = _speeds(T, len(lams), needed, scale, sub, topic_ok, rng, deadline)
    if speeds is None:
        return None
    result: list[Trajectory] = []
    for c, v in enumerate(speeds):
        for s in range(T):
            seats = [layout[add(s, scale(lam, v))] for lam in lams]
            if infinity:
                seats.append(layout[c])
            result.append(tuple(seats))
    return result


def kirkman_trajectories(inst: Instance, movers: int) -> list[Trajectory] | None:
    """Kirkman's 15 schoolgirls for 15 movers at 5 topic-free tables of 3, up to 7 rounds."""
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    rounds = inst.n_rounds - inst.n_played
    if inst.n_played or movers != 15 or len(open_tables) != 5 or not 1 <= rounds <= 7:
        return None
    if min(inst.cap[t] for t in open_tables) < 3 or any(inst.topic[t] >= 0 for t in open_tables):
        return None
    seat = [[0] * rounds for _ in range(15)]
    for r in range(rounds):
        for i, block in enumerate(KIRKMAN_15[r]):
            for girl in block:
                seat[girl][r] = open_tables[i]
    return [tuple(row) for row in seat]


def assign_trajectories(
    inst: Instance, trajectories: list[Trajectory], people: list[int]
) -> list[list[int]] | None:
    """Give each person a trajectory their needs allow; block-fill by group so classes mix evenly."""
    if len(trajectories) < len(people):
        return None
    free = trajectories
    needs = [bool(person.needs) for person in inst.problem.participants]
    order = sorted(people, key=lambda p: (not needs[p], inst.group[p] < 0, inst.group[p]))
    taken = [False] * len(free)
    chosen: dict[int, Trajectory] = {}
    for p in order:
        allowed = inst.compat_set[p]
        pick = next((i for i, tr in enumerate(free) if not taken[i] and all(t in allowed for t in tr)), None)
        if pick is None:
            return None
        taken[pick] = True
        chosen[p] = free[pick]
    first = inst.n_played
    seats = [[-1] * inst.n_people for _ in range(inst.n_rounds - first)]
    for p, tr in chosen.items():
        for i, t in enumerate(tr):
            if p in inst.present_set[first + i]:
                seats[i][p] = t
    return seats
