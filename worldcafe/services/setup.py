"""Changing an event's setup, before and during the event: what history already uses stays, the rest may change."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from ..domain.palette import NO_TOPIC_COLOUR, colour_for
from ..extensions import db
from ..models import CafeTable, Event, Note, Round, Seat, Topic
from ..realtime.rooms import event_room, moderators_room
from .access import issue_link
from .errors import ServiceError
from .live import Push, record
from .spec import CapacitySpec, SetupSpec, parse


def new_checkin_code() -> str:
    """An unguessable code for a table card's check-in QR."""
    return secrets.token_urlsafe(12)


@dataclass
class History:
    """What the started rounds (and notes) already used: it cannot be removed or moved any more."""

    started: list[int] = field(default_factory=list)
    table_rounds: dict[int, list[int]] = field(default_factory=dict)  # table number → started rounds seated there
    topic_rounds: dict[int, list[int]] = field(default_factory=dict)  # topic id → started rounds played on it
    noted_tables: set[int] = field(default_factory=set)  # table numbers with notes
    noted_topics: set[int] = field(default_factory=set)  # topic ids with notes

    def table_usage(self, number: int) -> str | None:
        """Why a table is part of history (a short human reason), or None when it is free to go."""
        return _usage(self.table_rounds.get(number), number in self.noted_tables)

    def topic_usage(self, topic_id: int) -> str | None:
        """Why a topic is part of history, or None."""
        return _usage(self.topic_rounds.get(topic_id), topic_id in self.noted_topics)


def _usage(rounds: list[int] | None, noted: bool) -> str | None:
    if rounds:
        return _("played in round %(rounds)s", rounds=", ".join(str(n) for n in rounds))
    if noted:
        return _("it has notes")
    return None


def history_of(event: Event) -> History:
    """The tables, topics and rounds that started rounds used; empty before the first round."""
    started = [r.number for r in event.rounds if r.status != "planned"]
    if not started:
        return History()
    history = History(started=started)
    rows = db.session.execute(
        db.select(CafeTable.number, CafeTable.topic_id, Round.number)
        .distinct()
        .join(Seat, Seat.table_id == CafeTable.id)
        .join(Round, Seat.round_id == Round.id)
        .where(Round.event_id == event.id, Round.status != "planned")
    ).all()
    tables: dict[int, set[int]] = defaultdict(set)
    topics: dict[int, set[int]] = defaultdict(set)
    for table, topic, number in rows:
        tables[table].add(number)
        if topic is not None:  # a played table never moves, so its topic now is the topic it was played with
            topics[topic].add(number)
    history.table_rounds = {n: sorted(r) for n, r in tables.items()}
    history.topic_rounds = {t: sorted(r) for t, r in topics.items()}
    noted = db.session.execute(
        db.select(CafeTable.number, Note.topic_id)
        .distinct()
        .select_from(Note)
        .outerjoin(CafeTable, Note.table_id == CafeTable.id)
        .where(Note.event_id == event.id)
    ).all()
    history.noted_tables = {number for number, _topic in noted if number is not None}
    history.noted_topics = {topic for _number, topic in noted if topic is not None}
    return history


def setup_locks(event: Event) -> dict[str, Any]:
    """For the console: which rounds started and which tables and topics history holds, each with its reason."""
    history = history_of(event)
    tables = {str(t.number): history.table_usage(t.number) for t in event.tables}
    topics = {str(t.id): history.topic_usage(t.id) for t in event.topics}
    return {
        "started_rounds": history.started,
        "tables": {number: reason for number, reason in tables.items() if reason},
        "topics": {topic: reason for topic, reason in topics.items() if reason},
    }


def setup_of(event: Event) -> dict[str, Any]:
    """The event's current setup in the spec format (what ``update_setup`` accepts); topics carry their ``id``."""
    return {
        "name": event.name,
        "language": event.language,
        "groups": list(event.groups),
        "joining_open": event.joining_open,
        "rounds": [{"minutes": r.minutes} for r in event.rounds],
        "topics": [{"id": t.id, "title": t.title, "question": t.question, "colour": t.colour} for t in event.topics],
        "tables": [
            {
                "number": t.number,
                "topic": t.topic.position + 1 if t.topic else None,
                "capacity": t.capacity,
                "host": t.host_name,
                "tags": list(t.tags),
            }
            for t in event.tables
        ],
    }


