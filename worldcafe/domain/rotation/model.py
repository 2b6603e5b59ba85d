"""Rotation input: the JSON contract parsed into typed, validated, index-based data."""

from __future__ import annotations

import math
from dataclasses import dataclass


class RotationInputError(ValueError):
    """Bad rotation input; the message is one human line naming the offending item.

    ``reason`` and ``facts`` say the same for a caller that words it in another language (the domain has no
    translations): ``"seats"`` with round, people and seats; ``"needs_tables"`` with participant and needs;
    ``"needs_seats"`` with round, people, needs and seats; ``"needs_mix"`` with round."""

    def __init__(self, message: str, reason: str = "", **facts: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.facts = facts


@dataclass(frozen=True)
class Table:
    """A table: fixed host, optional topic, capacity counts movers only."""

    id: str
    topic: str | None
    capacity: int
    tags: frozenset[str]


@dataclass(frozen=True)
class Participant:
    """A mover with optional group, hard needs, people to avoid, people to meet and attendance."""

    id: str
    group: str | None
    needs: frozenset[str]
    avoid: frozenset[str]
    left: bool
    absent_rounds: frozenset[int]
    meet: frozenset[str] = frozenset()


def meet_pairs(people: tuple[Participant, ...]) -> list[tuple[str, str]]:
    """The requested meetings as unordered pairs, each once (sorted), however many sides ask for it."""
    pairs = {(a, b) if a < b else (b, a) for person in people for a, b in ((person.id, o) for o in person.meet)}
    return sorted(pairs)


@dataclass(frozen=True)
class Problem:
    """A validated rotation request (ids, not indices)."""

    rounds: int
    tables: tuple[Table, ...]
    participants: tuple[Participant, ...]
    played: tuple[dict[str, str], ...]
    previous_plan: tuple[dict[str, str], ...] | None
    seed: int
    time_limit_s: float


def _fail(message: str, reason: str = "", **facts: object) -> RotationInputError:
    return RotationInputError(message, reason, **facts)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _str_list(value: object, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(f"{where} must be a list of non-empty strings")
    return frozenset(value)


def _ident(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise _fail(f"{where} must be a non-empty string, got {value!r}")
    return value


def _parse_table(raw: object, index: int) -> Table:
    if not isinstance(raw, dict):
        raise _fail(f"tables[{index}] must be an object")
    tid = _ident(raw.get("id"), f"tables[{index}].id")
    topic = raw.get("topic")
    if topic is not None and not isinstance(topic, str):
        raise _fail(f"table {tid!r}: topic must be a string or null")
    capacity = raw.get("capacity")
    if not _is_int(capacity) or capacity < 0:  # type: ignore[operator]
        raise _fail(f"table {tid!r}: capacity must be a non-negative integer, got {capacity!r}")
    assert isinstance(capacity, int)
    return Table(tid, topic or None, capacity, _str_list(raw.get("tags"), f"table {tid!r}: tags"))


def _parse_participant(raw: object, index: int, rounds: int) -> Participant:
    if not isinstance(raw, dict):
        raise _fail(f"participants[{index}] must be an object")
    pid = _ident(raw.get("id"), f"participants[{index}].id")
    group = raw.get("group")
    if group is not None and not isinstance(group, str):
        raise _fail(f"participant {pid!r}: group must be a string or null")
    left = raw.get("left", False)
    if not isinstance(left, bool):
        raise _fail(f"participant {pid!r}: left must be true or false")
    absent_raw = raw.get("absent_rounds") or []
    if not isinstance(absent_raw, list) or not all(_is_int(r) for r in absent_raw):
        raise _fail(f"participant {pid!r}: absent_rounds must be a list of round numbers")
    for number in absent_raw:
        if not 1 <= number <= rounds:
            raise _fail(f"participant {pid!r}: absent round {number} is outside 1..{rounds}")
    avoid = _str_list(raw.get("avoid"), f"participant {pid!r}: avoid")
    if pid in avoid:
        raise _fail(f"participant {pid!r} cannot avoid themself")
    needs = _str_list(raw.get("needs"), f"participant {pid!r}: needs")
    meet = _str_list(raw.get("meet"), f"participant {pid!r}: meet")
    if pid in meet:
        raise _fail(f"participant {pid!r} cannot meet themself")
    return Participant(pid, group or None, needs, avoid, left, frozenset(absent_raw), meet)


def _parse_rounds_of_seats(
    raw: object, name: str, rounds: int, pids: set[str], tids: set[str]
) -> tuple[dict[str, str], ...]:
    if not isinstance(raw, list):
        raise _fail(f"'{name}' must be a list of {{participant: table}} objects, one per round")
    if len(raw) > rounds:
        raise _fail(f"'{name}' has {len(raw)} rounds but 'rounds' is {rounds}")
    result: list[dict[str, str]] = []
    for number, seats in enumerate(raw, start=1):
        if not isinstance(seats, dict):
            raise _fail(f"{name} round {number} must be an object {{participant: table}}")
        for pid, tid in seats.items():
            if pid not in pids:
                raise _fail(f"{name} round {number}: unknown participant {pid!r}")
            if not isinstance(tid, str) or tid not in tids:
                raise _fail(f"{name} round {number}: participant {pid!r} sits at unknown table {tid!r}")
        result.append(dict(seats))
    return tuple(result)


def parse_problem(spec: object) -> Problem:
    """Validate the JSON contract; raise RotationInputError with one clear line on bad input."""
    if not isinstance(spec, dict):
        raise _fail("the rotation input must be a JSON object")
    rounds = spec.get("rounds")
    if not _is_int(rounds) or rounds < 1:  # type: ignore[operator]
        raise _fail(f"'rounds' must be a positive integer, got {rounds!r}")
    assert isinstance(rounds, int)
    raw_tables = spec.get("tables")
    if not isinstance(raw_tables, list) or not raw_tables:
        raise _fail("'tables' must be a non-empty list")
    tables = tuple(_parse_table(raw, i) for i, raw in enumerate(raw_tables))
    raw_people = spec.get("participants", [])
    if not isinstance(raw_people, list):
        raise _fail("'participants' must be a list")
    people = tuple(_parse_participant(raw, i, rounds) for i, raw in enumerate(raw_people))
    tids = _unique([t.id for t in tables], "table")
    pids = _unique([p.id for p in people], "participant")
    for person in people:
        for other in sorted(person.avoid - pids):
            raise _fail(f"participant {person.id!r} avoids unknown participant {other!r}")
        for other in sorted(person.meet - pids):
            raise _fail(f"participant {person.id!r} wants to meet unknown participant {other!r}")
    played = _parse_rounds_of_seats(spec.get("played") or [], "played", rounds, pids, tids)
    previous_raw = spec.get("previous_plan")
    previous = (
        None if previous_raw is None else _parse_rounds_of_seats(previous_raw, "previous_plan", rounds, pids, tids)
    )
    seed = spec.get("seed", 0)
    if not _is_int(seed):
        raise _fail(f"'seed' must be an integer, got {seed!r}")
    limit = spec.get("time_limit_s", 1.0)
    if not _is_number(limit) or not math.isfinite(limit) or limit <= 0:
        raise _fail(f"'time_limit_s' must be a positive number, got {limit!r}")
    assert isinstance(limit, int | float)
    problem = Problem(rounds, tables, people, played, previous, int(seed), float(limit))
    check_feasible(problem)
    return problem


def _unique(ids: list[str], kind: str) -> set[str]:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise _fail(f"duplicate {kind} id {ident!r}")
        seen.add(ident)
    return seen


def check_feasible(problem: Problem) -> None:
    """Raise unless every unplayed round can seat its people within capacity and needs."""
    tables = [t for t in problem.tables if t.capacity > 0]
    for person in problem.participants:
        if person.needs and not any(person.needs <= t.tags for t in tables):
            wanted = ", ".join(sorted(person.needs))
            raise _fail(
                f"participant {person.id!r} needs [{wanted}] but no table with seats has all of these tags",
                "needs_tables",
                participant=person.id,
                needs=wanted,
            )
    for r in range(len(problem.played), problem.rounds):
        present = [p for p in problem.participants if not p.left and r + 1 not in p.absent_rounds]
        seats = sum(t.capacity for t in tables)
        if len(present) > seats:
            raise _fail(
                f"round {r + 1}: {len(present)} people present but only {seats} seats in all tables",
                "seats",
                round=r + 1,
                people=len(present),
                seats=seats,
            )
        by_needs: dict[frozenset[str], int] = {}
        for person in present:
            by_needs[person.needs] = by_needs.get(person.needs, 0) + 1
        for needs in by_needs:
            if not needs:
                continue
            # People whose needs include these can only use the tables that satisfy these.
            count = sum(n for other, n in by_needs.items() if needs <= other)
            room = sum(t.capacity for t in tables if needs <= t.tags)
            if count > room:
                wanted = ", ".join(sorted(needs))
                raise _fail(
                    f"round {r + 1}: {count} people need [{wanted}] but tables with these tags seat {room}",
                    "needs_seats",
                    round=r + 1,
                    people=count,
                    needs=wanted,
                    seats=room,
                )
        if len(by_needs) > 1 and _max_flow_seated(by_needs, tables) < len(present):
            raise _fail(
                f"round {r + 1}: the people's needs cannot all be met within the table capacities",
                "needs_mix",
                round=r + 1,
            )


def _max_flow_seated(by_needs: dict[frozenset[str], int], tables: list[Table]) -> int:
    """Most people seatable with needs respected (augmenting paths on classes × tables)."""
    classes = list(by_needs)
    left = [by_needs[c] for c in classes]
    room = [t.capacity for t in tables]
    flow: dict[tuple[int, int], int] = {}
    total = 0
    while True:
        # BFS from classes with people left, through (class→table) edges and back (table→class) flows.
        parent: dict[tuple[str, int], tuple[str, int] | None] = {}
        queue: list[tuple[str, int]] = []
        for ci, amount in enumerate(left):
            if amount > 0:
                parent[("c", ci)] = None
                queue.append(("c", ci))
        end: tuple[str, int] | None = None
        while queue and end is None:
            node = queue.pop(0)
            if node[0] == "c":
                for ti, table in enumerate(tables):
                    if classes[node[1]] <= table.tags and ("t", ti) not in parent:
                        parent[("t", ti)] = node
                        if room[ti] > 0:
                            end = ("t", ti)
                            break
                        queue.append(("t", ti))
            else:
                for ci in range(len(classes)):
                    if flow.get((ci, node[1]), 0) > 0 and ("c", ci) not in parent:
                        parent[("c", ci)] = node
                        queue.append(("c", ci))
        if end is None:
            return total
        path: list[tuple[str, int]] = [end]
        while (step := parent[path[-1]]) is not None:
            path.append(step)
        amount = min(room[end[1]], left[path[-1][1]])
        for node, prev in zip(path, path[1:], strict=False):
            if node[0] == "c":  # a backward edge: undo flow from class node[1] into table prev[1]
                amount = min(amount, flow[(node[1], prev[1])])
        room[end[1]] -= amount
        left[path[-1][1]] -= amount
        for node, prev in zip(path, path[1:], strict=False):
            if node[0] == "t":
                flow[(prev[1], node[1])] = flow.get((prev[1], node[1]), 0) + amount
            else:
                flow[(node[1], prev[1])] -= amount
        total += amount
