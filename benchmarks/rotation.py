"""Rotation benchmark: ours vs random shuffling, the "+1 table" shift, good-enough-golfers and a Dotú–Van Hentenryck
tabu search (both baselines re-implemented here, not ours); prints JSON.

Run: .venv/bin/python benchmarks/rotation.py [--quick]
     .venv/bin/python benchmarks/rotation.py --golfers [SECONDS [SEEDS]]   (Social Golfer rows only: ours, the
     Dotú–Van Hentenryck tabu baseline and good-enough-golfers side by side, default 1 s, seeds 1–2)
     .venv/bin/python benchmarks/rotation.py --needs   (24 small random events with needs, 0.5 s each)
     .venv/bin/python benchmarks/rotation.py --groups  (30 random events with groups and no needs, 1 s each)
"""

from __future__ import annotations

import json
import platform
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from worldcafe.domain.rotation import plan
from worldcafe.domain.rotation.metrics import compute_metrics
from worldcafe.domain.rotation.model import parse_problem

Spec = dict[str, Any]
Rounds = list[dict[str, str]]
KEYS = ("repeat_pairs", "max_meetings", "topic_repeats", "size_spread", "group_mixing", "capacity_overflow")
# elapsed − time_limit_s of every plan() call this run makes: the "overrun" figure.
OVERRUNS: list[float] = []


def timed_plan(spec: Spec) -> tuple[dict[str, Any], float]:
    """plan(spec) and its wall-clock seconds; records how far it ran past its time limit."""
    start = time.monotonic()
    result = plan(spec)
    elapsed = time.monotonic() - start
    OVERRUNS.append(elapsed - spec.get("time_limit_s", 1.0))
    return result, elapsed


def event(
    people: int,
    topics: int,
    per_topic: int,
    capacity: int,
    rounds: int,
    groups: dict[str, int] | None = None,
    seed: int = 1,
    limit: float = 1.0,
) -> Spec:
    """Tables laid out as topics × tables per topic (topic None when topics == 0), people with groups."""
    if topics:
        tables = [
            {"id": f"T{a}-{b}", "topic": f"Topic {a}", "capacity": capacity}
            for a in range(topics)
            for b in range(per_topic)
        ]
    else:
        tables = [{"id": f"T{b}", "capacity": capacity} for b in range(per_topic)]
    labels: list[str | None] = []
    for name, count in (groups or {}).items():
        labels += [name] * count
    labels += [None] * (people - len(labels))
    participants = [{"id": f"P{i}", "group": labels[i]} for i in range(people)]
    return {"rounds": rounds, "tables": tables, "participants": participants, "seed": seed, "time_limit_s": limit}


def random_baseline(spec: Spec, rng: random.Random) -> Rounds:
    """Shuffle everyone each round and deal them round-robin over the tables."""
    ids = [p["id"] for p in spec["participants"]]
    tables = [t["id"] for t in spec["tables"]]
    result = []
    for _ in range(spec["rounds"]):
        rng.shuffle(ids)
        result.append({pid: tables[i % len(tables)] for i, pid in enumerate(ids)})
    return result


def shift_baseline(spec: Spec) -> Rounds:
    """The usual paper method: deal once, then everyone moves one table on each round."""
    ids = [p["id"] for p in spec["participants"]]
    tables = [t["id"] for t in spec["tables"]]
    return [{pid: tables[(i + r) % len(tables)] for i, pid in enumerate(ids)} for r in range(spec["rounds"])]