def match_topics(event: Event, spec: SetupSpec) -> list[Topic | None]:
    """The existing topic each spec topic updates (None: a new one). With ids, by id; without any, by position."""
    if not any(t.id is not None for t in spec.topics):
        return [event.topics[i] if i < len(event.topics) else None for i in range(len(spec.topics))]
    by_id = {t.id: t for t in event.topics}
    matched: list[Topic | None] = []
    for index, topic_spec in enumerate(spec.topics):
        if topic_spec.id is None:
            matched.append(None)
            continue
        topic = by_id.get(topic_spec.id)
        if topic is None or topic in matched:
            raise ServiceError(
                "invalid",
                _("topics[%(index)s].id: %(id)s is not a topic of this event (or appears twice)",
                  index=index, id=topic_spec.id),
            )
        matched.append(topic)
    return matched


def check_history(event: Event, spec: SetupSpec, matched: list[Topic | None], history: History) -> None:
    """Refuse, with every reason, the changes that would rewrite what started rounds already used."""
    if not history.started:
        return
    problems: list[dict[str, str]] = []

    def refuse(where: str, message: str) -> None:
        problems.append({"field": where, "message": message})

    last = max(history.started)
    if len(spec.rounds) < last:
        refuse("rounds", _("rounds 1–%(n)s have started; the event keeps at least %(n)s rounds", n=last))
    elif event.status in ("harvest", "closed") and len(spec.rounds) != len(event.rounds):
        refuse("rounds", _("the rounds are over; rounds can no longer be added or removed"))
    for number in history.started:
        if number <= len(spec.rounds) and spec.rounds[number - 1].minutes != event.rounds[number - 1].minutes:
            refuse(
                f"rounds[{number - 1}].minutes",
                _(
                    "round %(n)s has started, so its length cannot change here; extend or shorten it with the "
                    "+/− min buttons in the live panel (control action “extend”)",
                    n=number,
                ),
            )
    kept = {t.id for t in matched if t is not None}
    for topic in event.topics:
        usage = history.topic_usage(topic.id)
        if topic.id not in kept and usage:
            refuse("topics", _("topic “%(title)s” cannot be removed: %(usage)s", title=topic.title, usage=usage))
    wanted = {t.number: t for t in spec.tables}
    for table in event.tables:
        usage = history.table_usage(table.number)
        if not usage:
            continue
        if table.number not in wanted:
            refuse("tables", _("table %(number)s cannot be removed: %(usage)s", number=table.number, usage=usage))
            continue
        index = spec.topic_index(wanted[table.number].topic)
        target = matched[index] if index is not None else None
        if (target.id if target is not None else None) != table.topic_id:
            refuse(
                "tables",
                _(
                    "table %(number)s cannot move to another topic: %(usage)s; open a new table instead",
                    number=table.number,
                    usage=usage,
                ),
            )
    if problems:
        summary = problems[0]["message"]
        if len(problems) > 1:
            summary += " " + _("(and %(n)s more)", n=len(problems) - 1)
        raise ServiceError("wrong_state", summary[:1].upper() + summary[1:] + ".", details=problems)


def apply_setup(event: Event, spec: SetupSpec, matched: list[Topic | None] | None = None) -> list[str]:
    """Make topics, tables and rounds match the spec, updating in place what exists; returns the dropped tables'
    host tokens (their sockets are to be disconnected)."""
    matched = matched if matched is not None else [None] * len(spec.topics)
    topics: list[Topic] = []
    taken: set[str] = set()
    for position, (topic_spec, existing) in enumerate(zip(spec.topics, matched, strict=True)):
        topic = existing if existing is not None else Topic(event=event)
        topic.position, topic.title, topic.question = position, topic_spec.title, topic_spec.question
        # A topic keeps its colour unless one is given: phones and table cards show it during the event.
        topic.colour = topic_spec.colour or (existing.colour if existing else colour_for(position, taken))
        taken.add(topic.colour)
        topics.append(topic)
    for stale in [t for t in event.topics if t not in topics]:
        db.session.delete(stale)
    event.topics = topics

    existing_tables = {t.number: t for t in event.tables}
    tables: list[CafeTable] = []
    for table_spec in spec.tables:
        table = existing_tables.pop(table_spec.number, None)
        if table is None:
            table = CafeTable(event=event, number=table_spec.number, checkin_code=new_checkin_code())
            issue_link("host", event, table=table)
        index = spec.topic_index(table_spec.topic)
        table.topic = topics[index] if index is not None else None
        table.capacity, table.host_name, table.tags = table_spec.capacity, table_spec.host, list(table_spec.tags)
        tables.append(table)
    dead_tokens = [link.token for table in existing_tables.values() for link in table.links]
    for stale_table in existing_tables.values():
        db.session.delete(stale_table)
    event.tables = sorted(tables, key=lambda t: t.number)

    rounds: list[Round] = []
    for number, round_spec in enumerate(spec.rounds, start=1):
        rnd = event.rounds[number - 1] if number <= len(event.rounds) else Round(event=event, number=number)
        rnd.minutes = round_spec.minutes
        rounds.append(rnd)
    for stale_round in event.rounds[len(spec.rounds) :]:
        db.session.delete(stale_round)
    event.rounds = rounds
    return dead_tokens


