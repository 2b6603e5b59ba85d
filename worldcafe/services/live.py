"""The per-event log: every state change gets the next ``seq``; reconnecting clients replay what they missed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, update

from ..extensions import db
from ..models import Event, LogEntry, utcnow


@dataclass(frozen=True)
class Push:
    """A message for the adapter to emit after commit: a push name, its rooms and its payload (with ``seq``)."""

    name: str
    rooms: tuple[str, ...]
    payload: dict[str, Any] = field(default_factory=dict)


# Not a push: a note to the adapter that the event's rounds to come need planning again. ``publish`` hands it to
# the background re-planner after the commit, so a join answers at once and a burst of joins is one re-plan.
REPLAN = "replan_wanted"


def replan_wanted(event: Event) -> Push:
    """Ask for the rounds to come to be re-planned in the background once this transaction has committed."""
    return Push(name=REPLAN, rooms=(), payload={"event_id": event.id})


def record(event: Event, name: str, payload: dict[str, Any], rooms: list[str] | tuple[str, ...]) -> Push:
    """Append a state change to the event's log (in the caller's transaction) and return the push to emit."""
    # One UPDATE … RETURNING takes the next number under the row lock, so concurrent writers (even in other
    # processes on PostgreSQL) serialise on the event and seq stays gap-free.
    seq = db.session.execute(
        update(Event).where(Event.id == event.id).values(last_seq=Event.last_seq + 1).returning(Event.last_seq)
    ).scalar_one()
    event.last_seq = seq
    body = {"seq": seq, **payload}
    db.session.add(LogEntry(event_id=event.id, seq=seq, name=name, rooms=list(rooms), payload=body))
    return Push(name=name, rooms=tuple(rooms), payload=body)


def record_many(event: Event, items: list[tuple[str, dict[str, Any], list[str]]]) -> list[Push]:
    """Append several changes at once: one UPDATE reserves the block of seqs (2,000 phones, one round trip)."""
    if not items:
        return []
    last = db.session.execute(
        update(Event).where(Event.id == event.id).values(last_seq=Event.last_seq + len(items)).returning(Event.last_seq)
    ).scalar_one()
    event.last_seq = last
    first = last - len(items) + 1
    pushes, rows = [], []
    for offset, (name, payload, rooms) in enumerate(items):
        body = {"seq": first + offset, **payload}
        rows.append(
            {
                "event_id": event.id,
                "seq": first + offset,
                "name": name,
                "rooms": list(rooms),
                "payload": body,
                "created_at": utcnow(),
            }
        )
        pushes.append(Push(name=name, rooms=tuple(rooms), payload=body))
    db.session.execute(insert(LogEntry), rows)
    return pushes


def current_seq(event_id: int) -> int:
    """The event's newest seq, read fresh from the database."""
    return db.session.execute(db.select(Event.last_seq).where(Event.id == event_id)).scalar_one()


def seq_before(event_id: int, moment: float) -> int:
    """The event's newest seq logged before ``moment`` (epoch seconds); 0 if none."""
    when = datetime.fromtimestamp(moment, UTC)
    query = db.select(db.func.max(LogEntry.seq)).where(LogEntry.event_id == event_id, LogEntry.created_at < when)
    return int(db.session.execute(query).scalar() or 0)


def missed(event_id: int, since: int, rooms: set[str], limit: int) -> list[Push] | None:
    """The pushes for ``rooms`` after ``since``, oldest first; None when a snapshot is the better answer."""
    newest = current_seq(event_id)
    if since > newest or since < 0:
        return None  # the client knows a future we never had (e.g. a reset database): start over
    # Only the columns a push needs, no ORM objects: a phone back from a tunnel may replay hundreds of entries.
    query = (
        db.select(LogEntry.name, LogEntry.rooms, LogEntry.payload)
        .where(LogEntry.event_id == event_id, LogEntry.seq > since)
        .order_by(LogEntry.seq)
        .limit(limit + 1)
    )
    entries = db.session.execute(query).all()
    if len(entries) > limit:
        return None
    return [Push(name, tuple(to), payload) for name, to, payload in entries if rooms.intersection(to)]
