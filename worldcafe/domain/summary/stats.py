"""Attendance, mixing and votes in figures."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def _rate(part: float, whole: float) -> float | None:
    return round(part / whole, 3) if whole > 0 else None


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def attendance(figures: Mapping[str, Any]) -> dict[str, Any]:
    """People per round and check-in rates (checked in / seated), per round and over the whole event."""
    rounds: list[dict[str, Any]] = []
    for entry in sorted(figures.get("rounds") or [], key=lambda r: _int(r.get("number"))):
        seated, checked_in = _int(entry.get("seated")), _int(entry.get("checked_in"))
        rounds.append({"number": _int(entry.get("number")), "seated": seated, "checked_in": checked_in,
                       "check_in_rate": _rate(checked_in, seated)})
    return {
        "participants": _int(figures.get("participants")),
        "joined_on_the_day": _int(figures.get("joined_on_the_day")),
        "left": _int(figures.get("left")),
        "no_show": _int(figures.get("no_show")),
        "rounds": rounds,
        "check_in_rate": _rate(sum(r["checked_in"] for r in rounds), sum(r["seated"] for r in rounds)),
    }


def _entropy(counts: Iterable[int]) -> float:
    values = [c for c in counts if c > 0]
    total = sum(values)
    return -sum(c / total * math.log(c / total) for c in values) if total else 0.0


def mixing_round(tables: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """How well one round mixed the groups.

    ``all_groups_share``: tables with someone from every group in the room. ``evenness``: each table's group
    entropy over the room's, capped at 1 and weighted by table size — 1 when every table mirrors the room,
    0 when every table holds a single group. Both are None with fewer than two groups in the room.
    """
    room: dict[str, int] = {}
    for table in tables:
        for group, n in (table.get("groups") or {}).items():
            room[str(group)] = room.get(str(group), 0) + _int(n)
    present = [g for g, n in room.items() if n > 0]
    people = sum(room.values())
    result: dict[str, Any] = {"tables": len(tables), "people": people, "people_by_group": dict(sorted(room.items())),
                              "all_groups_share": None, "evenness": None}
    room_entropy = _entropy(room.values())
    if len(present) < 2 or not tables or room_entropy == 0:
        return result
    full = weighted = 0.0
    for table in tables:
        counts = {str(g): _int(n) for g, n in (table.get("groups") or {}).items()}
        size = sum(counts.values())
        full += all(counts.get(g, 0) > 0 for g in present)
        weighted += size * min(1.0, _entropy(counts.values()) / room_entropy)
    result["all_groups_share"] = round(full / len(tables), 3)
    result["evenness"] = round(weighted / people, 3) if people else None
    return result


def mixing(figures: Mapping[str, Any]) -> dict[str, Any]:
    """Mixing per round, and the averages over the rounds."""
    rounds = []
    for entry in sorted(figures.get("rounds") or [], key=lambda r: _int(r.get("number"))):
        rounds.append({"number": _int(entry.get("number")), **mixing_round(entry.get("tables") or [])})

    def mean(key: str) -> float | None:
        values = [r[key] for r in rounds if r[key] is not None]
        return round(sum(values) / len(values), 3) if values else None

    return {"rounds": rounds, "all_groups_share": mean("all_groups_share"), "evenness": mean("evenness")}


def votes_ranking(votes: Iterable[Mapping[str, Any]], notes: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Notes by dots received, most first; votes on notes no longer shown are left out."""
    totals: dict[str, int] = {}
    for vote in votes:
        note_id = str(vote.get("note_id"))
        totals[note_id] = totals.get(note_id, 0) + _int(vote.get("count"))
    ranking = []
    for note_id, count in totals.items():
        note = notes.get(note_id)
        if note is None or count <= 0:
            continue
        ranking.append({"note_id": note_id, "count": count, "text": note.get("text", ""),
                        "topic": note.get("topic"), "table": note.get("table"), "round": note.get("round"),
                        "kind": note.get("kind"), "starred": bool(note.get("starred"))})
    ranking.sort(key=lambda r: (-r["count"], str(r["topic"] or ""), r["table"] or 0, r["note_id"]))
    return ranking
