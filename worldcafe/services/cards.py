"""What the printed cards and the links page show, one page at a time, read with lean queries (DESIGN.md §6a).

A 5,000-person event's cards are too many for one request: each page reads only its own rows (and only the columns
it prints), so no request loads every participant and link of the event into the session.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext as _

from ..domain.palette import NO_TOPIC_COLOUR
from ..extensions import db
from ..models import AccessLink, CafeTable, Event, Participant, Topic
from .errors import ServiceError
from .spec import whole_number

# 25 A4 sheets of 8 participant cards; 50 table cards (one sheet each); the links page's lists per page.
PEOPLE_PER_PAGE = 200
TABLES_PER_PAGE = 50
LINK_TABLES_PER_PAGE = 100


@dataclass(frozen=True)
class Page:
    """One page of a long list: ``number`` (1-based) of ``count`` pages, holding items ``first``–``last``."""

    number: int
    size: int
    total: int

    @property
    def count(self) -> int:
        """How many pages the list has (at least one, even when it is empty)."""
        return max(1, math.ceil(self.total / self.size))

    @property
    def offset(self) -> int:
        """How many items come before this page."""
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        """The 1-based position of the page's first item (0 for an empty list)."""
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        """The 1-based position of the page's last item."""
        return min(self.offset + self.size, self.total)


def page_number(raw: str | None) -> int:
    """The page a request asks for (``?page=``, default 1), or an invalid error."""
    if raw is None or raw == "":
        return 1
    try:
        number = whole_number(raw, "page")
    except ServiceError:
        number = 0
    if number < 1:
        raise ServiceError("invalid", _("The part (?page=) must be a whole number from 1."))
    return number


def paged(number: int, size: int, total: int) -> Page:
    """Page ``number`` of ``total`` items, or an invalid error past the last page (the pages call them parts)."""
    page = Page(number=number, size=size, total=total)
    if number > page.count:
        raise ServiceError("invalid", _("There is no part %(n)s; the last one is %(count)s.", n=number,
                                        count=page.count))
    return page


@dataclass(frozen=True)
class PersonCard:
    """A participant as the cards and the links page print them."""

    id: int
    name: str
    group: str | None
    token: str


@dataclass(frozen=True)
class TableCard:
    """A table as its card prints it."""

    number: int
    colour: str
    title: str | None
    question: str | None
    host_name: str
    checkin_code: str
    host_token: str | None


def count_people(event: Event) -> int:
    """How many participants have a personal link (everyone the cards and links list)."""
    query = db.select(db.func.count(AccessLink.id)).where(
        AccessLink.event_id == event.id, AccessLink.role == "participant", AccessLink.participant_id.is_not(None)
    )
    return int(db.session.execute(query).scalar_one())


def people_page(event: Event, page: Page) -> list[PersonCard]:
    """The participants on one page, in the order they were added, with their link's token. (Links are found by
    event, people by id: a join on the links' person would scan every link of the event per person.)"""
    tokens = dict(db.session.execute(
        db.select(AccessLink.participant_id, AccessLink.token)
        .where(AccessLink.event_id == event.id, AccessLink.role == "participant",
               AccessLink.participant_id.is_not(None))
        .order_by(AccessLink.participant_id)
        .offset(page.offset)
        .limit(page.size)
    ).all())
    rows = db.session.execute(
        db.select(Participant.id, Participant.name, Participant.group)
        .where(Participant.id.in_(list(tokens))).order_by(Participant.id)
    ).all()
    return [PersonCard(id=i, name=name, group=group, token=tokens[i]) for i, name, group in rows]


def count_tables(event: Event) -> int:
    """How many tables the event has."""
    return int(db.session.execute(
        db.select(db.func.count(CafeTable.id)).where(CafeTable.event_id == event.id)
    ).scalar_one())


def tables_page(event: Event, page: Page) -> list[TableCard]:
    """The tables on one page, by number, with their topic and host link's token."""
    rows = db.session.execute(
        db.select(CafeTable.id, CafeTable.number, Topic.colour, Topic.title, Topic.question, CafeTable.host_name,
                  CafeTable.checkin_code)
        .outerjoin(Topic, CafeTable.topic_id == Topic.id)
        .where(CafeTable.event_id == event.id)
        .order_by(CafeTable.number)
        .offset(page.offset)
        .limit(page.size)
    ).all()
    tokens = dict(db.session.execute(
        db.select(AccessLink.table_id, AccessLink.token)
        .where(AccessLink.event_id == event.id, AccessLink.role == "host",
               AccessLink.table_id.in_([row[0] for row in rows]))
    ).all()) if rows else {}
    return [
        TableCard(number=number, colour=colour or NO_TOPIC_COLOUR, title=title, question=question,
                  host_name=host_name, checkin_code=code, host_token=tokens.get(table_id))
        for table_id, number, colour, title, question, host_name, code in rows
    ]


@dataclass(frozen=True)
class RouteStop:
    """One round of a person's route as a card prints it (``table`` None: no seat in that round yet)."""

    round: int
    table: int | None
    colour: str
    topic: str | None


def routes(event: Event, people: list[int]) -> dict[int, list[RouteStop]]:
    """Every round's table for each of these people (one query for the page's people, one for the tables)."""
    from ..models import Round, Seat

    numbers = [number for (number,) in db.session.execute(
        db.select(Round.number).where(Round.event_id == event.id).order_by(Round.number)
    )]
    tables = {number: (colour or NO_TOPIC_COLOUR, title) for number, colour, title in db.session.execute(
        db.select(CafeTable.number, Topic.colour, Topic.title)
        .outerjoin(Topic, CafeTable.topic_id == Topic.id)
        .where(CafeTable.event_id == event.id)
    )}
    seats: dict[tuple[int, int], int] = {}
    if people and numbers:
        seats = {(pid, number): table for pid, number, table in db.session.execute(
            db.select(Seat.participant_id, Round.number, CafeTable.number)
            .join(Round, Seat.round_id == Round.id)
            .join(CafeTable, Seat.table_id == CafeTable.id)
            .where(Round.event_id == event.id, Seat.participant_id.in_(people))
        )}
    result = {}
    for pid in people:
        stops = []
        for number in numbers:
            table = seats.get((pid, number))
            colour, title = tables.get(table, (NO_TOPIC_COLOUR, None)) if table is not None else (NO_TOPIC_COLOUR, None)
            stops.append(RouteStop(round=number, table=table, colour=colour, topic=title))
        result[pid] = stops
    return result