def golfers_baseline(groups: int, size: int, rounds: int, rng: random.Random) -> list[list[list[int]]]:
    """BASELINE, not ours: a Python re-implementation of islemaster/good-enough-golfers' genetic solver.

    Round by round: 5 random groupings; each generation every candidate spawns all swaps of a member of its
    costliest group with anyone else plus 2 random groupings; keep the best-scoring (≤100, ties shuffled);
    30 generations or a zero score. Score = Σ over pairs in a group of (earlier meetings)².
    """
    total = groups * size
    weights = [[0] * total for _ in range(total)]

    def group_score(group: list[int]) -> int:
        return sum(weights[a][b] ** 2 for i, a in enumerate(group) for b in group[i + 1 :])

    def scored(option: list[list[int]]) -> tuple[int, list[int], list[list[int]]]:
        scores = [group_score(g) for g in option]
        return sum(scores), scores, option

    def permutation() -> list[list[int]]:
        people = list(range(total))
        rng.shuffle(people)
        return [people[i * size : (i + 1) * size] for i in range(groups)]

    schedule = []
    for _ in range(rounds):
        top = [scored(permutation()) for _ in range(5)]
        generation = 0
        while generation < 30 and min(c[0] for c in top) > 0:
            candidates = []
            for cost, scores, option in top:
                candidates.append((cost, scores, option))
                worst = max(range(groups), key=lambda g: scores[g])
                for i in range(size):
                    for g in range(groups):
                        if g == worst:
                            continue
                        for j in range(size):
                            copy = [list(x) for x in option]
                            copy[worst][i], copy[g][j] = option[g][j], option[worst][i]
                            new_scores = list(scores)
                            new_scores[worst], new_scores[g] = group_score(copy[worst]), group_score(copy[g])
                            candidates.append(
                                (cost - scores[worst] - scores[g] + new_scores[worst] + new_scores[g], new_scores, copy)
                            )
                for _ in range(2):
                    candidates.append(scored(permutation()))
            best = min(c[0] for c in candidates)
            top = [c for c in candidates if c[0] == best]
            rng.shuffle(top)
            top = top[:100]
            generation += 1
        chosen = min(top, key=lambda c: c[0])[2]
        for group in chosen:
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    weights[a][b] += 1
                    weights[b][a] += 1
        schedule.append(chosen)
    return schedule


def dvh_tabu_baseline(groups: int, size: int, rounds: int, rng: random.Random, seconds: float) -> list[list[list[int]]]:
    """BASELINE, not ours: Dotú & Van Hentenryck's tabu search for the Social Golfer Problem ("Scheduling social
    golfers locally", CPAIOR 2005), a plain Python implementation for side-by-side runs.

    Random start; cost = Σ over pairs of (meetings − 1)⁺. Each step prices every swap of a conflicting golfer
    (one whose group holds someone met more than once) with any golfer of another group in the same week and
    takes the best non-tabu swap (ties at random; aspiration: a tabu swap that beats the best schedule). The
    swapped pair is tabu in that week for a random tenure (4–100 steps). After 1,000 steps without a new best
    schedule it restarts from the best schedule with a few random swaps. Stops at cost 0 or after `seconds`.
    """
    total = groups * size
    weeks = []
    for _ in range(rounds):
        people = list(range(total))
        rng.shuffle(people)
        weeks.append([people[i * size : (i + 1) * size] for i in range(groups)])
    meet = [[0] * total for _ in range(total)]

    def count(schedule: list[list[list[int]]]) -> int:
        for row in meet:
            row[:] = [0] * total
        for week in schedule:
            for group in week:
                for i, a in enumerate(group):
                    for b in group[i + 1 :]:
                        meet[a][b] += 1
                        meet[b][a] += 1
        return sum(max(0, meet[a][b] - 1) for a in range(total) for b in range(a + 1, total))

    def delta(week: list[list[int]], ga: int, ia: int, gb: int, ib: int) -> int:
        a, b = week[ga][ia], week[gb][ib]
        d = 0
        for x in week[ga]:
            if x != a:
                d += (meet[b][x] >= 1) - (meet[a][x] >= 2)
        for x in week[gb]:
            if x != b:
                d += (meet[a][x] >= 1) - (meet[b][x] >= 2)
        return d

    def swap(week: list[list[int]], ga: int, ia: int, gb: int, ib: int) -> None:
        a, b = week[ga][ia], week[gb][ib]
        for x in week[ga]:
            if x != a:
                meet[a][x] -= 1
                meet[x][a] -= 1
                meet[b][x] += 1
                meet[x][b] += 1
        for x in week[gb]:
            if x != b:
                meet[b][x] -= 1
                meet[x][b] -= 1
                meet[a][x] += 1
                meet[x][a] += 1
        week[ga][ia], week[gb][ib] = b, a

    cost = count(weeks)
    best, best_weeks = cost, [[list(g) for g in w] for w in weeks]
    tabu: dict[tuple[int, int, int], int] = {}
    step = stable = 0
    end = time.perf_counter() + seconds
    while best > 0 and time.perf_counter() < end:
        step += 1
        choice: tuple[int, int, int, int, int] | None = None
        best_d, ties = 0, 0
        for w, week in enumerate(weeks):
            for ga, group in enumerate(week):
                for ia, a in enumerate(group):
                    if not any(meet[a][x] >= 2 for x in group if x != a):
                        continue
                    for gb in range(groups):
                        if gb == ga:
                            continue
                        for ib, b in enumerate(week[gb]):
                            d = delta(week, ga, ia, gb, ib)
                            if tabu.get((w, min(a, b), max(a, b)), 0) > step and cost + d >= best:
                                continue
                            if choice is None or d < best_d:
                                choice, best_d, ties = (w, ga, ia, gb, ib), d, 1
                            elif d == best_d:
                                ties += 1
                                if rng.random() * ties < 1:
                                    choice = (w, ga, ia, gb, ib)
        if choice is not None:
            w, ga, ia, gb, ib = choice
            a, b = weeks[w][ga][ia], weeks[w][gb][ib]
            swap(weeks[w], ga, ia, gb, ib)
            cost += best_d
            tabu[(w, min(a, b), max(a, b))] = step + rng.randint(4, 100)
        if cost < best:
            best, best_weeks, stable = cost, [[list(g) for g in w] for w in weeks], 0
        else:
            stable += 1
        if stable > 1000:
            weeks = [[list(g) for g in w] for w in best_weeks]
            for _ in range(1 + rng.randrange(3)):
                w, ga, gb = rng.randrange(rounds), rng.randrange(groups), rng.randrange(groups)
                ia, ib = rng.randrange(size), rng.randrange(size)
                if ga != gb:
                    weeks[w][ga][ia], weeks[w][gb][ib] = weeks[w][gb][ib], weeks[w][ga][ia]
            cost, stable, tabu = count(weeks), 0, {}
    return best_weeks


