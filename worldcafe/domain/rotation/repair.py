"""Fewest changed seats against a published plan: a complete, budgeted branch-and-bound (docs/rotation.md)."""

from __future__ import annotations

from collections.abc import Iterable

from .deadline import Deadline
from .state import MEET, Instance, State, deviation, size_bands

# Counted operations per work unit: calibrated so that a unit costs about what the tabu search's does
# (≈ 3 µs here), which keeps the shared budget ending well before the deadline.
OPS_PER_WORK = 3
# Decisions stacked on one path; deeper paths are cut (and the pass counts as cut short).
MAX_DEPTH = 200
# With this few seats free of cost (newcomers), they are unseated and placed by the search itself,
# which sharpens the counting bound; with more, they stay where the tabu search put them.
PLACE_FIRST = 24
# The search suits small events (its bound and branching grow with tables and people); larger ones keep
# the tabu search's repair.
MAX_TABLES = 40
MAX_PEOPLE = 400
# Mixing-aware bounds enumerate group compositions of a table; beyond these sizes only sizes are bounded.
MAX_CLASSES = 3
MAX_CLASS_CAPACITY = 16
# With dives, exhaustive passes get PROOF_SHARE of the work (each half of what is left of it). After a
# pass cut short, dives allow DIVE more changes than ruled out, then just below the upper bound, then one
# fewer than the best so far; each number of changes gets 1/DIVE_SHARE of the remaining work and tries
# these discrepancy slacks in turn.
PROOF_SHARE = 0.5
DIVE = 1
DIVE_SHARE = 2
DIVE_SLACK = (0, 1, 2, 4, 8, 16, 32)
# Dives compute the counting bound only up to this value (cheap nodes; a capped bound is still a bound).
DIVE_BOUND_CAP = 4
# Dives re-rank this many front runners (HEAD_FACTOR × slack + HEAD_EXTRA) by the counting bound.
HEAD_FACTOR = 2
HEAD_EXTRA = 4

Seat = tuple[int, int]  # (round, person)
# A conflict between rounds: its kind, the undecided seats whose change could resolve it, and for a
# topic repeat the (round, table) values that would resolve it.
Conflict = tuple[str, list[Seat], list[Seat]]
# A round's class counts per table (of people whose leaving counts) and its pool of free newcomers.
Base = tuple[list[tuple[int, ...]], tuple[int, ...]]
# Branches at a node: seats that, in order, are kept in later branches, and the moves (how many of
# those seats the branch keeps, round, person, table).
Branches = tuple[list[Seat], list[tuple[int, int, int, int]]]


def suits(inst: Instance) -> bool:
    """Is the instance small enough for the exhaustive search?"""
    tables = sum(1 for c in inst.cap if c > 0)
    return tables <= MAX_TABLES and max((len(inst.present[r]) for r in inst.free_rounds), default=0) <= MAX_PEOPLE


class Frame:
    """What a node passes to its children: per free round, the bound and the counts it came from."""

    __slots__ = ("after", "bases", "bounds")

    def __init__(self) -> None:
        self.bounds: dict[int, int] = {}
        self.bases: dict[int, Base] = {}
        # Bounds after a move, by (round, cap, class, source, table): moves with one effect share them.
        self.after: dict[tuple[int, int, int, int, int], int] = {}


