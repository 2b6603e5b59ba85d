"""Social-golfer search for plain events: tables without topics, no groups, needs, avoid lists or published plan.

There only repeated pairs can differ between plans with the evenest sizes (swaps keep sizes), so a dedicated
search pays: a pair-aware greedy start after Triska & Musliu (fill each table pair by pair, keeping the most
"freedom" — people who met nobody at the table yet), then Dotú & Van Hentenryck's tabu search over swaps of
conflicting people (every round, every partner), with O(1) swap deltas from counters kept incrementally,
random tabu tenure, aspiration, and perturbation of the best plan found (not the current one) when stuck.
"""

from __future__ import annotations

import random

from .deadline import Deadline
from .state import Instance, size_bands

# Idle steps (no new best plan) before the best plan is perturbed and the search goes on from there.
STALL_STEPS = 60
# Conflicting (round, person) positions priced per step at most (all of them when fewer): keeps steps cheap
# on large events; every partner of each is priced.
POSITIONS_PER_STEP = 24
# Tabu tenure: a swapped person may not return to the table they left for this many steps (uniform).
TENURE = (2, 8)
# Largest event this search takes: loading the counters (at the start and at every perturbation) costs
# free rounds × people² steps, kept to about a tenth of a second.
MAX_LOAD = 200_000
# Beyond this many candidates a pick prices pairs among a random sample of them only.
PAIR_SAMPLE = 32


def is_plain(inst: Instance) -> bool:
    """Is this a social-golfer event (only repeated pairs and sizes matter, everyone fits every table)?"""
    free = inst.n_rounds - inst.n_played
    if inst.prev is not None or free < 1 or free * inst.n_people**2 > MAX_LOAD:
        return False
    if any(t >= 0 for t in inst.topic) or any(g >= 0 for g in inst.group) or any(inst.avoid):
        return False
    if inst.meet_pairs:
        return False  # requested meetings are a level of their own, which the pair search does not know
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    return all(len(c) == len(open_tables) for c in inst.compat)


def even_sizes(inst: Instance, r: int) -> list[int]:
    """Table sizes of round r with the least Σ size² (fullest band first)."""
    bands = size_bands(inst, r)
    sizes = [low for low, _ in bands]
    extra = len(inst.present[r]) - sum(sizes)
    for t, (low, high) in enumerate(bands):
        if extra and high > low:
            sizes[t] += 1
            extra -= 1
    return sizes


def greedy_pairs(inst: Instance, meet: bytearray, rng: random.Random, deadline: Deadline) -> list[list[int]]:
    """Triska–Musliu style start: per free round, fill each table with pairs who met neither each other nor
    anyone at the table, choosing the pair that leaves the table the most freedom (people still placeable).

    Freedom is counted on bitsets; beyond PAIR_SAMPLE candidates a pick prices pairs among a random sample.
    Returns seats per free round (index = person).
    """
    P = inst.n_people
    met = [0] * P
    for p in range(P):
        base = p * P
        met[p] = sum(1 << x for x in range(P) if meet[base + x])
    seats: list[list[int]] = []
    for r in inst.free_rounds:
        row = [-1] * P
        sizes = even_sizes(inst, r)
        unplaced = 0
        for p in inst.present[r]:
            unplaced |= 1 << p
        order = sorted(range(inst.n_tables), key=lambda t: -sizes[t])
        for t in order:
            group: list[int] = []
            allowed = unplaced  # unplaced people who met nobody at the table
            while len(group) < sizes[t]:
                if deadline.expired():
                    pool = allowed or unplaced
                    pick = [(pool & -pool).bit_length() - 1]  # past the deadline: dealt, not priced
                elif not allowed:
                    pick = [_lowest_meetings(unplaced, group, met, rng)]
                elif sizes[t] - len(group) >= 2:
                    pick = _best_pair(allowed, met, rng)
                else:
                    pick = [_best_single(allowed, met, rng)]
                for p in pick:
                    group.append(p)
                    row[p] = t
                    unplaced &= ~(1 << p)
                    allowed &= ~(1 << p) & ~met[p]
                allowed &= unplaced
        for p in inst.present[r]:
            t = row[p]
            for x in inst.present[r]:
                if x != p and row[x] == t:
                    met[p] |= 1 << x
        seats.append(row)
    return seats


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def _best_pair(allowed: int, met: list[int], rng: random.Random) -> list[int]:
    """The pair in `allowed` who have not met, leaving the most freedom; a single person if there is none."""
    people = _bits(allowed)
    if len(people) > PAIR_SAMPLE:
        people = sorted(rng.sample(people, PAIR_SAMPLE))
    pairs = [(a, b) for i, a in enumerate(people) for b in people[i + 1 :] if not met[a] >> b & 1]
    if not pairs:
        return [_best_single(allowed, met, rng)]
    best, score = pairs[0], -1
    for a, b in pairs:
        free = (allowed & ~met[a] & ~met[b] & ~(1 << a) & ~(1 << b)).bit_count()
        key = free * 2 + (rng.random() < 0.5)
        if key > score:
            best, score = (a, b), key
    return list(best)


