"""Printable pages shared by the moderator and the help desk: participant (route) cards and the A–Z seating list."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, request

from ..models import Event
from ..qrcodes import Qr
from ..services import helpdesk
from ..services.cards import Page, PersonCard, routes
from ..services.reading import let_others_run
from ..services.spec import whole_number
from .i18n import use_event_language
from .links import qr_svgs, role_url

# The seating list on a wall: A4 portrait sheets of three columns, each column holding this many lines (a name is a
# line, a long name that wraps two, a letter heading one and a half): about 90 names a sheet, read from two metres.
SEATING_COLUMNS = 3
SEATING_LINES = 32.0
HEADING_LINES = 1.5
# Names longer than this wrap in a column (at the sheet's type size).
ONE_LINE_CHARS = 26


# Rendering time per piece of a big page: 200 participant cards take ~40 ms to render, a loop stall for the whole
# room in one go (DESIGN.md §6a); in pieces of this size, everyone else's requests run in between.
PIECE_S = 0.008


def render_in_pieces(template: str, **context: Any) -> str:
    """A template rendered like ``render_template``, a piece of at most ``PIECE_S`` at a time with the loop free in
    between. (Rendered inside the view, not streamed: a stream would render after the request's database session
    is gone.)"""
    current_app.update_template_context(context)
    parts = current_app.jinja_env.get_template(template).generate(context)
    pieces: list[str] = []
    let_others_run()  # the view's own reading was a piece already
    began = time.monotonic()
    for part in parts:
        pieces.append(part)
        if time.monotonic() - began >= PIECE_S:
            let_others_run()
            began = time.monotonic()
    return "".join(pieces)


def person_card(card: PersonCard) -> dict[str, Any]:
    """A person as a card and the links page show them."""
    return {"id": card.id, "name": card.name, "group": card.group, "link": role_url("participant", card.token)}


def participant_cards(event: Event, cards: list[PersonCard], page: Page, token: str) -> str:
    """A4 sheets of personal cards: name, group, every round's table, and the QR of the person's own page."""
    use_event_language(event, room=True)  # printed for the room: the event's language, not this laptop's
    people = [person_card(card) for card in cards]
    for person, svg in zip(people, qr_svgs([Qr(person["link"], 3) for person in people]), strict=True):
        person["qr"] = svg
    stops = routes(event, [person["id"] for person in people])
    for person in people:
        person["route"] = stops.get(person["id"], [])
    return render_in_pieces("print_participants.html", event=event, people=people, page=page, token=token)


def seating_sheet(event: Event, token: str) -> str:
    """The A–Z list of one round (``?round=``, default: the one running or the next): name → table, colour, topic."""
    use_event_language(event, room=True)  # on the wall for the room: the event's language
    raw = request.args.get("round")
    number = whole_number(raw, "round") if raw not in (None, "") else helpdesk.default_round(event)
    people = helpdesk.seating_list(event, number)["people"] if event.rounds else []
    sheets = seating_sheets(people)
    return render_in_pieces(
        "print_seating.html", event=event, round=number, rounds=[r.number for r in event.rounds], sheets=sheets,
        total=len(people), token=token, endpoint=request.endpoint,
    )


def seating_sheets(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lay the A–Z list out into sheets of columns, each filled to its line budget (so nothing runs off a sheet); a
    letter that goes on in the next column gets its heading again there."""
    columns: list[list[dict[str, Any]]] = []
    column: list[dict[str, Any]] = []
    used = SEATING_LINES  # start with a full column: the first name opens one
    letter = None
    for person in people:
        lines = 1.0 if len(person["name"]) <= ONE_LINE_CHARS else 2.0
        heading = person["letter"] != letter
        if used + lines + (HEADING_LINES if heading else 0) > SEATING_LINES:
            column, used = [], 0.0
            columns.append(column)
            heading = True
        if heading:
            column.append({"heading": person["letter"]})
            used += HEADING_LINES
        column.append(person)
        used += lines
        letter = person["letter"]
    sheets = []
    for start in range(0, len(columns), SEATING_COLUMNS):
        group = columns[start : start + SEATING_COLUMNS]
        names = [item for col in group for item in col if "name" in item]
        sheets.append({"first": names[0]["letter"], "last": names[-1]["letter"], "columns": group})
    return sheets
