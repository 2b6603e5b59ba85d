"""Index-based instance and a seating state with incremental lexicographic cost."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Problem

# Cost levels by index; the weighted scalar compares like the tuple in PRIORITY order (see Instance.weights).
# "meet_unmet" came last, so it has the last index, but it ranks right after topic repeats.
LEVELS = (
    "topic_repeats",
    "repeat_pairs",
    "avoid_violations",
    "group_mixing_deviation",
    "size_squares",
    "changed",
    "meet_unmet",
)
MEET = 6
# Level indices, most important first.
PRIORITY = (0, MEET, 1, 2, 3, 4, 5)


@dataclass
class Instance:
    """The problem as integer indices: people 0..P-1, tables 0..T-1, rounds 0..R-1."""

    problem: Problem
    n_people: int
    n_tables: int
    n_rounds: int
    n_played: int
    cap: list[int]
    topic: list[int]
    compat: list[list[int]]
    compat_set: list[frozenset[int]]
    group: list[int]
    n_groups: int
    avoid: list[frozenset[int]]
    topics_possible: list[int]
    present: list[list[int]]
    present_set: list[frozenset[int]]
    rounds_present: list[int]
    played_seat: list[list[int]]
    prev: list[list[int]] | None
    group_counts: list[list[int]]
    weights: tuple[int, ...]
    # Requested meetings: per person the partners (both directions), and the unordered pairs.
    meet_want: list[frozenset[int]]
    meet_pairs: list[tuple[int, int]]
    # Requested pairs no plan can seat together (never met in a played round, no free round with both present
    # and a table both may use): a floor for the meet level.
    meet_floor: int

    @property
    def free_rounds(self) -> range:
        """Rounds the planner may change."""
        return range(self.n_played, self.n_rounds)


def build_instance(problem: Problem) -> Instance:
    """Translate ids into indices and precompute what the search reads in its inner loops."""
    tids = {t.id: i for i, t in enumerate(problem.tables)}
    pids = {p.id: i for i, p in enumerate(problem.participants)}
    topic_ids: dict[str, int] = {}
    topic = [topic_ids.setdefault(t.topic, len(topic_ids)) if t.topic else -1 for t in problem.tables]
    cap = [t.capacity for t in problem.tables]
    by_needs: dict[frozenset[str], list[int]] = {}
    for person in problem.participants:
        if person.needs not in by_needs:
            fits = [i for i, t in enumerate(problem.tables) if t.capacity > 0 and person.needs <= t.tags]
            by_needs[person.needs] = fits
    compat = [by_needs[p.needs] for p in problem.participants]
    compat_sets = {needs: frozenset(fits) for needs, fits in by_needs.items()}
    group_ids: dict[str, int] = {}
    group = [group_ids.setdefault(p.group, len(group_ids)) if p.group else -1 for p in problem.participants]
    avoid_sets: list[set[int]] = [set() for _ in problem.participants]
    for i, person in enumerate(problem.participants):
        for other in person.avoid:
            avoid_sets[i].add(pids[other])
            avoid_sets[pids[other]].add(i)
    n_people, n_rounds, n_played = len(pids), problem.rounds, len(problem.played)
    played_seat = [[-1] * n_people for _ in problem.played]
    for r, seats in enumerate(problem.played):
        for pid, tid in seats.items():
            played_seat[r][pids[pid]] = tids[tid]
    present: list[list[int]] = []
    for r in range(n_rounds):
        if r < n_played:
            present.append([i for i in range(n_people) if played_seat[r][i] >= 0])
        else:
            present.append(
                [i for i, p in enumerate(problem.participants) if not p.left and r + 1 not in p.absent_rounds]
            )
    # Topics reachable by needs, once per needs class (per person it costs people × tables on large events).
    reach = {needs: {topic[t] for t in fits} for needs, fits in by_needs.items()}
    topics_possible = []
    for i, person in enumerate(problem.participants):
        seen = reach[person.needs] | {topic[row[i]] for row in played_seat if row[i] >= 0}
        topics_possible.append(len(seen - {-1}))
    prev: list[list[int]] | None = None
    if problem.previous_plan is not None:
        prev = [[-1] * n_people for _ in range(n_rounds)]
        for r, seats in enumerate(problem.previous_plan):
            for pid, tid in seats.items():
                prev[r][pids[pid]] = tids[tid]
    group_counts = []
    for r in range(n_rounds):
        counts = [0] * len(group_ids)
        for i in present[r]:
            if group[i] >= 0:
                counts[group[i]] += 1
        group_counts.append(counts)
    want: list[set[int]] = [set() for _ in problem.participants]
    for i, person in enumerate(problem.participants):
        for other in person.meet:
            want[i].add(pids[other])
            want[pids[other]].add(i)
    pairs = sorted({(a, b) for a in range(n_people) for b in want[a] if a < b})
    meet_floor = sum(1 for a, b in pairs if not _can_meet(a, b, played_seat, present, by_needs, problem))
    # Each weight exceeds the largest possible total of every level below it, so the weighted sum
    # orders solutions exactly like the tuple of levels in PRIORITY order (strict priorities, no trade-offs).
    room = max(cap) + 1
    span = [
        n_rounds * n_people * room + 1,  # topic visits
        n_rounds * n_people * room + 1,  # pair meetings
        n_rounds * n_people * room + 1,  # avoid pairs
        2 * n_rounds * n_people + 1,  # group deviation
        n_rounds * n_people * room + 1,  # sum of squared sizes
        n_rounds * n_people + 1,  # changed seats
        len(pairs) + 1,  # requested pairs unmet
    ]
    weights = [1] * len(span)
    for above, below in zip(PRIORITY[-2::-1], PRIORITY[:0:-1], strict=True):
        weights[above] = weights[below] * span[below]
    return Instance(
        problem,
        n_people,
        len(cap),
        n_rounds,
        n_played,
        cap,
        topic,
        compat,
        [compat_sets[p.needs] for p in problem.participants],
        group,
        len(group_ids),
        [frozenset(a) for a in avoid_sets],
        topics_possible,
        present,
        [frozenset(x) for x in present],
        _rounds_present(present, n_people),
        played_seat,
        prev,
        group_counts,
        tuple(weights),
        [frozenset(w) for w in want],
        pairs,
        meet_floor,
    )


def _can_meet(
    a: int,
    b: int,
    played_seat: list[list[int]],
    present: list[list[int]],
    by_needs: dict[frozenset[str], list[int]],
    problem: Problem,
) -> bool:
    """Did a and b share a table in a played round, or is there a free round with both present and a table for both?"""
    if any(row[a] >= 0 and row[a] == row[b] for row in played_seat):
        return True
    people = problem.participants
    common = set(by_needs[people[a].needs]) & set(by_needs[people[b].needs])
    if not common:
        return False
    return any(a in row and b in row for row in present[len(played_seat) :])


def _rounds_present(present: list[list[int]], n_people: int) -> list[int]:
    counts = [0] * n_people
    for row in present:
        for i in row:
            counts[i] += 1
    return counts


def size_bands(inst: Instance, r: int) -> list[tuple[int, int]]:
    """Per table, the sizes a Σ size²-minimal seating of round r may give it (water-filling).

    Tables with capacity ≤ L − 1 are full, the others hold L − 1 or L, where L is the least level with
    Σ min(capacity, L) ≥ people present; every least-squares seating lies within these bands.
    """
    n = len(inst.present[r])
    # A played round may hold more people than seats (a walk-in seated at once in a full running round):
    # then every table is full, and the level stops at the largest capacity.
    top = max(inst.cap, default=0)
    level = 0
    while level < top and sum(min(c, level) for c in inst.cap) < n:
        level += 1
    return [(max(0, min(c, level - 1)), min(c, level)) for c in inst.cap]


def deviation(counts: list[int], size: int, shares: list[int]) -> int:
    """How far a table's group counts fall outside floor/ceil of the group's share of its size."""
    total = sum(shares)
    if total == 0 or size <= 1:
        return 0
    dev = 0
    for count, share in zip(counts, shares, strict=True):
        if share:
            low, rest = divmod(size * share, total)
            high = low + (1 if rest else 0)
            if count < low:
                dev += low - count
            elif count > high:
                dev += count - high
    return dev


class State:
    """Seats of every round plus the aggregates the cost needs, updated move by move."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        P, T, R = inst.n_people, inst.n_tables, inst.n_rounds
        self.seat = [[-1] * P for _ in range(R)]
        self.members: list[list[list[int]]] = [[[] for _ in range(T)] for _ in range(R)]
        self.meet = bytearray(P * P)
        self.rep_of = [0] * P
        self.topic_count: list[dict[int, int]] = [{} for _ in range(P)]
        self.visits = [0] * P
        self.distinct = [0] * P
        self.gcount = [[[0] * inst.n_groups for _ in range(T)] for _ in range(R)]
        self.gsize = [[0] * T for _ in range(R)]
        self.dev = [[0] * T for _ in range(R)]
        self.levels = [0] * len(LEVELS)
        self.levels[MEET] = len(inst.meet_pairs)
        for r in range(inst.n_played):
            for p in inst.present[r]:
                self.add(r, p, inst.played_seat[r][p])

    def cost(self) -> int:
        """The weighted scalar of the current levels."""
        return sum(w * v for w, v in zip(self.inst.weights, self.levels, strict=True))

    def _topic_cost(self, p: int, visits: int, distinct: int) -> int:
        return min(visits, self.inst.topics_possible[p]) - distinct

    def add(self, r: int, p: int, t: int) -> None:
        """Seat p at t in round r (p unseated there)."""
        inst, lv = self.inst, self.levels
        P, m, base = inst.n_people, self.meet, p * inst.n_people
        av, want = inst.avoid[p], inst.meet_want[p]
        for x in self.members[r][t]:
            k = m[base + x]
            if k >= 1:
                lv[1] += 1
                self.rep_of[p] += 1
                self.rep_of[x] += 1
            elif want and x in want:
                lv[MEET] -= 1
            m[base + x] = k + 1
            m[x * P + p] = k + 1
            if x in av:
                lv[2] += 1
        lv[4] += 2 * len(self.members[r][t]) + 1
        self.members[r][t].append(p)
        self.seat[r][p] = t
        b = inst.topic[t]
        if b >= 0:
            old = self._topic_cost(p, self.visits[p], self.distinct[p])
            counts = self.topic_count[p]
            self.visits[p] += 1
            if counts.get(b, 0) == 0:
                self.distinct[p] += 1
            counts[b] = counts.get(b, 0) + 1
            lv[0] += self._topic_cost(p, self.visits[p], self.distinct[p]) - old
        g = inst.group[p]
        if g >= 0:
            self.gcount[r][t][g] += 1
            self.gsize[r][t] += 1
            self._refresh_dev(r, t)
        if inst.prev is not None and r >= inst.n_played and inst.prev[r][p] >= 0 and inst.prev[r][p] != t:
            lv[5] += 1

    def remove(self, r: int, p: int) -> int:
        """Unseat p in round r; return the table p left."""
        inst, lv = self.inst, self.levels
        t = self.seat[r][p]
        P, m, base = inst.n_people, self.meet, p * inst.n_people
        self.members[r][t].remove(p)
        self.seat[r][p] = -1
        av, want = inst.avoid[p], inst.meet_want[p]
        for x in self.members[r][t]:
            k = m[base + x]
            if k >= 2:
                lv[1] -= 1
                self.rep_of[p] -= 1
                self.rep_of[x] -= 1
            elif want and x in want:
                lv[MEET] += 1
            m[base + x] = k - 1
            m[x * P + p] = k - 1
            if x in av:
                lv[2] -= 1
        lv[4] -= 2 * len(self.members[r][t]) + 1
        b = inst.topic[t]
        if b >= 0:
            old = self._topic_cost(p, self.visits[p], self.distinct[p])
            counts = self.topic_count[p]
            self.visits[p] -= 1
            counts[b] -= 1
            if counts[b] == 0:
                self.distinct[p] -= 1
            lv[0] += self._topic_cost(p, self.visits[p], self.distinct[p]) - old
        g = inst.group[p]
        if g >= 0:
            self.gcount[r][t][g] -= 1
            self.gsize[r][t] -= 1
            self._refresh_dev(r, t)
        if inst.prev is not None and r >= inst.n_played and inst.prev[r][p] >= 0 and inst.prev[r][p] != t:
            lv[5] -= 1
        return t

    def _refresh_dev(self, r: int, t: int) -> None:
        new = deviation(self.gcount[r][t], self.gsize[r][t], self.inst.group_counts[r])
        self.levels[3] += new - self.dev[r][t]
        self.dev[r][t] = new

    def swap(self, r: int, p: int, q: int) -> None:
        """Exchange the seats of p and q in round r."""
        tp, tq = self.remove(r, p), self.remove(r, q)
        self.add(r, p, tq)
        self.add(r, q, tp)

    def move(self, r: int, p: int, t: int) -> None:
        """Move p to table t in round r."""
        self.remove(r, p)
        self.add(r, p, t)

    def _topic_delta(self, p: int, a: int, b: int) -> int:
        if a == b:
            return 0
        v, d, counts = self.visits[p], self.distinct[p], self.topic_count[p]
        v2, d2 = v, d
        if a >= 0:
            v2 -= 1
            if counts.get(a, 0) == 1:
                d2 -= 1
        if b >= 0:
            v2 += 1
            if counts.get(b, 0) == 0:
                d2 += 1
        return self._topic_cost(p, v2, d2) - self._topic_cost(p, v, d)

    def _dev_with(self, r: int, t: int, out_g: int, in_g: int) -> int:
        counts = list(self.gcount[r][t])
        size = self.gsize[r][t]
        if out_g >= 0:
            counts[out_g] -= 1
            size -= 1
        if in_g >= 0:
            counts[in_g] += 1
            size += 1
        return deviation(counts, size, self.inst.group_counts[r]) - self.dev[r][t]

    def _changed_delta(self, r: int, p: int, old: int, new: int) -> int:
        prev = self.inst.prev
        if prev is None or prev[r][p] < 0:
            return 0
        return (new != prev[r][p]) - (old != prev[r][p])

    def delta_add(self, r: int, p: int, t: int) -> int:
        """Weighted cost change of seating unseated p at t in round r."""
        inst = self.inst
        w, m, base, av = inst.weights, self.meet, p * inst.n_people, inst.avoid[p]
        members = self.members[r][t]
        rep = sum(1 for x in members if m[base + x])
        avoid = sum(1 for x in members if x in av) if av else 0
        topic = self._topic_delta(p, -1, inst.topic[t])
        g = inst.group[p]
        mix = self._dev_with(r, t, -1, g) if g >= 0 else 0
        chg = 1 if inst.prev is not None and inst.prev[r][p] >= 0 and inst.prev[r][p] != t else 0
        want = inst.meet_want[p]
        met = -sum(1 for x in members if x in want and not m[base + x]) if want else 0
        return (
            w[0] * topic
            + w[1] * rep
            + w[2] * avoid
            + w[3] * mix
            + w[4] * (2 * len(members) + 1)
            + w[5] * chg
            + w[MEET] * met
        )

    def delta_move(self, r: int, p: int, t2: int) -> int:
        """Weighted cost change of moving p to table t2 (with a free seat) in round r."""
        inst = self.inst
        w, m, base, av = inst.weights, self.meet, p * inst.n_people, inst.avoid[p]
        t1 = self.seat[r][p]
        old, new = self.members[r][t1], self.members[r][t2]
        rep = sum(1 for x in new if m[base + x]) - sum(1 for x in old if x != p and m[base + x] >= 2)
        avoid = (sum(1 for x in new if x in av) - sum(1 for x in old if x in av)) if av else 0
        topic = self._topic_delta(p, inst.topic[t1], inst.topic[t2])
        g = inst.group[p]
        mix = self._dev_with(r, t1, g, -1) + self._dev_with(r, t2, -1, g) if g >= 0 else 0
        bal = 2 * (len(new) - len(old)) + 2
        chg = self._changed_delta(r, p, t1, t2)
        want = inst.meet_want[p]
        met = 0
        if want:
            met = sum(1 for x in old if x in want and m[base + x] == 1) - sum(
                1 for x in new if x in want and not m[base + x]
            )
        return w[0] * topic + w[1] * rep + w[2] * avoid + w[3] * mix + w[4] * bal + w[5] * chg + w[MEET] * met

    def delta_swap(self, r: int, p: int, q: int) -> int:
        """Weighted cost change of exchanging p and q (at different tables) in round r."""
        inst = self.inst
        w, m, P = inst.weights, self.meet, inst.n_people
        bp, bq, avp, avq = p * P, q * P, inst.avoid[p], inst.avoid[q]
        t1, t2 = self.seat[r][p], self.seat[r][q]
        rep = avoid = 0
        for x in self.members[r][t1]:
            if x != p:
                rep += (m[bq + x] >= 1) - (m[bp + x] >= 2)
                avoid += (x in avq) - (x in avp)
        for x in self.members[r][t2]:
            if x != q:
                rep += (m[bp + x] >= 1) - (m[bq + x] >= 2)
                avoid += (x in avp) - (x in avq)
        topic = self._topic_delta(p, inst.topic[t1], inst.topic[t2]) + self._topic_delta(
            q, inst.topic[t2], inst.topic[t1]
        )
        gp, gq = inst.group[p], inst.group[q]
        mix = self._dev_with(r, t1, gp, gq) + self._dev_with(r, t2, gq, gp) if gp != gq else 0
        chg = self._changed_delta(r, p, t1, t2) + self._changed_delta(r, q, t2, t1)
        wp, wq = inst.meet_want[p], inst.meet_want[q]
        met = 0
        if wp or wq:
            for x in self.members[r][t1]:
                if x != p:
                    met += (x in wp and m[bp + x] == 1) - (x in wq and not m[bq + x])
            for x in self.members[r][t2]:
                if x != q:
                    met += (x in wq and m[bq + x] == 1) - (x in wp and not m[bp + x])
        return w[0] * topic + w[1] * rep + w[2] * avoid + w[3] * mix + w[5] * chg + w[MEET] * met
