"""Resolvable designs as trajectories: affine geometries AG(n, q), Kirkman's 15 schoolgirls, GF(2) line spreads and
their doubles (32 people at 8 tables of 4 for 10 rounds), Kirkman and nearly-Kirkman triple systems, 1-rotational
RBIBD(v, k, 1) (e.g. 28 people at 7 tables of 4 for 9 rounds).

A design gives each mover a table per round such that no pair meets twice. When more rounds are asked than the
design has parallel classes, the trajectories carry ``FREE`` (−1) in the rounds after them: those seats are left to
the greedy start and the tabu search ("the best construction plus search").
"""

from __future__ import annotations

import math
import random

from .constructions import Trajectory, coset_tables, galois_field, kirkman_trajectories, line_spread, prime_power
from .deadline import Deadline
from .state import Instance

# A trajectory's table in a round the design does not cover: seated by the search.
FREE = -1


def as_trajectories(open_tables: list[int], classes: list[list[int]], movers: int, rounds: int) -> list[Trajectory]:
    """Each mover's table in the first ``rounds`` classes (indices into ``open_tables``), ``FREE`` past the last."""
    extra = (FREE,) * max(0, rounds - len(classes))
    return [tuple(open_tables[row[x]] for row in classes[:rounds]) + extra for x in range(movers)]