def _best_single(allowed: int, met: list[int], rng: random.Random) -> int:
    people = _bits(allowed)
    return max(people, key=lambda a: ((allowed & ~met[a]).bit_count(), rng.random()))


def _lowest_meetings(pool: int, group: list[int], met: list[int], rng: random.Random) -> int:
    people = _bits(pool)
    if len(people) > PAIR_SAMPLE:
        people = rng.sample(people, PAIR_SAMPLE)
    return min(people, key=lambda a: (sum(met[a] >> x & 1 for x in group), rng.random()))


class PairTabu:
    """Dotú–Van Hentenryck tabu on repeated pairs: swaps of people in conflict with anyone at another table.

    Counters (per free round): ``cnt[i][q*T + t]`` = people at table t that q has met (in any round, this one
    included); ``out[i][p]`` = people at p's table p has met more than once. A swap's change of repeated pairs is
    then read off in O(1). Work (priced swaps) is counted so that a seed gives the same plan.
    """

    def __init__(self, inst: Instance, meet: bytearray, seats: list[list[int]], rng: random.Random) -> None:
        self.inst, self.rng = inst, rng
        self.P, self.T = inst.n_people, inst.n_tables
        self.rounds = list(inst.free_rounds)
        self.present = [inst.present[r] for r in self.rounds]
        # Meetings in played rounds stay fixed; free rounds are added by _load.
        self.played = bytearray(meet)
        self.work = 0
        self.iterations = 0
        self._load(seats)
        self.best_seats = [row[:] for row in self.seat]
        self.best = self.repeats

    def _load(self, seats: list[list[int]]) -> None:
        P, T = self.P, self.T
        self.m = bytearray(self.played)
        self.seat = [row[:] for row in seats]
        self.members: list[list[list[int]]] = [[[] for _ in range(T)] for _ in self.rounds]
        for i, row in enumerate(self.seat):
            for p in self.present[i]:
                self.members[i][row[p]].append(p)
        m = self.m
        for i in range(len(self.rounds)):
            for group in self.members[i]:
                for a in group:
                    for b in group:
                        if a < b:
                            m[a * P + b] += 1
                            m[b * P + a] += 1
        self.repeats = sum(k - 1 for k in m if k > 1) // 2
        self.cnt = [[0] * (P * T) for _ in self.rounds]
        self.out = [[0] * P for _ in self.rounds]
        for i in range(len(self.rounds)):
            cnt, out, row = self.cnt[i], self.out[i], self.seat[i]
            for q in self.present[i]:
                base = q * P
                for x in self.present[i]:
                    if x != q and m[base + x]:
                        cnt[q * T + row[x]] += 1
                        if row[x] == row[q] and m[base + x] > 1:
                            out[q] += 1

    def _pair_change(self, i: int, p: int, x: int, step: int) -> None:
        """m[p,x] += step (±1) with p detached from round i; keep cnt/out of other seatings in step."""
        P, T, m = self.P, self.T, self.m
        old = m[p * P + x]
        new = old + step
        m[p * P + x] = m[x * P + p] = new
        if (old == 0) != (new == 0):
            d = 1 if new else -1
            for j, row in enumerate(self.seat):
                tx, tp = row[x], row[p]
                # Rows of people present in round j only (p is present in round i, detached for the change).
                if tx >= 0 and (tp >= 0 or j == i):
                    self.cnt[j][p * T + tx] += d
                if tp >= 0 and tx >= 0:
                    self.cnt[j][x * T + tp] += d
        if (old > 1) != (new > 1):
            d = 1 if new > 1 else -1
            for j, row in enumerate(self.seat):
                if row[p] >= 0 and row[p] == row[x]:
                    self.out[j][p] += d
                    self.out[j][x] += d
        if old > 1 or new > 1:
            self.repeats += step

    def _remove(self, i: int, p: int) -> int:
        T, P, m = self.T, self.P, self.m
        t = self.seat[i][p]
        cnt, out = self.cnt[i], self.out[i]
        for q in self.present[i]:
            if q != p and m[q * P + p]:
                cnt[q * T + t] -= 1
        group = self.members[i][t]
        group.remove(p)
        self.seat[i][p] = -1
        for x in group:
            if m[p * P + x] > 1:
                out[x] -= 1
        out[p] = 0
        for x in group:
            self._pair_change(i, p, x, -1)
        return t

    def _add(self, i: int, p: int, t: int) -> None:
        T, P, m = self.T, self.P, self.m
        cnt, out = self.cnt[i], self.out[i]
        group = self.members[i][t]
        for x in group:
            self._pair_change(i, p, x, 1)
        for x in group:
            if m[p * P + x] > 1:
                out[x] += 1
                out[p] += 1
        group.append(p)
        self.seat[i][p] = t
        for q in self.present[i]:
            if q != p and m[q * P + p]:
                cnt[q * T + t] += 1

    def swap(self, i: int, p: int, q: int) -> None:
        """Exchange p and q (at different tables) in free round i."""
        tp, tq = self._remove(i, p), self._remove(i, q)
        self._add(i, p, tq)
        self._add(i, q, tp)

    def delta(self, i: int, p: int, q: int) -> int:
        """Change of repeated pairs if p and q swap tables in free round i."""
        T, P = self.T, self.P
        cnt, out, row = self.cnt[i], self.out[i], self.seat[i]
        met = 2 if self.m[p * P + q] else 0
        return cnt[p * T + row[q]] + cnt[q * T + row[p]] - met - out[p] - out[q]

    def run(self, target: int, budget: int, deadline: Deadline) -> list[list[int]]:
        """Search until `target` repeated pairs, the work budget or the deadline; return the best seats."""
        rng, T = self.rng, self.T
        tabu: dict[tuple[int, int, int], int] = {}
        idle = 0
        while self.best > target and self.work < budget and not deadline.expired():
            self.iterations += 1
            positions = [(i, p) for i, out in enumerate(self.out) for p in self.present[i] if out[p]]
            if not positions:
                break
            if len(positions) > POSITIONS_PER_STEP:
                positions = rng.sample(positions, POSITIONS_PER_STEP)
            best_d, move, ties = None, None, 0
            it = self.iterations
            for i, p in positions:
                row, cnt, out = self.seat[i], self.cnt[i], self.out[i]
                tp, op, pb = row[p], out[p], p * T
                m, P = self.m, self.P
                mp = p * P
                self.work += len(self.present[i])
                for q in self.present[i]:
                    tq = row[q]
                    if tq == tp:
                        continue
                    d = cnt[pb + tq] + cnt[q * T + tp] - op - out[q] - (2 if m[mp + q] else 0)
                    if best_d is not None and d > best_d:
                        continue
                    if (tabu.get((i, p, tq), 0) > it or tabu.get((i, q, tp), 0) > it) and (
                        self.repeats + d >= self.best
                    ):
                        continue
                    if best_d is None or d < best_d:
                        best_d, move, ties = d, (i, p, q), 1
                    else:
                        ties += 1
                        if rng.random() * ties < 1:
                            move = (i, p, q)
            if move is None:
                idle += 1
            else:
                i, p, q = move
                tp, tq = self.seat[i][p], self.seat[i][q]
                self.swap(i, p, q)
                tabu[(i, p, tp)] = it + rng.randint(*TENURE)
                tabu[(i, q, tq)] = it + rng.randint(*TENURE)
                if self.repeats < self.best:
                    self.best = self.repeats
                    self.best_seats = [row[:] for row in self.seat]
                    idle = 0
                else:
                    idle += 1
            if idle > STALL_STEPS:
                self._perturb()
                tabu.clear()
                idle = 0
        return self.best_seats

    def _perturb(self) -> None:
        """Back to the best plan, then a few random swaps (Dotú & Van Hentenryck restart from the best)."""
        rng = self.rng
        self._load(self.best_seats)
        self.work += len(self.rounds) * self.P * 4
        for _ in range(1 + rng.randrange(3)):
            i = rng.randrange(len(self.rounds))
            people = self.present[i]
            if len(people) < 2:
                continue
            p, q = rng.sample(people, 2)
            if self.seat[i][p] != self.seat[i][q]:
                self.swap(i, p, q)
