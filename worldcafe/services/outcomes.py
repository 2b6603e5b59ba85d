"""What the day achieved, for the organiser (DESIGN.md §8): counts only, never a name or contact.

People by group, connections requested and made by group pair ("Kanada–OWL"), pairs of people of different groups who
shared a table in a round that started, and how many of the requested ``meet`` pairs did.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations
from typing import Any

from ..extensions import db
from ..models import CafeTable, Connection, Event, Participant, Round, Seat
from .matchmaking import requested_pairs

NO_GROUP = "—"
PAIR_SEPARATOR = "–"


def _pair_label(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def outcomes(event: Event) -> dict[str, Any]:
    """The event's outcome counts (read column by column; seats of 1,000 people in one query)."""
    groups: dict[int, str] = {}
    by_group: Counter[str] = Counter()
    query = db.select(Participant.id, Participant.group, Participant.status).where(Participant.event_id == event.id)
    for pid, group, status in db.session.execute(query):
        groups[pid] = group or NO_GROUP
        if status != "no_show":
            by_group[group or NO_GROUP] += 1

    requested: Counter[tuple[str, str]] = Counter()
    connected: Counter[tuple[str, str]] = Counter()
    query = db.select(Connection.requester_id, Connection.addressee_id, Connection.status).where(
        Connection.event_id == event.id)
    for requester, addressee, status in db.session.execute(query):
        pair = _pair_label(groups.get(requester, NO_GROUP), groups.get(addressee, NO_GROUP))
        requested[pair] += 1
        if status == "connected":
            connected[pair] += 1

    tables: dict[tuple[int, int], list[int]] = defaultdict(list)
    query = (
        db.select(Round.number, CafeTable.number, Seat.participant_id)
        .join(Seat, Seat.round_id == Round.id).join(CafeTable, Seat.table_id == CafeTable.id)
        .where(Round.event_id == event.id, Round.status != "planned")
    )
    for round_number, table, pid in db.session.execute(query):
        tables[(round_number, table)].append(pid)
    met: set[tuple[int, int]] = set()
    for people in tables.values():
        met.update(combinations(sorted(people), 2))
    meetings: Counter[tuple[str, str]] = Counter()
    for a, b in met:
        ga, gb = groups.get(a, NO_GROUP), groups.get(b, NO_GROUP)
        if ga != gb:
            meetings[_pair_label(ga, gb)] += 1

    wanted = requested_pairs(event)
    return {
        "people": {"total": sum(by_group.values()),
                   "by_group": [{"group": g, "people": n} for g, n in sorted(by_group.items())]},
        "connections": {
            "requested": sum(requested.values()),
            "connected": sum(connected.values()),
            "by_group_pair": [{"groups": list(pair), "label": PAIR_SEPARATOR.join(pair), "requested": n,
                               "connected": connected.get(pair, 0)} for pair, n in sorted(requested.items())],
        },
        "meetings": {
            "pairs": len(met),
            "cross_group": sum(meetings.values()),
            "by_group_pair": [{"groups": list(pair), "label": PAIR_SEPARATOR.join(pair), "pairs": n}
                              for pair, n in sorted(meetings.items())],
        },
        "meet": {"requested": len(wanted), "fulfilled": len(wanted & met)},
    }