def measure(spec: Spec, rounds_fn: Callable[[], Rounds]) -> dict[str, Any]:
    """Time one method and recount its metrics with the engine's metric code (same rules for all)."""
    start = time.perf_counter()
    rounds = rounds_fn()
    elapsed = time.perf_counter() - start
    metrics = compute_metrics(parse_problem(dict(spec, played=[], previous_plan=None)), rounds)
    return {**{k: metrics[k] for k in KEYS}, "seconds": round(elapsed, 4)}


def ours(spec: Spec) -> dict[str, Any]:
    """Our plan with its own metrics, including the lower bound."""
    result, elapsed = timed_plan(spec)
    m = result["metrics"]
    keys = (*KEYS, "lower_bound_repeat_pairs", "changed", "method")
    return {**{k: m[k] for k in keys}, "seconds": round(elapsed, 4)}


def compare(name: str, spec: Spec, golfers: tuple[int, int] | None = None) -> dict[str, Any]:
    """All methods on one instance, in the same run."""
    rng = random.Random(spec.get("seed", 0))
    row: dict[str, Any] = {
        "instance": name,
        "people": len(spec["participants"]),
        "tables": len(spec["tables"]),
        "rounds": spec["rounds"],
        "ours": ours(spec),
        "random": measure(spec, lambda: random_baseline(spec, rng)),
        "shift_plus_one": measure(spec, lambda: shift_baseline(spec)),
    }
    if golfers is not None:
        groups, size = golfers
        tables = [t["id"] for t in spec["tables"]]

        def run_golfers() -> Rounds:
            schedule = golfers_baseline(groups, size, spec["rounds"], rng)
            return [{f"P{p}": tables[g] for g, group in enumerate(week) for p in group} for week in schedule]

        row["good_enough_golfers"] = measure(spec, run_golfers)
    return row


