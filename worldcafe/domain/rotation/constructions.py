"""Algebraic seatings: movers travel table = start + λ_round · speed in a group or a finite field."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable

from .deadline import Deadline
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


def prime_power(q: int) -> tuple[int, int] | None:
    """(p, e) with q = p^e, p prime, e ≥ 1, or None."""
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
    pe = prime_power(q) if 2 <= q <= 64 else None
    if pe is None:
        return None
    p, e = pe

    def digits(x: int) -> list[int]:
        return [(x // p**i) % p for i in range(e)]

    def number(ds: list[int]) -> int:
        return sum(d * p**i for i, d in enumerate(ds))

    add = [
        [number([(a + b) % p for a, b in zip(digits(x), digits(y), strict=True)]) for y in range(q)] for x in range(q)
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


Structure = tuple[list[int], Callable[[int, int], int], Callable[[int, int], int], Callable[[int], int]]


def _product(m: int, k: int, layout: list[int]) -> Structure:
    """Z_m × Z_k as a·k + b (topic a, table b within it); the round multiplier is the round index."""

    def add(x: int, y: int) -> int:
        return ((x // k + y // k) % m) * k + (x % k + y % k) % k

    def scale(lam: int, x: int) -> int:
        return ((lam * (x // k)) % m) * k + (lam * (x % k)) % k

    return layout, add, scale, lambda x: x // k


def _cyclic(m: int, k: int, layout: list[int]) -> Structure:
    """Z_(m·k) with topic x mod m: unlike Z_m × Z_k it has few elements of small order."""
    size = m * k
    return layout, lambda x, y: (x + y) % size, lambda lam, x: lam * x % size, lambda x: x % m


def _field(q: int, layout: list[int]) -> Structure | None:
    """GF(q): rounds are distinct field elements, so any two different speeds meet at most once."""
    tables = galois_field(q)
    if tables is None:
        return None
    fadd, fmul = tables
    return layout, lambda x, y: fadd[x][y], lambda lam, x: fmul[lam][x], lambda x: 0


def _field_product(m: int, k: int, layout: list[int]) -> Structure | None:
    """GF(m) × GF(k) as a·k + b (topic a, table b within it), or None unless m and k are prime powers (k may be 1).

    Round λ multiplies the topic coordinate by the field element λ of GF(m) and the table coordinate by λ of GF(k),
    so a speed with a non-zero topic part sends its movers to a new topic every round (for up to m rounds), and two
    speeds whose topic parts differ meet at most once — (m − 1)·k speeds where Z_m × Z_k (or Z_(m·k)) allows a few.
    """
    big = galois_field(m)
    small = galois_field(k) if k > 1 else ([[0]], [[0]])
    if big is None or small is None:
        return None
    (madd, mmul), (kadd, kmul) = big, small

    def add(x: int, y: int) -> int:
        return madd[x // k][y // k] * k + kadd[x % k][y % k]

    def scale(lam: int, x: int) -> int:
        return mmul[lam % m][x // k] * k + kmul[lam % k][x % k]

    return layout, add, scale, lambda x: x // k


def _speeds(
    size: int,
    rounds: int,
    needed: int,
    scale: Callable[[int, int], int],
    sub: Callable[[int, int], int],
    topic_ok: Callable[[int], bool],
    rng: random.Random,
    deadline: Deadline,
    node_limit: int,
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
    out_of_time = False

    def extend(start: int) -> bool:
        nonlocal nodes, out_of_time
        if len(chosen) == needed:
            return True
        nodes += 1
        if out_of_time or nodes > node_limit or nodes % 256 == 0 and deadline.expired():
            out_of_time = True
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


def structures_for(
    inst: Instance, open_tables: list[int], rounds: int, movers: int
) -> tuple[int, list[Structure | None], bool]:
    """The groups and fields the open tables can be laid out as (topics as a coordinate where the layout allows),
    in the order they are tried; the number of topics m (1 without that coordinate); and whether the last round is
    the affine plane's extra parallel class (T² movers at T topic-free tables for T + 1 rounds)."""
    T = len(open_tables)
    by_topic: dict[int, list[int]] = {}
    for t in open_tables:
        by_topic.setdefault(inst.topic[t], []).append(t)
    sizes = {len(ts) for ts in by_topic.values()}
    topical = -1 not in by_topic and len(sizes) == 1 and len(by_topic) > 1
    structures: list[Structure | None] = []
    if topical:
        # Topic = a coordinate of the group: a speed whose topic part has order ≥ rounds sends
        # everyone to a new topic every round, on top of never meeting anyone twice.
        m, k = len(by_topic), sizes.pop()
        ordered = [by_topic[topic] for topic in sorted(by_topic)]
        structures.append(_cyclic(m, k, [ordered[x % m][x // m] for x in range(T)]))
        structures.append(_product(m, k, [t for ts in ordered for t in ts]))
        # Last, so that plans the groups already give stay as they were: the fields give far more speeds.
        structures.append(_field_product(m, k, [t for ts in ordered for t in ts]))
        return m, structures, False
    # The affine plane's extra parallel class: everyone sits with their own speed class.
    infinity = rounds == T + 1 and movers == T * T
    structures.append(_field(T, open_tables) if rounds - infinity <= T else None)
    structures.append(None if infinity else _cyclic(1, T, open_tables))
    return 1, structures, infinity


def _helpers(
    size: int,
    add: Callable[[int, int], int],
    scale: Callable[[int, int], int],
    topic_of: Callable[[int], int],
    span: int,
) -> tuple[Callable[[int], bool], Callable[[int, int], int]]:
    """topic_ok(v) (speed v reaches a new topic in each of the first `span` rounds) and sub(x, y) = x − y."""
    neg = [next(y for y in range(size) if add(x, y) == 0) for x in range(size)]

    def topic_ok(v: int) -> bool:
        return len({topic_of(scale(lam, v)) for lam in range(span)}) == span

    def sub(x: int, y: int) -> int:
        return add(x, neg[y])

    return topic_ok, sub


def velocity_trajectories(
    inst: Instance, movers: int, rng: random.Random, budget_s: float, deadline: Deadline
) -> list[Trajectory] | None:
    """Trajectories (table per free round) for `movers` people with no pair meeting twice, or None.

    The speed search of each group gets twice its share of `budget_s`, and all end by `deadline`.
    """
    rounds = inst.n_rounds - inst.n_played
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    T = len(open_tables)
    if not T:
        return None  # every table closed (capacity 0): nobody to seat, nothing to construct
    needed = -(-movers // T)
    if inst.n_played or rounds < 1 or needed < 1 or min(inst.cap[t] for t in open_tables) < needed:
        return None
    m, structures, infinity = structures_for(inst, open_tables, rounds, movers)
    lams = list(range(rounds - infinity))
    span = min(len(lams), m)
    tried = [st for st in structures if st is not None]
    for layout, add, scale, topic_of in tried:
        if deadline.expired():
            return None
        topic_ok, sub = _helpers(T, add, scale, topic_of, span)
        # Nodes, not seconds, bound the search so that a seed always yields the same speeds.
        share = budget_s / len(tried)
        search_deadline = deadline.within(2 * share)
        speeds = _speeds(T, len(lams), needed, scale, sub, topic_ok, rng, search_deadline, int(20_000 * share))
        if speeds is None:
            continue
        result: list[Trajectory] = []
        for c, v in enumerate(speeds):
            for s in range(T):
                seats = [layout[add(s, scale(lam, v))] for lam in lams]
                if infinity:
                    seats.append(layout[c])
                result.append(tuple(seats))
        return result
    return None


def kirkman_trajectories(inst: Instance, movers: int, deadline: Deadline) -> list[Trajectory] | None:
    """Known resolvable designs: Kirkman's 15 schoolgirls (5 topic-free tables of 3, up to 7 rounds), else the
    line-spread design for 2^k movers at topic-free tables of 4 (see ``spread_trajectories``)."""
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    rounds = inst.n_rounds - inst.n_played
    if inst.n_played or movers != 15 or len(open_tables) != 5 or not 1 <= rounds <= 7:
        return spread_trajectories(inst, movers, deadline)
    if min(inst.cap[t] for t in open_tables) < 3 or any(inst.topic[t] >= 0 for t in open_tables):
        return None
    seat = [[0] * rounds for _ in range(15)]
    for r in range(rounds):
        for i, block in enumerate(KIRKMAN_15[r]):
            for girl in block:
                seat[girl][r] = open_tables[i]
    return [tuple(row) for row in seat]


def _match(
    people: list[int], fits: list[list[int]], taken: list[bool], deadline: Deadline | None
) -> dict[int, int] | None:
    """A trajectory for each of ``people`` among ``fits[i]`` (their compatible ones, in order), none of them taken:
    first fit, then augmenting paths (Kuhn) for whoever is left, so the needs are met whenever any assignment meets
    them. Returns person index → trajectory, or None."""
    owner: dict[int, int] = {}
    mine: dict[int, int] = {}
    cursors: dict[int, int] = {}
    for i in range(len(people)):  # first fit; a class's scan (one list per class) resumes where it stopped
        row = fits[i]
        c = cursors.get(id(row), 0)
        while c < len(row) and (taken[row[c]] or row[c] in owner):
            c += 1
        cursors[id(row)] = c
        if c < len(row):
            owner[row[c]] = i
            mine[i] = row[c]
    for i in range(len(people)):
        if i in mine:
            continue
        if deadline is not None and deadline.expired():
            return None
        # Breadth-first search for an augmenting path from person i.
        parent: dict[int, tuple[int, int]] = {}  # trajectory → (person who reached it, previous trajectory or −1)
        queue = [(i, -1)]
        end = -1
        while queue and end < 0:
            nxt = []
            for person, via in queue:
                for tr in fits[person]:
                    if taken[tr] or tr in parent:
                        continue
                    parent[tr] = (person, via)
                    if tr not in owner:
                        end = tr
                        break
                    nxt.append((owner[tr], tr))
                if end >= 0:
                    break
            queue = nxt
        if end < 0:
            return None
        while end >= 0:
            person, via = parent[end]
            owner[end] = person
            mine[person] = end
            end = via
    return {people[i]: tr for i, tr in mine.items()}


def _class_pure(group_sizes: list[int], ungrouped: int, n_trajectories: int, size: int) -> list[int] | None:
    """The order to hand out trajectories that come in classes of ``size`` (a speed class fills every table once a
    round) so that no class holds two groups: each group, in turn, takes whole classes and then the start of a
    class of its own, whose rest (the holes) goes to the people without a group, then the remaining trajectories.

    Every table then holds, of each group, the same number of its full classes plus at most one from its partial
    class: counts that differ by at most one, the mix as even as the shares allow. (Block-filling instead lets two
    groups' remainders share a class, and a table that gets a member of each from the wrong ones is unmixed.) None
    when the people without a group cannot fill the holes, or the classes run out."""
    order: list[int] = []
    holes: list[int] = []
    start = 0
    for n in group_sizes:
        full, rest = divmod(n, size)
        order += range(start, start + n)
        end = start + (full + (rest > 0)) * size
        holes += range(start + n, end)
        start = end
    if start > n_trajectories or len(holes) > ungrouped:
        return None
    return order + holes + list(range(start, n_trajectories))


def assign_trajectories(
    inst: Instance,
    trajectories: list[Trajectory],
    people: list[int],
    deadline: Deadline | None = None,
    class_size: int = 0,
) -> list[list[int]] | None:
    """Give each person a trajectory their needs allow; block-fill by group so classes mix evenly.

    People whose needs rule out some table are matched first (a bipartite matching, so they all get a compatible
    trajectory whenever one assignment gives them that); a table below 0 (``FREE``) is left to the search. With
    ``class_size`` (trajectories in classes that fill every table once a round: velocities, difference arrays) and
    nobody with needs, groups take whole classes where the people without a group allow (``_class_pure``).
    """
    if len(trajectories) < len(people):
        return None
    free = trajectories
    open_tables = frozenset(t for t in range(inst.n_tables) if inst.cap[t] > 0)
    order = sorted(people, key=lambda p: (inst.group[p] < 0, inst.group[p]))
    needy = [p for p in order if not open_tables <= inst.compat_set[p]]
    taken = [False] * len(free)
    chosen: dict[int, Trajectory] = {}
    if needy:
        by_class: dict[frozenset[int], list[int]] = {}
        for p in needy:
            allowed = inst.compat_set[p]
            if allowed not in by_class:
                by_class[allowed] = [i for i, tr in enumerate(free) if all(t < 0 or t in allowed for t in tr)]
        matched = _match(needy, [by_class[inst.compat_set[p]] for p in needy], taken, deadline)
        if matched is None:
            return None
        for p, i in matched.items():
            taken[i] = True
            chosen[p] = free[i]
    sequence = None
    if class_size and not needy:
        sizes = Counter(inst.group[p] for p in people)
        ungrouped = sizes.pop(-1, 0)
        sequence = _class_pure([sizes[g] for g in sorted(sizes)], ungrouped, len(free), class_size)
    if sequence is None:
        sequence = list(range(len(free)))
    k = 0
    for p in order:
        if p in chosen:
            continue
        allowed = inst.compat_set[p]
        while k < len(sequence) and (taken[sequence[k]] or not all(t < 0 or t in allowed for t in free[sequence[k]])):
            k += 1
        if k == len(sequence):
            return None
        taken[sequence[k]] = True
        chosen[p] = free[sequence[k]]
    first = inst.n_played
    seats = [[-1] * inst.n_people for _ in range(inst.n_rounds - first)]
    for p, tr in chosen.items():
        for i, t in enumerate(tr):
            if p in inst.present_set[first + i]:
                seats[i][p] = t
    return seats


def line_spread(k: int, wanted: int, deadline: Deadline | None = None) -> list[tuple[int, int, int]] | None:
    """``wanted`` lines of PG(k-1, 2) (2-dim subspaces of GF(2)^k, as their 3 nonzero vectors), pairwise disjoint.

    None if there are none, or if the backtracking is still looking at the deadline.
    """
    lines = sorted({tuple(sorted((a, b, a ^ b))) for a in range(1, 2**k) for b in range(a + 1, 2**k)})
    chosen: list[tuple[int, int, int]] = []
    used: set[int] = set()

    def extend(start: int) -> bool:
        if len(chosen) == wanted:
            return True
        if deadline is not None and deadline.expired():
            return False
        for i in range(start, len(lines)):
            line = lines[i]
            if used.isdisjoint(line):
                chosen.append(line)  # type: ignore[arg-type]
                used.update(line)
                if extend(i + 1):
                    return True
                chosen.pop()
                used.difference_update(line)
        return False

    return chosen if extend(0) else None


# The largest partial line spreads of PG(k-1, 2) for the sizes events meet (k = 4: a full spread).
MAX_SPREAD = {4: 5, 5: 9, 6: 21}


def coset_tables(line: tuple[int, int, int], size: int) -> list[int]:
    """The table of each point x < ``size`` of GF(2)^k in a round that seats the cosets x + {0, a, b, c} of the line
    {a, b, c} together, tables numbered in the order of each coset's least point."""
    a, b, c = line
    least = [min(x, x ^ a, x ^ b, x ^ c) for x in range(size)]
    index = {coset: i for i, coset in enumerate(sorted(set(least)))}
    return [index[coset] for coset in least]


def spread_classes(k: int, wanted: int, deadline: Deadline | None = None) -> list[list[int]] | None:
    """``wanted`` rounds of 2^k people at 2^(k-2) tables of 4 from a line spread (``line_spread``): label people by
    GF(2)^k and seat each round's cosets x + U together. Two people meet in a round only if their difference lies in
    its U, so they meet at most once. Table indices per person per round, or None."""
    spread = line_spread(k, wanted, deadline)
    if spread is None:
        return None
    return [coset_tables(line, 2**k) for line in spread]


def spread_trajectories(inst: Instance, movers: int, deadline: Deadline) -> list[Trajectory] | None:
    """2^k movers at 2^(k-2) topic-free tables of 4 by ``spread_classes``: zero repeats for up to 5, 9, 21 rounds
    (k = 4, 5, 6), e.g. the 32-golfer 8 × 4 × 9 instance, where search alone stalls."""
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    rounds = inst.n_rounds - inst.n_played
    k = movers.bit_length() - 1
    if inst.n_played or movers < 16 or movers != 2**k or k not in MAX_SPREAD or not 1 <= rounds <= MAX_SPREAD[k]:
        return None
    if len(open_tables) != movers // 4 or min(inst.cap[t] for t in open_tables) < 4:
        return None
    if any(inst.topic[t] >= 0 for t in open_tables):
        return None
    classes = spread_classes(k, rounds, deadline)
    if classes is None:
        return None
    return [tuple(open_tables[row[x]] for row in classes) for x in range(movers)]


def needs_velocity_trajectories(inst: Instance, movers: int, needy: list[int]) -> list[Trajectory] | None:
    """Velocities that keep people with needs on their tables: GF(a) × Z_c with the a tables all of them may use
    (A) laid out as GF(a) × {0}, the other tables as the other cosets.

    A mover sits at (s + λ_r·v, j + λ_r·w); speeds with distinct GF(a) parts never meet twice in up to a rounds, and
    a speed with w = 0 keeps each start in its coset, so its a trajectories that start in A stay in A. The first
    ⌈needy / a⌉ speeds have w = 0 (enough trajectories inside A for everyone with needs, handed out by the matching
    in ``assign_trajectories``), later ones w = 1 so that the others mix across the cosets. Needs a prime power a
    dividing the number of open topic-free tables, at most a rounds and at most a speeds.
    """
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    rounds = inst.n_rounds - inst.n_played
    T = len(open_tables)
    if not needy or inst.n_played or not T or any(inst.topic[t] >= 0 for t in open_tables):
        return None
    inside = frozenset.intersection(*(inst.compat_set[p] for p in needy))
    a = len(inside)
    if not a or a == T or T % a or rounds > a:
        return None
    fields = galois_field(a)
    needed = -(-movers // T)
    if fields is None or needed > a or min(inst.cap[t] for t in open_tables) < needed:
        return None
    fadd, fmul = fields
    c = T // a
    layout = sorted(inside) + [t for t in open_tables if t not in inside]  # position x·… : (x % a, x // a)
    with_w0 = min(needed, -(-len(needy) // a))
    result: list[Trajectory] = []
    for n in range(needed):
        v, w = (n + 1) % a, 0 if n < with_w0 or c == 1 else 1
        for j in range(c):
            for s in range(a):
                result.append(tuple(layout[fadd[s][fmul[lam][v]] + a * ((j + lam * w) % c)] for lam in range(rounds)))
    return result