class Repair:
    """The plan with the fewest changed seats whose higher levels all sit at their floor, if any.

    Floor: no topic repeat, every requested (`meet`) pair that can meet met, no repeated pair, no avoid
    pair, every table mixed, sizes as even as the capacities allow. The search starts from the published
    plan and is conflict-directed: each node takes one violation and branches over the seats whose change
    could resolve it — every plan at the floor must change one of them — so for a given number of changed
    seats the search is exhaustive, and iterative deepening over that number finds the minimum:

    - a topic repeat: one of its seats moves to a topic that resolves it;
    - a repeated or avoided pair: the first of its seats (in order) that changes, the others kept;
    - an unmet requested pair: likewise, over its seats in the free rounds both attend;
    - a newcomer's seat (no cost), most constrained first: every table;
    - a table with a bad size or mix: the first member who leaves, or, all staying, someone who joins.

    Pruning: the changes decided so far plus the larger of (a) the number of disjoint conflicts that
    each need a changed seat (every seat of such a conflict sits where published: a newcomer, or someone
    already away from the published seat, could resolve it at no further cost) and (b) per round, the
    fewest published seats that must move so that every table's size and group counts can be valid,
    newcomers filling in for free (a dynamic programme over
    tables). When the budget cannot finish a pass, limited-discrepancy dives look for good plans without
    proof (`solve`). Work is counted, so a budget — not the clock — ends the search: the result is
    deterministic.
    """

    def __init__(self, state: State, balance_floor: int) -> None:
        inst = state.inst
        assert inst.prev is not None
        self.state, self.inst, self.prev = state, inst, inst.prev
        self.balance_floor = balance_floor
        self.deadline = Deadline(0.0, 0.0)
        self.impossible = False  # an exhaustive pass never ran short of changes: no floor plan exists
        self.ops = 0
        self.nodes = 0
        self.stopped = False  # the current pass was cut short
        self.slack = 1 << 30  # discrepancies left (limited discrepancy search in dives)
        self.slack_cut = False
        self.pruned = False  # the current pass cut a branch for needing more changes than allowed
        self.diving = False
        self.out_of_time = False
        self.pass_limit = 0
        self.proven = 0  # no floor plan changes fewer seats than this (a complete pass showed it)
        self.depth = 0
        self.fixed = 0  # decided seats that differ from the published plan
        self.decided = [bytearray(inst.n_people) for _ in range(inst.n_rounds)]
        for r in range(inst.n_played):
            self.decided[r] = bytearray(b"\x01" * inst.n_people)
        self.bands = [size_bands(inst, r) for r in range(inst.n_rounds)]
        # Classes for the counting bound: each group, plus one for people without a group if there are any.
        ungrouped = any(g < 0 for g in inst.group)
        self.by_class = inst.n_groups + ungrouped <= MAX_CLASSES and max(inst.cap) <= MAX_CLASS_CAPACITY
        self.n_classes = max(1, inst.n_groups + ungrouped) if self.by_class else 1
        self.klass = [(g if g >= 0 else inst.n_groups) if self.by_class else 0 for g in inst.group]
        self.class_totals = [[0] * self.n_classes for _ in range(inst.n_rounds)]
        for r in range(inst.n_rounds):
            for p in inst.present[r]:
                self.class_totals[r][self.klass[p]] += 1
        self.options: dict[tuple[int, int, int], list[tuple[int, ...]]] = {}
        # Bounds by (round, newcomer pool, tables): (value, cap it was computed under); exact if value ≤ cap.
        self.memo: dict[tuple[object, ...], tuple[int, int]] = {}
        self.valid: dict[tuple[int, int, tuple[int, ...]], bool] = {}
        free = [(r, p) for r in inst.free_rounds for p in inst.present[r] if self.prev[r][p] != state.seat[r][p]]
        if len(free) <= PLACE_FIRST:
            for r, p in free:
                state.remove(r, p)
        self.unseated = [(r, p) for r, p in free if state.seat[r][p] < 0]
        self.pending = [0] * inst.n_people  # seats still to place, per person
        for _, p in self.unseated:
            self.pending[p] += 1
        self.loose = [(r, p) for r, p in free if state.seat[r][p] >= 0]
        self.start = [row[:] for row in state.seat]
        self.found = False  # a floor plan was found (the state holds it)
        self.optimal = False  # …and it is proven to change the fewest seats
        self.loose_set = set(self.loose)
        self.open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
        self.twins = self._twins()
        # Whoever sits where published meets as published: their conflicts are found once, up front.
        # Anyone who starts away from a published seat counts as touched for good (their conflicts with
        # people at published seats were never listed).
        self.touched = [0] * inst.n_people
        for r, p in free:
            self.touched[p] += state.seat[r][p] >= 0 and state.seat[r][p] != self.prev[r][p]
        self.always = bytearray(inst.n_people)
        for _, p in free:
            self.always[p] = 1
        everyone = self._scan(range(inst.n_people))
        self.standing = [c for c in everyone if not any(self.touched[p] or self.always[p] for _, p in c[1])]

    def _twins(self) -> dict[Seat, tuple[int, int]]:
        """Newcomers nobody can tell apart, chained in index order at the first round they attend.

        Swapping two such people's seats in every round maps plans to plans of the same cost, so only
        plans where their tables in that round do not decrease along the chain need searching. Maps that
        seat to (previous, next) person in the chain (−1 at the ends).
        """
        inst = self.inst
        waiting: dict[int, list[int]] = {}
        for r, p in self.unseated:
            waiting.setdefault(p, []).append(r)
        Kind = tuple[int, frozenset[int], frozenset[int], frozenset[int], tuple[int, ...], tuple[int, ...]]
        classes: dict[Kind, list[int]] = {}
        for p, rounds in waiting.items():
            if len(rounds) != sum(1 for r in inst.free_rounds if p in inst.present_set[r]):
                continue  # some seat of p is not a newcomer's
            played = tuple(inst.played_seat[r][p] for r in range(inst.n_played))
            kind = (inst.group[p], inst.compat_set[p], inst.avoid[p], inst.meet_want[p], tuple(sorted(rounds)), played)
            classes.setdefault(kind, []).append(p)
        chains: dict[Seat, tuple[int, int]] = {}
        for kind, members in classes.items():
            people = [p for p in sorted(members) if not (inst.avoid[p] | inst.meet_want[p]) & set(members)]
            first = kind[4][0]
            for i, p in enumerate(people):
                before = people[i - 1] if i else -1
                after = people[i + 1] if i + 1 < len(people) else -1
                chains[(first, p)] = (before, after)
        return chains

    @property
    def work(self) -> int:
        """Work spent, in the tabu search's units."""
        return self.ops // OPS_PER_WORK

    def solve(self, work: int, deadline: Deadline, dives: bool = True, upper: int | None = None) -> bool:
        """Look for the fewest changed seats of a floor plan with `work` more units; True if one was found.

        Iterative deepening over the number c of changed seats, resuming at the first c not yet ruled out: a
        pass that ends proves that no floor plan changes c seats or fewer (`proven`), so the first plan
        found is optimal. With `dives`, once a pass is cut short by the budget, limited-discrepancy dives
        (only the best-ranked branches, with a growing slack) allow a few more changes to find a plan, then
        one change fewer than the best so far; they find plans quickly but cannot prove that none exists
        (`optimal` says whether the result is proven). Only plans with fewer than `upper` changes count.
        On True the state holds the plan; on False it is back at the start (newcomers unseated).
        """
        self.deadline, self.out_of_time = deadline, False
        total = self.ops + OPS_PER_WORK * work
        limit = sum(1 for r in self.inst.free_rounds for p in self.inst.present[r] if self.prev[r][p] >= 0)
        if upper is not None:
            limit = min(limit, upper - 1)
        proof_end = self.ops + int(PROOF_SHARE * (total - self.ops)) if dives else total
        budget = self.proven
        while budget <= limit and not self.impossible:
            # Each exhaustive pass may use what is left for them (half of it when dives follow).
            self._reset()
            if self._pass(budget, self.ops + (proof_end - self.ops) // (2 if dives else 1)):
                self.found = self.optimal = True
                return True
            if self.stopped:
                break
            self.proven = budget + 1  # this pass was exhaustive
            self.impossible = not self.pruned  # …and never short of changes: no floor plan at all
            budget += 1
        self._reset()
        if not dives or self.impossible or self.proven > limit:
            return False
        # Dives: a few more changes than ruled out to find a plan, then one change fewer than the best.
        best: list[list[int]] | None = None
        budget = min(limit, self.proven + DIVE)
        while self.proven <= budget <= limit and self.ops < total and not self.out_of_time:
            level_end = self.ops + (total - self.ops) // DIVE_SHARE
            found = exhausted = False
            for slack in DIVE_SLACK:
                self._reset()
                found = self._pass(budget, level_end, slack)
                if found or self.stopped:
                    break  # a larger slack would only search more of the same
                if not self.slack_cut:
                    exhausted = True  # the slack never bit: no plan with this few changes
                    self.proven = budget + 1
                    break
            if found:
                best = [row[:] for row in self.state.seat]
                budget = self.state.levels[5] - 1
            elif best is None and not exhausted and budget < limit:
                budget = limit  # nothing yet: allow as many changes as still beat the upper bound
            else:
                break
        self._reset()
        if best is None:
            return False
        for r in self.inst.free_rounds:
            for p in self.inst.present[r]:
                self._set(r, p, best[r][p])
        self.found = True
        self.optimal = self.proven >= self.state.levels[5]
        return True

    def _pass(self, budget: int, end: int, slack: int = 1 << 30) -> bool:
        """One depth-first pass allowing `budget` changed seats, until the work reaches `end`."""
        self.stopped = self.slack_cut = self.pruned = False
        self.slack = slack
        self.diving = slack < 1 << 30
        self.pass_limit = end
        found = self._dfs(budget)
        if self.ops >= end or self.out_of_time:
            self.stopped = True
        return found

    def _reset(self) -> None:
        """Back to the starting seats with nothing decided."""
        for r in self.inst.free_rounds:
            for p in self.inst.present[r]:
                self._set(r, p, self.start[r][p])
                self.decided[r][p] = 0
        self.fixed = 0

    def _dfs(self, budget: int) -> bool:
        inst = self.inst
        self.nodes += 1
        self.ops += 4 * inst.n_tables + inst.n_people // 8
        if self.ops > self.pass_limit or self.depth > MAX_DEPTH:
            self.stopped = True
        elif self.deadline.expired():
            self.stopped = self.out_of_time = True
        if self.stopped:
            return False
        if self.fixed > budget:
            self.pruned = True
            return False
        conflicts = self._conflicts()
        used: set[Seat] = set()
        packed = 0
        seat, prev = self.state.seat, self.prev
        for _, seats, _ in sorted(conflicts, key=lambda c: len(c[1])):
            if not seats:
                return False  # every seat that could resolve it is decided
            # Only a conflict whose every seat sits where published needs a changed seat: a newcomer (no
            # published seat) or someone already away from it moves at no further cost.
            if any(prev[r][p] < 0 or seat[r][p] != prev[r][p] for r, p in seats):
                continue
            if used.isdisjoint(seats):
                used.update(seats)
                packed += 1
        frame = Frame()
        bounds = frame.bounds
        for r in inst.free_rounds:
            frame.bases[r] = self._base(r)
            cap = budget - self.fixed - sum(bounds.values())
            # Dives prune less and rank more: a capped bound (still a valid one) keeps their nodes cheap.
            bounds[r] = self._round_bound(r, min(cap, DIVE_BOUND_CAP) if self.diving else cap, frame.bases[r])
        if self.fixed + max(packed, sum(bounds.values())) > budget:
            self.pruned = True
            return False
        self.depth += 1
        try:
            return self._branch(self._choose(conflicts, budget, frame), budget, frame)
        finally:
            self.depth -= 1

    def _choose(self, conflicts: list[Conflict], budget: int, frame: Frame) -> Branches | None:
        """The violation to branch on, as (seats kept in order, [(how many kept, round, person, table)]).

        None: no violation left. Every floor plan below this node takes one of the branches, and the
        branches exclude each other except where a joiner or a topic fix may also be another's.
        """
        st, inst = self.state, self.inst
        if conflicts:
            # Fail first: the conflict with the fewest fixes that survive the bound.
            chosen, fewest = conflicts[0], 1 << 30
            if len(conflicts) > 1:
                for conflict in sorted(conflicts, key=lambda c: len(c[1])):
                    viable = self._viable(self._fixes(conflict), budget, frame, fewest)
                    if viable < fewest:
                        chosen, fewest = conflict, viable
                        if not viable:
                            break
            kind, seats, values = chosen
            if kind == "topic":
                return [], [(0, r, p, t) for r, p in seats for q, t in values if q == r]
            # The first of its seats (in order) that changes, the others before it kept.
            return seats, [(i, r, p, t) for i, (r, p) in enumerate(seats) for t in inst.compat[p] if t != st.seat[r][p]]
        waiting = [(r, p) for r, p in self.unseated if st.seat[r][p] < 0]
        if waiting:
            r, p = min(waiting, key=self._free_tables)  # the most constrained newcomer seat
            low, high = self.twins.get((r, p), (-1, -1))
            # Interchangeable newcomers sit in index order in their first round (symmetry breaking).
            lowest = st.seat[r][low] if low >= 0 else -1
            highest = st.seat[r][high] if high >= 0 and st.seat[r][high] >= 0 else inst.n_tables
            return [], [(0, r, p, t) for t in inst.compat[p] if lowest <= t <= highest]
        bad = self._bad_table()
        if bad is not None:
            # A bad size or mix: the first member who leaves, or, all staying, someone who joins.
            r, t = bad
            members = [(r, p) for p in st.members[r][t] if not self.decided[r][p]]
            moves = [(i, r, p, u) for i, (_, p) in enumerate(members) for u in inst.compat[p] if u != t]
            moves += [
                (len(members), r, q, t)
                for q in inst.present[r]
                if not self.decided[r][q] and st.seat[r][q] != t and t in inst.compat_set[q]
            ]
            return members, moves
        if st.levels[5] > budget:
            # A floor plan with too many changes: some undecided changed seat goes back home.
            self.pruned = True
            return [], [
                (0, r, p, self.prev[r][p])
                for r in inst.free_rounds
                for p in inst.present[r]
                if self.prev[r][p] >= 0
                and not self.decided[r][p]
                and st.seat[r][p] != self.prev[r][p]
                and self.prev[r][p] in inst.compat_set[p]
            ]
        return None

    def _branch(self, branches: Branches | None, budget: int, frame: Frame) -> bool:
        """Try the branches that survive the bound, most promising first (within the discrepancy slack)."""
        st, inst = self.state, self.inst
        if branches is None:
            # Sizes inside the bands give the least Σ size²; every requested pair that can meet has met.
            return st.levels[4] == self.balance_floor and st.levels[MEET] <= inst.meet_floor
        keep, moves = branches
        ranked: list[tuple[int, int, int, int, int, int]] = []
        diving = self.diving
        for kept, r, p, t in moves:
            home = self.prev[r][p]
            rest = self.fixed + (home >= 0 and t != home) + sum(v for q, v in frame.bounds.items() if q != r)
            if rest > budget:
                self.pruned = True
                continue
            if diving:
                # Dives visit only the first few branches: rank by the tables the move leaves bad (cheap);
                # the child checks the bound itself.
                bound = (self._bad_after(frame, r, p, t) + 1) // 2
            else:
                bound = self._bound_after(frame, r, budget - rest, p, t)
            if rest + bound > budget:
                self.pruned = True
                continue
            # Prefer moves that leave less to do: the bound, then new meetings, avoid pairs, topic repeats.
            base = p * inst.n_people
            clashes = sum(1 for x in st.members[r][t] if st.meet[base + x] or x in inst.avoid[p])
            here = st.seat[r][p]
            clashes += st._topic_delta(p, inst.topic[here] if here >= 0 else -1, inst.topic[t]) > 0
            ranked.append((rest + bound + clashes, len(ranked), kept, r, p, t))
        ranked.sort()
        if diving:
            # Re-rank the front runners by the counting bound (dearer than the proxy, and better).
            head = []
            if len(ranked) > HEAD_FACTOR * self.slack + HEAD_EXTRA:
                self.slack_cut = True
            for score, i, kept, r, p, t in ranked[: HEAD_FACTOR * self.slack + HEAD_EXTRA]:
                home = self.prev[r][p]
                rest = self.fixed + (home >= 0 and t != home) + sum(v for q, v in frame.bounds.items() if q != r)
                bound = self._bound_after(frame, r, min(budget - rest, DIVE_BOUND_CAP), p, t)
                if rest + bound <= budget:
                    proxy = (self._bad_after(frame, r, p, t) + 1) // 2
                    head.append((score - proxy + bound, i, kept, r, p, t))
            ranked = sorted(head)
        for rank, (_, _, kept, r, p, t) in enumerate(ranked):
            if rank > self.slack:
                self.slack_cut = True
                return False
            for q, x in keep[:kept]:
                self._decide(q, x)
            self.slack -= rank
            found = self._move(r, p, t, budget)
            self.slack += rank
            if found:
                return True
            for q, x in reversed(keep[:kept]):
                self._undecide(q, x)
            if self.stopped:
                return False
        return False

    def _conflicts(self) -> list[Conflict]:
        standing = [
            (kind, [s for s in seats if not self.decided[s[0]][s[1]]], values)
            for kind, seats, values in self.standing
            if not any(self.touched[p] for _, p in seats)
        ]
        scanned = self._scan(p for p in range(self.inst.n_people) if self.touched[p] or self.always[p])
        return standing + scanned + self._meet_conflicts()

    def _meet_conflicts(self) -> list[Conflict]:
        """Requested pairs not yet met: one of their undecided seats in a round both attend must change.

        Pairs no plan can seat together (the meet floor) are left out, and so are pairs with a seat still
        to place in such a round (placing it may meet them)."""
        st, inst = self.state, self.inst
        found: list[Conflict] = []
        P = inst.n_people
        for a, b in inst.meet_pairs:
            if st.meet[a * P + b] or not inst.compat_set[a] & inst.compat_set[b]:
                continue
            rounds = [r for r in inst.free_rounds if a in inst.present_set[r] and b in inst.present_set[r]]
            self.ops += len(rounds)
            if not rounds or any(st.seat[r][a] < 0 or st.seat[r][b] < 0 for r in rounds):
                continue
            seats = [(r, x) for r in rounds for x in (a, b) if not self.decided[r][x]]
            found.append(("meet", seats, []))
        return found

    def _scan(self, people: Iterable[int]) -> list[Conflict]:
        """Topic repeats and repeated or avoided pairs of these people (with anyone)."""
        st, inst = self.state, self.inst
        P, n_played, decided = inst.n_people, inst.n_played, self.decided
        found: list[Conflict] = []
        seen_pairs: set[tuple[int, int]] = set()
        for p in people:
            rounds = [r for r in range(inst.n_rounds) if st.seat[r][p] >= 0]
            self.ops += len(rounds)
            # With seats still to place and more rounds than topics, a later seat may add the missing topic.
            settled = not self.pending[p] or inst.rounds_present[p] <= inst.topics_possible[p]
            if settled and min(st.visits[p], inst.topics_possible[p]) > st.distinct[p]:
                conflict = self._topic_conflict(p, rounds)
                if conflict is not None:
                    found.append(conflict)
            base = p * P
            for r in rounds:
                for x in st.members[r][st.seat[r][p]]:
                    if x == p or st.meet[base + x] < 2 and x not in inst.avoid[p]:
                        continue
                    pair = (p, x) if p < x else (x, p)
                    if pair in seen_pairs:
                        continue
                    seen_pairs.add(pair)
                    # Played rounds are history: only a meeting in a free round can be undone.
                    met = [q for q in rounds if st.seat[q][x] == st.seat[q][p]]
                    free = [q for q in met if q >= n_played]
                    if not free:
                        continue
                    # An avoided pair parts in a free round; a repeated one in one of two meetings (one free).
                    second = free[0] if free[0] != met[0] else met[1] if len(met) > 1 else met[0]
                    where = free[:1] if x in inst.avoid[p] else [met[0], second]
                    seats = [(q, y) for q in where if q >= n_played for y in pair if not decided[q][y]]
                    found.append(("pair", seats, []))
        return found

    def _topic_conflict(self, p: int, rounds: list[int]) -> Conflict | None:
        """p's topic repeat: the undecided seats that could resolve it and the tables that would.

        None when only played rounds are involved (history: nothing to resolve).
        """
        st, inst = self.state, self.inst
        topics = [inst.topic[st.seat[r][p]] for r in rounds]
        if all(r < inst.n_played for r in rounds):
            return None
        free = [r for r in rounds if r >= inst.n_played and not self.decided[r][p]]
        values: list[Seat] = []
        if st.visits[p] <= inst.topics_possible[p]:
            # Two visits share a topic b (one of them in a free round): one of them leaves b, or a
            # topic-free seat turns into a visit.
            twice = [
                b for r, b in zip(rounds, topics, strict=True) if b >= 0 and r >= inst.n_played and topics.count(b) > 1
            ]
            if not twice:
                return None
            b = twice[0]
            for r in free:
                a = inst.topic[st.seat[r][p]]
                if a == b:
                    values += [(r, t) for t in inst.compat[p] if inst.topic[t] != b]
                elif a < 0:
                    values += [(r, t) for t in inst.compat[p] if inst.topic[t] >= 0]
        else:
            # Every reachable topic must be visited: some seat moves to a topic not yet seen.
            for r in free:
                values += [(r, t) for t in inst.compat[p] if inst.topic[t] >= 0 and inst.topic[t] not in topics]
        seats = sorted({(r, p) for r, _ in values})
        return "topic", seats, values

    def _free_tables(self, seat: Seat) -> int:
        """Tables where an unseated newcomer would add no conflict and no overflow (fewest first)."""
        st, inst = self.state, self.inst
        r, p = seat
        base, band = p * inst.n_people, self.bands[r]
        return sum(
            1
            for t in inst.compat[p]
            if len(st.members[r][t]) < band[t][1]
            and st._topic_delta(p, -1, inst.topic[t]) <= 0
            and not any(st.meet[base + x] or x in inst.avoid[p] for x in st.members[r][t])
        )

    def _bad_table(self) -> tuple[int, int] | None:
        st, inst = self.state, self.inst
        for r in inst.free_rounds:
            band = self.bands[r]
            for t in range(inst.n_tables):
                size = len(st.members[r][t])
                if st.dev[r][t] or not band[t][0] <= size <= band[t][1]:
                    return r, t
        return None

    def _set(self, r: int, p: int, t: int) -> None:
        st = self.state
        old = st.seat[r][p]
        if old == t:
            return
        if old >= 0 and t >= 0:
            st.move(r, p, t)
        elif old >= 0:
            st.remove(r, p)
        else:
            st.add(r, p, t)
        home = self.prev[r][p]
        self.touched[p] += (t != home and t >= 0) - (old != home and old >= 0)
        self.pending[p] += (t < 0) - (old < 0)

    def _decide(self, r: int, p: int) -> None:
        self.decided[r][p] = 1
        home = self.prev[r][p]
        self.fixed += home >= 0 and self.state.seat[r][p] != home

    def _undecide(self, r: int, p: int) -> None:
        self.decided[r][p] = 0
        home = self.prev[r][p]
        self.fixed -= home >= 0 and self.state.seat[r][p] != home

    def _fixes(self, conflict: Conflict) -> list[tuple[int, int, int]]:
        kind, seats, values = conflict
        if kind == "topic":
            return [(r, p, t) for r, p in seats for q, t in values if q == r]
        st, inst = self.state, self.inst
        return [(r, p, t) for r, p in seats for t in inst.compat[p] if t != st.seat[r][p]]

    def _viable(self, moves: list[tuple[int, int, int]], budget: int, frame: Frame, enough: int) -> int:
        """How many of these moves survive the bound (counting stops at `enough`)."""
        count = 0
        for r, p, t in moves:
            home = self.prev[r][p]
            rest = self.fixed + (home >= 0 and t != home) + sum(v for q, v in frame.bounds.items() if q != r)
            cap = min(budget - rest, DIVE_BOUND_CAP) if self.diving else budget - rest
            if rest <= budget and rest + self._bound_after(frame, r, cap, p, t) <= budget:
                count += 1
                if count >= enough:
                    break
        self.ops += len(moves)
        return count

    def _move(self, r: int, p: int, t: int, budget: int) -> bool:
        old = self.state.seat[r][p]
        self._set(r, p, t)
        self._decide(r, p)
        if self._dfs(budget):
            return True
        self._undecide(r, p)
        self._set(r, p, old)
        return False

    # -- the counting bound --------------------------------------------------------------------------
    def _base(self, r: int) -> Base:
        """Round r's class counts per table (people who count when they leave) and the free pool."""
        st, inst = self.state, self.inst
        k, groups = self.n_classes, inst.n_groups
        haves: list[list[int]] = []
        for t in range(inst.n_tables):
            if not self.by_class:
                haves.append([len(st.members[r][t])])
            elif k > groups:
                haves.append([*st.gcount[r][t], len(st.members[r][t]) - st.gsize[r][t]])
            else:
                haves.append(st.gcount[r][t][:])
        pool = [0] * k
        home, decided, klass = self.prev[r], self.decided[r], self.klass
        for r2, p in self.unseated:
            if r2 == r and st.seat[r][p] < 0:
                pool[klass[p]] += 1
        for r2, p in self.loose:
            t = st.seat[r][p]
            if r2 == r and t >= 0 and not decided[p] and home[p] != t:
                haves[t][klass[p]] -= 1
                pool[klass[p]] += 1
        self.ops += inst.n_tables
        return [tuple(h) for h in haves], tuple(pool)

    def _source(self, r: int, p: int) -> int:
        """Where undecided p's count sits in round r's base: its table, or −1 for the free pool."""
        here = self.state.seat[r][p]
        return -1 if here < 0 or self.prev[r][p] != here and (r, p) in self.loose_set else here

    def _bound_after(self, frame: Frame, r: int, cap: int, p: int, t: int) -> int:
        """The round bound as if undecided p were decided at table t (the state itself untouched)."""
        k, source = self.klass[p], self._source(r, p)
        key = (r, cap, k, source, t)
        known = frame.after.get(key)
        if known is not None:
            return known
        haves, pool = list(frame.bases[r][0]), frame.bases[r][1]
        if source < 0:
            pool = (*pool[:k], pool[k] - 1, *pool[k + 1 :])
        else:
            row = haves[source]
            haves[source] = (*row[:k], row[k] - 1, *row[k + 1 :])
        row = haves[t]
        haves[t] = (*row[:k], row[k] + 1, *row[k + 1 :])
        value = frame.after[key] = self._round_bound(r, cap, (haves, pool))
        return value

    def _bad_after(self, frame: Frame, r: int, p: int, t: int) -> int:
        """How many of round r's tables have invalid counts as if undecided p were decided at t."""
        k, source = self.klass[p], self._source(r, p)
        key = (r, -1, k, source, t)
        known = frame.after.get(key)
        if known is not None:
            return known
        bad = 0
        for u in self.open_tables:
            row = frame.bases[r][0][u]
            if u == source:
                row = (*row[:k], row[k] - 1, *row[k + 1 :])
            if u == t:
                row = (*row[:k], row[k] + 1, *row[k + 1 :])
            valid_key = (r, u, row)
            ok = self.valid.get(valid_key)
            if ok is None:
                ok = self.valid[valid_key] = row in self._options(r, *self.bands[r][u])
            bad += not ok
        frame.after[key] = bad
        return bad

    def _round_bound(self, r: int, cap: int, base: Base | None = None) -> int:
        """Least further changed seats (at most cap + 1) for valid table counts in round r.

        Newcomers — unseated, or seated but undecided and not at a published seat — fill in for free;
        every other person who leaves a table counts one.
        """
        if cap < 0:
            return 0
        haves, pool = base if base is not None else self._base(r)
        k = self.n_classes
        # The problem depends on the multiset of (band, counts) over tables: sorted, symmetric states share it.
        bands = self.bands[r]
        tables = sorted((*bands[t], haves[t]) for t in self.open_tables)
        key = (r, pool, *tables)
        known = self.memo.get(key)
        if known is not None:
            value, under = known
            if value <= under or cap <= under:
                return min(value, cap + 1)
        frontier: dict[tuple[int, ...], int] = {(0,) * k: 0}
        for low, high, have in tables:
            nxt: dict[tuple[int, ...], int] = {}
            for want in self._options(r, low, high):
                step = sum(h - w for h, w in zip(have, want, strict=True) if h > w)
                if step > cap:
                    continue
                if self.ops > self.pass_limit:
                    self.stopped = True
                    return 0  # out of work mid-bound: 0 is still a bound
                if self.deadline.expired():
                    # One bound on a large event can take long: the clock is read here too, not only per node.
                    self.stopped = self.out_of_time = True
                    return 0
                for partial, cost in frontier.items():
                    c = cost + step
                    if c <= cap:
                        moved = tuple(s + w - h for s, w, h in zip(partial, want, have, strict=True))
                        if c < nxt.get(moved, cap + 1):
                            nxt[moved] = c
                self.ops += len(frontier)
            frontier = nxt
            if not frontier:
                break
        value = frontier.get(pool, cap + 1)
        self.memo[key] = (value, cap)
        return value

    def _options(self, r: int, low: int, high: int) -> list[tuple[int, ...]]:
        """Class counts a table of size low..high may end with (mixed as evenly as shares allow)."""
        key = (r, low, high)
        found = self.options.get(key)
        if found is None:
            if not self.by_class:
                found = [(s,) for s in range(low, high + 1)]
            else:
                shares, totals = self.inst.group_counts[r], self.class_totals[r]
                groups = self.inst.n_groups
                found = []
                for size in range(low, high + 1):
                    for counts in _compositions(size, self.n_classes):
                        grouped = list(counts[:groups])
                        if all(c <= n for c, n in zip(counts, totals, strict=True)) and not deviation(
                            grouped, sum(grouped), shares
                        ):
                            found.append(counts)
            self.options[key] = found
        return found


def _compositions(total: int, parts: int) -> list[tuple[int, ...]]:
    if parts == 1:
        return [(total,)]
    return [(head, *rest) for head in range(total + 1) for rest in _compositions(total - head, parts - 1)]
