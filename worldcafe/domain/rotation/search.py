"""Greedy seating and tabu search with swaps, topic-preserving double swaps and breakout perturbation."""

from __future__ import annotations

import random

from .deadline import Deadline
from .meet import unmet_pick
from .state import MEET, PRIORITY, Instance, State, size_bands


def seat_greedily(state: State, r: int, people: list[int], rng: random.Random, deadline: Deadline) -> None:
    """Seat people in round r, most constrained first, each at the cheapest table with room.

    Pricing every table for every person costs O(people × tables) cost deltas (half a minute for 5,000
    people at 500 tables): once the deadline has passed, the rest are dealt out evenly instead.
    """
    inst = state.inst
    order = sorted(people, key=lambda p: (len(inst.compat[p]), rng.random()))
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    headcount = sum(len(state.members[r][t]) for t in open_tables) + len(people)
    # A soft cap keeps the greedy from filling early tables while later ones stay empty.
    soft = -(-headcount // max(1, len(open_tables)))
    for i, p in enumerate(order):
        if deadline.expired():
            deal_evenly(state, r, order[i:])
            return
        sizes = [len(state.members[r][t]) for t in range(inst.n_tables)]
        roomy = [t for t in inst.compat[p] if sizes[t] < min(soft, inst.cap[t])]
        if not roomy:
            roomy = [t for t in inst.compat[p] if sizes[t] < inst.cap[t]]
        if not roomy:
            roomy = [_make_room(state, r, p)]
        best = min(roomy, key=lambda t: (state.delta_add(r, p, t), rng.random()))
        state.add(r, p, best)


def deal_evenly(state: State, r: int, people: list[int]) -> None:
    """Seat people in round r round-robin over the tables with room that their needs allow (no pricing).

    Valid and as even as a deal gets, in about O(people + tables) steps when few have needs. Dealt in blocks by
    group (most constrained first), so consecutive tables take turns within a group and every table gets its
    share of each; within a group the order is the caller's (random per round), so companions vary by round.
    """
    inst = state.inst
    roomy = [t for t in range(inst.n_tables) if len(state.members[r][t]) < inst.cap[t]]
    cursor = 0
    for p in sorted(people, key=lambda p: (len(inst.compat[p]), inst.group[p])):
        allowed, table = inst.compat_set[p], -1
        tries = len(roomy)
        while tries and roomy:
            cursor %= len(roomy)
            t = roomy[cursor]
            if len(state.members[r][t]) >= inst.cap[t]:
                roomy.pop(cursor)  # full for good: each table leaves the ring once
                continue
            tries -= 1
            cursor += 1
            if t in allowed:
                table = t
                break
        state.add(r, p, table if table >= 0 else _make_room(state, r, p))


def _make_room(state: State, r: int, p: int) -> int:
    """Free a seat at a table p may use by shifting others along an augmenting path."""
    inst = state.inst
    parent: dict[int, tuple[int, int] | None] = {t: None for t in inst.compat[p]}
    queue = list(inst.compat[p])
    while queue:
        u = queue.pop(0)
        for x in list(state.members[r][u]):
            for w in inst.compat[x]:
                if w in parent:
                    continue
                parent[w] = (u, x)
                if len(state.members[r][w]) < inst.cap[w]:
                    target = w
                    while True:
                        link = parent[target]
                        if link is None:
                            return target
                        source, person = link
                        state.move(r, person, target)
                        target = source
                queue.append(w)
    raise AssertionError("validated input always leaves room")  # check_feasible proved a flow exists


# First plans: the share of steps that target a lower level above its floor rather than the highest.
LOWER_LEVEL_SHARE = 0.3
# First plans: the share of mixing steps that also price route exchanges, and how many partners each prices.
ROUTE_SHARE = 1.0
ROUTE_PARTNERS = 24


class TabuSearch:
    """Tabu search on a lexicographic cost (after Dotú & Van Hentenryck's social-golfer tabu)."""

    def __init__(self, state: State, rng: random.Random, deadline: Deadline, target: int, budget: int) -> None:
        self.state, self.rng, self.deadline, self.target = state, rng, deadline, target
        # A work budget (moves evaluated) rather than the clock ends the search, so a seed gives the
        # same plan on any machine fast enough; the deadline guards slow machines and large or tight inputs.
        self.budget = budget
        self.work = 0
        # Re-planning: 1 = people with a published seat stay put (newcomers move); 2 = a stayer moves only
        # away from a table with a defect (swapping with anyone); 0 = everyone may move.
        self.freeze = 0
        self.free = list(state.inst.free_rounds)
        self.tabu: dict[tuple[int, int, int], int] = {}
        self.best_cost = state.cost()
        self.best_seats = [row[:] for row in state.seat]
        self.best_levels = state.levels[:]
        self.iterations = 0
        self.best_delta: int | None = None
        self.best_move: tuple[str, int, int, int] | None = None
        self.ties = 0
        self._movable_cache: list[tuple[int, int]] | None = None
        self._bands: list[list[tuple[int, int]]] | None = None
        # Re-planning sets the least Σ size²: the search then also picks people at tables off their band.
        self.balance_floor: int | None = None
        # First plans set the floor of every level (topic repeats … sizes): the search then targets each level
        # above its floor (the highest most often), trades whole routes for mixing, and perturbs the best plan.
        self.floor: list[int] | None = None
        self.route_tabu: dict[tuple[int, int], int] = {}
        self.max_delta: int | None = None  # first plans: the largest cost change a step may make

    def run(self, patience: int = 0) -> list[list[int]]:
        """Improve until the target cost, the budget or the deadline; return the best seats found.

        With patience > 0 the search also stops after that many steps without a new best plan.
        """
        if not self.free:
            return self.best_seats
        movable = self._movable()
        if movable is not None and not movable:
            return self.best_seats
        stall = idle = 0
        while self.best_cost > self.target and self.work < self.budget:
            # Every step: one can cost milliseconds on a large event, and reading the clock costs far less.
            if self.deadline.expired():
                break
            self.iterations += 1
            if self._step():
                stall = idle = 0
            else:
                stall += 1
                idle += 1
                if patience and idle > patience:
                    break
            if stall > 60 + 4 * self.state.inst.n_people:
                self._perturb()
                stall = 0
        return self.best_seats

    def _movable(self) -> list[tuple[int, int]] | None:
        """With stayers frozen (freeze 1): the (round, person) seats that may move; else None (all may)."""
        prev = self.state.inst.prev
        if self.freeze != 1 or prev is None:
            return None
        if self._movable_cache is None:
            inst = self.state.inst
            self._movable_cache = [(r, p) for r in self.free for p in inst.present[r] if prev[r][p] < 0]
        return self._movable_cache

    def _pick(self) -> tuple[int, list[int]] | None:
        """A round and the people in it involved in the highest-priority remaining defect."""
        st, inst, rng = self.state, self.state.inst, self.rng
        movable = self._movable()
        if movable is not None:
            # Only people without a published seat move: pick among them, the defective ones first.
            if not movable:
                return None
            for _ in range(8):
                r, p = rng.choice(movable)
                if self._defective(r, p):
                    return r, [p]
            r, p = rng.choice(movable)
            return r, [p]
        level = next((i for i, v in enumerate(st.levels[:4]) if v > 0), None)
        if level is None and self.balance_floor is not None and st.levels[4] > self.balance_floor:
            level = 4  # re-planning: sizes off the least-squares bands outrank minimal change
        if self.floor is not None:
            above = [i for i in range(5) if st.levels[i] > self.floor[i]]
            level = above[0] if above else None
            if len(above) > 1 and rng.random() < LOWER_LEVEL_SHARE:
                # A lower level may gain without a higher one losing (sizes, mixing under a repeat bound).
                level = rng.choice(above[1:])
            # The step may not worsen any level above the one it targets (those at their floor stay there); requested
            # meetings rank between topic repeats and repeated pairs (PRIORITY).
            weights = inst.weights
            self.max_delta = weights[PRIORITY[PRIORITY.index(level) - 1]] // 2 if level else None
        if st.levels[0] == 0 and st.levels[MEET] > inst.meet_floor and rng.random() < 0.5:
            # Requested meetings rank right after topic repeats: both people of an unmet pair.
            unmet = unmet_pick(st, rng)
            if unmet is not None and not any(self._frozen(unmet[0], p) for p in unmet[1]):
                if self.floor is not None:
                    self.max_delta = inst.weights[0] // 2  # never at the cost of a topic repeat
                return unmet
        if level == 1 and rng.random() < 0.5:
            # Dotú & Van Hentenryck: every person of one round who sits with someone already met.
            r = rng.choice(self.free)
            P, meet = inst.n_people, st.meet
            conflicted = [
                p
                for p in inst.present[r]
                if st.rep_of[p] and any(meet[p * P + x] > 1 for x in st.members[r][st.seat[r][p]])
            ]
            conflicted = [p for p in conflicted if not self._frozen(r, p)]
            if conflicted:
                rng.shuffle(conflicted)
                return r, conflicted[:8]
        prev = inst.prev
        for _ in range(60):
            r = rng.choice(self.free)
            people = inst.present[r]
            if not people:
                continue
            p = rng.choice(people)
            if self._frozen(r, p):
                continue
            if level is None and prev is not None and st.levels[5] and rng.random() < 0.8:
                # Only minimal change is left to win: bring someone back to their published seat.
                if prev[r][p] >= 0 and prev[r][p] != st.seat[r][p]:
                    return r, [p]
                continue
            if level is None or rng.random() < 0.1:
                return r, [p]
            t = st.seat[r][p]
            if level == 0 and inst.topic[t] >= 0 and st.topic_count[p].get(inst.topic[t], 0) > 1:
                return r, [p]
            base = p * inst.n_people
            if level == 1 and st.rep_of[p] > 0 and any(st.meet[base + x] > 1 for x in st.members[r][t]):
                return r, [p]
            if level == 2 and any(x in inst.avoid[p] for x in st.members[r][t]):
                return r, [p]
            if level == 3 and st.dev[r][t] > 0:
                return r, [p]
            if level == 4 and self._off_band(r, t):
                return r, [p]
        r = rng.choice(self.free)
        return (r, [rng.choice(inst.present[r])]) if inst.present[r] else None

    def _defective(self, r: int, p: int) -> bool:
        """Does p sit in round r with a topic repeat, someone met before or avoided, or at an unmixed table?"""
        st, inst = self.state, self.state.inst
        t = st.seat[r][p]
        if inst.topic[t] >= 0 and st.topic_count[p].get(inst.topic[t], 0) > 1:
            return True
        base = p * inst.n_people
        if any(st.meet[base + x] > 1 or x in inst.avoid[p] for x in st.members[r][t] if x != p):
            return True
        return st.dev[r][t] > 0

    def _step(self) -> bool:
        st = self.state
        picked = self._pick()
        if picked is None:
            return False
        r, people = picked
        current = st.cost()
        self.best_delta, self.best_move, self.ties = None, None, 0
        limit = self.max_delta
        for p in people:
            self._scan(r, p, current)
        double = self._best_double(r, people[0])
        if limit is not None and double is not None and double[0] > limit:
            double = None
        if double is not None and (self.best_delta is None or double[0] < self.best_delta):
            self.best_delta, self.best_move = double[0], ("double", people[0], double[1], double[2])
        route = self._best_route(r, people[0], current)
        if limit is not None and route is not None and route[0] > limit:
            route = None
        if route is not None and (self.best_delta is None or route[0] < self.best_delta):
            self.best_delta, self.best_move = route[0], ("route", people[0], route[1], -1)
        if self.best_move is None or self.best_delta is None:
            return False
        kind, p, a, b = self.best_move
        t1 = st.seat[r][p]
        tenure = 3 + self.rng.randrange(8)
        if kind == "route":
            self._exchange_routes(p, a)
            self.route_tabu[(min(p, a), max(p, a))] = self.iterations + tenure
        elif kind == "move":
            st.move(r, p, a)
            self.tabu[(r, p, t1)] = self.iterations + tenure
        elif kind == "swap":
            self.tabu[(r, p, t1)] = self.iterations + tenure
            self.tabu[(r, a, st.seat[r][a])] = self.iterations + tenure
            st.swap(r, p, a)
        else:
            st.swap(r, p, a)
            st.swap(b, p, a)
        new_cost = current + self.best_delta
        if new_cost < self.best_cost:
            self._save(new_cost)
            return True
        return False

    def _frozen(self, r: int, p: int, partner: bool = False) -> bool:
        st, prev = self.state, self.state.inst.prev
        if not self.freeze or prev is None or prev[r][p] < 0:
            return False
        if self.freeze == 1:
            return True
        if partner:
            return False
        t, P = st.seat[r][p], st.inst.n_people
        # A defect: an unmixed table, someone met before, or a size outside the least-squares band.
        if st.dev[r][t] or self._off_band(r, t) or any(st.meet[p * P + x] > 1 for x in st.members[r][t]):
            return False
        return not any(not st.meet[p * P + x] for x in st.inst.meet_want[p])  # …or a requested meeting to come

    def _off_band(self, r: int, t: int) -> bool:
        """Is table t's size in round r outside what a Σ size²-minimal seating gives it?"""
        if self._bands is None:
            self._bands = [size_bands(self.state.inst, q) for q in range(self.state.inst.n_rounds)]
        low, high = self._bands[r][t]
        return not low <= len(self.state.members[r][t]) <= high

    def _consider(self, d: int, tabu: bool, current: int, move: tuple[str, int, int, int]) -> None:
        """Keep the best non-tabu move (a tabu one only if it beats the best plan); break ties at random."""
        if tabu and current + d >= self.best_cost or self.max_delta is not None and d > self.max_delta:
            return
        if self.best_delta is None or d < self.best_delta:
            self.best_delta, self.best_move, self.ties = d, move, 1
        elif d == self.best_delta:
            self.ties += 1
            if self.rng.random() * self.ties < 1:
                self.best_move = move

    def _scan(self, r: int, p: int, current: int) -> None:
        """Evaluate every move of p to a free seat and every swap of p with someone at another table."""
        st, inst = self.state, self.state.inst
        t1 = st.seat[r][p]
        self.work += len(inst.present[r])
        for t in inst.compat[p]:
            if t == t1:
                continue
            tabu_p = self.tabu.get((r, p, t), 0) > self.iterations
            if len(st.members[r][t]) < inst.cap[t]:
                self._consider(st.delta_move(r, p, t), tabu_p, current, ("move", p, t, -1))
            for q in st.members[r][t]:
                if t1 in inst.compat_set[q] and not self._frozen(r, q, partner=True):
                    tabu = tabu_p or self.tabu.get((r, q, t1), 0) > self.iterations
                    self._consider(st.delta_swap(r, p, q), tabu, current, ("swap", p, q, -1))

    def _best_double(self, r: int, p: int) -> tuple[int, int, int] | None:
        """Best exchange of p with a q in two rounds at once that leaves both people's topics intact."""
        st, inst = self.state, self.state.inst
        if len(self.free) < 2 or st.levels[1] == 0:
            return None
        r2 = self.rng.choice(self.free)
        if r2 == r:
            return None
        tp1, tp2 = st.seat[r][p], st.seat[r2][p]
        if tp2 < 0 or self._frozen(r2, p):
            return None
        a, b = inst.topic[tp1], inst.topic[tp2]
        best: tuple[int, int, int] | None = None
        self.work += len(inst.present[r])
        for q in inst.present[r]:
            tq1, tq2 = st.seat[r][q], st.seat[r2][q]
            if q == p or tq2 < 0 or tq1 == tp1 or tq2 == tp2 or self._frozen(r, q, True) or self._frozen(r2, q, True):
                continue
            # q sits at p's two topics (in either order), so both keep the topics they visit.
            if sorted((inst.topic[tq1], inst.topic[tq2])) != sorted((a, b)):
                continue
            if not (tq1 in inst.compat_set[p] and tq2 in inst.compat_set[p]):
                continue
            if not (tp1 in inst.compat_set[q] and tp2 in inst.compat_set[q]):
                continue
            d1 = st.delta_swap(r, p, q)
            st.swap(r, p, q)
            d2 = st.delta_swap(r2, p, q)
            st.swap(r, p, q)
            if best is None or d1 + d2 < best[0]:
                best = (d1 + d2, q, r2)
        return best

    def _exchange_routes(self, p: int, q: int) -> None:
        """p and q trade seats in every free round where both are present (an involution)."""
        st = self.state
        for r in self.free:
            tp, tq = st.seat[r][p], st.seat[r][q]
            if tp >= 0 and tq >= 0 and tp != tq:
                st.swap(r, p, q)

    def _best_route(self, r: int, p: int, current: int) -> tuple[int, int] | None:
        """First plans, mixing targeted: the best exchange of p's whole route with someone of another group.

        Two people trading routes keep every table's size and, without played rounds, every pair count (p's
        meetings become q's and back) and, when their reachable topics agree, the topic level: only mixing and
        avoid pairs can change, so this fixes mixes that single and double swaps cannot fix without breaking a
        higher level. Priced by applying and undoing the exchange.
        """
        st, inst, rng = self.state, self.state.inst, self.rng
        g = inst.group[p]
        if self.floor is None or g < 0 or st.dev[r][st.seat[r][p]] == 0 or rng.random() >= ROUTE_SHARE:
            return None
        if self._frozen(r, p):
            return None
        others = [
            q
            for q in inst.present[r]
            if inst.group[q] != g
            and inst.topics_possible[q] == inst.topics_possible[p]
            and st.seat[r][q] != st.seat[r][p]
        ]
        if len(others) > ROUTE_PARTNERS:
            others = rng.sample(others, ROUTE_PARTNERS)
        best: tuple[int, int] | None = None
        for q in others:
            if any(
                st.seat[x][q] >= 0
                and st.seat[x][p] >= 0
                and (st.seat[x][q] not in inst.compat_set[p] or st.seat[x][p] not in inst.compat_set[q])
                for x in self.free
            ):
                continue
            self.work += 2 * len(self.free)
            self._exchange_routes(p, q)
            d = st.cost() - current
            self._exchange_routes(p, q)
            if self.route_tabu.get((min(p, q), max(p, q)), 0) > self.iterations and current + d >= self.best_cost:
                continue
            if best is None or d < best[0]:
                best = (d, q)
        return best

    def _perturb(self) -> None:
        """Breakout: a few random swaps in random rounds to leave a plateau (first plans: from the best plan)."""
        if self.floor is not None:
            self.state = _reseated(self.state.inst, self.best_seats)
        st, inst, rng = self.state, self.state.inst, self.rng
        for _ in range(2 + rng.randrange(4)):
            r = rng.choice(self.free)
            people = inst.present[r]
            if len(people) < 2:
                continue
            p, q = rng.sample(people, 2)
            if self._frozen(r, p) or self._frozen(r, q, partner=True):
                continue
            tp, tq = st.seat[r][p], st.seat[r][q]
            if tp != tq and tq in inst.compat_set[p] and tp in inst.compat_set[q]:
                st.swap(r, p, q)

    def _save(self, cost: int) -> None:
        self.best_cost = cost
        self.best_seats = [row[:] for row in self.state.seat]
        self.best_levels = self.state.levels[:]


def _reseated(inst: Instance, seats: list[list[int]]) -> State:
    """A fresh state with these seats in the free rounds (played rounds as played)."""
    state = State(inst)
    for r in inst.free_rounds:
        for p in inst.present[r]:
            state.add(r, p, seats[r][p])
    return state


def restore_published(state: State, deadline: Deadline) -> None:
    """Descent that walks changed seats back to the published plan whenever no higher level loses.

    Every move improves the plan, so stopping at the deadline still leaves a valid plan, just one with
    more changed seats.
    """
    inst = state.inst
    prev = inst.prev
    improved = prev is not None
    while improved and prev is not None:
        improved = False
        for r in inst.free_rounds:
            if deadline.expired():
                return
            for p in inst.present[r]:
                t, home = state.seat[r][p], prev[r][p]
                if home < 0 or home == t or home not in inst.compat_set[p]:
                    continue
                if len(state.members[r][home]) < inst.cap[home] and state.delta_move(r, p, home) < 0:
                    state.move(r, p, home)
                    improved = True
                    continue
                for q in list(state.members[r][home]):
                    if t in inst.compat_set[q] and state.delta_swap(r, p, q) < 0:
                        state.swap(r, p, q)
                        improved = True
                        break