def golfer_row(groups: int, size: int, weeks: int, seconds: float, seed: int = 1) -> dict[str, Any]:
    """One Social Golfer instance g-s-w (plain tables, no topics): ours, the tabu baseline and good-enough-golfers
    (its own fixed effort) side by side; ours and the tabu baseline get the same `seconds`. The known optimum or
    best lower bound is the engine's `lower_bound_repeat_pairs` (0 where a resolvable design exists)."""
    spec = event(groups * size, 0, groups, size, weeks, seed=seed, limit=seconds)
    rng = random.Random(seed)
    tables = [t["id"] for t in spec["tables"]]

    def as_rounds(schedule: list[list[list[int]]]) -> Rounds:
        return [{f"P{p}": tables[g] for g, group in enumerate(week) for p in group} for week in schedule]

    ours_row = ours(spec)
    return {
        "instance": f"social golfer {groups}-{size}-{weeks}, {seconds} s, seed {seed}",
        "ours": {
            k: ours_row[k] for k in ("repeat_pairs", "lower_bound_repeat_pairs", "size_spread", "method", "seconds")
        },
        "dvh_tabu": {
            k: v
            for k, v in measure(spec, lambda: as_rounds(dvh_tabu_baseline(groups, size, weeks, rng, seconds))).items()
            if k in ("repeat_pairs", "size_spread", "seconds")
        },
        "good_enough_golfers": {
            k: v
            for k, v in measure(spec, lambda: as_rounds(golfers_baseline(groups, size, weeks, rng))).items()
            if k in ("repeat_pairs", "size_spread", "seconds")
        },
    }


GOLFERS = ((5, 3, 8), (7, 4, 9), (9, 3, 13), (5, 5, 7), (8, 4, 10), (4, 3, 5), (6, 3, 8), (5, 4, 6))


def golfers_only(seconds: float, seeds: range) -> None:
    """--golfers [SECONDS]: only the Social Golfer rows, each seed, printed as one JSON document."""
    rows = [golfer_row(g, s, w, seconds, seed) for g, s, w in GOLFERS for seed in seeds]
    print(json.dumps({"python": platform.python_version(), "machine": platform.machine(), "results": rows}, indent=1))


def replan(
    people: int,
    topics: int,
    per_topic: int,
    leaving: int,
    arriving: int,
    rounds: int,
    played: int = 2,
    published: bool = True,
    capacity: int = 11,
) -> dict[str, Any]:
    """Plan, play `played` rounds, then re-plan with leavers and late arrivals against the published plan (or, with
    published False, from the played rounds alone)."""
    spec = event(people, topics, per_topic, capacity, rounds, seed=3)
    first, _ = timed_plan(spec)
    rng = random.Random(11)
    ids = [p["id"] for p in spec["participants"]]
    gone = set(rng.sample(ids, leaving))
    participants = [{"id": pid, "left": pid in gone} for pid in ids] + [{"id": f"N{i}"} for i in range(arriving)]
    spec2 = dict(spec, participants=participants, played=first["rounds"][:played])
    if published:
        spec2["previous_plan"] = first["rounds"]
    result, elapsed = timed_plan(spec2)
    m = result["metrics"]
    # "No stayer moved without need": a stayer's seat differs from the published plan only if counted here.
    moved = sum(
        1
        for r in range(played, rounds)
        for pid, tid in first["rounds"][r].items()
        if pid in result["rounds"][r] and result["rounds"][r][pid] != tid
    )
    return {
        "instance": f"replan {people}/{len(spec['tables'])} tables/{rounds} rounds: -{leaving} +{arriving} "
        + f"after {played}"
        + ("" if published else ", played rounds only"),
        "ours": {
            **{k: m[k] for k in (*KEYS, "lower_bound_repeat_pairs", "changed", "method")},
            "stayer_seats_moved": moved,
            "seconds": round(elapsed, 4),
        },
    }


def bilingual(people: int, tables: int, tagged: int, needers: int, capacity: int, rounds: int) -> Spec:
    """`tagged` of `tables` topic-free tables are bilingual and the first `needers` people need one (issue 14)."""
    return {
        "rounds": rounds,
        "tables": [{"id": f"T{i}", "capacity": capacity, "tags": ["en"] if i < tagged else []} for i in range(tables)],
        "participants": [{"id": f"P{i}", "needs": ["en"] if i < needers else []} for i in range(people)],
        "seed": 1,
        "time_limit_s": 1.0,
    }


