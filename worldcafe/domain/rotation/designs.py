"""Resolvable designs as trajectories: affine geometries AG(n, q), Kirkman's 15 schoolgirls, GF(2) line spreads.

A design gives each mover a table per round such that no pair meets twice. When more rounds are asked than the
design has parallel classes, the trajectories carry ``FREE`` (−1) in the rounds after them: those seats are left to
the greedy start and the tabu search ("the best construction plus search").
"""

from __future__ import annotations

from .constructions import Trajectory, galois_field, kirkman_trajectories
from .deadline import Deadline
from .state import Instance

# A trajectory's table in a round the design does not cover: seated by the search.
FREE = -1


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
    extra = (FREE,) * max(0, rounds - most)
    return [tuple(open_tables[row[x]] for row in classes) + extra for x in range(movers)]


def design_trajectories(inst: Instance, movers: int, rounds: int, deadline: Deadline) -> list[Trajectory] | None:
    """The first design that fits: Kirkman's schoolgirls or a line spread (``kirkman_trajectories``), else AG(n, q)."""
    if rounds == inst.n_rounds - inst.n_played and not inst.n_played:
        found = kirkman_trajectories(inst, movers, deadline)
        if found is not None:
            return found
    return affine_trajectories(inst, movers, rounds, deadline)
