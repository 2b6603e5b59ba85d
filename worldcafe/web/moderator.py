"""The moderator's console and its printable sheets."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from ..qrcodes import Qr
from ..services.access import find_link
from ..services.cards import (
    LINK_TABLES_PER_PAGE,
    PEOPLE_PER_PAGE,
    TABLES_PER_PAGE,
    Page,
    TableCard,
    count_people,
    count_tables,
    page_number,
    paged,
    people_page,
    tables_page,
)
from ..services.errors import ServiceError
from ..services.participants import find_participant
from ..services.views import full_view
from .auth import page_access, send_photo
from .i18n import use_event_language
from .links import base_url, checkin_url, is_loopback, join_url, qr_svg, qr_svg_file, qr_svgs, role_url
from .printing import participant_cards, person_card, render_in_pieces, seating_sheet

bp = Blueprint("moderator", __name__)


@bp.get("/m/<token>")
def console(token: str) -> Any:
    """Set up and run the event."""
    access = page_access(token, "moderator")
    address = base_url()
    return render_template(
        "moderator.html", event=access.event, view=full_view(access.event), token=token,
        loopback_links=is_loopback(address), base_address=address,
    )


@bp.get("/m/<token>/links")
def links(token: str) -> Any:
    """Every link with its QR code, a part of the tables and people at a time (``?page=``)."""
    access = page_access(token, "moderator")
    event = access.event
    number = page_number(request.args.get("page"))
    tables_total, people_total = count_tables(event), count_people(event)
    # As many parts as the longer of the two lists needs; part N shows the N-th slice of each.
    count = max(Page(1, LINK_TABLES_PER_PAGE, tables_total).count, Page(1, PEOPLE_PER_PAGE, people_total).count)
    page = paged(number, 1, count)
    tables = Page(number, LINK_TABLES_PER_PAGE, tables_total)
    people = Page(number, PEOPLE_PER_PAGE, people_total)
    roles = {"join": join_url(event.public_id)}
    for role in ("screen", "moderator", "helpdesk"):
        link = find_link(event, role)
        roles[role] = role_url(role, link.token) if link else ""
    host_cards = tables_page(event, tables) if number <= tables.count else []
    host_urls = [role_url("host", card.host_token) if card.host_token else "" for card in host_cards]
    host_qrs = qr_svgs([Qr(url, 3) for url in host_urls])
    return render_in_pieces(
        "links.html", event=event, token=token, roles=roles, qr=qr_svg, page=page, tables=tables, people=people,
        hosts=[{"card": card, "url": url, "qr": svg} for card, url, svg in zip(host_cards, host_urls, host_qrs,
                                                                               strict=True)],
        participants=[person_card(card) for card in (people_page(event, people) if number <= people.count else [])],
    )


@bp.get("/m/<token>/participants/<int:participant_id>/qr.svg")
def participant_qr(token: str, participant_id: int) -> Any:
    """A person's own link as a big QR code, for the help desk to show to a phone that lost it."""
    access = page_access(token, "moderator")
    person = find_participant(access.event, participant_id)
    link = find_link(access.event, "participant", participant_id=person.id)
    if link is None:
        raise ServiceError("not_found", _("That link does not exist."))
    return Response(qr_svg_file(role_url("participant", link.token)), mimetype="image/svg+xml")


@bp.get("/m/<token>/photos/<photo_id>")
def photo(token: str, photo_id: str) -> Any:
    """A stored photo (token in the URL so that an <img> can show it)."""
    return send_photo(page_access(token, "moderator"), photo_id)


@bp.get("/m/<token>/print/tables")
def print_tables(token: str) -> Any:
    """A4 table cards: number, colour, topic, question; the host's QR on a slip to cut off (a part per ``?page=``)."""
    access = page_access(token, "moderator")
    use_event_language(access.event, room=True)  # printed for the room: the event's language, not this laptop's
    page = paged(page_number(request.args.get("page")), TABLES_PER_PAGE, count_tables(access.event))
    tables = tables_page(access.event, page)
    cards = [_table_card(table) for table in tables]
    svgs = qr_svgs([Qr(url, 3) for card in cards for url in (card["checkin"], card["host_link"])])
    for index, card in enumerate(cards):
        card["checkin_qr"], card["host_qr"] = svgs[2 * index], svgs[2 * index + 1]
    return render_in_pieces("print_tables.html", event=access.event, cards=cards, page=page, token=token)


def _table_card(table: TableCard) -> dict[str, Any]:
    host_link = role_url("host", table.host_token) if table.host_token else ""
    return {"table": table, "host_link": host_link, "checkin": checkin_url(table.checkin_code)}


@bp.get("/m/<token>/print/participants")
def print_participants(token: str) -> Any:
    """A4 sheets of participant cards with each person's own QR and every round's table (200 cards per ``?page=``)."""
    access = page_access(token, "moderator")
    use_event_language(access.event, room=True)  # printed for the room: the event's language, not this laptop's
    page = paged(page_number(request.args.get("page")), PEOPLE_PER_PAGE, count_people(access.event))
    return participant_cards(access.event, people_page(access.event, page), page, token)


@bp.get("/m/<token>/print/seating")
def print_seating(token: str) -> Any:
    """The A–Z seating list of a round (``?round=``) for the wall: name → table number, colour and topic."""
    return seating_sheet(page_access(token, "moderator").event, token)
