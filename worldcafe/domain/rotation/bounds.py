"""Lower bounds on repeated pairs and on the balance level, valid for every feasible plan."""

from __future__ import annotations

from collections import Counter
from functools import cache
from itertools import combinations

from .state import Instance


def _fill(caps: list[int], people: int, parts: list[int] | None = None) -> int:
    """Least Σ_t pairs(x_t) with Σ x_t = people, x_t ≤ caps[t]: fill where the next seat costs least."""
    # The (x+1)-th person at table t costs ⌊x / parts_t⌋ repeated pairs (parts=1: the pairs it creates).
    # Marginals only grow, so taking every seat cheaper than some level c, then seats at exactly c, is optimal.
    split = parts if parts is not None else [1] * len(caps)
    usable = [(cap, a) for cap, a in zip(caps, split, strict=True) if cap > 0 and a > 0]
    people = min(people, sum(cap for cap, _ in usable))
    level = 0
    while sum(min(cap, (level + 1) * a) for cap, a in usable) < people:
        level += 1
    below = [min(cap, level * a) for cap, a in usable]
    return sum(_split_pairs(x, a) for x, (_, a) in zip(below, usable, strict=True)) + (people - sum(below)) * level


def _split_pairs(x: int, parts: int) -> int:
    q, rest = divmod(x, parts)
    return rest * (q + 1) * q // 2 + (parts - rest) * q * (q - 1) // 2