def affine_classes(q: int, n: int, wanted: int, deadline: Deadline | None = None) -> list[list[int]] | None:
    """The first ``wanted`` parallel classes of lines of AG(n, q) as table indices per point, or None.

    Points are the vectors of GF(q)^n (x = Σ x_j·q^j). A direction d (a point of PG(n−1, q), scaled so that its first
    non-zero coordinate i is 1) splits the points into the q^(n−1) lines x + GF(q)·d; the line of x is named by
    x − x_i·d without its coordinate i. Two points lie on one line of exactly one direction (that of their
    difference), so any set of directions seats q^n people at q^(n−1) tables of q with nobody meeting twice; there
    are (q^n − 1)/(q − 1) directions.
    """
    tables = galois_field(q)
    if tables is None or n < 1 or wanted > (q**n - 1) // (q - 1):
        return None
    add, mul = tables
    neg = [next(y for y in range(q) if add[x][y] == 0) for x in range(q)]
    points = q**n
    vectors = [[(x // q**j) % q for j in range(n)] for x in range(points)]
    classes: list[list[int]] = []
    for i in range(n):  # directions with pivot i: coordinates before i are 0, coordinate i is 1
        for tail in range(q ** (n - 1 - i)):
            if len(classes) == wanted:
                return classes
            if deadline is not None and deadline.expired():
                return None
            d = [0] * i + [1] + [(tail // q**j) % q for j in range(n - 1 - i)]
            row = []
            for x in vectors:
                c = x[i]
                y = [add[x[j]][neg[mul[c][d[j]]]] for j in range(n)]
                row.append(sum(v * q**j for j, v in enumerate(y[:i] + y[i + 1 :])))
            classes.append(row)
    return classes if len(classes) == wanted else None


def _affine_shape(movers: int, tables: int) -> tuple[int, int] | None:
    """(q, n) with movers = q^n at tables = q^(n−1), q a prime power and n ≥ 2, or None."""
    if tables < 2 or movers % tables:
        return None
    q = movers // tables
    if q < 2:
        return None
    n, power = 1, q
    while power < movers:
        power *= q
        n += 1
    if power != movers or n < 2 or galois_field(q) is None:
        return None
    return q, n


def affine_trajectories(inst: Instance, movers: int, rounds: int, deadline: Deadline) -> list[Trajectory] | None:
    """AG(n, q) for q^n movers at q^(n−1) topic-free tables of at least q seats: zero repeats for up to
    (q^n − 1)/(q − 1) rounds, and past that those rounds followed by ``FREE`` ones (e.g. 27 people at 9 tables of 3
    for 13 rounds by AG(3, 3), 25 at 5 tables of 5 for 6 rounds and a 7th by search)."""
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    shape = _affine_shape(movers, len(open_tables))
    if shape is None or rounds < 1:
        return None
    q, n = shape
    if min(inst.cap[t] for t in open_tables) < q or any(inst.topic[t] >= 0 for t in open_tables):
        return None
    most = (q**n - 1) // (q - 1)
    classes = affine_classes(q, n, min(rounds, most), deadline)
    if classes is None:
        return None
    return as_trajectories(open_tables, classes, movers, rounds)


def _solve_gf2(equations: list[tuple[int, int]], unknowns: int) -> list[int] | None:
    """A solution of the linear system Σ_{j in mask} x_j = b over GF(2) (equations as (bit mask, b)), free unknowns
    0; None if it has none. Gaussian elimination on the masks' highest bits."""
    pivots: dict[int, tuple[int, int]] = {}
    for mask, b in equations:
        while mask:
            high = mask.bit_length() - 1
            if high not in pivots:
                pivots[high] = mask, b
                break
            other, c = pivots[high]
            mask, b = mask ^ other, b ^ c
        else:
            if b:
                return None
    x = [0] * unknowns
    for high in sorted(pivots):  # each pivot row's other unknowns are lower, so already set
        mask, b = pivots[high]
        rest = mask ^ (1 << high)
        while rest:
            j = rest.bit_length() - 1
            b ^= x[j]
            rest ^= 1 << j
        x[high] = b
    return x


def _disjoint_spreads(n: int, deadline: Deadline | None) -> list[tuple[int, int, int]] | None:
    """Two line spreads of PG(n − 1, 2) with no line in common, as one list of 2(2^n − 1)/3 lines: a spread, then
    its image under the first invertible linear map (drawn from a fixed sequence) that shares none of its lines."""
    first = line_spread(n, (2**n - 1) // 3, deadline)
    if first is None:
        return None
    lines = set(first)
    rng = random.Random(n)
    for _ in range(200):
        columns = [rng.randrange(1, 2**n) for _ in range(n)]

        def image(x: int, columns: list[int] = columns) -> int:
            y = 0
            for j, column in enumerate(columns):
                if x >> j & 1:
                    y ^= column
            return y

        if len({image(x) for x in range(2**n)}) < 2**n:
            continue  # not invertible
        second = [tuple(sorted(image(x) for x in line)) for line in first]
        if lines.isdisjoint(second):
            return first + second  # type: ignore[operator]
    return None


# Doubled spreads for n = 4 and 6 (32 people at 8 tables for 10 rounds, 128 at 32 for 42); n must be even (a spread
# of PG(n − 1, 2) needs 3 | 2^n − 1), and the elimination grows with 2^(3n).
DOUBLED_SPREAD = {4: 10, 6: 42}


def doubled_spread_classes(n: int, wanted: int, deadline: Deadline | None = None) -> list[list[int]] | None:
    """2^(n+1) people at 2^(n−1) tables of 4 for up to 2(2^n − 1)/3 rounds with nobody meeting twice: a resolvable
    4-GDD of type 2^(2^n). For n = 4 it is the Social Golfer instance 8-4-10, one round more than a line spread gives.

    People are pairs (x, s) in GF(2)^n × GF(2), numbered x + 2^n·s. Each line W of two line spreads of PG(n − 1, 2)
    without a common line (``_disjoint_spreads``) is a round, in which each coset x + W fills two tables:
    (y, c_W(y)) and (y, 1 + c_W(y)) for y in x + W. People (u, s) and (v, t) with u ≠ v share a coset only in the
    two rounds whose lines contain u + v, one from each spread, W and W', and meet there iff s + t = c_W(u) + c_W(v),
    resp. c_W'(u) + c_W'(v). So they meet exactly once iff c_W(u) + c_W(v) + c_W'(u) + c_W'(v) = 1: one linear
    equation over GF(2) per pair {u, v}, in the bits c_W(y) of every round, solved by elimination. (u, 0) and
    (u, 1) never meet; everyone meets 3 new people a round, so no plan has more rounds. Table indices per person
    per round, or None.
    """
    if n not in DOUBLED_SPREAD or not 1 <= wanted <= DOUBLED_SPREAD[n]:
        return None
    lines = _disjoint_spreads(n, deadline)
    if lines is None or deadline is not None and deadline.expired():
        return None
    size = 2**n
    rounds_of: dict[int, list[int]] = {}
    for r, line in enumerate(lines):
        for d in line:
            rounds_of.setdefault(d, []).append(r)
    equations = []
    for u in range(size):
        for v in range(u + 1, size):
            one, two = rounds_of[u ^ v]
            mask = 1 << (one * size + u) ^ 1 << (one * size + v) ^ 1 << (two * size + u) ^ 1 << (two * size + v)
            equations.append((mask, 1))
    bits = _solve_gf2(equations, len(lines) * size)
    if bits is None:
        return None
    classes = []
    for r, line in enumerate(lines[:wanted]):
        tables = coset_tables(line, size)  # each coset's two tables: 2i (bit c_W) and 2i + 1
        classes.append([2 * tables[x] + (s ^ bits[r * size + x]) for s in (0, 1) for x in range(size)])
    return classes


def doubled_spread_trajectories(
    inst: Instance, movers: int, rounds: int, deadline: Deadline
) -> list[Trajectory] | None:
    """``doubled_spread_classes`` for 2^(n+1) movers at 2^(n−1) topic-free tables of at least 4 seats: zero repeats
    for up to 10 rounds (32 people) or 42 (128), ``FREE`` rounds after them."""
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    n = movers.bit_length() - 2
    if n not in DOUBLED_SPREAD or movers != 2 ** (n + 1) or len(open_tables) != movers // 4 or rounds < 1:
        return None
    if min(inst.cap[t] for t in open_tables) < 4 or any(inst.topic[t] >= 0 for t in open_tables):
        return None
    classes = doubled_spread_classes(n, min(rounds, DOUBLED_SPREAD[n]), deadline)
    if classes is None:
        return None
    return as_trajectories(open_tables, classes, movers, rounds)


class _NodeBudget:
    """A backtracking search's bound: at most ``limit`` nodes, and the deadline (checked every ``every`` nodes)."""

    __slots__ = ("deadline", "every", "limit", "nodes", "stopped")

    def __init__(self, limit: int, deadline: Deadline | None, every: int = 512) -> None:
        self.limit, self.deadline, self.every = limit, deadline, every
        self.nodes = 0
        self.stopped = False

    def spend(self) -> bool:
        """Count a node; True once the search must stop (and from then on)."""
        self.nodes += 1
        if self.nodes > self.limit or self.nodes % self.every == 0 and self.deadline and self.deadline.expired():
            self.stopped = True
        return self.stopped

    @property
    def cut_by_clock(self) -> bool:
        """Stopped by the deadline, not by the node limit or the end of the search."""
        return self.stopped and self.nodes <= self.limit


KTS_TIME_SHARE = 0.4
# The 1-rotational and two-fixed-point searches may take up to 60 % of the time: where they find a design it has 0
# repeats, which the tabu search does not reach on these shapes (10 x 4 x 13: 52 repeats in the whole second);
# where none exists the node limit ends them once, and they are not tried again.
ROTATIONAL_TIME_SHARE = 0.6
# Kirkman triple systems found by ``kirkman_classes`` (deterministic, so kept once found).
_KTS_FOUND: dict[int, list[list[int]]] = {}
# Orders where the search finds no system within its node limit (measured; n = 5 has none, KTS(15) is data above):
# not tried, so that events of those shapes keep their whole time for the search.
_KTS_NONE: set[int] = {4, 5, 6, 10, 12}


def kirkman_classes(n: int, deadline: Deadline | None = None, node_limit: int = 200_000) -> list[list[int]] | None:
    """A Kirkman triple system KTS(3n) on Z_n × {0, 1, 2} invariant under translation, as (3n − 1)/2 parallel
    classes (table 0..n−1 per point x + n·level), or None if the search ends first. For n even, a nearly-Kirkman
    system NKTS(3n): (3n − 2)/2 classes, every pair at most once, the pairs {x, x + n/2} of a level never.

    Translation by Z_n sorts the pairs into orbits: per level (n − 1)/2 of pure pairs {x, x + d} (d and −d), per
    two levels n of mixed pairs (difference 0..n−1); each orbit has n pairs. The system is (n − 1)/2 transversal
    blocks {0₀, b₁, c₂}, each of whose n translates is a parallel class, plus one base class of n triples whose n
    translates are n more parallel classes: (n − 1)/2 + n = (3n − 1)/2 classes. Every pair lies in exactly one
    triple when every pair orbit is met by exactly one of these blocks, which a backtracking search over the blocks
    ensures (each orbit used at most once; the counts make "at most" exact). For n even the short orbits
    {x, x + n/2} (n/2 pairs each) are left out, and (n − 2)/2 transversal classes make (3n − 2)/2. Found for
    n = 3, 7–9, 11, 13–17 in 0.02–1 s here (KTS(21), NKTS(24), KTS(33), …); none within the node limit for n = 4, 5
    (KTS(15) is Kirkman's schoolgirls, kept as data), 6, 10 and 12, which are not tried (``_KTS_NONE``); a failure
    by the node limit (not the clock) is kept as well.
    """
    if n in _KTS_FOUND or n in _KTS_NONE:
        return _KTS_FOUND.get(n)
    if n < 3:
        return None
    half = (n - 1) // 2  # n even: (n − 2)/2 transversal classes, (3n − 2)/2 in all
    size = 3 * n
    # orb[p][q]: the pair orbit of points p = x + n·level, q (pure orbits first, then mixed ones).
    ids: dict[tuple[int, int, int], int] = {}
    orb = [[0] * size for _ in range(size)]
    for p in range(size):
        for q in range(size):
            (x, a), (y, b) = sorted(((p % n, p // n), (q % n, q // n)), key=lambda point: point[1])
            d = (y - x) % n
            key = (a, b, min(d, n - d)) if a == b else (a, b, d)
            orb[p][q] = ids.setdefault(key, len(ids))
    used = [False] * len(ids)
    if n % 2 == 0:  # the short orbits {x, x + n/2} stay uncovered: the 1-factor a nearly-Kirkman system leaves out
        for level in range(3):
            used[ids[(level, level, n // 2)]] = True
    budget = _NodeBudget(node_limit, deadline, every=256)

    def place(u: int, v: int, w: int) -> bool:
        o1, o2, o3 = orb[u][v], orb[u][w], orb[v][w]
        if used[o1] or used[o2] or used[o3] or o1 in (o2, o3) or o2 == o3:
            return False
        used[o1] = used[o2] = used[o3] = True
        return True

    def lift(u: int, v: int, w: int) -> None:
        used[orb[u][v]] = used[orb[u][w]] = used[orb[v][w]] = False

    taken = [False] * size
    base: list[tuple[int, int, int]] = []
    transversal: list[tuple[int, int, int]] = []

    def fill() -> bool:
        if budget.spend():
            return False
        free = [p for p in range(size) if not taken[p]]
        if not free:
            return True
        first = free[0]
        taken[first] = True
        for i in range(1, len(free)):
            v = free[i]
            if used[orb[first][v]]:
                continue
            for j in range(i + 1, len(free)):
                w = free[j]
                if place(first, v, w):
                    taken[v] = taken[w] = True
                    base.append((first, v, w))
                    if fill():
                        return True
                    base.pop()
                    taken[v] = taken[w] = False
                    lift(first, v, w)
                if budget.stopped:
                    break
            if budget.stopped:
                break
        taken[first] = False
        return False

    def choose(start: int) -> bool:
        if len(transversal) == half:
            return fill()
        for code in range(start, n * n):
            block = (0, n + code // n, 2 * n + code % n)
            if place(*block):
                transversal.append(block)
                if choose(code + 1):
                    return True
                transversal.pop()
                lift(*block)
            if budget.stopped or budget.spend():
                return False
        return False

    if not choose(0):
        if budget.nodes > node_limit:
            _KTS_NONE.add(n)  # the node limit, not the clock, ended it: the same search would end the same way
        return None
    classes: list[list[int]] = []
    for block in transversal:
        row = [0] * size
        for shift in range(n):
            for point in block:
                row[(point % n + shift) % n + n * (point // n)] = shift
        classes.append(row)
    for shift in range(n):
        row = [0] * size
        for table, block in enumerate(base):
            for point in block:
                row[(point % n + shift) % n + n * (point // n)] = table
        classes.append(row)
    _KTS_FOUND[n] = classes
    return classes


# Nearly-Kirkman systems with two fixed points found by ``nearly_kirkman_classes`` (and orders where it found none).
_NKTS_FOUND: dict[int, list[list[int]]] = {}
_NKTS_NONE: set[int] = set()


def nearly_kirkman_classes(
    v: int, deadline: Deadline | None = None, node_limit: int = 400_000
) -> list[list[int]] | None:
    """A nearly-Kirkman triple system NKTS(v), v ≡ 0 (mod 6): (v − 2)/2 parallel classes of v/3 triples, every pair
    at most once (all but a 1-factor exactly once), as table indices per point; or None.

    Points are Z_n × {0, …, L − 1} (x + n·level) and two fixed points ∞₁, ∞₂ (v − 2, v − 1), with L even and
    v − 2 = n·L. Translation by Z_n fixes ∞₁, ∞₂ and sorts the other pairs into orbits of n pairs (pure pairs of a
    level by ±difference, mixed pairs by difference, pairs with ∞ᵢ by level), except {x, x + n/2} (n/2 pairs). L/2
    base classes and their n translates each give the (v − 2)/2 classes; the pairs left out are {∞₁, ∞₂} and, for n
    even, the short orbits {x, x + n/2} of each level, for n odd the pairs {x₂ⱼ, x₂ⱼ₊₁}: a 1-factor. A backtracking
    search picks the base classes' triples so that every other orbit lies in exactly one (the counts make "at most"
    exact). Tried for L = 2 (NKTS(30) over Z₁₄, NKTS(36) over Z₁₇, NKTS(48) over Z₂₃, NKTS(54) over Z₂₆), then
    L = 4 (NKTS(18) over Z₄ × 4 levels: none exists over Z₈ × 2 levels, nor over Z₆ × 3 in ``kirkman_classes``),
    each with half of the node limit: 0.02–0.7 s here for these orders.
    """
    if v in _NKTS_FOUND or v in _NKTS_NONE:
        return _NKTS_FOUND.get(v)
    if v < 18 or v % 6:
        return None
    for levels in (2, 4):
        if (v - 2) % levels:
            continue
        found, ended = _two_point_search(v, levels, deadline, node_limit // 2)
        if found is not None:
            _NKTS_FOUND[v] = found
            return found
        if not ended:
            return None  # the clock cut it: the next plan tries again
    _NKTS_NONE.add(v)
    return None


def _two_point_search(
    v: int, levels: int, deadline: Deadline | None, node_limit: int
) -> tuple[list[list[int]] | None, bool]:
    """``nearly_kirkman_classes`` for one number of levels: (classes or None, whether the search ran to its end or
    to its node limit rather than the clock)."""
    n = (v - 2) // levels
    points = v - 2
    inf1, inf2 = points, points + 1
    ids: dict[tuple[int, ...], int] = {}

    def key(p: int, q: int) -> tuple[int, ...]:
        p, q = min(p, q), max(p, q)
        if p >= points:
            return (0,)
        if q >= points:
            return (1, q, p // n)
        (x, a), (y, b) = (p % n, p // n), (q % n, q // n)
        if a == b:
            d = (y - x) % n
            return (2, a, min(d, n - d))
        return (3, a, b, (y - x) % n)

    orb = [[ids.setdefault(key(p, q), len(ids)) if p != q else -1 for q in range(v)] for p in range(v)]
    used = [False] * len(ids)
    used[ids[(0,)]] = True  # the pairs left out: {∞₁, ∞₂} and a 1-factor of orbits
    for level in range(levels):
        if n % 2 == 0:
            used[ids[(2, level, n // 2)]] = True
        elif level % 2 == 0:
            used[ids[(3, level, level + 1, 0)]] = True
    wanted = levels // 2
    classes: list[list[tuple[int, int, int]]] = []
    taken = [False] * v
    budget = _NodeBudget(node_limit, deadline)

    def fill(current: list[tuple[int, int, int]]) -> bool:
        if budget.spend():
            return False
        if not taken[inf1] or not taken[inf2]:
            first = inf1 if not taken[inf1] else inf2
        else:
            first = next((p for p in range(points) if not taken[p]), -1)
        if first < 0:  # a base class is complete
            classes.append(current[:])
            if len(classes) == wanted:
                return True
            saved = taken[:]
            taken[:] = [False] * v
            if fill([]):
                return True
            taken[:] = saved
            classes.pop()
            return False
        taken[first] = True
        free = [p for p in range(points) if not taken[p]]
        # Translating the points maps the orbits left out onto themselves: ∞₁'s block in the first class may be
        # taken to hold 0₀. For n even so does translating one level or permuting levels: then it is {∞₁, 0₀, 0₁}.
        first_of_all = not classes and first == inf1
        partner = n if n % 2 == 0 else -1
        for i, a in enumerate(free):
            o1 = orb[first][a]
            if used[o1] or first_of_all and a != 0:
                continue
            for b in free[i + 1 :]:
                o2, o3 = orb[first][b], orb[a][b]
                if used[o2] or used[o3] or o1 in (o2, o3) or o2 == o3 or first_of_all and partner >= 0 and b != partner:
                    continue
                used[o1] = used[o2] = used[o3] = True
                taken[a] = taken[b] = True
                current.append((first, a, b))
                if fill(current):
                    return True
                current.pop()
                taken[a] = taken[b] = False
                used[o1] = used[o2] = used[o3] = False
                if budget.stopped:
                    break
            if budget.stopped:
                break
        taken[first] = False
        return False

    if not fill([]):
        return None, not budget.cut_by_clock
    rows: list[list[int]] = []
    for base in classes:
        for shift in range(n):
            row = [0] * v
            for table, block in enumerate(base):
                for p in block:
                    row[p if p >= points else (p % n + shift) % n + n * (p // n)] = table
            rows.append(row)
    return rows, True


def kirkman_system_trajectories(
    inst: Instance, movers: int, rounds: int, deadline: Deadline
) -> list[Trajectory] | None:
    """KTS(3n) or NKTS(3n) (``kirkman_classes``, else ``nearly_kirkman_classes`` for n even) for 3n movers at n ≥ 6
    topic-free tables of at least 3 seats: zero repeats for up to (3n − 1)/2 rounds (n odd; (3n − 2)/2 for n even),
    ``FREE`` rounds after them (6 tables of 3 for 8 rounds, 7 for 10, 8 for 11, 10 for 14, 11 for 16, …)."""
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    n = len(open_tables)
    if n < 6 or movers != 3 * n or rounds < 1:
        return None
    if min(inst.cap[t] for t in open_tables) < 3 or any(inst.topic[t] >= 0 for t in open_tables):
        return None
    # The search takes at most 40 % of the time, so that the tabu search still has the rest if it fails.
    classes = kirkman_classes(n, deadline.share(KTS_TIME_SHARE))
    if classes is None and n % 2 == 0:
        classes = nearly_kirkman_classes(3 * n, deadline.share(ROTATIONAL_TIME_SHARE))
    if classes is None:
        return None
    return as_trajectories(open_tables, classes, movers, rounds)


# Difference arrays found by ``difference_array`` (deterministic, so kept once found), and the shapes where the node
# limit ended the search (it would end the same way again).
_ARRAY_FOUND: dict[tuple[int, int, int], list[list[int]]] = {}
_ARRAY_NONE: set[tuple[int, int, int]] = set()
# The search may take a quarter of the time; 30,000 nodes are about 0.35 s here. Where it finds an array it is
# instant (6 × 5 × 5, 10 × 6 × 6, 15 × 6 × 6: under 1 ms); deeper searches rarely end well within a plan's limit.
ARRAY_TIME_SHARE = 0.25
# The search recurses once per entry: larger arrays (e.g. 40 rounds × 30 classes) are not tried, well within
# Python's recursion limit (and far beyond what the node limit could fill).
ARRAY_MAX_ENTRIES = 400


def difference_array(
    size: int, rounds: int, columns: int, deadline: Deadline | None = None, node_limit: int = 30_000
) -> list[list[int]] | None:
    """``rounds`` × ``columns`` entries f[r][c] of Z_size such that any two columns differ by a different amount in
    every round, or None. A speed class c seats its person starting at s at table s + f[r][c] in round r: people
    of one class never meet, and people of classes c, c' meet in round r only if s − s' = f[r][c'] − f[r][c], which
    holds in at most one round. It generalises the velocity construction's f[r][c] = λ_r · v_c, which over Z_6 gives
    2 speeds for 3 or more rounds, where this search finds 5 for 5 rounds (30 people at 6 tables of 5).

    Row 0 and column 0 are 0 (translating a column or relabelling a round's tables changes nothing), so each column
    holds distinct values; columns rise lexicographically. Backtracking entry by entry, within ``node_limit`` nodes
    and the deadline.
    """
    key = size, rounds, columns
    if key in _ARRAY_FOUND:
        return _ARRAY_FOUND[key]
    if key in _ARRAY_NONE or rounds > size or columns < 1 or (rounds - 1) * (columns - 1) > ARRAY_MAX_ENTRIES:
        return None
    grid = [[0] * columns for _ in range(rounds)]
    # used[c][j]: the differences column c already has against column j, as a bit mask
    used = [[0] * columns for _ in range(columns)]
    budget = _NodeBudget(node_limit, deadline)

    def place(r: int, c: int) -> bool:
        if c == columns:
            return True
        if r == rounds:
            if c > 1 and [row[c] for row in grid] <= [row[c - 1] for row in grid]:
                return False
            return place(1, c + 1)
        if budget.spend():
            return False
        for x in range(size):
            masks = [1 << (x - grid[r][j]) % size for j in range(c)]
            if any(used[c][j] & masks[j] for j in range(c)):
                continue
            grid[r][c] = x
            for j in range(c):
                used[c][j] |= masks[j]
            if place(r + 1, c):
                return True
            for j in range(c):
                used[c][j] ^= masks[j]
        grid[r][c] = 0
        return False

    for c in range(1, columns):
        for j in range(c):
            used[c][j] = 1  # row 0: every column is 0 there, a difference of 0
    if columns == 1 or place(1, 1):
        _ARRAY_FOUND[key] = grid
        return grid
    if not budget.cut_by_clock:
        _ARRAY_NONE.add(key)
    return None


def difference_array_trajectories(
    inst: Instance, movers: int, rounds: int, deadline: Deadline
) -> list[Trajectory] | None:
    """``difference_array`` over Z_T for movers at T topic-free tables of equal capacity: zero repeats, each class
    filling every table once a round, so sizes differ by at most one (where the velocity construction has too few
    speeds, e.g. 30 people at 6 tables of 5 for 5 rounds, the Social Golfer instance 6-5-5)."""
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    T = len(open_tables)
    if T < 2 or rounds < 2 or rounds > T or any(inst.topic[t] >= 0 for t in open_tables):
        return None
    needed = -(-movers // T)
    if needed < 2 or min(inst.cap[t] for t in open_tables) < needed:
        return None
    grid = difference_array(T, rounds, needed, deadline.share(ARRAY_TIME_SHARE))
    if grid is None:
        return None
    return [tuple(open_tables[(s + row[c]) % T] for row in grid) for c in range(needed) for s in range(T)]


# 1-rotational designs found by ``rotational_classes`` (deterministic, so kept once found), and the (v, k) where the
# search ended by its node limit for every group it tries (it would end the same way again).
_ROTATIONAL_FOUND: dict[tuple[int, int], list[list[int]]] = {}
_ROTATIONAL_NONE: set[tuple[int, int]] = set()


def _rotational_groups(m: int, h: int) -> list[tuple[tuple[int, ...], int]]:
    """Abelian groups of order m to try, as moduli (Z_n1 × … × Z_nt), each with the number of leading coordinates
    that generate H of order h (0: the cyclic group with H = ⟨m/h⟩): the elementary abelian group when m is a
    prime power, the cyclic group, then Z_p^f × Z_r when h = p^f (f > 1) and Z_h × Z_r when that is not cyclic
    (r = m/h, h dividing m). In this order the searches for v = 28, 40, 52 end soonest (measured)."""
    groups: list[tuple[tuple[int, ...], int]] = []
    whole, part = prime_power(m), prime_power(h)
    if whole is not None and part is not None and whole[0] == part[0] and whole[1] > 1:
        groups.append(((whole[0],) * whole[1], part[1]))  # H: the first f coordinates
    groups.append(((m,), 0))
    if part is not None and part[1] > 1:
        groups.append(((part[0],) * part[1] + (m // h,), part[1]))
    if math.gcd(h, m // h) > 1:
        groups.append(((h, m // h), 1))
    return groups


def rotational_classes(
    v: int, k: int, deadline: Deadline | None = None, node_limit: int = 300_000
) -> list[list[int]] | None:
    """A 1-rotational resolvable design RBIBD(v, k, 1): (v − 1)/(k − 1) parallel classes of v/k blocks of k, every
    pair of the v points in exactly one block (table index per point; point v − 1 is ∞), or None.

    Points are an abelian group G of order m = v − 1 and a fixed point ∞; H is a subgroup of order k − 1. The base
    class is the block {∞} ∪ H and the translates B + h (h ∈ H) of some base blocks B, one point of each coset of H
    in each B: the class is a partition of the points. Its translates by coset representatives of H are the
    m/(k − 1) classes. A pair {x, y} of G lies in a block of exactly one class when every difference x − y ∉ H
    arises exactly once from the base blocks (differences in H come from {∞} ∪ H, pairs with ∞ from its
    translates). A backtracking search over base blocks finds such "difference families": for RBIBD(28, 4, 1)
    (7 tables of 4 for 9 rounds, a Social Golfer instance no local search solves) over Z₃³ in a few nodes; for
    v = 40 and 52 (tables of 4) over Z₃₉ and Z₅₁. None exists for some (v, k) and groups (Z₂₇ for v = 28); each
    group tried gets an equal part of the node limit.
    """
    key = (v, k)
    if key in _ROTATIONAL_FOUND or key in _ROTATIONAL_NONE:
        return _ROTATIONAL_FOUND.get(key)
    m = v - 1
    if k < 3 or v % k or m % (k - 1) or (v - k) % (k * (k - 1)):
        return None
    groups = _rotational_groups(m, k - 1)
    for moduli, lead in groups:
        found, ended = _rotational_search(m, k, moduli, lead, deadline, node_limit // len(groups))
        if found is not None:
            _ROTATIONAL_FOUND[key] = found
            return found
        if not ended or deadline is not None and deadline.expired():
            return None  # the clock cut it (or leaves the next group nothing): the next plan tries again
    _ROTATIONAL_NONE.add(key)
    return None


def _rotational_search(
    m: int, k: int, moduli: tuple[int, ...], lead: int, deadline: Deadline | None, node_limit: int
) -> tuple[list[list[int]] | None, bool]:
    """``rotational_classes`` over one group: (classes or None, whether the search ran to its end or node limit)."""
    strides = [1] * len(moduli)
    for i in range(1, len(moduli)):
        strides[i] = strides[i - 1] * moduli[i - 1]

    def coords(x: int) -> list[int]:
        return [(x // s) % n for s, n in zip(strides, moduli, strict=True)]

    def index(c: list[int]) -> int:
        return sum((a % n) * s for a, n, s in zip(c, moduli, strides, strict=True))

    elements = [coords(x) for x in range(m)]
    sub = [[index([a - b for a, b in zip(x, y, strict=True)]) for y in elements] for x in elements]
    add = [[index([a + b for a, b in zip(x, y, strict=True)]) for y in elements] for x in elements]
    if lead:  # H: the group generated by the first `lead` coordinates
        subgroup = [x for x in range(m) if all(c == 0 for c in elements[x][lead:])]
    else:  # cyclic: H = ⟨m/(k − 1)⟩
        subgroup = [(m // (k - 1)) * j for j in range(k - 1)]
    if len(subgroup) != k - 1:
        return None, True
    coset = [-1] * m
    reps: list[int] = []
    for x in range(m):
        if coset[x] < 0:
            for h in subgroup:
                coset[add[x][h]] = len(reps)
            reps.append(x)
    wanted = (m + 1 - k) // (k * (k - 1))
    used = [False] * m  # differences already arising
    for h in subgroup:
        used[h] = True
    covered = [False] * len(reps)
    covered[coset[0]] = True
    base: list[list[int]] = []
    budget = _NodeBudget(node_limit, deadline)

    def extend() -> bool:
        if len(base) == wanted:
            return True
        return grow([reps[covered.index(False)]])

    def grow(block: list[int]) -> bool:
        if budget.spend():
            return False
        if len(block) == k:
            for x in block:
                covered[coset[x]] = True
            base.append(block[:])
            if extend():
                return True
            base.pop()
            for x in block:
                covered[coset[x]] = False
            return False
        cosets = {coset[b] for b in block}
        for y in range(block[-1] + 1 if len(block) > 1 else 0, m):
            if covered[coset[y]] or coset[y] in cosets:
                continue
            differences: list[int] = []
            for b in block:
                d1, d2 = sub[y][b], sub[b][y]
                if used[d1] or used[d2] or d1 == d2 or d1 in differences or d2 in differences:
                    break
                differences += (d1, d2)
            else:
                for d in differences:
                    used[d] = True
                block.append(y)
                if grow(block):
                    return True
                block.pop()
                for d in differences:
                    used[d] = False
                if budget.stopped:
                    return False
        return False

    if not extend():
        return None, not budget.cut_by_clock
    classes: list[list[int]] = []
    for shift in reps:
        row = [0] * (m + 1)  # table 0: ∞ and the coset H + shift
        for h in subgroup:
            row[add[h][shift]] = 0
        table = 1
        for block in base:
            for h in subgroup:
                for x in block:
                    row[add[add[x][h]][shift]] = table
                table += 1
        classes.append(row)
    return classes, True


def rotational_trajectories(inst: Instance, movers: int, rounds: int, deadline: Deadline) -> list[Trajectory] | None:
    """A 1-rotational RBIBD(v, k, 1) (``rotational_classes``) for v movers at v/k topic-free tables of at least k
    ≥ 4 seats: zero repeats for up to (v − 1)/(k − 1) rounds, ``FREE`` rounds after them (28 people at 7 tables of
    4 for 9 rounds, 40 at 10 for 13, 52 at 13 for 17). Tables of 3 are the Kirkman systems'."""
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    n = len(open_tables)
    if n < 2 or movers % n or rounds < 1:
        return None
    k = movers // n
    if k < 4 or min(inst.cap[t] for t in open_tables) < k or any(inst.topic[t] >= 0 for t in open_tables):
        return None
    classes = rotational_classes(movers, k, deadline.share(ROTATIONAL_TIME_SHARE))
    if classes is None:
        return None
    return as_trajectories(open_tables, classes, movers, rounds)


def design_trajectories(inst: Instance, movers: int, rounds: int, deadline: Deadline) -> list[Trajectory] | None:
    """The first design that fits: Kirkman's schoolgirls or a line spread (``kirkman_trajectories``), else AG(n, q),
    else a doubled spread. (Kirkman triple systems, whose search takes time, come after the velocity construction:
    see __init__.)"""
    if rounds == inst.n_rounds - inst.n_played and not inst.n_played:
        found = kirkman_trajectories(inst, movers, deadline)
        if found is not None:
            return found
    found = affine_trajectories(inst, movers, rounds, deadline)
    if found is not None:
        return found
    return doubled_spread_trajectories(inst, movers, rounds, deadline)