def setup_push_payload(event: Event) -> dict[str, Any]:
    """What every device needs to show a changed setup at once, without asking: topic texts, colours, rounds."""
    from .views import topic_view  # views builds on this module (the console's locks)

    return {
        "event_id": event.public_id,
        "name": event.name,
        "rounds": [{"number": r.number, "minutes": r.minutes} for r in event.rounds],
        "topics": [topic_view(t) for t in event.topics],
        "tables": {str(t.number): t.topic_id for t in event.tables},
        "no_topic_colour": NO_TOPIC_COLOUR,
    }


def update_setup(event: Event, data: Any) -> tuple[list[Push], list[str]]:
    """Change the setup: the given top-level fields replace the current ones, the others stay; host links stay.
    Once rounds have started, what they used stays as it was; returns the pushes and the dropped host tokens."""
    if not isinstance(data, dict):
        raise ServiceError("invalid", _("Send the setup as a JSON object."))
    spec = parse(SetupSpec, {**setup_of(event), **data})
    matched = match_topics(event, spec)
    check_history(event, spec, matched, history_of(event))
    seating_before = _seating_key(event)
    joining_changed = spec.joining_open != event.joining_open
    event.name, event.language, event.joining_open = spec.name, spec.language, spec.joining_open
    event.groups = list(spec.groups)
    dead_tokens = apply_setup(event, spec, matched)
    db.session.flush()
    db.session.expire(event, ["topics", "tables", "rounds"])
    pushes = [record(event, "event_updated", setup_push_payload(event), [event_room(event.id)])]
    if event.plan_metrics and _seating_key(event) != seating_before:
        # The rounds to come follow the new tables, capacities and rounds (or the change is refused with the reason);
        # played rounds never change. A new text or round length moves nobody, so it costs no re-plan.
        from .planning import reseat_after_change

        pushes += reseat_after_change(event, [])
    if joining_changed:
        pushes.append(joining_push(event))
    db.session.commit()
    return pushes, dead_tokens


def _seating_key(event: Event) -> tuple[Any, ...]:
    """What the seating depends on: the tables with their seats, tags and topic, and the number of rounds."""
    tables = tuple((t.number, t.capacity, tuple(t.tags), t.topic.id if t.topic else None) for t in event.tables)
    return tables, len(event.rounds)


def joining_push(event: Event) -> Push:
    """Joining was opened or closed: phones, screen and moderators show it."""
    return record(
        event,
        "joining_changed",
        {"joining_open": event.joining_open},
        [event_room(event.id), moderators_room(event.id)],
    )


def add_capacity(event: Event, data: Any) -> tuple[list[Push], list[str]]:
    """The full room's one-click remedies: ``{"seats_per_table": n}`` adds n seats to every table, ``{"tables": n}``
    opens n new tables (next numbers, on the topics with the fewest tables, as many seats as most tables have)."""
    spec = parse(CapacitySpec, data)
    seats, new_tables = spec.seats_per_table, spec.tables
    if not seats and not new_tables:
        raise ServiceError("invalid", _("Send {\"seats_per_table\": n} or {\"tables\": n}."))
    setup = setup_of(event)
    tables = [{**table, "capacity": table["capacity"] + seats} for table in setup["tables"]]
    capacities = [table["capacity"] for table in tables] or [5]
    usual = max(set(capacities), key=capacities.count)
    per_topic: dict[int | None, int] = defaultdict(int)
    for table in tables:
        per_topic[table["topic"]] += 1
    topics = list(range(1, len(setup["topics"]) + 1)) or [None]
    for _n in range(new_tables):
        topic = min(topics, key=lambda t: (per_topic[t], t or 0))
        per_topic[topic] += 1
        number = max((table["number"] for table in tables), default=0) + 1
        tables.append({"number": number, "topic": topic, "capacity": usual, "host": "", "tags": []})
    return update_setup(event, {"tables": tables})