def _round_pairs(inst: Instance, r: int) -> int:
    """Fewest pairs sitting together in round r (actual count for a played round)."""
    if r < inst.n_played:
        sizes = Counter(inst.played_seat[r][p] for p in inst.present[r])
        return sum(s * (s - 1) // 2 for s in sizes.values())
    return _fill(inst.cap, len(inst.present[r]))


def counting_bound(inst: Instance) -> int:
    """Pair-meetings forced by table sizes minus the pairs that could ever meet (each once)."""
    meetings = sum(_round_pairs(inst, r) for r in range(inst.n_rounds))
    masks: Counter[int] = Counter()
    for p in range(inst.n_people):
        mask = sum(1 << r for r in range(inst.n_rounds) if p in inst.present_set[r])
        if mask:
            masks[mask] += 1
    items = list(masks.items())
    possible = sum(c * (c - 1) // 2 for _, c in items)
    possible += sum(c1 * c2 for (m1, c1), (m2, c2) in combinations(items, 2) if m1 & m2)
    return max(0, meetings - possible)


def played_bound(inst: Instance) -> int:
    """Repeats already fixed by the played rounds."""
    meets: Counter[tuple[int, int]] = Counter()
    for r in range(inst.n_played):
        tables: dict[int, list[int]] = {}
        for p in inst.present[r]:
            tables.setdefault(inst.played_seat[r][p], []).append(p)
        for members in tables.values():
            meets.update(combinations(sorted(members), 2))
    return sum(k - 1 for k in meets.values() if k > 1)


def _pair_bound(inst: Instance, r1: int, r2: int, parts: list[int]) -> int:
    """Pairs meeting in both r1 and r2 when nobody may return to a topic (see topic_bound)."""
    rounds_of = inst.rounds_present
    both = [p for p in inst.present[r1] if p in inst.present_set[r2] and rounds_of[p] <= inst.topics_possible[p]]
    if not both:
        return 0
    if r1 < inst.n_played and r2 < inst.n_played:
        cells = Counter((inst.played_seat[r1][p], inst.played_seat[r2][p]) for p in both)
        return sum(n * (n - 1) // 2 for n in cells.values())
    best = 0
    for other in (r2, r1):
        # People at a table of round `other` come from the other round's tables with another topic;
        # splitting x of them over a source tables as evenly as possible still repeats ⌊…⌋ pairs.
        if other < inst.n_played:
            sizes = Counter(inst.played_seat[other][p] for p in both)
            value = sum(_split_pairs(x, parts[t]) for t, x in sizes.items() if parts[t] > 0)
        else:
            value = _fill(inst.cap, len(both), parts=parts)
        best = max(best, value)
    return best


def _topic_weights(inst: Instance) -> dict[tuple[int, int], int]:
    """Per round pair, the pairs forced to meet in both when nobody may return to a topic."""
    open_tables = [t for t in range(inst.n_tables) if inst.cap[t] > 0]
    same = Counter(inst.topic[t] for t in open_tables)
    # Tables a mover may come from: all but those of the same topic (topic-free tables never count).
    parts = [len(open_tables) - (same[inst.topic[t]] if inst.topic[t] >= 0 else 0) for t in range(inst.n_tables)]
    return {(a, b): _pair_bound(inst, a, b, parts) for a, b in combinations(range(inst.n_rounds), 2)}



def best_pairing(rounds: int, weight: dict[tuple[int, int], int]) -> int:
    """The heaviest set of disjoint round pairs (a, b), a < b, by ``weight`` (exact, over bit masks; rounds ≤ 12)."""

    @cache
    def matching(mask: int) -> int:
        rest = [r for r in range(rounds) if not mask >> r & 1]
        if len(rest) < 2:
            return 0
        a = rest[0]
        best = matching(mask | 1 << a)
        for b in rest[1:]:
            best = max(best, weight[(a, b)] + matching(mask | 1 << a | 1 << b))
        return best

    return matching(0)

def topic_bound(inst: Instance) -> int:
    """Σ of pair bounds over disjoint round pairs, valid once no topic repeat is known to be needed."""
    R = inst.n_rounds
    if R < 2 or R > 12:
        return 0
    weight = _topic_weights(inst)

    return best_pairing(R, weight)


def repeat_lower_bound(inst: Instance, topics_clear: bool) -> int:
    """Best valid lower bound; the topic-aware part only when a plan without topic repeats exists."""
    bound = max(counting_bound(inst), played_bound(inst))
    if topics_clear:
        bound = max(bound, topic_bound(inst))
    return bound


def balance_floor(inst: Instance) -> int:
    """Least Σ size² over all rounds (played rounds as they were)."""
    total = 0
    for r in range(inst.n_rounds):
        if r < inst.n_played:
            sizes = Counter(inst.played_seat[r][p] for p in inst.present[r])
            total += sum(s * s for s in sizes.values())
        else:
            # Σ s² = n + 2·(pairs), so the pair-minimal filling is also the square-minimal one.
            total += len(inst.present[r]) + 2 * _fill(inst.cap, len(inst.present[r]))
    return total


def _sources(inst: Instance) -> int:
    """How many tables a person can come from: every open table and every table a played round used."""
    used = {t for r in range(inst.n_played) for t in inst.played_seat[r] if t >= 0}
    return len(used | {t for t in range(inst.n_tables) if inst.cap[t] > 0})


def _meet_both(inst: Instance, r1: int, r2: int, sources: int) -> int:
    """Fewest pairs sitting together in both r1 and r2, whatever the topics (pigeonhole).

    The people at one table of a round came from at most ``sources`` tables of the other round; split as evenly as
    possible they still bring ⌊…⌋ pairs that sat together there too."""
    both = [p for p in inst.present[r1] if p in inst.present_set[r2]]
    if len(both) < 2:
        return 0
    if r1 < inst.n_played and r2 < inst.n_played:
        cells = Counter((inst.played_seat[r1][p], inst.played_seat[r2][p]) for p in both)
        return sum(n * (n - 1) // 2 for n in cells.values())
    best = 0
    for other in (r1, r2):
        if other < inst.n_played:
            sizes = Counter(inst.played_seat[other][p] for p in both)
            value = sum(_split_pairs(x, sources) for x in sizes.values())
        else:
            value = _fill(inst.cap, len(both), parts=[sources] * inst.n_tables)
        best = max(best, value)
    return best


def pigeonhole_bound(inst: Instance) -> int:
    """Repeats forced between rounds, valid for every plan (topics or not).

    ``w(a, b)`` pairs must sit together in both rounds a and b. Over disjoint round pairs these are distinct
    repeats. Over all round pairs a pair meeting m times is counted C(m, 2) ≤ (m − 1)·R/2 times, so the sum
    divided by R/2 is a bound too; the larger of the two holds."""
    R = inst.n_rounds
    if R < 2:
        return 0
    sources = _sources(inst)
    if sources == 0:
        return 0
    weight = {(a, b): _meet_both(inst, a, b, sources) for a, b in combinations(range(R), 2)}
    spread = -(-2 * sum(weight.values()) // R)  # ceil(2·Σw / R)
    if R > 12:
        return spread

    return max(spread, best_pairing(R, weight))


def reported_repeat_bound(inst: Instance, topics_clear: bool) -> int:
    """The bound a plan's metrics report: the search's own bound, sharpened by the pigeonhole bound.

    Kept apart from ``repeat_lower_bound`` on purpose: the search aims at that one, and this only makes the
    reported figure (and the advice given with it) truer."""
    bound = max(repeat_lower_bound(inst, topics_clear), pigeonhole_bound(inst))
    if topics_clear and inst.n_rounds >= 2:
        # Over all round pairs, as in pigeonhole_bound: C(m, 2) ≤ (m − 1)·R/2 for a pair meeting m times.
        bound = max(bound, -(-2 * sum(_topic_weights(inst).values()) // inst.n_rounds))
    return bound
