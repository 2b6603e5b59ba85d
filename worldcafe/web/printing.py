"""Printable pages shared by the moderator and the help desk: participant (route) cards and the A–Z seating list."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from flask import render_template, request

from ..models import Event
from ..qrcodes import Qr
from ..services import helpdesk
from ..services.cards import Page, PersonCard, routes
from ..services.spec import whole_number
from .links import qr_svgs, role_url

# The seating list on a wall: names per printed sheet (3 columns of 26 lines, A4 portrait, read from 2 m).
SEATING_PER_SHEET = 78


def person_card(card: PersonCard) -> dict[str, Any]:
    """A person as a card and the links page show them."""
    return {"id": card.id, "name": card.name, "group": card.group, "link": role_url("participant", card.token)}


def participant_cards(event: Event, cards: list[PersonCard], page: Page, token: str) -> str:
    """A4 sheets of personal cards: name, group, every round's table, and the QR of the person's own page."""
    people = [person_card(card) for card in cards]
    for person, svg in zip(people, qr_svgs([Qr(person["link"], 3) for person in people]), strict=True):
        person["qr"] = svg
    stops = routes(event, [person["id"] for person in people])
    for person in people:
        person["route"] = stops.get(person["id"], [])
    return render_template("print_participants.html", event=event, people=people, page=page, token=token)


def seating_sheet(event: Event, token: str) -> str:
    """The A–Z list of one round (``?round=``, default: the one running or the next): name → table, colour, topic."""
    raw = request.args.get("round")
    number = whole_number(raw, "round") if raw not in (None, "") else helpdesk.default_round(event)
    people = helpdesk.seating_list(event, number)["people"] if event.rounds else []
    sheets = []
    for start in range(0, len(people), SEATING_PER_SHEET):
        chunk = people[start : start + SEATING_PER_SHEET]
        sheets.append({
            "first": chunk[0]["letter"],
            "last": chunk[-1]["letter"],
            "letters": [(letter, list(group)) for letter, group in groupby(chunk, key=lambda p: p["letter"])],
        })
    return render_template(
        "print_seating.html", event=event, round=number, rounds=[r.number for r in event.rounds], sheets=sheets,
        total=len(people), token=token, endpoint=request.endpoint,
    )