def reference_as_the_app_sends_it(seed: int) -> Spec:
    """The reference event with the app's ids: people 1–40 (Kanada 1–15), tables 1–9, seed = event id."""
    topics = ["KI in der Produktentwicklung", "Zukunft der Arbeit", "Digital in NRW"]
    tables = [{"id": str(n), "topic": topics[(n - 1) // 3], "capacity": 5} for n in range(1, 10)]
    people = [{"id": str(i), "group": "Kanada" if i <= 15 else "OWL"} for i in range(1, 41)]
    return {"rounds": 3, "tables": tables, "participants": people, "seed": seed}


def replan_reference(change: str, seeds: range) -> dict[str, Any]:
    """The reference event planned with each seed, then re-planned after `change`; changed seats per seed.

    change: "+K" / "+O" one late Kanada / OWL arrival, "+K+K" two Kanada arrivals at once, "-K" one Kanada
    leaves. Reports the changed seats, the engine's proven lower bound on them (equal = proven minimal),
    whether every higher level stayed perfect, and the slowest re-plan (default 1 s time limit).
    """
    changed, bounds, seconds, perfect = [], [], [], True
    for seed in seeds:
        spec = reference_as_the_app_sends_it(seed)
        first, _ = timed_plan(spec)
        people = [dict(p, left=change == "-K" and p["id"] == "1") for p in spec["participants"]]
        arrivals = change.split("+")[1:]
        people += [{"id": str(41 + i), "group": "Kanada" if g == "K" else "OWL"} for i, g in enumerate(arrivals)]
        result, elapsed = timed_plan(dict(spec, participants=people, previous_plan=first["rounds"]))
        m = result["metrics"]
        seconds.append(elapsed)
        changed.append(m["changed"])
        bounds.append(m["lower_bound_changed"])
        defects = m["repeat_pairs"] or m["topic_repeats"] or m["group_mixing"] or m["size_spread"] > 1
        perfect = perfect and not defects
    return {
        "instance": f"replan reference event {change}, seeds {seeds.start}-{seeds.stop - 1}",
        "ours": {
            "changed": changed,
            "lower_bound_changed": bounds,
            "proven_minimal": sum(c == b for c, b in zip(changed, bounds, strict=True)),
            "higher_levels_perfect": perfect,
            "max_seconds": round(max(seconds), 4),
        },
    }


def walk_ins() -> dict[str, Any]:
    """Issue 11 at the engine, as the app drives it: 5 tables × 7 seats (topics 1–5), 30 people (12 Kanada,
    18 OWL), plan, round 1 played, person 1 leaves (still seated in round 1), then 6 walk-ins one by one, each
    seated at once in round 1 at the emptiest table (services.planning.seat_now) and re-planned against the
    stored plan. The 6th used to never return (36 people in round 1 at 35 seats)."""
    tables = [{"id": str(n), "topic": f"Topic {n}", "capacity": 7, "tags": []} for n in range(1, 6)]
    people = [{"id": str(i), "group": "Kanada" if i <= 12 else "OWL", "needs": [], "left": False} for i in range(1, 31)]
    spec: Spec = {"rounds": 3, "tables": tables, "participants": people, "seed": 1, "time_limit_s": 1.0}
    stored = timed_plan(spec)[0]["rounds"]
    people[0]["left"] = True
    played = [dict(stored[0])]
    stored = timed_plan(dict(spec, played=played, previous_plan=stored))[0]["rounds"]
    seconds = []
    for k in range(6):
        pid = str(31 + k)
        people.append({"id": pid, "group": ["Kanada", "OWL"][k % 2], "needs": [], "left": False})
        load = Counter(played[0].values())
        table = min(tables, key=lambda t: (load[t["id"]] >= t["capacity"], load[t["id"]] / t["capacity"], int(t["id"])))
        played[0][pid] = table["id"]
        result, elapsed = timed_plan(dict(spec, played=played, previous_plan=[dict(played[0]), *stored[1:]]))
        stored = result["rounds"]
        seconds.append(round(elapsed, 3))
    return {
        "instance": "walk-ins (issue 11): 5 x 7 seats, 30 people, round 1 played, 1 left, 6 joins one by one",
        "ours": {"seconds_per_join": seconds, "max_overrun_s": round(max(seconds) - spec["time_limit_s"], 3)},
    }


def short_limit(people: int, topics: int, per_topic: int, rounds: int, limit: float) -> dict[str, Any]:
    """A large event under a short time limit, so the clock rather than the work budget ends every stage: the plan,
    then a re-plan after round 1 with 5 % leaving and 5 % arriving. Reports seconds and how far past the limit."""
    spec = event(people, topics, per_topic, 10, rounds, {"A": people // 3, "B": people // 3}, seed=3, limit=limit)
    first, planned = timed_plan(spec)
    rng = random.Random(5)
    gone = set(rng.sample([p["id"] for p in spec["participants"]], people // 20))
    participants = [dict(p, left=p["id"] in gone) for p in spec["participants"]]
    participants += [{"id": f"N{i}", "group": "A"} for i in range(people // 20)]
    spec2 = dict(spec, participants=participants, played=first["rounds"][:1], previous_plan=first["rounds"])
    second, replanned = timed_plan(spec2)
    return {
        "instance": f"short limit {limit} s: {people}, {topics * per_topic} tables of 10, {rounds} rounds; -5% +5%",
        "ours": {
            "plan": {"method": first["metrics"]["method"], "seconds": round(planned, 3)},
            "replan": {"method": second["metrics"]["method"], "seconds": round(replanned, 3)},
            "max_overrun_s": round(max(planned, replanned) - limit, 3),
        },
    }


def meet_reference(seeds: range) -> dict[str, Any]:
    """The reference event with 15 requested Kanada–OWL pairs (Kanada i asks for OWL 15 + i), per seed:
    unmet requests, repeated pairs, topic repeats and unmixed tables, against the same seeds without them."""
    unmet, repeats, topics, mixing, seconds, base = [], [], [], [], [], []
    for seed in seeds:
        spec = reference_as_the_app_sends_it(seed)
        without, _ = timed_plan(spec)
        for person in spec["participants"]:
            if int(person["id"]) <= 15:
                person["meet"] = [str(15 + int(person["id"]))]
        result, elapsed = timed_plan(spec)
        m = result["metrics"]
        unmet.append(m["meet_unmet"])
        repeats.append(m["repeat_pairs"])
        topics.append(m["topic_repeats"])
        mixing.append(m["group_mixing"])
        seconds.append(elapsed)
        b = without["metrics"]
        base.append((b["repeat_pairs"], b["topic_repeats"], b["group_mixing"]))
    return {
        "instance": f"meet: reference event, 15 Kanada-OWL pairs requested, seeds {seeds.start}-{seeds.stop - 1}",
        "ours": {
            "meet_unmet": unmet,
            "repeat_pairs": repeats,
            "topic_repeats": topics,
            "group_mixing": mixing,
            "same_as_without_meet": [(r, t, g) for r, t, g in zip(repeats, topics, mixing, strict=True)] == base,
            "max_seconds": round(max(seconds), 4),
        },
    }


def plan_events(events: list[tuple[dict[str, Any], Spec]], limit: float, keys: tuple[str, ...]) -> None:
    """Plan each (description, spec) once; print one JSON document, a row per event: its description, the method,
    the seconds and the metrics in ``keys``."""
    rows = []
    for info, spec in events:
        result, elapsed = timed_plan(spec)
        m = result["metrics"]
        rows.append(info | {"seconds": round(elapsed, 3), "method": m["method"]} | {key: m[key] for key in keys})
    print(json.dumps({"python": platform.python_version(), "limit_s": limit, "events": rows}, indent=1))


def needs_events(count: int = 24, limit: float = 0.5) -> None:
    """Small random events where some people need tagged tables (5–14 tables of 4–8, 0–3 topics, 3–6 rounds, up to
    a third needing one of up to half the tables, groups A / B / none), each planned once: the needs split's
    effect on events no needs-aware construction fits."""
    events = []
    for i in range(count):
        rng = random.Random(100 + i)
        n_tables = rng.randint(5, 14)
        topics = rng.choice([0, 0, 2, 3]) if n_tables % 3 == 0 or n_tables % 2 == 0 else 0
        if topics and n_tables % topics:
            topics = 0
        capacity, rounds = rng.randint(4, 8), rng.randint(3, 6)
        tagged = rng.randint(1, max(1, n_tables // 2))
        people = rng.randint(n_tables * capacity * 2 // 3, n_tables * capacity)
        needers = rng.randint(1, min(people // 3, tagged * capacity))
        tables = [
            {"id": f"T{t}", "capacity": capacity, "tags": ["x"] if t < tagged else []}
            | ({"topic": f"Topic {t % topics}"} if topics else {})
            for t in range(n_tables)
        ]
        participants = []
        for p in range(people):
            group = rng.choice(["A", "B", None])
            participants.append(
                {"id": f"P{p}", "needs": ["x"] if p < needers else []} | ({"group": group} if group else {})
            )
        info = {"event": i, "tables": n_tables, "topics": topics, "capacity": capacity, "rounds": rounds}
        info |= {"people": people, "needers": needers, "tagged": tagged}
        spec = {"rounds": rounds, "tables": tables, "participants": participants, "seed": i, "time_limit_s": limit}
        events.append((info, spec))
    plan_events(events, limit, ("topic_repeats", "repeat_pairs", "group_mixing", "size_spread", "needs_unmet"))


def group_events(count: int = 30, limit: float = 1.0) -> None:
    """Random events with 2–3 groups and people without a group, no needs (5–27 tables of 4–9, with or without a
    topic each, 2–6 rounds), each planned once: how groups are handed out over a construction's speed classes."""
    events = []
    for i in range(count):
        rng = random.Random(500 + i)
        n_tables = rng.choice([5, 7, 8, 9, 10, 11, 12, 13, 16, 25, 27])
        topics = rng.choice([0, 1])
        capacity, rounds = rng.randint(4, 9), rng.randint(2, min(6, n_tables - 1))
        people = rng.randint(n_tables * (capacity - 2), n_tables * capacity)
        sizes = [rng.randint(people // 10, people // 3) for _ in range(rng.choice([2, 2, 3]))]
        while sum(sizes) > people:
            sizes = [size // 2 for size in sizes]
        labels: list[str | None] = [f"G{g}" for g, size in enumerate(sizes) for _ in range(size)]
        labels += [None] * (people - len(labels))
        rng.shuffle(labels)
        tables = [
            {"id": f"T{t}", "capacity": capacity} | ({"topic": f"Topic {t}"} if topics else {}) for t in range(n_tables)
        ]
        participants = [{"id": f"P{p}"} | ({"group": label} if label else {}) for p, label in enumerate(labels)]
        info = {"event": i, "tables": n_tables, "topics": topics, "capacity": capacity, "rounds": rounds}
        info |= {"people": people, "groups": sizes}
        spec = {"rounds": rounds, "tables": tables, "participants": participants, "seed": i, "time_limit_s": limit}
        events.append((info, spec))
    plan_events(events, limit, ("topic_repeats", "repeat_pairs", "group_mixing", "size_spread"))


def main() -> None:
    """Run every instance and print one JSON document."""
    quick = "--quick" in sys.argv
    if "--needs" in sys.argv:
        needs_events()
        return
    if "--groups" in sys.argv:
        group_events()
        return
    if "--golfers" in sys.argv:
        rest = sys.argv[sys.argv.index("--golfers") + 1 :]
        golfers_only(float(rest[0]) if rest else 1.0, range(1, 1 + (int(rest[1]) if len(rest) > 1 else 2)))
        return
    rows = [
        compare(
            "reference event: 40 (15 Kanada/25 OWL), 3 topics x 3 tables of 5, 3 rounds",
            event(40, 3, 3, 5, 3, {"Kanada": 15, "OWL": 25}, limit=1.0),
        ),
        compare("host style: 2000, 20 topics x 10 tables of 10, 6 rounds", event(2000, 20, 10, 10, 6)),
        compare("host style: 1200, 12 topics x 10 tables of 10, 4 rounds", event(1200, 12, 10, 10, 4)),
        compare("host style: 1100, 10 topics x 10 tables of 11, 5 rounds", event(1100, 10, 10, 11, 5)),
        replan(2000, 20, 10, 150, 200, 6),
        replan_reference("+K", range(1, 21)),
        replan_reference("+O", range(1, 21)),
        replan_reference("-K", range(1, 21)),
        replan_reference("+K+K", range(1, 6 if quick else 31)),
        meet_reference(range(1, 21)),
        compare("topic-forced: 24, 4 single-topic tables of 6, 2 rounds", event(24, 4, 1, 6, 2)),
        compare("small tight: 12, 3 topics x 1 table of 4, 3 rounds", event(12, 3, 1, 4, 3)),
        compare(
            "small tight: 18, 3 topics x 2 tables of 3, 3 rounds, 2 groups", event(18, 3, 2, 3, 3, {"A": 6, "B": 12})
        ),
        compare("Kirkman 15: 5 tables of 3, 7 rounds", event(15, 0, 5, 3, 7), golfers=(5, 3)),
        compare("social golfer 16: 4 x 4, 5 rounds", event(16, 0, 4, 4, 5), golfers=(4, 4)),
        compare("social golfer 20: 5 x 4, 5 rounds", event(20, 0, 5, 4, 5, limit=2.0), golfers=(5, 4)),
        compare("social golfer 28: 7 x 4, 7 rounds", event(28, 0, 7, 4, 7, limit=2.0), golfers=(7, 4)),
    ]
    if not quick:
        rows.append(compare("social golfer 32: 8 x 4, 9 rounds", event(32, 0, 8, 4, 9, limit=3.0), golfers=(8, 4)))
    # Issue 14: fields with a topic per coordinate, designs, needs, continuing played rounds.
    rows += [
        compare("field: 27 single-topic tables of 26 (702), 5 rounds", event(702, 27, 1, 26, 5, limit=2.0)),
        compare("field: 4 topics x 3 tables of 9 (108), 3 rounds", event(108, 4, 3, 9, 3)),
        compare("AG(3,3) = KTS(27): 9 x 3, 13 rounds", event(27, 0, 9, 3, 13, limit=2.0), golfers=(9, 3)),
        compare("AG(2,5) + search: 5 x 5, 7 rounds", event(25, 0, 5, 5, 7, limit=2.0), golfers=(5, 5)),
        compare("KTS(21): 7 x 3, 10 rounds", event(21, 0, 7, 3, 10, limit=2.0), golfers=(7, 3)),
        compare("KTS(33): 11 x 3, 16 rounds", event(33, 0, 11, 3, 16, limit=2.0), golfers=(11, 3)),
        compare("NKTS(24): 8 x 3, 11 rounds", event(24, 0, 8, 3, 11, limit=2.0), golfers=(8, 3)),
        compare("NKTS(18): 6 x 3, 8 rounds", event(18, 0, 6, 3, 8), golfers=(6, 3)),
        compare("NKTS(30): 10 x 3, 14 rounds", event(30, 0, 10, 3, 14), golfers=(10, 3)),
        compare("RBIBD(28,4,1): 7 x 4, 9 rounds", event(28, 0, 7, 4, 9), golfers=(7, 4)),
        compare("RBIBD(40,4,1): 10 x 4, 13 rounds", event(40, 0, 10, 4, 13), golfers=(10, 4)),
        compare("doubled spread: 8 x 4, 10 rounds (8-4-10)", event(32, 0, 8, 4, 10), golfers=(8, 4)),
        compare("difference array: 6 x 5, 5 rounds (6-5-5)", event(30, 0, 6, 5, 5), golfers=(6, 5)),
        compare("AG(3,4): 16 x 4, 21 rounds", event(64, 0, 16, 4, 21, limit=2.0)),
        compare(
            "mixing: 160 (50 A / 50 B / 60), 27 single-topic tables of 7, 10 rounds",
            event(160, 27, 1, 7, 10, {"A": 50, "B": 50}),
        ),
        compare("needs: 35 of 84 need 7 bilingual tables of 14 (6 seats), 7 rounds", bilingual(84, 14, 7, 35, 6, 7)),
        compare("needs: 30 of 84 need 6 bilingual tables of 14 (6 seats), 5 rounds", bilingual(84, 14, 6, 30, 6, 5)),
        replan(2000, 20, 10, 150, 200, 6, played=3),
        replan(2000, 20, 10, 150, 200, 6, played=3, published=False),
        replan(150, 16, 1, 10, 10, 6, played=3, published=False, capacity=10),
        # Continuing the searched designs: RBIBD(28, 4, 1), NKTS(18), the doubled spread; 3 played, 3 people left.
        replan(28, 0, 7, 3, 0, 9, played=3, published=False, capacity=4),
        replan(18, 0, 6, 3, 0, 8, played=3, published=False, capacity=3),
        replan(32, 0, 8, 3, 0, 10, played=3, published=False, capacity=4),
    ]
    rows.append(walk_ins())
    rows.append(short_limit(2000, 20, 10, 6, 0.1))
    rows.append(short_limit(5000, 25, 20, 4, 0.1))
    # How far past time_limit_s any plan() call of this run returned (the deadline's promise: a small constant).
    overrun = {"max_s": round(max(OVERRUNS), 3), "calls": len(OVERRUNS)}
    document = {"python": platform.python_version(), "machine": platform.machine(), "results": rows, "overrun": overrun}
    print(json.dumps(document, indent=1))


if __name__ == "__main__":
    main()
